// The package REST API, multipart publishing and scope search against a running registry (SQLite, and
// PostgreSQL in the suite's second pass): discovery limited to what the caller may read, gated
// downloads with checksum and signature headers under the npm routes' limit and records, the admin's
// package management, and a real `npm pack` tarball uploaded through the API and installed by npm.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createVerify } from 'node:crypto'
import { request as httpRequest } from 'node:http'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { and, eq } from 'drizzle-orm'
import ssri from 'ssri'
import { auditEvents, packageDownloads } from '../../registry/src/db/schema.ts'
import { npmrc, Workspace } from '../helpers/clients.ts'
import { packTarball, publishDocument, type Manifest } from '../helpers/packages.ts'
import { expectRunnable, writePackage, writeProject } from '../helpers/published.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const SECRET = '@acme/secret'
const esc = (name: string) => name.replace('/', '%2f')

let registry: TestRegistry
let tokens: Record<'alice' | 'bob' | 'carol', string>

interface VersionView {
  version: string
  description: string | null
  size: number
  integrity: string
  shasum: string
  sha256: string
  signature: { keyid: string; sig: string } | null
  publishedAt: string
  publishedBy: string | null
  deprecated: string | null
  tags: string[]
  analyzed: boolean
  score: number | null
}
interface Details {
  name: string
  access: string
  description: string
  keywords: string[]
  latest: string | null
  homepage: string | null
  repository: string | null
  distTags: Record<string, string>
  maintainers: Array<{ name: string }>
  versions: VersionView[]
}
interface Listing {
  total: number
  offset: number
  limit: number
  packages: Array<{ name: string; latest: string | null; description: string; access: string }>
}

const get = async <T>(path: string, token?: string) => {
  const response = await registry.request(path, { token })
  return { status: response.status, body: (await response.json()) as T }
}
const sha256 = (bytes: Uint8Array) => new Bun.CryptoHasher('sha256').update(bytes).digest('hex')

async function publish(manifest: Manifest, token = registry.adminToken, tarball?: Uint8Array) {
  const response = await registry.request(`/${esc(manifest.name)}`, { method: 'PUT', token, json: await publishDocument(manifest, tarball ? { tarball } : {}) })
  expect(response.status).toBe(201)
}

function tarballForm(tarball: Uint8Array, fields: Record<string, string> = {}): FormData {
  const form = new FormData()
  form.set('tarball', new File([tarball], 'package.tgz', { type: 'application/gzip' }))
  for (const [key, value] of Object.entries(fields)) form.set(key, value)
  return form
}

const upload = (name: string, form: FormData, token = registry.adminToken) => registry.request(`/api/packages/${esc(name)}/versions`, { method: 'POST', token, body: form })

/** Verifies the way pacote does: ECDSA P-256 over `name@version:integrity` with a key from /-/npm/v1/keys. */
async function signatureVerifies(name: string, version: string, integrity: string, signature: { keyid: string; sig: string }): Promise<boolean> {
  const { keys } = (await (await registry.request('/-/npm/v1/keys')).json()) as { keys: Array<{ keyid: string; key: string }> }
  const key = keys.find((candidate) => candidate.keyid === signature.keyid)
  if (!key) return false
  const verifier = createVerify('SHA256')
  verifier.update(`${name}@${version}:${integrity}`)
  return verifier.verify(`-----BEGIN PUBLIC KEY-----\n${key.key}\n-----END PUBLIC KEY-----`, signature.sig, 'base64')
}

async function auditActions(target: string): Promise<string[]> {
  const rows = await registry.ctx.db.primary.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.target, target))
  return rows.map((row) => row.action)
}

const tarballs: Record<string, Uint8Array> = {}

beforeAll(async () => {
  registry = await startTestRegistry({ AUTH_FAILURES_PER_ADDRESS: '100000', MAX_TARBALL_SIZE: '200KB', DOWNLOAD_RATE_LIMIT: '3', DOWNLOAD_BURST_LIMIT: '0' })
  tokens = { alice: await registry.createUser('alice'), bob: await registry.createUser('bob'), carol: await registry.createUser('carol') }
  expect((await registry.request('/api/v1/admin/orgs', { method: 'POST', token: registry.adminToken, json: { slug: 'acme', displayName: 'Acme', defaultAccess: 'restricted' } })).status).toBe(201)
  tarballs.secret = await packTarball({ name: SECRET, version: '1.0.0', description: 'the secret sauce' }, { 'index.js': 'module.exports = 42\n' })
  await publish({ name: SECRET, version: '1.0.0', description: 'the secret sauce' }, registry.adminToken, tarballs.secret)
  for (const user of ['alice', 'bob']) {
    expect((await registry.request('/api/entitlements/grant', { method: 'POST', token: registry.adminToken, json: { user, package: SECRET } })).status).toBe(201)
  }
  tarballs.open = await packTarball({ name: 'rest-open', version: '1.1.0', description: 'open for all' })
  await publish({ name: 'rest-open', version: '1.0.0', description: 'open for all' })
  await publish({ name: 'rest-open', version: '1.1.0', description: 'open for all' }, registry.adminToken, tarballs.open)
  await publish({ name: '@acme/gadget', version: '2.0.0', description: 'an acme gadget' })
  await Promise.all([SECRET, 'rest-open', '@acme/gadget'].map((name) => registry.ctx.catalog.refresh(name)))
})

afterAll(() => registry.close())

describe('discovery', () => {
  test('the listing pages through what the caller may read, by name', async () => {
    const anonymous = await get<Listing>('/api/packages')
    expect(anonymous.status).toBe(200)
    expect(anonymous.body.packages.map((pkg) => pkg.name)).toEqual(['rest-open'])
    expect(anonymous.body.total).toBe(1)
    const alice = await get<Listing>('/api/packages', tokens.alice)
    expect(alice.body.packages.map((pkg) => pkg.name)).toEqual([SECRET, 'rest-open'])
    const admin = await get<Listing>('/api/packages?limit=1&offset=1', registry.adminToken)
    expect(admin.body).toMatchObject({ total: 3, offset: 1, limit: 1 })
    expect(admin.body.packages.map((pkg) => pkg.name)).toEqual([SECRET])
    expect((await get<Listing>('/api/packages?scope=acme', registry.adminToken)).body.packages.map((pkg) => pkg.name)).toEqual(['@acme/gadget', SECRET])
    expect((await get<Listing>('/api/packages?scope=@acme', tokens.carol)).body).toMatchObject({ total: 0, packages: [] })
    expect(anonymous.body.packages[0]).toMatchObject({ name: 'rest-open', latest: '1.1.0', description: 'open for all', access: 'public' })
  })

  test('a query searches, with the same visibility', async () => {
    expect((await get<Listing>('/api/packages?q=sauce', tokens.alice)).body.packages.map((pkg) => pkg.name)).toEqual([SECRET])
    expect((await get<Listing>('/api/packages?q=sauce', tokens.carol)).body).toMatchObject({ total: 0, packages: [] })
    expect((await get<Listing>('/api/packages?q=gadget&scope=@acme', registry.adminToken)).body.packages.map((pkg) => pkg.name)).toEqual(['@acme/gadget'])
  })

  test('bad paging is a 400 in the common error shape', async () => {
    const { status, body } = await get<Record<string, unknown>>('/api/packages?limit=1000')
    expect(status).toBe(400)
    expect(body).toMatchObject({ code: 'INVALID_REQUEST', status: 400 })
    expect(body.error).toBe(body.message)
  })

  test('details list every version with size, integrity, sha256, a verifiable signature and dates, under each spelling of a scoped name', async () => {
    const { status, body } = await get<Details>('/api/packages/rest-open')
    expect(status).toBe(200)
    expect(body).toMatchObject({ name: 'rest-open', description: 'open for all', latest: '1.1.0', distTags: { latest: '1.1.0' }, maintainers: [{ name: 'admin' }] })
    expect(body.versions.map((version) => version.version)).toEqual(['1.1.0', '1.0.0'])
    const [newest] = body.versions as [VersionView]
    const bytes = tarballs.open as Uint8Array
    expect(newest).toMatchObject({ size: bytes.byteLength, sha256: sha256(bytes), integrity: ssri.fromData(bytes, { algorithms: ['sha512'] }).toString(), tags: ['latest'], publishedBy: 'admin', deprecated: null })
    expect(Date.parse(newest.publishedAt)).toBeGreaterThan(Date.now() - 600_000)
    expect(await signatureVerifies('rest-open', '1.1.0', newest.integrity, newest.signature!)).toBe(true)
    for (const path of [`/api/packages/${esc(SECRET)}`, `/api/packages/${SECRET.replace('/', '%2F')}`, `/api/packages/${SECRET}`]) {
      const scoped = await get<Details>(path, tokens.alice)
      expect(scoped.status).toBe(200)
      expect(scoped.body.versions[0]?.sha256).toBe(sha256(tarballs.secret as Uint8Array))
    }
  })

  test('someone not entitled gets 404 on details and download, exactly as for a name nobody published', async () => {
    for (const token of [tokens.carol, undefined]) {
      const details = await get<Record<string, unknown>>(`/api/packages/${esc(SECRET)}`, token)
      expect(details).toEqual({ status: 404, body: { error: `package ${SECRET} not found`, code: 'PACKAGE_NOT_FOUND', message: `package ${SECRET} not found`, status: 404 } })
    }
    const download = await get<Record<string, unknown>>(`/api/packages/${SECRET}/download`, tokens.carol)
    expect(download).toEqual({ status: 404, body: { error: `package ${SECRET} not found`, code: 'PACKAGE_NOT_FOUND', message: `package ${SECRET} not found`, status: 404 } })
    expect((await get<Record<string, unknown>>(`/api/packages/@acme/ghost/download`, tokens.carol)).body.code).toBe('PACKAGE_NOT_FOUND')
  })
})

describe('gated download', () => {
  test('needs a signed-in caller, even for a public package', async () => {
    const response = await registry.request('/api/packages/rest-open/download')
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
  })

  test('an entitled user gets the tarball with X-Package-SHA256 and X-Package-Signature, and the download is recorded as theirs', async () => {
    const response = await registry.request(`/api/packages/${esc(SECRET)}/download`, { token: tokens.alice })
    expect(response.status).toBe(200)
    const bytes = new Uint8Array(await response.arrayBuffer())
    expect(sha256(bytes)).toBe(sha256(tarballs.secret as Uint8Array))
    expect(response.headers.get('x-package-sha256')).toBe(sha256(bytes))
    expect(response.headers.get('content-disposition')).toBe('attachment; filename="secret-1.0.0.tgz"')
    const integrity = ssri.fromData(bytes, { algorithms: ['sha512'] }).toString()
    const signature = { keyid: response.headers.get('x-package-signature-keyid') as string, sig: response.headers.get('x-package-signature') as string }
    expect(await signatureVerifies(SECRET, '1.0.0', integrity, signature)).toBe(true)
    await registry.ctx.downloads.flush()
    const alice = await registry.ctx.users.findByUsername('alice')
    const records = await registry.ctx.db.read.select().from(packageDownloads).where(and(eq(packageDownloads.packageName, SECRET), eq(packageDownloads.userId, alice!.id)))
    expect(records).toHaveLength(1)
    expect(records[0]).toMatchObject({ version: '1.0.0', clientAddress: '127.0.0.1' })
  })

  test('?version= takes a version or a tag; an unknown one is a 404', async () => {
    const old = await registry.request('/api/packages/rest-open/download?version=1.0.0', { token: tokens.carol })
    expect(old.status).toBe(200)
    const oldBytes = new Uint8Array(await old.arrayBuffer())
    expect(old.headers.get('x-package-sha256')).toBe(sha256(oldBytes))
    expect(sha256(oldBytes)).not.toBe(sha256(tarballs.open as Uint8Array))
    const latest = await registry.request('/api/packages/rest-open/download?version=latest', { token: tokens.carol })
    expect(sha256(new Uint8Array(await latest.arrayBuffer()))).toBe(sha256(tarballs.open as Uint8Array))
    const missing = await get<Record<string, unknown>>('/api/packages/rest-open/download?version=9.9.9', tokens.carol)
    expect(missing).toMatchObject({ status: 404, body: { code: 'VERSION_NOT_FOUND' } })
  })

  test('shares the per-user limit with npm tarball downloads of restricted packages', async () => {
    // DOWNLOAD_RATE_LIMIT=3 a minute, no burst: two through the API, one through npm's route, then 429.
    expect((await registry.request(`/api/packages/${esc(SECRET)}/download`, { token: tokens.bob })).status).toBe(200)
    expect((await registry.request(`/api/packages/${SECRET}/download`, { token: tokens.bob })).status).toBe(200)
    expect((await registry.request(`/${SECRET}/-/secret-1.0.0.tgz`, { token: tokens.bob })).status).toBe(200)
    const limited = await registry.request(`/api/packages/${esc(SECRET)}/download`, { token: tokens.bob })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await limited.json()) as { code: string }).code).toBe('DOWNLOAD_RATE_LIMITED')
  })
})

describe('admin: create, edit, upload, delete', () => {
  test('an empty package keeps its name and metadata; npm clients see it without versions', async () => {
    const created = await registry.request('/api/packages', { method: 'POST', token: registry.adminToken, json: { name: 'reserved-pkg', description: 'coming soon', keywords: ['soon'], maintainers: ['alice'] } })
    expect(created.status).toBe(201)
    expect(await created.json()).toMatchObject({ name: 'reserved-pkg', latest: null, versions: [], description: 'coming soon', maintainers: [{ name: 'alice' }], access: 'public' })
    const packument = await get<Record<string, unknown>>('/reserved-pkg')
    expect(packument.status).toBe(200)
    expect(packument.body).toMatchObject({ name: 'reserved-pkg', versions: {}, 'dist-tags': {}, description: 'coming soon', maintainers: [{ name: 'alice' }] })
    expect(await auditActions('reserved-pkg')).toEqual(['package.create'])
    expect((await get<Listing>('/api/packages', registry.adminToken)).body.packages.map((pkg) => pkg.name)).toContain('reserved-pkg')

    const ws = new Workspace('packr-rest-empty-')
    try {
      ws.write('home/.npmrc', npmrc(registry.url))
      const owners = await ws.run('npm', ['owner', 'ls', 'reserved-pkg'], ws.dir('app'))
      expect(owners.exitCode).toBe(0)
      expect(owners.stdout).toContain('alice')
      const install = await ws.run('npm', ['install', 'reserved-pkg'], writeProject(ws, 'app'))
      expect(install.exitCode).not.toBe(0)
      expect(install.stderr).toContain('No versions available for reserved-pkg')
      // Its owner publishes the first version with npm as usual.
      ws.write('home/.npmrc', npmrc(registry.url, tokens.alice))
      const pkg = writePackage(ws, 'reserved', { name: 'reserved-pkg', version: '0.1.0' }, 'module.exports = () => "first"\n')
      expect((await ws.run('npm', ['publish'], pkg)).exitCode).toBe(0)
      expect((await get<Details>('/api/packages/reserved-pkg')).body).toMatchObject({ latest: '0.1.0', description: 'coming soon' })
    } finally {
      ws.remove()
    }
  }, 120_000)

  test('creating refuses a taken name, a bad name, unknown fields and non-admins, and changes nothing', async () => {
    const cases: Array<[unknown, string | undefined, number, string]> = [
      [{ name: 'rest-open' }, registry.adminToken, 409, 'PACKAGE_EXISTS'],
      [{ name: 'Not A Name' }, registry.adminToken, 400, 'INVALID_PACKAGE_NAME'],
      [{ name: 'fresh-one', colour: 'blue' }, registry.adminToken, 400, 'INVALID_REQUEST'],
      [{ name: 'fresh-one', maintainers: ['nobody-at-all'] }, registry.adminToken, 400, 'UNKNOWN_USER'],
      [{ name: 'fresh-one' }, tokens.alice, 403, 'PERMISSION_DENIED'],
      [{ name: 'fresh-one' }, undefined, 401, 'AUTH_REQUIRED'],
    ]
    for (const [json, token, status, code] of cases) {
      const response = await registry.request('/api/packages', { method: 'POST', token, json })
      expect({ json, status: response.status, code: ((await response.json()) as { code: string }).code }).toEqual({ json, status, code })
    }
    expect((await registry.request('/fresh-one')).status).toBe(404)
  })

  test('metadata overrides reach the packument and search, null restores the version’s own, owners and visibility change with an audit trail', async () => {
    const edit = (json: unknown) => registry.request('/api/packages/rest-open', { method: 'PUT', token: registry.adminToken, json })
    const edited = await edit({ description: 'curated words', homepage: 'https://example.test/open', keywords: ['curated'] })
    expect(edited.status).toBe(200)
    expect(await edited.json()).toMatchObject({ description: 'curated words', homepage: 'https://example.test/open', keywords: ['curated'] })
    expect((await get<Record<string, unknown>>('/rest-open')).body).toMatchObject({ description: 'curated words', homepage: 'https://example.test/open', keywords: ['curated'] })
    await registry.ctx.catalog.refresh('rest-open')
    const search = await get<{ objects: Array<{ package: { name: string; description: string } }> }>('/-/v1/search?text=curated')
    expect(search.body.objects[0]?.package).toMatchObject({ name: 'rest-open', description: 'curated words' })
    // The version documents are as published.
    expect((await get<Record<string, unknown>>('/rest-open/1.1.0')).body.description).toBe('open for all')

    expect((await edit({ description: null })).status).toBe(200)
    expect((await get<Record<string, unknown>>('/rest-open')).body.description).toBe('open for all')
    expect((await edit({ homepage: 'javascript:alert(1)' })).status).toBe(400)

    expect((await edit({ maintainers: ['admin', 'carol'], access: 'restricted' })).status).toBe(200)
    expect((await get<Record<string, unknown>>('/rest-open')).status).toBe(404)
    expect((await get<Details>('/api/packages/rest-open', tokens.carol)).body.maintainers.map((maintainer) => maintainer.name)).toEqual(['admin', 'carol'])
    expect((await edit({ access: 'public' })).status).toBe(200)
    expect(await auditActions('rest-open')).toEqual(expect.arrayContaining(['package.metadata', 'package.owners', 'package.access']))
    expect((await registry.request('/api/packages/no-such-package', { method: 'PUT', token: registry.adminToken, json: { description: 'x' } })).status).toBe(404)
  })

  test('a .tgz upload reads name and version from the tarball, signs it, tags it and runs the post-publish steps', async () => {
    const tarball = await packTarball({ name: 'rest-open', version: '2.0.0-beta.1', description: 'beta' })
    const response = await upload('rest-open', tarballForm(tarball, { tag: 'beta' }))
    expect(response.status).toBe(201)
    const body = (await response.json()) as VersionView & { name: string; created: boolean }
    expect(body).toMatchObject({ name: 'rest-open', version: '2.0.0-beta.1', created: true, tags: ['beta'], size: tarball.byteLength, sha256: sha256(tarball), publishedBy: 'admin' })
    expect(body.shasum).toBe(new Bun.CryptoHasher('sha1').update(tarball).digest('hex'))
    expect(await signatureVerifies('rest-open', '2.0.0-beta.1', body.integrity, body.signature!)).toBe(true)
    expect((await get<Record<string, unknown>>('/rest-open')).body['dist-tags']).toEqual({ latest: '1.1.0', beta: '2.0.0-beta.1' })
    expect(await auditActions('rest-open@2.0.0-beta.1')).toEqual(['package.publish'])
    // The analysis job the publish queued runs in the background.
    const deadline = Date.now() + 60_000
    while (!(await registry.ctx.analyses.get('rest-open', '2.0.0-beta.1')) && Date.now() < deadline) await Bun.sleep(100)
    expect(await registry.ctx.analyses.get('rest-open', '2.0.0-beta.1')).toBeDefined()
    const scored = (await get<Details>('/api/packages/rest-open')).body.versions.find((version) => version.version === '2.0.0-beta.1')
    expect(scored).toMatchObject({ analyzed: true, score: expect.any(Number) })
    // The same bytes again: idempotent.
    const again = await upload('rest-open', tarballForm(tarball, { tag: 'beta' }))
    expect(again.status).toBe(200)
    expect(((await again.json()) as { created: boolean }).created).toBe(false)
  })

  test('an upload that does not fit is refused with a clear error and stores nothing', async () => {
    const blobsBefore = await Array.fromAsync(registry.ctx.blobs.list())
    const other = await packTarball({ name: 'somebody-else', version: '1.0.0' })
    const cases: Array<[Promise<Response>, number, string]> = [
      [upload('rest-open', tarballForm(other)), 400, 'NAME_MISMATCH'],
      [upload('rest-open', tarballForm(new TextEncoder().encode('not a tarball'))), 400, 'INVALID_TARBALL'],
      [upload('rest-open', tarballForm(await packTarball({ name: 'rest-open', version: '3.0.0' }), { tag: '1.x' })), 400, 'INVALID_TAG'],
      [upload('rest-open', tarballForm(crypto.getRandomValues(new Uint8Array(210 * 1024)))), 413, 'TARBALL_TOO_LARGE'],
      [registry.request('/api/packages/rest-open/versions', { method: 'POST', token: registry.adminToken, json: { tarball: 'x' } }), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [registry.request('/api/packages/rest-open/versions', { method: 'POST', token: registry.adminToken, body: new FormData() }), 400, 'INVALID_REQUEST'],
      [upload('rest-open', tarballForm(await packTarball({ name: 'rest-open', version: '3.0.0' })), tokens.alice), 403, 'PERMISSION_DENIED'],
    ]
    for (const [pending, status, code] of cases) {
      const response = await pending
      const body = (await response.json()) as { code: string; error: string }
      expect({ status: response.status, code: body.code }).toEqual({ status, code })
      expect(body.error.length).toBeGreaterThan(10)
    }
    expect((await Array.fromAsync(registry.ctx.blobs.list())).length).toBe(blobsBefore.length)
    expect((await get<Record<string, unknown>>('/rest-open/3.0.0')).status).toBe(404)
  })

  test('a body declared larger than the limit gets 413 before any of it is sent', async () => {
    const url = new URL(registry.url)
    const status = await new Promise<number>((resolve, reject) => {
      const request = httpRequest({
        host: '127.0.0.1',
        port: registry.port,
        method: 'POST',
        path: '/api/packages/rest-open/versions',
        headers: { authorization: `Bearer ${registry.adminToken}`, 'content-type': 'multipart/form-data; boundary=x', 'content-length': String(1024 ** 3), host: url.host },
      })
      request.on('response', (response) => {
        resolve(response.statusCode ?? 0)
        request.destroy()
      })
      request.on('error', reject)
      request.flushHeaders()
    })
    expect(status).toBe(413)
  })

  test('delete unpublishes every version with the audit npm unpublish leaves; an empty package is removed', async () => {
    await publish({ name: 'doomed-pkg', version: '1.0.0' })
    const removed = await registry.request('/api/packages/doomed-pkg', { method: 'DELETE', token: registry.adminToken })
    expect(removed.status).toBe(200)
    expect((await registry.request('/doomed-pkg')).status).toBe(404)
    expect((await registry.request('/api/packages/doomed-pkg')).status).toBe(404)
    expect(await auditActions('doomed-pkg')).toEqual(['package.unpublish'])
    expect((await registry.request('/api/packages/doomed-pkg', { method: 'DELETE', token: registry.adminToken })).status).toBe(404)
    // Its versions stay reserved.
    expect((await upload('doomed-pkg', tarballForm(await packTarball({ name: 'doomed-pkg', version: '1.0.0' })))).status).toBe(409)

    expect((await registry.request('/api/packages', { method: 'POST', token: registry.adminToken, json: { name: '@acme/placeholder' } })).status).toBe(201)
    expect((await registry.request('/api/packages/@acme/placeholder', { method: 'DELETE', token: registry.adminToken })).status).toBe(200)
    expect(await auditActions('@acme/placeholder')).toEqual(['package.create', 'package.delete'])
    expect((await registry.request('/api/packages', { method: 'POST', token: registry.adminToken, json: { name: '@acme/placeholder' } })).status).toBe(201)
  })
})

describe('multipart publish on PUT /:pkg', () => {
  async function form(manifest: Manifest, tarball: Uint8Array, fields: Record<string, string> = {}) {
    const document = await publishDocument(manifest, { tarball })
    const body = tarballForm(tarball, fields)
    body.set('manifest', JSON.stringify(document.versions[manifest.version]))
    return body
  }
  const put = (name: string, body: FormData, token = registry.adminToken) => registry.request(`/${esc(name)}`, { method: 'PUT', token, body })

  test('publishes like the JSON document, with the tag given', async () => {
    const manifest = { name: '@acme/streamed', version: '1.0.0', description: 'sent as multipart' }
    const tarball = await packTarball(manifest)
    const response = await put(manifest.name, await form(manifest, tarball, { tag: 'next' }))
    expect(response.status).toBe(201)
    expect(await response.json()).toEqual({ ok: 'published @acme/streamed@1.0.0', success: true })
    const details = (await get<Details>(`/api/packages/${esc(manifest.name)}`, registry.adminToken)).body
    expect(details.distTags).toEqual({ next: '1.0.0', latest: '1.0.0' })
    expect(details.versions[0]).toMatchObject({ sha256: sha256(tarball), size: tarball.byteLength })
    expect((await put(manifest.name, await form(manifest, tarball, { tag: 'next' }))).status).toBe(200)
  })

  test('runs the same validation: digest, names, version and size', async () => {
    const manifest = { name: 'multi-checked', version: '1.0.0' }
    const tarball = await packTarball(manifest)
    const wrongDigest = await form(manifest, tarball)
    wrongDigest.set('manifest', JSON.stringify({ ...manifest, dist: { shasum: '0'.repeat(40) } }))
    const noDigest = await form(manifest, tarball)
    noDigest.set('manifest', JSON.stringify({ ...manifest, dist: {} }))
    const badJson = await form(manifest, tarball)
    badJson.set('manifest', '{not json')
    const noTarball = await form(manifest, tarball)
    noTarball.delete('tarball')
    const cases: Array<[string, FormData, number, string]> = [
      ['multi-checked', wrongDigest, 400, 'SHASUM_MISMATCH'],
      ['multi-checked', noDigest, 400, 'MISSING_INTEGRITY'],
      ['multi-checked', badJson, 400, 'MALFORMED_BODY'],
      ['multi-checked', noTarball, 400, 'INVALID_REQUEST'],
      ['other-name', await form(manifest, tarball), 400, 'NAME_MISMATCH'],
      ['multi-checked', await form({ name: 'multi-checked', version: '1.0.0' }, await packTarball({ name: 'multi-checked', version: '2.0.0' })), 400, 'TARBALL_MANIFEST_MISMATCH'],
      ['multi-checked', await form({ name: 'multi-checked', version: '01.0' }, tarball), 400, 'INVALID_VERSION'],
    ]
    for (const [name, body, status, code] of cases) {
      const response = await put(name, body)
      expect({ name, status: response.status, code: ((await response.json()) as { code: string }).code }).toEqual({ name, status, code })
    }
    const anonymous = await put('multi-checked', await form(manifest, tarball), '')
    expect(anonymous.status).toBe(401)
    expect((await registry.request('/multi-checked')).status).toBe(404)
  })
})

describe('scope search', () => {
  test("GET /-/search/:scope returns that scope's packages in npm's search shape, visible ones only", async () => {
    type Hits = { objects: Array<{ package: { name: string; scope: string } }>; total: number }
    const admin = await get<Hits>('/-/search/@acme?q=', registry.adminToken)
    expect(admin.status).toBe(200)
    const names = admin.body.objects.map((hit) => hit.package.name)
    expect(names).toContain('@acme/gadget')
    expect(names).toContain(SECRET)
    expect(names.every((name) => name.startsWith('@acme/'))).toBe(true)
    expect((await get<Hits>('/-/search/acme?q=sauce', tokens.alice)).body.objects.map((hit) => hit.package.name)).toEqual([SECRET])
    expect((await get<Hits>('/-/search/acme?q=sauce')).body).toMatchObject({ objects: [], total: 0 })
    expect((await get<Hits>('/-/search/other?q=gadget')).body.total).toBe(0)
    expect((await get<Record<string, unknown>>('/-/search/NOT%20A%20SCOPE')).body).toMatchObject({ status: 400, code: 'INVALID_REQUEST' })
  })
})

describe('a real npm pack tarball through the API', () => {
  test('uploaded by an admin, installed by npm', async () => {
    const ws = new Workspace('packr-rest-npm-')
    try {
      const dir = writePackage(ws, 'widget', { name: '@acme/rest-widget', version: '1.2.3', files: ['index.js'] }, 'module.exports = () => "from a REST upload"\n')
      writeFileSync(join(dir, 'secret-notes.txt'), 'not in the files list\n')
      const packed = await ws.exec(['npm', 'pack', '--json'], dir)
      expect(packed.exitCode).toBe(0)
      const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }]
      const tarball = new Uint8Array(await Bun.file(join(dir, filename)).arrayBuffer())
      const response = await upload('@acme/rest-widget', tarballForm(tarball))
      expect(response.status).toBe(201)
      // New packages in acme's scope are restricted: alice, an entitled user of the org's packages? No: she must be granted.
      expect((await registry.request('/api/entitlements/grant', { method: 'POST', token: registry.adminToken, json: { user: 'alice', package: '@acme/rest-widget' } })).status).toBe(201)
      ws.write('home/.npmrc', npmrc(registry.url, tokens.alice))
      const app = writeProject(ws, 'app', { '@acme/rest-widget': '^1.2.0' })
      const install = await ws.run('npm', ['install'], app)
      expect(install.exitCode).toBe(0)
      await expectRunnable(ws, app, { '@acme/rest-widget': 'from a REST upload' })
      expect(await Bun.file(join(app, 'node_modules/@acme/rest-widget/secret-notes.txt')).exists()).toBe(false)
    } finally {
      ws.remove()
    }
  }, 120_000)
})

describe('/openapi.json', () => {
  test('documents request and response schemas of the package API and both publish media types', async () => {
    type Operation = { requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }; responses?: Record<string, unknown>; parameters?: unknown[] }
    const spec = (await (await registry.request('/openapi.json')).json()) as { paths: Record<string, Record<string, Operation>> }
    const uploadOp = spec.paths['/api/packages/{name}/versions']?.post
    expect(Object.keys(uploadOp?.requestBody?.content ?? {})).toEqual(['multipart/form-data'])
    expect(uploadOp?.requestBody?.content['multipart/form-data']?.schema.properties?.tarball).toMatchObject({ format: 'binary' })
    expect(Object.keys(uploadOp?.responses ?? {})).toEqual(expect.arrayContaining(['200', '201']))
    expect(Object.keys(spec.paths['/{name}']?.put?.requestBody?.content ?? {}).sort()).toEqual(['application/json', 'multipart/form-data'])
    expect(spec.paths['/api/packages']?.post?.requestBody?.content['application/json']).toBeDefined()
    expect(spec.paths['/api/packages']?.get?.parameters?.length).toBeGreaterThan(0)
    for (const path of ['/api/packages', '/api/packages/{name}', '/api/packages/{name}/{sub}', '/-/search/{scope}']) expect(spec.paths[path]?.get?.responses?.['200']).toBeDefined()
    expect(spec.paths['/api/packages/{name}/download']?.get?.responses?.['200']).toMatchObject({ headers: { 'X-Package-SHA256': expect.any(Object), 'X-Package-Signature': expect.any(Object) } })
  })
})
