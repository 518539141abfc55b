// Concurrent writers on one registry never lose a write: publishes of one package queue on its row
// lock, a version is taken exactly once, dist-tag edits do not overwrite each other, -rev writes
// are compare-and-swap, and a revoked token stops working at once. Runs on SQLite and, in the
// PostgreSQL pass, on PostgreSQL (where multi-instance.test.ts repeats it across processes).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { packTarball, publishDocument } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

let registry: TestRegistry

beforeAll(async () => {
  registry = await startTestRegistry()
})
afterAll(() => registry.close())

const publish = async (name: string, version: string, extra: Record<string, unknown> = {}) =>
  registry.request(`/${name.replace('/', '%2f')}`, { method: 'PUT', token: registry.adminToken, json: await publishDocument({ name, version, ...extra }) })

const packument = async (name: string) =>
  (await (await registry.request(`/${name.replace('/', '%2f')}?write=true`)).json()) as { _rev: string; versions: Record<string, unknown>; 'dist-tags': Record<string, string> }

describe('concurrent writes', () => {
  test('40 versions of a new package published at once are all kept', async () => {
    const versions = Array.from({ length: 40 }, (_, index) => `1.0.${index}`)
    const responses = await Promise.all(versions.map((version) => publish('@race/many', version)))
    expect(responses.map((response) => response.status)).toEqual(versions.map(() => 201))
    const doc = await packument('@race/many')
    expect(Object.keys(doc.versions).sort()).toEqual([...versions].sort())
    expect(versions).toContain(doc['dist-tags'].latest as string)
    // One revision per write, plus the row's creation.
    expect(Number(doc._rev.split('-')[0])).toBe(versions.length)
  })

  test('one version published at once with different contents is taken exactly once', async () => {
    const responses = await Promise.all(Array.from({ length: 8 }, (_, index) => publish('contended', '1.0.0', { description: `attempt ${index}` })))
    const statuses = responses.map((response) => response.status).sort()
    expect(statuses).toEqual([201, 409, 409, 409, 409, 409, 409, 409])
    for (const response of responses.filter((candidate) => candidate.status === 409)) {
      expect(await response.json()).toMatchObject({ code: 'VERSION_EXISTS', status: 409 })
    }
  })

  test('the same publish retried at once succeeds once and is acknowledged for the rest', async () => {
    const tarball = await packTarball({ name: 'retried', version: '1.0.0' })
    const document = await publishDocument({ name: 'retried', version: '1.0.0' }, { tarball })
    const responses = await Promise.all(Array.from({ length: 6 }, () => registry.request('/retried', { method: 'PUT', token: registry.adminToken, json: document })))
    expect(responses.map((response) => response.status).sort()).toEqual([200, 200, 200, 200, 200, 201])
    const tarballResponse = await registry.request('/retried/-/retried-1.0.0.tgz')
    expect(new Uint8Array(await tarballResponse.arrayBuffer())).toEqual(new Uint8Array(tarball))
  })

  test('dist-tags added at once are all kept', async () => {
    expect((await publish('tagged', '1.0.0')).status).toBe(201)
    const tags = Array.from({ length: 12 }, (_, index) => `channel-${index}`)
    const responses = await Promise.all(
      tags.map((tag) => registry.request(`/-/package/tagged/dist-tags/${tag}`, { method: 'PUT', token: registry.adminToken, json: '1.0.0' })),
    )
    expect(responses.every((response) => response.status === 200)).toBe(true)
    const doc = await packument('tagged')
    for (const tag of tags) expect(doc['dist-tags'][tag]).toBe('1.0.0')
  })

  test('two -rev writes from the same revision: one applies, the other is told to re-read', async () => {
    expect((await publish('guarded', '1.0.0')).status).toBe(201)
    expect((await publish('guarded', '1.1.0')).status).toBe(201)
    expect((await publish('guarded', '1.2.0')).status).toBe(201)
    const doc = await packument('guarded')
    const keep = (version: string) => ({ ...doc, versions: Object.fromEntries(Object.entries(doc.versions).filter(([key]) => key !== version)) })
    const responses = await Promise.all(
      ['1.1.0', '1.2.0'].map((version) => registry.request(`/guarded/-rev/${doc._rev}`, { method: 'PUT', token: registry.adminToken, json: keep(version) })),
    )
    expect(responses.map((response) => response.status).sort()).toEqual([200, 409])
    expect(Object.keys((await packument('guarded')).versions)).toHaveLength(2)
  })

  test('a token revoked while requests are in flight is refused by every request after the revocation', async () => {
    const token = await registry.createUser('revokee')
    const inFlight = Array.from({ length: 10 }, () => registry.request('/-/whoami', { token }))
    expect((await registry.request(`/-/user/token/${token}`, { method: 'DELETE', token })).status).toBe(200)
    await Promise.all(inFlight)
    const after = await Promise.all(Array.from({ length: 10 }, () => registry.request('/-/whoami', { token })))
    expect(after.map((response) => response.status)).toEqual(after.map(() => 401))
  })
})
