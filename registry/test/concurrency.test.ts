// Concurrent writers against one real registry: no lost versions, exactly one winner per
// name@version, and metadata edits that never drop what other writers added in the meantime.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import ssri from 'ssri'
import { escapeName, packTarball, publishDocument, type Manifest } from '../../test/helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../../test/helpers/registry.ts'

let registry: TestRegistry

interface Packument {
  _rev: string
  'dist-tags': Record<string, string>
  versions: Record<string, { deprecated?: string; dist: { integrity: string; tarball: string } }>
}

const publish = (body: unknown) => registry.request(`/${escapeName((body as { name: string }).name)}`, { method: 'PUT', token: registry.adminToken, json: body })
const packument = async (name: string) => (await (await registry.request(`/${escapeName(name)}?write=true`)).json()) as Packument

async function blobKeysOf(name: string): Promise<string[]> {
  const keys: string[] = []
  for await (const blob of registry.ctx.blobs.list()) if (blob.key.startsWith(`${name}/`)) keys.push(blob.key)
  return keys.sort()
}

async function download(url: string): Promise<Uint8Array> {
  const response = await fetch(url)
  expect(response.status).toBe(200)
  return new Uint8Array(await response.arrayBuffer())
}

beforeAll(async () => {
  registry = await startTestRegistry()
})

afterAll(async () => {
  await registry.close()
})

describe('concurrent writes', () => {
  test('20 concurrent publishes of different versions of a new package all land', async () => {
    const name = '@race/many'
    const versions = Array.from({ length: 20 }, (_, i) => `1.${i}.0`)
    const documents = await Promise.all(versions.map((version) => publishDocument({ name, version, description: `v${version}` })))
    const responses = await Promise.all(documents.map(publish))
    expect(responses.map((response) => response.status)).toEqual(versions.map(() => 201))

    const doc = await packument(name)
    expect(Object.keys(doc.versions).sort()).toEqual([...versions].sort())
    expect(versions).toContain(doc['dist-tags'].latest as string)
    for (const version of versions) {
      const bytes = await download(doc.versions[version]?.dist.tarball as string)
      expect(ssri.checkData(bytes, doc.versions[version]?.dist.integrity as string)).toBeTruthy()
    }
    // One blob per version, nothing else.
    expect(await blobKeysOf(name)).toHaveLength(20)
  })

  test('10 concurrent publishes of the same new version: one wins, nine get 409, the winner is stored', async () => {
    const name = 'race-same'
    const manifest: Manifest = { name, version: '1.0.0' }
    const tarballs = await Promise.all(Array.from({ length: 10 }, (_, i) => packTarball(manifest, { 'index.js': `module.exports = ${i}\n` })))
    const responses = await Promise.all(tarballs.map(async (tarball) => publish(await publishDocument(manifest, { tarball }))))
    const statuses = responses.map((response) => response.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(1)
    expect(statuses.filter((status) => status === 409)).toHaveLength(9)
    for (const response of responses.filter((candidate) => candidate.status === 409)) {
      expect(((await response.json()) as { code: string }).code).toBe('VERSION_EXISTS')
    }

    const winner = tarballs[statuses.indexOf(201)] as Uint8Array
    const doc = await packument(name)
    expect(doc.versions['1.0.0']?.dist.integrity).toBe(ssri.fromData(winner, { algorithms: ['sha512'] }).toString())
    expect(Buffer.from(await download(doc.versions['1.0.0']?.dist.tarball as string)).equals(Buffer.from(winner))).toBe(true)
    // The losers' uploads were removed again.
    expect(await blobKeysOf(name)).toHaveLength(1)
  })

  test('10 concurrent re-sends of an identical publish all succeed (npm retries after a 5xx)', async () => {
    const document = await publishDocument({ name: 'race-retry', version: '1.0.0' })
    const statuses = (await Promise.all(Array.from({ length: 10 }, () => publish(document)))).map((response) => response.status)
    expect(statuses.filter((status) => status === 201)).toHaveLength(1)
    expect(statuses.filter((status) => status === 200)).toHaveLength(9)
    expect(await blobKeysOf('race-retry')).toHaveLength(1)
  })

  test('publishes, deprecations and dist-tag changes racing on one package lose nothing', async () => {
    const name = '@race/mixed'
    for (const version of ['1.0.0', '1.1.0', '1.2.0']) expect((await publish(await publishDocument({ name, version }))).status).toBe(201)
    // npm deprecate: read the document for writing, mark one version, send the whole document back.
    const stale = await packument(name)

    const newVersions = Array.from({ length: 8 }, (_, i) => `2.${i}.0`)
    const newDocuments = await Promise.all(newVersions.map((version) => publishDocument({ name, version }, { tag: 'next' })))
    const deprecations = ['1.0.0', '1.1.0'].map((version) => {
      const body = structuredClone(stale)
      for (const [key, doc] of Object.entries(body.versions)) if (key === version) doc.deprecated = `${version} is deprecated`
      return registry.request(`/${escapeName(name)}`, { method: 'PUT', token: registry.adminToken, json: body })
    })
    const tags = ['alpha', 'beta', 'gamma'].map((tag, i) =>
      registry.request(`/-/package/${escapeName(name)}/dist-tags/${tag}`, { method: 'PUT', token: registry.adminToken, json: `1.${i}.0` }),
    )
    const responses = await Promise.all([...newDocuments.map(publish), ...deprecations, ...tags])
    expect(responses.map((response) => response.status)).toEqual([...newVersions.map(() => 201), 200, 200, 200, 200, 200])

    const doc = await packument(name)
    expect(Object.keys(doc.versions).sort()).toEqual(['1.0.0', '1.1.0', '1.2.0', ...newVersions].sort())
    expect(doc.versions['1.0.0']?.deprecated).toBe('1.0.0 is deprecated')
    expect(doc.versions['1.1.0']?.deprecated).toBe('1.1.0 is deprecated')
    expect(doc.versions['1.2.0']?.deprecated).toBeUndefined()
    expect(doc['dist-tags']).toMatchObject({ latest: '1.2.0', alpha: '1.0.0', beta: '1.1.0', gamma: '1.2.0' })
    expect(newVersions).toContain(doc['dist-tags'].next as string)
    for (const version of newVersions) {
      const bytes = await download(doc.versions[version]?.dist.tarball as string)
      expect(ssri.checkData(bytes, doc.versions[version]?.dist.integrity as string)).toBeTruthy()
    }
  })
})
