import { afterAll, beforeAll, expect, test } from 'bun:test'
import { count, eq, sum } from 'drizzle-orm'
import { packageDownloads } from '../src/db/schema.ts'
import { publishDocument } from '../../test/helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../../test/helpers/registry.ts'

let registry: TestRegistry

beforeAll(async () => {
  registry = await startTestRegistry()
})
afterAll(() => registry.close())

test('tarball downloads are counted per version and day; revalidations are not', async () => {
  for (const version of ['1.0.0', '1.1.0']) {
    const response = await registry.request('/counted', { method: 'PUT', token: registry.adminToken, json: await publishDocument({ name: 'counted', version }) })
    expect(response.status).toBe(201)
  }
  for (let i = 0; i < 3; i++) expect((await registry.request('/counted/-/counted-1.0.0.tgz')).status).toBe(200)
  const first = await registry.request('/counted/-/counted-1.1.0.tgz')
  expect(first.status).toBe(200)
  const revalidated = await registry.request('/counted/-/counted-1.1.0.tgz', { headers: { 'if-none-match': first.headers.get('etag') as string } })
  expect(revalidated.status).toBe(304)
  expect((await registry.request('/counted/-/counted-9.9.9.tgz')).status).toBe(404)

  const downloads = registry.ctx.downloads
  await downloads.flush()
  const today = new Date().toISOString().slice(0, 10)
  expect(await downloads.daily('counted', today, today)).toEqual([{ day: today, count: 4 }])
  expect(await downloads.daily('counted', today, today, '1.0.0')).toEqual([{ day: today, count: 3 }])
  expect(await downloads.total('counted', 7)).toBe(4)
  // Flushing again adds nothing; new downloads add to the same row.
  await downloads.flush()
  await registry.request('/counted/-/counted-1.0.0.tgz')
  await downloads.flush()
  expect(await downloads.total('counted', 1)).toBe(5)
})

test('a download record is kept per caller, address and version; repeats between flushes add to its count', async () => {
  const downloads = registry.ctx.downloads
  const at = Date.now()
  for (let i = 0; i < 4; i++) downloads.record('recorded', '1.0.0', { address: '10.0.0.1', userId: 'user-a' }, at + i)
  downloads.record('recorded', '1.0.0', { address: '10.0.0.2', userId: 'user-a' }, at)
  downloads.record('recorded', '1.0.0', { address: '10.0.0.1', userId: 'user-b' }, at)
  downloads.record('recorded', '2.0.0', { address: '10.0.0.1', userId: 'user-a' }, at)
  downloads.record('recorded', '1.0.0', { address: '10.0.0.1', authorization: null }, at)
  await downloads.flush()
  const rows = await registry.ctx.db.read.select().from(packageDownloads).where(eq(packageDownloads.packageName, 'recorded'))
  const shape = rows.map(({ version, clientAddress, userId, count, at: first }) => ({ version, clientAddress, userId, count, first: first - at }))
  expect(shape.sort((a, b) => `${a.version}${a.clientAddress}${a.userId}`.localeCompare(`${b.version}${b.clientAddress}${b.userId}`))).toEqual([
    { version: '1.0.0', clientAddress: '10.0.0.1', userId: null, count: 1, first: 0 },
    { version: '1.0.0', clientAddress: '10.0.0.1', userId: 'user-a', count: 4, first: 0 },
    { version: '1.0.0', clientAddress: '10.0.0.1', userId: 'user-b', count: 1, first: 0 },
    { version: '1.0.0', clientAddress: '10.0.0.2', userId: 'user-a', count: 1, first: 0 },
    { version: '2.0.0', clientAddress: '10.0.0.1', userId: 'user-a', count: 1, first: 0 },
  ])
  expect(await downloads.total('recorded', 1)).toBe(8)
})

test('a large flush writes in small transactions and lets requests through between them', async () => {
  const downloads = registry.ctx.downloads
  const records = 20_000
  for (let i = 0; i < records; i++) downloads.record('flooded', `1.0.${i % 50}`, { address: `10.1.${Math.floor(i / 250)}.${i % 250}`, userId: null })
  // Count the event loop's turns while the flush runs: each is a chance to serve requests. Under one
  // big transaction there were none until it ended (bun:sqlite is synchronous).
  let turns = 0
  let flushing = true
  const turn = () => {
    turns++
    if (flushing) setImmediate(turn)
  }
  setImmediate(turn)
  const health = registry.request('/health')
  await downloads.flush()
  flushing = false
  expect(turns).toBeGreaterThanOrEqual(records / 500)
  expect((await health).status).toBe(200)
  const [written] = await registry.ctx.db.read.select({ rows: count(), downloads: sum(packageDownloads.count) }).from(packageDownloads).where(eq(packageDownloads.packageName, 'flooded'))
  expect(written?.rows).toBe(records)
  expect(Number(written?.downloads)).toBe(records)
  expect(await downloads.total('flooded', 1)).toBe(records)
})
