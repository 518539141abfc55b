// The PostgreSQL schema must stay the twin of the SQLite one: same tables, columns (types mapped),
// nullability, defaults, keys, unique constraints, indexes and foreign keys. A difference fails with
// a sentence naming the table or column, so whoever adds a table on one side knows what to add.
import { describe, expect, test } from 'bun:test'
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { getTableName, is, SQL, StringChunk, type Column, type Table } from 'drizzle-orm'
import { getTableConfig as pgTableConfig, PgTable } from 'drizzle-orm/pg-core'
import { getTableConfig as sqliteTableConfig, integer, SQLiteTable, sqliteTable, text as sqliteText } from 'drizzle-orm/sqlite-core'
import * as pgSchema from '../../registry/src/db/schema.pg.ts'
import * as sqliteSchema from '../../registry/src/db/schema.ts'

const REGISTRY = resolve(import.meta.dir, '../../registry')

/** SQLite column type → the PostgreSQL type its twin must have. */
const TYPE_MAP: Record<string, string> = { text: 'text', integer: 'bigint', real: 'double precision', blob: 'bytea', numeric: 'numeric' }

interface TableShape {
  columns: Map<string, { type: string; notNull: boolean; default: string | null }>
  primaryKey: string
  uniques: string[]
  indexes: string[]
  foreignKeys: string[]
}

function sqlText(value: SQL): string {
  return value.queryChunks.map((chunk) => (is(chunk, StringChunk) ? chunk.value.join('') : String(chunk))).join('')
}

/** A column default as SQL text, so `sql\`'[]'\`` on one side equals `'[]'` on the other. */
function defaultOf(column: Column): string | null {
  if (!column.hasDefault || column.default === undefined) return null
  if (is(column.default, SQL)) return sqlText(column.default)
  const driverValue = column.mapToDriverValue(column.default)
  return typeof driverValue === 'string' ? `'${driverValue.replaceAll("'", "''")}'` : String(driverValue)
}

const names = (columns: Array<{ name: string } | unknown>) => columns.map((column) => (column as { name?: string }).name ?? String(column)).join(', ')

function shape(config: ReturnType<typeof sqliteTableConfig> | ReturnType<typeof pgTableConfig>, mapType: (type: string) => string): TableShape {
  const columns = new Map<string, { type: string; notNull: boolean; default: string | null }>()
  const uniques: string[] = []
  let primaryKey = ''
  for (const column of config.columns as Column[]) {
    columns.set(column.name, { type: mapType(column.getSQLType()), notNull: column.notNull, default: defaultOf(column) })
    if (column.primary) primaryKey = column.name
    if (column.isUnique) uniques.push(`${column.uniqueName ?? ''} (${column.name})`)
  }
  for (const key of config.primaryKeys as Array<{ columns: Column[] }>) primaryKey = names(key.columns)
  for (const unique of config.uniqueConstraints as Array<{ getName(): string; columns: Column[] }>) uniques.push(`${unique.getName()} (${names(unique.columns)})`)
  const indexes = (config.indexes as Array<{ config: { name: string; columns: unknown[]; unique: boolean; where?: SQL } }>).map(
    ({ config: index }) => `${index.unique ? 'unique ' : ''}${index.name} (${names(index.columns)})${index.where ? ` where ${sqlText(index.where)}` : ''}`,
  )
  const foreignKeys = (config.foreignKeys as Array<{ reference(): { columns: Column[]; foreignColumns: Column[]; foreignTable: Table }; onDelete?: string; onUpdate?: string }>).map((key) => {
    const reference = key.reference()
    return `(${names(reference.columns)}) → ${getTableName(reference.foreignTable)} (${names(reference.foreignColumns)}) on delete ${key.onDelete ?? 'no action'} on update ${key.onUpdate ?? 'no action'}`
  })
  return { columns, primaryKey, uniques: uniques.sort(), indexes: indexes.sort(), foreignKeys: foreignKeys.sort() }
}

function tables<T>(module: Record<string, unknown>, isTable: (value: unknown) => value is T, configOf: (table: T) => { name: string }): Map<string, T> {
  const found = new Map<string, T>()
  for (const value of Object.values(module)) if (isTable(value)) found.set(configOf(value).name, value)
  return found
}

/** Every difference between the two schema modules, as sentences. */
function schemaDifferences(sqliteModule: Record<string, unknown>, pgModule: Record<string, unknown>): string[] {
  const sqlite = tables(sqliteModule, (value): value is SQLiteTable => is(value, SQLiteTable), sqliteTableConfig)
  const pg = tables(pgModule, (value): value is PgTable => is(value, PgTable), pgTableConfig)
  const differences: string[] = []
  for (const name of sqlite.keys()) if (!pg.has(name)) differences.push(`table "${name}" is in schema.ts but missing from schema.pg.ts`)
  for (const name of pg.keys()) if (!sqlite.has(name)) differences.push(`table "${name}" is in schema.pg.ts but missing from schema.ts`)
  for (const [name, sqliteTable] of sqlite) {
    const pgTable = pg.get(name)
    if (!pgTable) continue
    const left = shape(sqliteTableConfig(sqliteTable), (type) => TYPE_MAP[type] ?? `unmapped SQLite type ${type}`)
    const right = shape(pgTableConfig(pgTable), (type) => type)
    for (const column of left.columns.keys()) if (!right.columns.has(column)) differences.push(`column "${name}.${column}" is in schema.ts but missing from schema.pg.ts`)
    for (const column of right.columns.keys()) if (!left.columns.has(column)) differences.push(`column "${name}.${column}" is in schema.pg.ts but missing from schema.ts`)
    for (const [column, expected] of left.columns) {
      const actual = right.columns.get(column)
      if (!actual) continue
      if (actual.type !== expected.type) differences.push(`column "${name}.${column}": schema.pg.ts has type ${actual.type}, the SQLite type maps to ${expected.type}`)
      if (actual.notNull !== expected.notNull) differences.push(`column "${name}.${column}": NOT NULL is ${expected.notNull} in schema.ts but ${actual.notNull} in schema.pg.ts`)
      if (actual.default !== expected.default) differences.push(`column "${name}.${column}": default is ${expected.default} in schema.ts but ${actual.default} in schema.pg.ts`)
    }
    if (left.primaryKey !== right.primaryKey) differences.push(`table "${name}": primary key is (${left.primaryKey}) in schema.ts but (${right.primaryKey}) in schema.pg.ts`)
    for (const kind of ['uniques', 'indexes', 'foreignKeys'] as const) {
      const label = { uniques: 'unique constraint', indexes: 'index', foreignKeys: 'foreign key' }[kind]
      for (const entry of left[kind]) if (!right[kind].includes(entry)) differences.push(`table "${name}": ${label} ${entry} is in schema.ts but missing from schema.pg.ts`)
      for (const entry of right[kind]) if (!left[kind].includes(entry)) differences.push(`table "${name}": ${label} ${entry} is in schema.pg.ts but missing from schema.ts`)
    }
  }
  return differences
}

describe('schema parity', () => {
  test('schema.pg.ts is the twin of schema.ts', () => {
    expect(schemaDifferences(sqliteSchema, pgSchema)).toEqual([])
  })

  test('a drifted twin is reported table by table and column by column', () => {
    const drifted = {
      widgets: sqliteTable('widgets', { id: sqliteText('id').primaryKey() }),
      users: sqliteTable('users', {
        id: sqliteText('id').primaryKey(),
        username: sqliteText('username').notNull().unique(),
        email: sqliteText('email'),
        passwordHash: sqliteText('password_hash'),
        role: sqliteText('role').notNull().default('admin'),
        createdAt: integer('created_at').notNull(),
        updatedAt: integer('updated_at'),
        nickname: sqliteText('nickname'),
      }),
    }
    const { users } = pgSchema
    expect(schemaDifferences(drifted, { users }).sort()).toEqual(
      [
        'table "widgets" is in schema.ts but missing from schema.pg.ts',
        'column "users.nickname" is in schema.ts but missing from schema.pg.ts',
        'column "users.role": default is \'admin\' in schema.ts but \'user\' in schema.pg.ts',
        'column "users.updated_at": NOT NULL is false in schema.ts but true in schema.pg.ts',
      ].sort(),
    )
    expect(schemaDifferences({ users: sqliteSchema.users }, pgSchema)).toContain('table "packages" is in schema.pg.ts but missing from schema.ts')
  })

  test('both schemas declare the same, non-empty set of tables', () => {
    const sqlite = Object.values(sqliteSchema).filter((value) => is(value, SQLiteTable)).length
    const pg = Object.values(pgSchema).filter((value) => is(value, PgTable)).length
    expect(sqlite).toBeGreaterThan(0)
    expect(pg).toBe(sqlite)
  })

  // drizzle-kit compares a schema with the snapshot of its last migration; "No schema changes" means
  // the committed migrations create exactly what the schema file declares.
  for (const dialect of ['sqlite', 'pg'] as const) {
    test(`the committed ${dialect} migrations match the schema`, async () => {
      const work = mkdtempSync(join(tmpdir(), `packr-migrations-${dialect}-`))
      try {
        cpSync(join(REGISTRY, 'src/db/migrations', dialect), join(work, 'out'), { recursive: true })
        const schemaFile = join(REGISTRY, 'src/db', dialect === 'pg' ? 'schema.pg.ts' : 'schema.ts')
        const config = join(work, 'drizzle.config.ts')
        // drizzle-kit wants `out` relative to the working directory.
        writeFileSync(config, `export default ${JSON.stringify({ dialect: dialect === 'pg' ? 'postgresql' : 'sqlite', schema: schemaFile, out: './out' })}\n`)
        const proc = Bun.spawn([join(REGISTRY, 'node_modules/.bin/drizzle-kit'), 'generate', '--config', config], { cwd: work, stdout: 'pipe', stderr: 'pipe' })
        const [stdout, stderr] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text()])
        expect(await proc.exited).toBe(0)
        expect(`${stdout}${stderr}`).toContain('No schema changes')
      } finally {
        rmSync(work, { recursive: true, force: true })
      }
    })
  }
})
