// Cache coherence between instances on one PostgreSQL database: two registries (separate contexts,
// separate pools, one LISTEN connection each) learn of each other's writes within a second.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { publishDocument } from '../helpers/packages.ts'
import { createTestDatabase, noticeSkippedWithoutPostgres, sharedSecrets, TEST_POSTGRES_URL, type TestDatabase } from '../helpers/postgres.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

noticeSkippedWithoutPostgres('cache coherence across instances')

/** Polls `check` until it holds or a second has passed; returns how long it took. */
async function withinASecond(check: () => Promise<boolean>): Promise<number> {
  const started = performance.now()
  while (performance.now() - started < 1000) {
    if (await check()) return performance.now() - started
    await Bun.sleep(10)
  }
  throw new Error('not seen by the other instance within a second')
}

describe.skipIf(!TEST_POSTGRES_URL)('cache coherence across instances', () => {
  let database: TestDatabase
  let a: TestRegistry
  let b: TestRegistry
  let sql: postgres.Sql
  let dataDir: string

  const versionsOn = async (registry: TestRegistry, name: string) => {
    const response = await registry.request(`/${name}`)
    return response.status === 200 ? Object.keys(((await response.json()) as { versions: object }).versions) : []
  }
  const publish = async (registry: TestRegistry, name: string, version: string, token = registry.adminToken) =>
    registry.request(`/${name}`, { method: 'PUT', token, json: await publishDocument({ name, version, description: `${name} for coherence tests` }) })

  beforeAll(async () => {
    database = await createTestDatabase()
    // One database and one tarball store, as behind a load balancer.
    dataDir = mkdtempSync(join(tmpdir(), 'packr-cluster-'))
    const env = { DATABASE_URL: database.url, DATABASE_POOL_SIZE: '4', DATA_DIR: dataDir, ...sharedSecrets() }
    a = await startTestRegistry(env)
    b = await startTestRegistry(env)
    sql = postgres(database.url, { max: 1, onnotice: () => {} })
  })

  afterAll(async () => {
    await sql?.end()
    await a?.close()
    await b?.close()
    await database?.drop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  test('a version published through A is served by B, whose cache held the old packument', async () => {
    expect((await publish(a, 'shared', '1.0.0')).status).toBe(201)
    await withinASecond(async () => (await versionsOn(b, 'shared')).includes('1.0.0'))
    // B now caches the packument; the next publish must reach that cache.
    expect(await versionsOn(b, 'shared')).toEqual(['1.0.0'])
    expect((await publish(a, 'shared', '1.1.0')).status).toBe(201)
    const took = await withinASecond(async () => (await versionsOn(b, 'shared')).includes('1.1.0'))
    expect(took).toBeLessThan(1000)
    const tarball = await b.request('/shared/-/shared-1.1.0.tgz')
    expect(tarball.status).toBe(200)
  })

  test('a dist-tag set through B is seen by A', async () => {
    expect((await versionsOn(a, 'shared')).length).toBe(2)
    const response = await b.request('/-/package/shared/dist-tags/next', { method: 'PUT', token: b.adminToken, json: '1.1.0' })
    expect(response.status).toBe(200)
    await withinASecond(async () => ((await (await a.request('/-/package/shared/dist-tags')).json()) as Record<string, string>).next === '1.1.0')
  })

  test('the search index of B finds what was published through A', async () => {
    expect((await publish(a, 'findable-everywhere', '1.0.0')).status).toBe(201)
    await withinASecond(async () => {
      const results = (await (await b.request('/-/v1/search?text=findable')).json()) as { objects: Array<{ package: { name: string } }> }
      return results.objects.some((object) => object.package.name === 'findable-everywhere')
    })
  })

  test('a token revoked on A is refused by B, which had it cached', async () => {
    const token = await a.createUser('roaming')
    const whoamiOnB = () => b.request('/-/whoami', { token })
    expect((await whoamiOnB()).status).toBe(200)
    expect((await a.request(`/-/user/token/${token}`, { method: 'DELETE', token })).status).toBe(200)
    await withinASecond(async () => (await whoamiOnB()).status === 401)
    expect(await (await whoamiOnB()).json()).toMatchObject({ code: 'TOKEN_REVOKED', status: 401 })
  })

  test('a lost connection makes an instance drop its caches once it listens again', async () => {
    expect((await versionsOn(b, 'shared')).length).toBe(2)
    // A write that bypasses every instance (no notification): B keeps serving its cached copy...
    await sql`update versions set unpublished_at = ${Date.now()} where package_name = 'shared' and version = '1.1.0'`
    await sql`update packages set revision = revision + 1, dist_tags = '{"latest":"1.0.0"}' where name = 'shared'`
    expect((await versionsOn(b, 'shared')).length).toBe(2)
    // ...until its LISTEN connection drops and postgres.js re-establishes it.
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where datname = ${database.name} and query ilike 'listen%'`
    await Bun.sleep(50)
    const started = performance.now()
    while ((await versionsOn(b, 'shared')).length !== 1) {
      if (performance.now() - started > 10_000) throw new Error('B never resynchronised')
      await Bun.sleep(50)
    }
    expect(await versionsOn(b, 'shared')).toEqual(['1.0.0'])
  })

  test('a message the instance does not understand makes it drop its caches rather than guess', async () => {
    expect((await publish(a, 'shared', '1.2.0')).status).toBe(201)
    await withinASecond(async () => (await versionsOn(b, 'shared')).includes('1.2.0'))
    await sql`update versions set deprecated = 'stop' where package_name = 'shared' and version = '1.2.0'`
    await sql`select pg_notify('packr_cluster', '{"type":"from-a-newer-release"}')`
    await withinASecond(async () => {
      const packument = (await (await b.request('/shared')).json()) as { versions: Record<string, { deprecated?: string }> }
      return packument.versions['1.2.0']?.deprecated === 'stop'
    })
  })
})
