// The packument cache's memory bound and eviction (second chance: a package read since eviction last
// passed over it survives one more round), over the registry's real package service and database.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { PackumentCache } from '../../registry/src/packages/cache.ts'
import { escapeName, publishDocument } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

let registry: TestRegistry
const names = ['cache-p0', 'cache-p1', 'cache-p2', 'cache-p3', 'cache-p4']

beforeAll(async () => {
  registry = await startTestRegistry()
  for (const name of names) {
    const response = await registry.request(`/${escapeName(name)}`, { method: 'PUT', token: registry.adminToken, json: await publishDocument({ name, version: '1.0.0', description: 'same shape, same size' }) })
    expect(response.status).toBe(201)
  }
})

afterAll(async () => {
  await registry.close()
})

test('stays within its byte budget, evicting the least recently read package first', async () => {
  const { packages, urls } = registry.ctx
  const probe = new PackumentCache(packages, urls, 1 << 30, registry.ctx.cluster)
  await probe.get('cache-p0')
  const entrySize = probe.stats.bytes
  expect(entrySize).toBeGreaterThan(0)

  const budget = Math.floor(entrySize * 3.5)
  const cache = new PackumentCache(packages, urls, budget, registry.ctx.cluster)
  for (const name of names.slice(0, 3)) await cache.get(name)
  expect(cache.stats.entries).toBe(3)

  await cache.get('cache-p3')
  expect(cache.stats).toEqual({ entries: 3, bytes: entrySize * 3 })
  expect(cache.cached('cache-p0')).toBeUndefined()

  // p1 is read again before the next eviction, so p2 (older, unread) goes instead.
  expect(cache.cached('cache-p1')?.loaded.state.name).toBe('cache-p1')
  await cache.get('cache-p4')
  expect(cache.stats.bytes).toBeLessThanOrEqual(budget)
  expect(cache.cached('cache-p2')).toBeUndefined()
  for (const name of ['cache-p1', 'cache-p3', 'cache-p4']) expect(cache.cached(name)?.loaded.state.name).toBe(name)

  // An evicted package loads again, complete.
  const again = await cache.get('cache-p0')
  expect(again?.loaded.state.versions.map((version) => version.version)).toEqual(['1.0.0'])
  expect(cache.stats.bytes).toBeLessThanOrEqual(budget)
})

test('a name that does not exist is remembered as missing but never returned by cached()', async () => {
  const cache = new PackumentCache(registry.ctx.packages, registry.ctx.urls, 1 << 20, registry.ctx.cluster)
  expect(await cache.get('cache-missing')).toBeNull()
  expect(cache.stats.entries).toBe(1)
  expect(cache.cached('cache-missing')).toBeUndefined()
})
