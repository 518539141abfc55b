// The read hot path over HTTP: packuments served from the in-memory cache (both forms, gzip or not,
// ETag revalidation), invalidation on publish, name validation on a cache miss, and tarballs.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import { packages } from '../../registry/src/db/schema.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { escapeName, packTarball, publishDocument } from '../helpers/packages.ts'

const ABBREVIATED = 'application/vnd.npm.install-v1+json'
const NPM_INSTALL_ACCEPT = `${ABBREVIATED}; q=1.0, application/json; q=0.8, */*`

let registry: TestRegistry

async function publish(name: string, version: string, extra: Record<string, unknown> = {}): Promise<Uint8Array> {
  const manifest = { name, version, description: `${name} for the read-path tests`, ...extra }
  // A README long enough that the full packument crosses the gzip threshold.
  const tarball = await packTarball(manifest, { 'README.md': `# ${name}\n\n${'Usage notes. '.repeat(200)}\n` })
  const response = await registry.request(`/${escapeName(name)}`, { method: 'PUT', token: registry.adminToken, json: await publishDocument(manifest, { tarball }) })
  expect(response.status).toBe(201)
  return tarball
}

/** GET without letting fetch undo the compression, so the test sees what the server sent. */
function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return registry.request(path, { headers, decompress: false } as RequestInit)
}

beforeAll(async () => {
  registry = await startTestRegistry()
  await publish('read-path', '1.0.0')
  await publish('@reads/scoped', '2.0.0')
})

afterAll(async () => {
  await registry.close()
})

describe('packument reads', () => {
  test('full packument: JSON with ETag, Vary and revalidation headers, identity without Accept-Encoding', async () => {
    const response = await get('/read-path')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('etag')).toMatch(/^"[0-9a-z]+"$/)
    expect(response.headers.get('vary')).toBe('Accept, Accept-Encoding, Authorization')
    expect(response.headers.get('cache-control')).toBe('private, max-age=0, must-revalidate')
    expect(response.headers.get('content-encoding')).toBeNull()
    const doc = (await response.json()) as { name: string; versions: Record<string, unknown>; readme: string }
    expect(doc.name).toBe('read-path')
    expect(Object.keys(doc.versions)).toEqual(['1.0.0'])
    expect(doc.readme).toContain('Usage notes.')
  })

  test('gzip when the client accepts it, with the same ETag as the identity body', async () => {
    const plain = await get('/read-path')
    const zipped = await get('/read-path', { 'accept-encoding': 'gzip, deflate' })
    expect(zipped.status).toBe(200)
    expect(zipped.headers.get('content-encoding')).toBe('gzip')
    expect(zipped.headers.get('etag')).toBe(plain.headers.get('etag'))
    const bytes = new Uint8Array(await zipped.arrayBuffer())
    expect(new TextDecoder().decode(Bun.gunzipSync(bytes))).toBe(await plain.text())
  })

  test('abbreviated packument for npm install: its own media type and ETag, only install fields', async () => {
    const full = await get('/read-path')
    const response = await get('/read-path', { accept: NPM_INSTALL_ACCEPT })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe(ABBREVIATED)
    expect(response.headers.get('etag')).not.toBe(full.headers.get('etag'))
    const doc = (await response.json()) as { name: string; versions: Record<string, Record<string, unknown>>; readme?: string }
    expect(doc.readme).toBeUndefined()
    expect(doc.versions['1.0.0']?.description).toBeUndefined()
    expect(doc.versions['1.0.0']?.dist).toHaveProperty('tarball', `${registry.url}/read-path/-/read-path-1.0.0.tgz`)
  })

  test('If-None-Match with the current ETag answers 304 without a body, in every form a client sends it', async () => {
    const etag = (await get('/read-path', { accept: NPM_INSTALL_ACCEPT })).headers.get('etag') as string
    for (const header of [etag, `W/${etag}`, `"stale", ${etag}`]) {
      const response = await get('/read-path', { accept: NPM_INSTALL_ACCEPT, 'if-none-match': header, 'accept-encoding': 'gzip' })
      expect(response.status).toBe(304)
      expect(response.headers.get('etag')).toBe(etag)
      expect((await response.arrayBuffer()).byteLength).toBe(0)
    }
    const stale = await get('/read-path', { accept: NPM_INSTALL_ACCEPT, 'if-none-match': '"something-else"' })
    expect(stale.status).toBe(200)
  })

  test('a publish invalidates the cached packument: new version listed, new ETag, old ETag no longer 304', async () => {
    const before = await get('/read-path', { accept: NPM_INSTALL_ACCEPT })
    const oldEtag = before.headers.get('etag') as string
    await publish('read-path', '1.1.0')
    const after = await get('/read-path', { accept: NPM_INSTALL_ACCEPT, 'if-none-match': oldEtag })
    expect(after.status).toBe(200)
    expect(after.headers.get('etag')).not.toBe(oldEtag)
    const doc = (await after.json()) as { versions: Record<string, unknown>; 'dist-tags': Record<string, string> }
    expect(Object.keys(doc.versions)).toEqual(['1.0.0', '1.1.0'])
    expect(doc['dist-tags'].latest).toBe('1.1.0')
  })

  test('a name first read as missing is served once it is published', async () => {
    expect((await get('/read-path-later')).status).toBe(404)
    await publish('read-path-later', '0.1.0')
    const response = await get('/read-path-later')
    expect(response.status).toBe(200)
    expect(((await response.json()) as { name: string }).name).toBe('read-path-later')
  })

  test('scoped names in every encoding hit the same cached document', async () => {
    const etags = new Set<string | null>()
    for (const path of ['/@reads/scoped', '/@reads%2fscoped', '/@reads%2Fscoped']) {
      const response = await get(path)
      expect(response.status).toBe(200)
      etags.add(response.headers.get('etag'))
    }
    expect(etags.size).toBe(1)
  })

  test('invalid names are refused with a JSON 404 while valid ones are cached', async () => {
    expect((await get('/read-path')).status).toBe(200)
    // (`/%2e%2e` is not among them: URL parsing resolves it to `/`, the start page, before any route sees it.)
    for (const path of ['/..%2f..%2fetc%2fpasswd', '/@..%2fread-path', '/read path', '/.read-path', '/_read-path']) {
      const response = await get(path)
      expect(response.status).toBe(404)
      const body = (await response.json()) as { error: string; code: string; status: number }
      expect(body.status).toBe(404)
      expect(typeof body.error).toBe('string')
    }
  })

  test('?write=true reads straight from the database and still validates the name', async () => {
    const tags = async (path: string) => ((await (await get(path)).json()) as { 'dist-tags': Record<string, string> })['dist-tags']
    expect((await tags('/read-path')).latest).toBe('1.1.0')
    // A change the cache has not heard of, as another instance sharing the database would make.
    await registry.ctx.db.transaction((tx) => tx.update(packages).set({ distTags: { latest: '1.0.0' } }).where(eq(packages.name, 'read-path')))
    expect((await tags('/read-path')).latest).toBe('1.1.0')
    expect((await tags('/read-path?write=true')).latest).toBe('1.0.0')
    expect((await get('/.read-path?write=true')).status).toBe(404)
    registry.ctx.packuments.invalidate('read-path', 0) // edited behind the service: no new revision
  })
})

describe('tarball reads', () => {
  test('200 with the exact bytes, Content-Length, ETag and immutable caching; 304 on revalidation', async () => {
    const tarball = await publish('read-path-tarball', '3.0.0')
    const response = await get('/read-path-tarball/-/read-path-tarball-3.0.0.tgz')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe(String(tarball.byteLength))
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(Buffer.from(await response.arrayBuffer()).equals(tarball)).toBe(true)
    const etag = response.headers.get('etag') as string
    expect(etag).toMatch(/^"sha512-/)
    const again = await get('/read-path-tarball/-/read-path-tarball-3.0.0.tgz', { 'if-none-match': etag })
    expect(again.status).toBe(304)
  })

  test('a tarball missing from storage is a JSON 404, not a crash or an empty 200', async () => {
    await publish('read-path-lost', '1.0.0')
    const ref = (await registry.ctx.packuments.get('read-path-lost'))?.tarball('1.0.0')
    expect(ref).toBeDefined()
    rmSync(join(registry.dataDir, 'tarballs', ref?.blobKey as string))
    const response = await get('/read-path-lost/-/read-path-lost-1.0.0.tgz')
    expect(response.status).toBe(404)
    expect(((await response.json()) as { code: string }).code).toBe('TARBALL_NOT_FOUND')
    expect((await get('/read-path-lost')).status).toBe(200)
  })

  test('unknown versions and foreign file names are 404', async () => {
    expect((await get('/read-path-tarball/-/read-path-tarball-9.9.9.tgz')).status).toBe(404)
    expect((await get('/read-path-tarball/-/read-path-3.0.0.tgz')).status).toBe(404)
    expect((await get('/read-path-tarball/-/..%2f..%2fpackr.db')).status).toBe(404)
  })
})
