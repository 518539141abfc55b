// `bun run migrate` brings the configured database up to date: SQLite in DATA_DIR, or PostgreSQL,
// where several instances may run it at once (an advisory lock serializes them).
import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { is } from 'drizzle-orm'
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core'
import postgres from 'postgres'
import * as pgSchema from '../../registry/src/db/schema.pg.ts'
import { run } from '../helpers/clients.ts'
import { createTestDatabase, noticeSkippedWithoutPostgres, sharedSecrets, TEST_POSTGRES_URL } from '../helpers/postgres.ts'

const ROOT = resolve(import.meta.dir, '../..')
const dataDir = mkdtempSync(join(tmpdir(), 'packr-migrate-'))
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const migrate = (env: Record<string, string>) => run([process.execPath, 'run', 'migrate'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, ...env } })

noticeSkippedWithoutPostgres('bun run migrate on PostgreSQL')

describe('bun run migrate', () => {
  test('creates the SQLite database in DATA_DIR', async () => {
    const result = await migrate({})
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('sqlite database is up to date')
    expect(existsSync(join(dataDir, 'packr.db'))).toBe(true)
  })

  test('an unreachable PostgreSQL fails with a message that does not reveal the password', async () => {
    const result = await migrate({ DATABASE_URL: 'postgres://packr:hunter2@127.0.0.1:1/packr', ...sharedSecrets() })
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('packr: migration failed')
    expect(`${result.stdout}${result.stderr}`).not.toContain('hunter2')
  })
})

describe.skipIf(!TEST_POSTGRES_URL)('bun run migrate on PostgreSQL', () => {
  test('three instances migrating one fresh database at once all succeed and create every table once', async () => {
    const database = await createTestDatabase()
    try {
      const env = { DATABASE_URL: database.url, ...sharedSecrets() }
      const results = await Promise.all([migrate(env), migrate(env), migrate(env)])
      for (const result of results) {
        expect(result.exitCode).toBe(0)
        expect(result.stdout).toContain('postgres database is up to date')
      }
      const sql = postgres(database.url, { max: 1, onnotice: () => {} })
      try {
        const tables = await sql`select table_name from information_schema.tables where table_schema = 'public' order by table_name`
        const declared = Object.values(pgSchema).filter((value) => is(value, PgTable)).map((table) => getTableConfig(table).name)
        expect(tables.map((row) => row.table_name)).toEqual(declared.sort())
        const journal = (await Bun.file(join(ROOT, 'registry/src/db/migrations/pg/meta/_journal.json')).json()) as { entries: unknown[] }
        const applied = await sql`select count(*)::int as count from drizzle.__drizzle_migrations`
        expect(applied[0]?.count).toBe(journal.entries.length)
      } finally {
        await sql.end()
      }
    } finally {
      await database.drop()
    }
  })
})
