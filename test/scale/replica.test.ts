// A read replica: a second PostgreSQL database that this test keeps in step by copying the primary
// (a stand-in for streaming replication, whose lag the test controls). Package reads go to the
// replica; writes, auth checks and reads of one's own fresh writes go to the primary.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import postgres from 'postgres'
import { migratePostgres } from '../../registry/src/db/postgres.ts'
import { FormBrowser } from '../helpers/browser.ts'
import { signIn } from '../helpers/dashboard.ts'
import { publishDocument } from '../helpers/packages.ts'
import { createTestDatabase, noticeSkippedWithoutPostgres, sharedSecrets, TEST_POSTGRES_URL, type TestDatabase } from '../helpers/postgres.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

noticeSkippedWithoutPostgres('read replica')

/** Foreign keys point up this list, so copying in this order (and truncating in reverse) is safe. */
const TABLES = ['users', 'tokens', 'packages', 'versions', 'stars']

describe.skipIf(!TEST_POSTGRES_URL)('read replica', () => {
  let primaryDb: TestDatabase
  let replicaDb: TestDatabase
  let primary: postgres.Sql
  let replica: postgres.Sql
  let registry: TestRegistry

  /** "Replication": the replica becomes an exact copy of the primary. */
  async function catchUp(): Promise<void> {
    await replica.begin(async (tx) => {
      await tx.unsafe(`TRUNCATE ${TABLES.join(', ')} CASCADE`)
      for (const table of TABLES) {
        const rows = await primary.unsafe(`SELECT * FROM ${table}`)
        if (rows.length > 0) await tx`INSERT INTO ${tx(table)} ${tx(rows as unknown as Record<string, unknown>[])}`
      }
    })
  }

  const publish = async (name: string, version: string, description = 'published') =>
    registry.request(`/${name}`, { method: 'PUT', token: registry.adminToken, json: await publishDocument({ name, version, description }) })

  const packument = async (name: string, query = '') => (await registry.request(`/${name}${query}`)).json() as Promise<{ versions: Record<string, { description?: string }> }>

  beforeAll(async () => {
    ;[primaryDb, replicaDb] = await Promise.all([createTestDatabase(), createTestDatabase()])
    primary = postgres(primaryDb.url, { max: 1, onnotice: () => {} })
    replica = postgres(replicaDb.url, { max: 1, onnotice: () => {} })
    // A replica has the primary's schema; the registry itself never migrates it.
    await migratePostgres(replicaDb.url)
    registry = await startTestRegistry({ DATABASE_URL: primaryDb.url, REPLICA_DATABASE_URL: replicaDb.url, DATABASE_POOL_SIZE: '3', ...sharedSecrets() })
  })

  afterAll(async () => {
    await registry?.close()
    await primary?.end()
    await replica?.end()
    await Promise.all([primaryDb?.drop(), replicaDb?.drop()])
  })

  test('health reports that reads go to a replica', async () => {
    expect(await (await registry.request('/health')).json()).toMatchObject({ database: 'postgres', readReplica: true })
  })

  test('writes go to the primary only', async () => {
    expect((await publish('written', '1.0.0')).status).toBe(201)
    expect(await primary`SELECT version FROM versions WHERE package_name = 'written'`).toEqual([{ version: '1.0.0' }] as never)
    expect(await replica`SELECT version FROM versions WHERE package_name = 'written'`).toEqual([] as never)
  })

  test('a login and its token work before the replica has either', async () => {
    const token = await registry.createUser('fresh-user')
    expect(await replica`SELECT 1 FROM users WHERE username = 'fresh-user'`).toHaveLength(0)
    expect(await (await registry.request('/-/whoami', { token })).json()).toEqual({ username: 'fresh-user' })
  })

  test('a dashboard session works on the very next page, before the replica has it', async () => {
    await registry.createUser('session-user')
    const browser = new FormBrowser()
    const landed = await signIn(browser, registry, 'session-user', 'session-user-password-1')
    expect(await replica`SELECT 1 FROM sessions`).toHaveLength(0)
    expect(landed.html).toContain('id="nav-username">session-user<')
    expect((await browser.open(`${registry.url}/-/web/tokens`)).html).toContain('id="nav-username">session-user<')
  })

  test('package reads are served from the replica once it has caught up', async () => {
    expect((await publish('mirrored', '1.0.0', 'as published')).status).toBe(201)
    // The analysis job reads the new version (from the primary, the replica lagging) through the
    // packument cache; once it is done, start from a cold cache, as a freshly started instance would.
    while ((await primary`SELECT 1 FROM version_analyses WHERE package_name = 'mirrored'`).length === 0) await Bun.sleep(20)
    registry.ctx.packuments.clear()
    await catchUp()
    // Only the replica says this, so whoever answers with it read the replica.
    await replica`UPDATE versions SET manifest = replace(manifest, 'as published', 'read from the replica') WHERE package_name = 'mirrored'`
    expect((await packument('mirrored')).versions['1.0.0']?.description).toBe('read from the replica')
  })

  test('a package just written is read from the primary while the replica lags', async () => {
    expect((await publish('mirrored', '1.1.0', 'newer')).status).toBe(201)
    // The replica has not seen 1.1.0: the registry must not serve (and cache) its stale view.
    const doc = await packument('mirrored')
    expect(Object.keys(doc.versions).sort()).toEqual(['1.0.0', '1.1.0'])
    expect(doc.versions['1.0.0']?.description).toBe('as published')
    // Search follows writes asynchronously; an index fed the replica's stale view would stay at 1.0.0.
    const searchedVersion = async () => ((await (await registry.request('/-/v1/search?text=mirrored')).json()) as { objects: Array<{ package: { version: string } }> }).objects[0]?.package.version
    const deadline = Date.now() + 10_000
    while ((await searchedVersion()) !== '1.1.0' && Date.now() < deadline) await Bun.sleep(50)
    expect(await searchedVersion()).toBe('1.1.0')
  })

  test('?write=true always reads the primary', async () => {
    await catchUp()
    await replica`UPDATE versions SET manifest = replace(manifest, 'newer', 'stale replica') WHERE package_name = 'mirrored'`
    expect((await packument('mirrored', '?write=true')).versions['1.1.0']?.description).toBe('newer')
  })

  test('a brand-new package is found although the replica does not have it yet', async () => {
    expect((await publish('brand-new', '0.1.0')).status).toBe(201)
    expect(await replica`SELECT 1 FROM packages WHERE name = 'brand-new'`).toHaveLength(0)
    expect(Object.keys((await packument('brand-new')).versions)).toEqual(['0.1.0'])
  })
})
