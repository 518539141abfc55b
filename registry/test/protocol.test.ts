// npm protocol details against a real registry: name encodings on every package route, full and
// abbreviated packuments, revalidation and compression, version documents, tarball headers,
// idempotent re-publish, the unpublish window and tombstones, owner changes, deprecation, stars,
// search and audit shapes, update-notifier probes, login with stale tokens, health and OpenAPI.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { and, eq } from 'drizzle-orm'
import ssri from 'ssri'
import { createApp } from '../src/app.ts'
import { versions } from '../src/db/schema.ts'
import { escapeName, packTarball, publishDocument, type Manifest } from '../../test/helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../../test/helpers/registry.ts'
import packageJson from '../package.json' with { type: 'json' }

let registry: TestRegistry
let maintainerToken: string

const CORGI = 'application/vnd.npm.install-v1+json'
const HOUR = 3600 * 1000

interface VersionDoc extends Record<string, unknown> {
  deprecated?: string
  dist: { integrity: string; shasum: string; tarball: string }
}
interface Packument extends Record<string, unknown> {
  _rev: string
  'dist-tags': Record<string, string>
  versions: Record<string, VersionDoc>
  time: Record<string, string>
  maintainers: Array<{ name: string; email?: string }>
  users: Record<string, boolean>
}

async function publish(manifest: Manifest, options: { token?: string; path?: string; files?: Record<string, string>; tag?: string } = {}): Promise<Response> {
  const tarball = await packTarball(manifest, options.files)
  const body = await publishDocument(manifest, { tarball, ...(options.tag ? { tag: options.tag } : {}) })
  return registry.request(options.path ?? `/${escapeName(manifest.name)}`, { method: 'PUT', token: options.token ?? registry.adminToken, json: body })
}

async function expectPublish(manifest: Manifest, options: Parameters<typeof publish>[1] = {}): Promise<void> {
  const response = await publish(manifest, options)
  expect(response.status).toBe(201)
}

const read = async (path: string, headers: Record<string, string> = {}) => (await (await registry.request(path, { headers })).json()) as Packument
const writable = (name: string) => read(`/${escapeName(name)}?write=true`)

/** The three spellings of a scoped name in a URL path. */
const encodings = (name: string) => [name, name.replace('/', '%2f'), name.replace('/', '%2F')]

async function errorCode(response: Response): Promise<string> {
  const body = (await response.json()) as { code: string; error: string; status: number }
  expect(body.status).toBe(response.status)
  expect(body.error).toBeString()
  return body.code
}

beforeAll(async () => {
  registry = await startTestRegistry({ UNPUBLISH_WINDOW_HOURS: '72' })
  maintainerToken = await registry.createUser('maint')
  await registry.createUser('bob')
})

afterAll(async () => {
  await registry.close()
})

describe('scoped names in every package route', () => {
  const NAME = '@enc/widget'

  test('publish accepts /@s/n, /@s%2fn and /@s%2Fn', async () => {
    const [raw, lower, upper] = encodings(NAME)
    await expectPublish({ name: NAME, version: '1.0.0' }, { path: `/${raw}` })
    await expectPublish({ name: NAME, version: '1.1.0' }, { path: `/${lower}` })
    await expectPublish({ name: NAME, version: '1.2.0' }, { path: `/${upper}` })
    expect(Object.keys((await writable(NAME)).versions)).toEqual(['1.0.0', '1.1.0', '1.2.0'])
  })

  test('packument, version document and tarball reads', async () => {
    const etags = new Set<string | null>()
    for (const form of encodings(NAME)) {
      const packument = await registry.request(`/${form}`)
      expect(packument.status).toBe(200)
      etags.add(packument.headers.get('etag'))
      await packument.body?.cancel()
      const corgi = await registry.request(`/${form}`, { headers: { accept: CORGI } })
      expect(corgi.headers.get('content-type')).toBe(CORGI)
      await corgi.body?.cancel()
      expect(((await (await registry.request(`/${form}/1.1.0`)).json()) as { version: string }).version).toBe('1.1.0')
      const tarball = await registry.request(`/${form}/-/widget-1.0.0.tgz`)
      expect(tarball.status).toBe(200)
      await tarball.body?.cancel()
    }
    expect(etags.size).toBe(1)
  })

  test('dist-tags list, add and remove', async () => {
    for (const [i, form] of encodings(NAME).entries()) {
      const tag = `t${i}`
      expect((await registry.request(`/-/package/${form}/dist-tags/${tag}`, { method: 'PUT', token: registry.adminToken, json: '1.1.0' })).status).toBe(200)
      expect(((await (await registry.request(`/-/package/${form}/dist-tags`)).json()) as Record<string, string>)[tag]).toBe('1.1.0')
      expect((await registry.request(`/-/package/${form}/dist-tags/${tag}`, { method: 'DELETE', token: registry.adminToken })).status).toBe(200)
    }
    expect((await writable(NAME))['dist-tags']).toEqual({ latest: '1.2.0' })
  })

  test('metadata edit, -rev update, tarball delete and package delete', async () => {
    // One version per spelling is unpublished below; this one keeps the package alive.
    await expectPublish({ name: NAME, version: '2.0.0' })
    for (const [i, form] of encodings(NAME).entries()) {
      const doc = await writable(NAME)
      const version = Object.keys(doc.versions)[0] as string
      // deprecate through PUT /:pkg without attachments
      doc.versions[version] = { ...(doc.versions[version] as VersionDoc), deprecated: `gone ${i}` }
      expect((await registry.request(`/${form}`, { method: 'PUT', token: registry.adminToken, json: doc })).status).toBe(200)
      // npm unpublish name@version: the -rev PUT without the version, then the tarball DELETE
      const fresh = await writable(NAME)
      const { [version]: _removed, ...kept } = fresh.versions
      const rev = await registry.request(`/${form}/-rev/${fresh._rev}`, { method: 'PUT', token: registry.adminToken, json: { ...fresh, versions: kept } })
      expect(rev.status).toBe(200)
      const after = await writable(NAME)
      const tarball = await registry.request(`/${form}/-/widget-${version}.tgz/-rev/${after._rev}`, { method: 'DELETE', token: registry.adminToken })
      expect(tarball.status).toBe(200)
      expect(Object.keys((await writable(NAME)).versions)).not.toContain(version)
    }

    for (const form of encodings('@enc/gone')) {
      const name = '@enc/gone'
      await expectPublish({ name, version: `1.0.${encodings(name).indexOf(form)}` })
      const doc = await writable(name)
      expect((await registry.request(`/${form}/-rev/${doc._rev}`, { method: 'DELETE', token: registry.adminToken })).status).toBe(200)
      expect((await registry.request(`/${escapeName(name)}`)).status).toBe(404)
    }
  })
})

describe('packuments', () => {
  const NAME = '@doc/rich'
  const manifest: Manifest = {
    name: NAME,
    version: '1.0.0',
    description: 'A package with every field the packument forms care about',
    keywords: ['rich', 'fields'],
    license: 'MIT',
    author: { name: 'Ada', email: 'ada@example.test' },
    homepage: 'https://example.test/rich',
    repository: { type: 'git', url: 'git+https://example.test/rich.git' },
    bugs: { url: 'https://example.test/rich/issues' },
    scripts: { install: 'node build.js', test: 'node test.js' },
    dependencies: { dep: '^1.0.0' },
    devDependencies: { devdep: '^2.0.0' },
    optionalDependencies: { optdep: '^3.0.0' },
    peerDependencies: { peer: '>=4' },
    peerDependenciesMeta: { peer: { optional: true } },
    bundleDependencies: ['dep'],
    bin: { rich: 'bin.js' },
    directories: { lib: 'lib' },
    engines: { node: '>=20' },
    os: ['linux'],
    cpu: ['x64'],
  }

  beforeAll(async () => {
    await expectPublish(manifest, { files: { 'README.md': `# rich\n\n${'A long readme line. '.repeat(200)}\n`, 'bin.js': '' } })
  })

  test('the abbreviated form keeps only what installers need', async () => {
    const corgi = await read(`/${escapeName(NAME)}`, { accept: `${CORGI}; q=1.0, application/json; q=0.8, */*` })
    expect(Object.keys(corgi).sort()).toEqual(['dist-tags', 'modified', 'name', 'versions'])
    const version = corgi.versions['1.0.0'] as VersionDoc
    expect(Object.keys(version).sort()).toEqual(
      [
        'bin',
        'bundleDependencies',
        'cpu',
        'dependencies',
        'devDependencies',
        'directories',
        'dist',
        'engines',
        'hasInstallScript',
        'name',
        'optionalDependencies',
        'os',
        'peerDependencies',
        'peerDependenciesMeta',
        'version',
      ].sort(),
    )
    expect(Object.keys(version.dist).sort()).toEqual(['fileCount', 'integrity', 'shasum', 'signatures', 'tarball', 'unpackedSize'])
    expect(version.hasInstallScript).toBe(true)
  })

  test('the full form has _id, _rev, time, maintainers, users, readme and the hoisted fields', async () => {
    const full = await read(`/${escapeName(NAME)}`, { accept: 'application/json' })
    expect(full._id).toBe(NAME)
    expect(full._rev).toMatch(/^\d+-[0-9a-f]{32}$/)
    expect(Object.keys(full.time).sort()).toEqual(['1.0.0', 'created', 'modified'])
    for (const value of Object.values(full.time)) expect(new Date(value).toISOString()).toBe(value)
    expect(full.maintainers).toEqual([{ name: 'admin' }])
    expect(full.users).toEqual({})
    expect(full.readme).toStartWith('# rich')
    expect(full.readmeFilename).toBe('README.md')
    for (const field of ['description', 'keywords', 'license', 'author', 'homepage', 'repository', 'bugs'] as const) expect(full[field]).toEqual(manifest[field])
    const version = full.versions['1.0.0'] as VersionDoc
    expect(version.scripts).toEqual(manifest.scripts)
    expect(version._npmUser).toEqual({ name: 'admin' })
    expect(version._id).toBe(`${NAME}@1.0.0`)
    expect(version.dist.tarball).toBe(`${registry.url}/${NAME}/-/rich-1.0.0.tgz`)
    // The README lives at the top only; versions do not repeat it.
    expect(version).not.toHaveProperty('readme')
  })

  test('ETag revalidation answers 304, per form, and changes after a write', async () => {
    const path = `/${escapeName(NAME)}`
    const full = await registry.request(path)
    const etag = full.headers.get('etag') as string
    await full.body?.cancel()
    const corgiEtag = (await registry.request(path, { headers: { accept: CORGI } })).headers.get('etag')
    expect(etag).toMatch(/^".+"$/)
    expect(corgiEtag).not.toBe(etag)
    for (const candidate of [etag, `W/${etag}`, `"nope", ${etag}`]) {
      const revalidated = await registry.request(path, { headers: { 'if-none-match': candidate } })
      expect(revalidated.status).toBe(304)
      expect(await revalidated.text()).toBe('')
      expect(revalidated.headers.get('etag')).toBe(etag)
    }
    expect((await registry.request(path, { headers: { 'if-none-match': '"other"' } })).status).toBe(200)

    await expectPublish({ name: NAME, version: '1.1.0' }, { tag: 'next' })
    const changed = await registry.request(path, { headers: { 'if-none-match': etag } })
    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(etag)
    await changed.body?.cancel()
  })

  test('gzip when the client asks for it, identity otherwise', async () => {
    const path = `/${escapeName(NAME)}`
    const plain = await registry.request(path, { headers: { 'accept-encoding': 'identity' }, decompress: false })
    expect(plain.headers.get('content-encoding')).toBeNull()
    const text = await plain.text()
    for (const accept of ['gzip, deflate', 'zstd,gzip,deflate', 'gzip, deflate, br']) {
      const gzipped = await registry.request(path, { headers: { 'accept-encoding': accept }, decompress: false })
      expect(gzipped.headers.get('content-encoding')).toBe('gzip')
      expect(gzipped.headers.get('vary')).toContain('Accept-Encoding')
      expect(new TextDecoder().decode(Bun.gunzipSync(new Uint8Array(await gzipped.arrayBuffer())))).toBe(text)
    }
  })

  test('?write=true returns the current document with _rev, all versions and dist-tags', async () => {
    const doc = await writable(NAME)
    expect(doc._rev).toMatch(/^\d+-[0-9a-f]{32}$/)
    expect(Object.keys(doc.versions)).toEqual(['1.0.0', '1.1.0'])
    expect(doc['dist-tags']).toEqual({ latest: '1.0.0', next: '1.1.0' })
    // Bypasses the cache: a row changed behind the registry's back is visible at once, while a
    // plain read still gets the cached document.
    expect((await read(`/${escapeName(NAME)}`)).versions['1.1.0']).toBeDefined()
    await registry.ctx.db.transaction((tx) =>
      tx
        .update(versions)
        .set({ deprecated: 'changed directly' })
        .where(and(eq(versions.packageName, NAME), eq(versions.version, '1.1.0'))),
    )
    expect((await read(`/${escapeName(NAME)}`)).versions['1.1.0']?.deprecated).toBeUndefined()
    expect((await writable(NAME)).versions['1.1.0']?.deprecated).toBe('changed directly')
    await registry.ctx.db.transaction((tx) =>
      tx
        .update(versions)
        .set({ deprecated: null })
        .where(and(eq(versions.packageName, NAME), eq(versions.version, '1.1.0'))),
    )
    registry.ctx.packuments.invalidate(NAME, 0) // edited behind the service: no new revision
  })

  test('version documents by version, tag and range', async () => {
    const versionOf = async (spec: string) => {
      const response = await registry.request(`/${NAME}/${spec}`)
      return response.status === 200 ? ((await response.json()) as { version: string }).version : response.status
    }
    expect(await versionOf('1.0.0')).toBe('1.0.0')
    expect(await versionOf('latest')).toBe('1.0.0')
    expect(await versionOf('next')).toBe('1.1.0')
    expect(await versionOf(encodeURIComponent('^1.0.0'))).toBe('1.1.0')
    expect(await versionOf(encodeURIComponent('~1.0.0'))).toBe('1.0.0')
    expect(await versionOf(encodeURIComponent('>=1.0.0 <1.1.0'))).toBe('1.0.0')
    expect(await versionOf('2.0.0')).toBe(404)
    expect(await versionOf(encodeURIComponent('^3'))).toBe(404)
    expect(await versionOf('nosuchtag')).toBe(404)
    expect(await errorCode(await registry.request(`/${NAME}/9.9.9`))).toBe('VERSION_NOT_FOUND')
  })
})

describe('tarballs', () => {
  test('exact Content-Length, immutable caching, ETag, and both scoped layouts', async () => {
    const manifest = { name: '@tar/ball', version: '1.0.0' }
    const tarball = await packTarball(manifest, { 'data.txt': 'x'.repeat(5000) })
    const body = await publishDocument(manifest, { tarball })
    expect((await registry.request('/@tar%2fball', { method: 'PUT', token: registry.adminToken, json: body })).status).toBe(201)

    for (const path of ['/@tar/ball/-/ball-1.0.0.tgz', '/@tar%2fball/-/ball-1.0.0.tgz', '/@tar%2Fball/-/ball-1.0.0.tgz']) {
      const response = await registry.request(path, { decompress: false, headers: { 'accept-encoding': 'gzip' } })
      expect(response.status).toBe(200)
      expect(response.headers.get('content-length')).toBe(String(tarball.byteLength))
      expect(response.headers.get('content-type')).toBe('application/octet-stream')
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
      expect(response.headers.get('content-encoding')).toBeNull()
      const bytes = new Uint8Array(await response.arrayBuffer())
      expect(Buffer.from(bytes).equals(Buffer.from(tarball))).toBe(true)
      const etag = response.headers.get('etag') as string
      expect((await registry.request(path, { headers: { 'if-none-match': etag } })).status).toBe(304)
    }
    const head = await registry.request('/@tar/ball/-/ball-1.0.0.tgz', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-length')).toBe(String(tarball.byteLength))
    expect((await registry.request('/@tar/ball/-/ball-9.9.9.tgz')).status).toBe(404)
    expect(await errorCode(await registry.request('/@tar/ball/-/other-1.0.0.tgz'))).toBe('TARBALL_NOT_FOUND')
  })
})

describe('publish, re-publish and unpublish', () => {
  test('names of Node core modules can be published (string_decoder, events, buffer are real dependencies)', async () => {
    for (const name of ['string_decoder', 'events']) {
      await expectPublish({ name, version: '1.3.0' })
      expect((await read(`/${name}`)).name).toBe(name)
    }
    // Other naming rules still apply.
    expect((await publish({ name: 'Capital', version: '1.0.0' })).status).toBe(400)
  })

  test('re-sending an identical publish succeeds without a second copy (npm retries after a 5xx)', async () => {
    const manifest = { name: 'retry-me', version: '1.0.0' }
    const body = await publishDocument(manifest)
    const first = await registry.request('/retry-me', { method: 'PUT', token: registry.adminToken, json: body })
    expect(first.status).toBe(201)
    const before = await writable('retry-me')
    const again = await registry.request('/retry-me', { method: 'PUT', token: registry.adminToken, json: body })
    expect(again.status).toBe(200)
    expect(((await again.json()) as { success: boolean }).success).toBe(true)
    const after = await writable('retry-me')
    expect(after.time['1.0.0']).toBe(before.time['1.0.0'] as string)
    expect(after.versions).toEqual(before.versions)
    const blobs: string[] = []
    for await (const blob of registry.ctx.blobs.list()) if (blob.key.startsWith('retry-me/')) blobs.push(blob.key)
    expect(blobs).toHaveLength(1)
    // Different bytes for the same version are a conflict, deprecated and prerelease versions alike.
    expect(await errorCode(await publish({ ...manifest, description: 'changed' }))).toBe('VERSION_EXISTS')
    await expectPublish({ name: 'retry-me', version: '2.0.0-rc.1' }, { tag: 'next' })
    expect(await errorCode(await publish({ name: 'retry-me', version: '2.0.0-rc.1', description: 'changed' }))).toBe('VERSION_EXISTS')
  })

  test('the 72-hour unpublish window: maintainers refused after it, admins allowed', async () => {
    const name = 'windowed'
    for (const version of ['1.0.0', '1.1.0']) await expectPublish({ name, version }, { token: maintainerToken })
    // Age 1.0.0 past the window.
    await registry.ctx.db.transaction((tx) =>
      tx
        .update(versions)
        .set({ publishedAt: Date.now() - 73 * HOUR })
        .where(and(eq(versions.packageName, name), eq(versions.version, '1.0.0'))),
    )
    registry.ctx.packuments.invalidate(name, 0) // edited behind the service: no new revision

    const doc = await writable(name)
    const { '1.0.0': _old, ...withoutOld } = doc.versions
    const refused = await registry.request(`/${name}/-rev/${doc._rev}`, { method: 'PUT', token: maintainerToken, json: { ...doc, versions: withoutOld } })
    expect(refused.status).toBe(403)
    expect(await errorCode(refused)).toBe('UNPUBLISH_WINDOW_PASSED')
    const tarballRefused = await registry.request(`/${name}/-/${name}-1.0.0.tgz/-rev/${doc._rev}`, { method: 'DELETE', token: maintainerToken })
    expect(await errorCode(tarballRefused)).toBe('UNPUBLISH_WINDOW_PASSED')
    const packageRefused = await registry.request(`/${name}/-rev/${doc._rev}`, { method: 'DELETE', token: maintainerToken })
    expect(await errorCode(packageRefused)).toBe('UNPUBLISH_WINDOW_PASSED')
    expect(Object.keys((await writable(name)).versions)).toEqual(['1.0.0', '1.1.0'])

    // Within the window the maintainer may unpublish.
    const current = await writable(name)
    const { '1.1.0': _fresh, ...withoutFresh } = current.versions
    expect((await registry.request(`/${name}/-rev/${current._rev}`, { method: 'PUT', token: maintainerToken, json: { ...current, versions: withoutFresh } })).status).toBe(200)
    // An admin may unpublish at any time.
    const last = await writable(name)
    expect((await registry.request(`/${name}/-/${name}-1.0.0.tgz/-rev/${last._rev}`, { method: 'DELETE', token: registry.adminToken })).status).toBe(200)
    expect((await registry.request(`/${name}`)).status).toBe(404)
  })

  test('an unpublished name@version can never be published again', async () => {
    const manifest = { name: 'tombstoned', version: '1.0.0' }
    const body = await publishDocument(manifest)
    expect((await registry.request('/tombstoned', { method: 'PUT', token: registry.adminToken, json: body })).status).toBe(201)
    const doc = await writable('tombstoned')
    expect((await registry.request(`/tombstoned/-rev/${doc._rev}`, { method: 'DELETE', token: registry.adminToken })).status).toBe(200)
    // Not even with the identical bytes, and not after the name came back with another version.
    const identical = await registry.request('/tombstoned', { method: 'PUT', token: registry.adminToken, json: body })
    expect(identical.status).toBe(409)
    expect(await errorCode(identical)).toBe('VERSION_UNPUBLISHED')
    await expectPublish({ name: 'tombstoned', version: '1.0.1' })
    expect(await errorCode(await publish({ ...manifest, description: 'other bytes' }))).toBe('VERSION_UNPUBLISHED')
    expect(Object.keys((await writable('tombstoned')).versions)).toEqual(['1.0.1'])
    expect((await registry.request('/tombstoned/-/tombstoned-1.0.0.tgz')).status).toBe(404)
  })
})

describe('metadata edits', () => {
  const NAME = '@meta/owned'

  beforeAll(async () => {
    for (const version of ['1.0.0', '1.1.0', '2.0.0']) await expectPublish({ name: NAME, version })
    expect((await registry.request(`/-/package/${escapeName(NAME)}/dist-tags/legacy`, { method: 'PUT', token: registry.adminToken, json: '1.1.0' })).status).toBe(200)
  })

  test('-rev owner changes never drop versions or tags', async () => {
    // npm owner add: look the user up, read the document, PUT {_id, _rev, maintainers}.
    const bob = (await (await registry.request('/-/user/org.couchdb.user:bob')).json()) as { name: string; email: string }
    expect(bob).toMatchObject({ name: 'bob', email: 'bob@example.test' })
    const before = await writable(NAME)
    const add = await registry.request(`/${escapeName(NAME)}/-rev/${encodeURIComponent(before._rev)}`, {
      method: 'PUT',
      token: registry.adminToken,
      json: { _id: NAME, _rev: before._rev, maintainers: [...before.maintainers, { name: bob.name, email: bob.email }] },
    })
    expect(add.status).toBe(200)
    const after = await writable(NAME)
    expect(after.maintainers.map((maintainer) => maintainer.name).sort()).toEqual(['admin', 'bob'])
    expect(Object.keys(after.versions)).toEqual(Object.keys(before.versions))
    expect(after['dist-tags']).toEqual(before['dist-tags'])

    // A stale _rev is refused; the last owner cannot be removed; unknown users are refused.
    const stale = await registry.request(`/${escapeName(NAME)}/-rev/${before._rev}`, { method: 'PUT', token: registry.adminToken, json: { _id: NAME, _rev: before._rev, maintainers: [{ name: 'admin' }] } })
    expect(await errorCode(stale)).toBe('REVISION_CONFLICT')
    const none = await registry.request(`/${escapeName(NAME)}/-rev/${after._rev}`, { method: 'PUT', token: registry.adminToken, json: { _id: NAME, _rev: after._rev, maintainers: [] } })
    expect(await errorCode(none)).toBe('LAST_OWNER')
    const ghost = await registry.request(`/${escapeName(NAME)}/-rev/${after._rev}`, { method: 'PUT', token: registry.adminToken, json: { _id: NAME, _rev: after._rev, maintainers: [{ name: 'ghost' }] } })
    expect(await errorCode(ghost)).toBe('UNKNOWN_USER')

    // npm owner rm bob
    const current = await writable(NAME)
    const remove = await registry.request(`/${escapeName(NAME)}/-rev/${current._rev}`, { method: 'PUT', token: registry.adminToken, json: { _id: NAME, _rev: current._rev, maintainers: [{ name: 'admin' }] } })
    expect(remove.status).toBe(200)
    const final = await writable(NAME)
    expect(final.maintainers).toEqual([{ name: 'admin' }])
    expect(Object.keys(final.versions)).toEqual(['1.0.0', '1.1.0', '2.0.0'])
  })

  test('deprecate, then undeprecate with "" removes the field everywhere', async () => {
    const doc = await writable(NAME)
    ;(doc.versions['1.0.0'] as VersionDoc).deprecated = 'use 2'
    expect((await registry.request(`/${escapeName(NAME)}`, { method: 'PUT', token: registry.adminToken, json: doc })).status).toBe(200)
    expect((await writable(NAME)).versions['1.0.0']?.deprecated).toBe('use 2')
    expect((await read(`/${escapeName(NAME)}`, { accept: CORGI })).versions['1.0.0']?.deprecated).toBe('use 2')

    const again = await writable(NAME)
    ;(again.versions['1.0.0'] as VersionDoc).deprecated = ''
    expect((await registry.request(`/${escapeName(NAME)}`, { method: 'PUT', token: registry.adminToken, json: again })).status).toBe(200)
    expect((await writable(NAME)).versions['1.0.0']).not.toHaveProperty('deprecated')
    expect((await read(`/${escapeName(NAME)}`, { accept: CORGI })).versions['1.0.0']).not.toHaveProperty('deprecated')
    expect(await (await registry.request(`/${NAME}/1.0.0`)).json()).not.toHaveProperty('deprecated')
    expect(Object.keys((await writable(NAME)).versions)).toEqual(['1.0.0', '1.1.0', '2.0.0'])
  })

  test('star and unstar (npm 11) show up in the full packument users', async () => {
    const star = async (users: Record<string, boolean>) => {
      const doc = await writable(NAME)
      return registry.request(`/${escapeName(NAME)}`, { method: 'PUT', token: maintainerToken, json: { _id: NAME, _rev: doc._rev, users } })
    }
    expect((await star({ maint: true })).status).toBe(200)
    expect((await writable(NAME)).users).toEqual({ maint: true })
    expect((await star({})).status).toBe(200)
    expect((await writable(NAME)).users).toEqual({})
    expect(Object.keys((await writable(NAME)).versions)).toEqual(['1.0.0', '1.1.0', '2.0.0'])
  })
})

describe('search, audit and probes', () => {
  test('search answers in npm’s shape', async () => {
    await expectPublish({
      name: '@find/needle',
      version: '3.1.4',
      description: 'A searchable needle',
      keywords: ['haystack'],
      repository: { type: 'git', url: 'git+https://example.test/needle.git' },
    })
    type SearchResult = {
      objects: Array<{ package: Record<string, unknown>; score: { final: number; detail: Record<string, number> }; searchScore: number }>
      total: number
      time: string
    }
    // The index is updated right after the commit, asynchronously: give it a moment, not forever.
    let result: SearchResult
    const deadline = Date.now() + 5000
    do {
      result = (await (await registry.request('/-/v1/search?text=needle&size=20&from=0&quality=0.65&popularity=0.98&maintenance=0.5')).json()) as SearchResult
    } while (result.total === 0 && Date.now() < deadline && (await Bun.sleep(20), true))
    expect(result.total).toBe(1)
    expect(Number.isNaN(new Date(result.time).getTime())).toBe(false)
    const [hit] = result.objects
    expect(hit?.package).toMatchObject({ name: '@find/needle', version: '3.1.4', description: 'A searchable needle', keywords: ['haystack'], scope: 'find' })
    expect(hit?.package.maintainers).toEqual([{ username: 'admin' }])
    expect(hit?.package.publisher).toEqual({ username: 'admin' })
    expect(new Date(hit?.package.date as string).toISOString()).toBe(hit?.package.date as string)
    expect(hit?.package.links).toMatchObject({ npm: `${registry.url}/@find/needle`, repository: 'https://example.test/needle' })
    expect(Object.keys(hit?.score.detail ?? {}).sort()).toEqual(['maintenance', 'popularity', 'quality'])
    expect(hit?.score.final).toBeNumber()
    expect(hit?.searchScore).toBeNumber()

    // npm's keywords qualifier takes a comma list; the comma must not split the query parameter.
    const listed = (await (await registry.request('/-/v1/search?text=keywords:haystack,other')).json()) as SearchResult
    expect(listed.objects.map((object) => object.package.name)).toEqual(['@find/needle'])

    const empty = (await (await registry.request('/-/v1/search?text=zzzznothing')).json()) as { objects: unknown[]; total: number }
    expect(empty).toMatchObject({ objects: [], total: 0 })
  })

  test('audit bulk accepts gzip and plain bodies and answers {}', async () => {
    const advisories = JSON.stringify({ '@find/needle': ['3.1.4'], 'retry-me': ['1.0.0'] })
    const path = '/-/npm/v1/security/advisories/bulk'
    const plain = await registry.request(path, { method: 'POST', body: advisories, headers: { 'content-type': 'application/json' } })
    expect(plain.status).toBe(200)
    expect(await plain.json()).toEqual({})
    const gzipped = await registry.request(path, {
      method: 'POST',
      body: Bun.gzipSync(new TextEncoder().encode(advisories)),
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
    })
    expect(gzipped.status).toBe(200)
    expect(await gzipped.json()).toEqual({})
    const broken = await registry.request(path, { method: 'POST', body: 'not gzip', headers: { 'content-encoding': 'gzip' } })
    expect(await errorCode(broken)).toBe('MALFORMED_BODY')
    const notJson = await registry.request(path, { method: 'POST', body: '{"a":', headers: { 'content-type': 'application/json' } })
    expect(await errorCode(notJson)).toBe('MALFORMED_BODY')
  })

  test('GET /npm and GET /pnpm answer a JSON 404 from the negative cache', async () => {
    const packages = registry.ctx.packages
    const load = packages.load.bind(packages)
    let loads = 0
    packages.load = (...args) => {
      // Other work (the catalog following earlier publishes) may load packages meanwhile: count only these.
      if (args[0] === 'npm' || args[0] === 'pnpm') loads++
      return load(...args)
    }
    try {
      for (const probe of ['/npm', '/pnpm']) {
        for (let i = 0; i < 10; i++) {
          for (const accept of [CORGI, 'application/json']) {
            const response = await registry.request(probe, { headers: { accept } })
            expect(response.status).toBe(404)
            expect(await errorCode(response)).toBe('PACKAGE_NOT_FOUND')
          }
        }
      }
      // One database look-up per name; the other 38 answers came from memory.
      expect(loads).toBe(2)
    } finally {
      packages.load = load
    }
  })

  test('ping and health', async () => {
    const ping = await registry.request('/-/ping')
    expect(ping.status).toBe(200)
    expect(await ping.json()).toEqual({})
    expect(await (await registry.request('/health')).json()).toMatchObject({ status: 'ok', region: 'local', version: packageJson.version })
  })
})

describe('login', () => {
  test('web and couch login ignore a stale or invalid Bearer token sent along', async () => {
    const stale = await registry.createUser('carol')
    expect((await registry.request('/-/user/token/' + encodeURIComponent(stale), { method: 'DELETE', token: stale })).status).toBe(200)
    expect((await registry.request('/-/whoami', { token: stale })).status).toBe(401)

    for (const token of [stale, 'not-a-jwt', `${registry.adminToken}x`]) {
      const web = await registry.request('/-/v1/login', { method: 'POST', token, json: { name: 'carol', password: 'carol-password-1' } })
      expect(web.status).toBe(200)
      const { token: fresh } = (await web.json()) as { token: string }
      expect(((await (await registry.request('/-/whoami', { token: fresh })).json()) as { username: string }).username).toBe('carol')

      const couch = await registry.request('/-/user/org.couchdb.user:carol', {
        method: 'PUT',
        token,
        headers: { 'npm-auth-type': 'legacy', 'npm-command': 'login' },
        json: { _id: 'org.couchdb.user:carol', name: 'carol', password: 'carol-password-1', type: 'user', roles: [], date: new Date().toISOString() },
      })
      expect(couch.status).toBe(201)
      const body = (await couch.json()) as { ok: string; token: string }
      expect(body.ok).toContain('carol')
      expect(((await (await registry.request('/-/whoami', { token: body.token })).json()) as { username: string }).username).toBe('carol')
    }
  })

  test('wrong passwords get 401 with WWW-Authenticate; an empty login body starts npm web login', async () => {
    const wrong = await registry.request('/-/v1/login', { method: 'POST', json: { name: 'carol', password: 'wrong-password' } })
    expect(wrong.status).toBe(401)
    expect(wrong.headers.get('www-authenticate')).toStartWith('Basic')
    const couch = await registry.request('/-/user/org.couchdb.user:carol', { method: 'PUT', json: { name: 'carol', password: 'wrong-password' } })
    expect(couch.status).toBe(401)
    const unknown = await registry.request('/-/user/org.couchdb.user:nobody', { method: 'PUT', json: { name: 'nobody', password: 'whatever-123' } })
    expect(unknown.status).toBe(401)
    const web = await registry.request('/-/v1/login', { method: 'POST', json: {} })
    expect(web.status).toBe(200)
    const { loginUrl, doneUrl } = (await web.json()) as { loginUrl: string; doneUrl: string }
    expect(loginUrl).toStartWith(`${registry.url}/`)
    const pending = await registry.request(new URL(doneUrl).pathname)
    expect(pending.status).toBe(202)
    expect(pending.headers.get('retry-after')).not.toBeNull()
  })
})

describe('GET /openapi.json', () => {
  test('documents every route the app registers, each with a summary', async () => {
    const spec = (await (await registry.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { summary?: string }>> }
    const routes = createApp(registry.ctx).routes.filter((route) => route.path !== '/openapi.json')
    expect(routes.length).toBeGreaterThan(20)
    for (const route of routes) {
      const path = route.path.replace(/:(\w+)/g, '{$1}')
      const operation = spec.paths[path]?.[route.method.toLowerCase()]
      expect({ route: `${route.method} ${route.path}`, documented: operation !== undefined }).toEqual({ route: `${route.method} ${route.path}`, documented: true })
      expect(operation?.summary?.length ?? 0).toBeGreaterThan(0)
    }
  })
})
