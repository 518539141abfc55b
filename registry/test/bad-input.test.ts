// Bad input never crashes the server or writes anything. Every case below must answer with the
// JSON error shape `{error, code, message, status}`, leave the database and the blob store exactly
// as they were, and leave the server serving.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readdirSync } from 'node:fs'
import { connect } from 'node:net'
import { join } from 'node:path'
import ssri from 'ssri'
import { schema } from '../src/db/index.ts'
import { escapeName, packTarball, publishDocument, type Manifest, type PublishDocument } from '../../test/helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../../test/helpers/registry.ts'

const MAX_TARBALL_SIZE = 256 * 1024
const EXISTING = '@bad/existing'

let registry: TestRegistry
let baseline: string

/**
 * Tables that background work (analysis jobs, the catalog, download counting) writes on its own
 * schedule, whatever requests arrive: a refused request must change every other table, not these.
 */
const BACKGROUND = new Set(['jobs', 'versionAnalyses', 'catalogSnapshots', 'downloadCounts'])

/** Every row of every request-written table (token use times aside) and every stored blob with its digest. */
async function snapshot(): Promise<string> {
  const tables: Record<string, unknown[]> = {}
  for (const [name, table] of Object.entries(schema)) {
    if (BACKGROUND.has(name)) continue
    const rows = (await registry.ctx.db.read.select().from(table)) as Array<Record<string, unknown>>
    tables[name] = rows.map(({ lastUsedAt: _bookkeeping, ...row }) => row)
  }
  const blobs: string[] = []
  for await (const blob of registry.ctx.blobs.list()) {
    const stored = await registry.ctx.blobs.get(blob.key)
    const bytes = new Uint8Array(await new Response(stored?.body).arrayBuffer())
    blobs.push(`${blob.key} ${blob.size} ${new Bun.CryptoHasher('sha256').update(bytes).digest('hex')}`)
  }
  const tmp = join(registry.dataDir, 'tarballs', '.tmp')
  const partial = existsSync(tmp) ? readdirSync(tmp) : []
  return JSON.stringify({ tables, blobs: blobs.sort(), partial })
}

async function expectError(response: Response, status: number, code?: string): Promise<{ error: string; code: string }> {
  expect(response.status).toBe(status)
  expect(response.headers.get('content-type')).toStartWith('application/json')
  const body = (await response.json()) as Record<string, unknown>
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'status'])
  expect(body.status).toBe(status)
  expect(body.error).toBeString()
  expect((body.error as string).length).toBeGreaterThan(0)
  expect(body.message).toBe(body.error)
  if (code) expect(body.code).toBe(code)
  return body as { error: string; code: string }
}

/** After a rejected request: nothing was written and the server still serves reads and writes' checks. */
async function expectUnchanged(): Promise<void> {
  expect(await snapshot()).toBe(baseline)
  expect((await registry.request(`/${escapeName(EXISTING)}`)).status).toBe(200)
  expect((await registry.request('/-/ping')).status).toBe(200)
}

const put = (path: string, body: unknown, token: string | null = registry.adminToken) =>
  registry.request(path, { method: 'PUT', token: token ?? undefined, ...(typeof body === 'string' ? { body, headers: { 'content-type': 'application/json' } } : { json: body }) })

/** A valid publish document for `manifest`, then `edit` breaks it. */
async function brokenPublish(manifest: Manifest, edit: (doc: PublishDocument) => void): Promise<PublishDocument> {
  const doc = await publishDocument(manifest)
  edit(doc)
  return doc
}

const versionOf = (doc: PublishDocument) => Object.values(doc.versions)[0] as Record<string, unknown> & { dist: Record<string, unknown> }
const attachmentOf = (doc: PublishDocument) => Object.values(doc._attachments)[0] as PublishDocument['_attachments'][string]

interface RawExchange {
  status: number
  /** The response as a fetch Response, for the shared error checks. */
  response: Response
  /** Body bytes written before the server answered (or the connection ended). */
  sent: number
}

/**
 * HTTP/1.1 over a raw socket: the request target goes out byte for byte (fetch would resolve
 * `%2e%2e` segments itself), and the test controls how much of a body is sent: up to `chunks`
 * pieces of `chunkSize` bytes, stopping as soon as a response arrives.
 */
function rawRequest(
  method: string,
  path: string,
  options: { body?: string; contentLength?: number; chunked?: boolean; chunks?: number; chunkSize?: number } = {},
): Promise<RawExchange> {
  const url = new URL(registry.url)
  return new Promise((resolve, reject) => {
    const socket = connect(Number(url.port), url.hostname)
    let received = Buffer.alloc(0)
    let sent = 0
    let answered = false
    const finish = () => {
      answered = true
      socket.destroy()
      const text = received.toString('latin1')
      const headEnd = text.indexOf('\r\n\r\n')
      const [statusLine = '', ...headerLines] = text.slice(0, Math.max(0, headEnd)).split('\r\n')
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? 0)
      const headers = new Headers(headerLines.map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()] as [string, string]))
      const body = received.subarray(headEnd + 4)
      resolve({ status, sent, response: new Response(status === 304 ? null : body, { status, headers }) })
    }
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data])
      const headEnd = received.indexOf('\r\n\r\n')
      const length = Number(/content-length: (\d+)/i.exec(received.subarray(0, headEnd).toString('latin1'))?.[1] ?? Number.NaN)
      if (headEnd >= 0 && received.byteLength - headEnd - 4 >= length) finish()
    })
    socket.on('error', () => answered || finish())
    socket.on('close', () => answered || finish())
    socket.on('connect', async () => {
      const head = [`${method} ${path} HTTP/1.1`, `host: ${url.host}`, `authorization: Bearer ${registry.adminToken}`, 'content-type: application/json']
      if (options.body !== undefined) head.push(`content-length: ${Buffer.byteLength(options.body)}`)
      else if (options.chunked) head.push('transfer-encoding: chunked')
      else if (options.contentLength !== undefined) head.push(`content-length: ${options.contentLength}`)
      socket.write(`${head.join('\r\n')}\r\n\r\n${options.body ?? ''}`)
      const piece = Buffer.alloc(options.chunkSize ?? 0, 0x61)
      for (let i = 0; i < (options.chunks ?? 0) && !answered && !socket.destroyed; i++) {
        const frame = options.chunked ? Buffer.concat([Buffer.from(`${piece.byteLength.toString(16)}\r\n`), piece, Buffer.from('\r\n')]) : piece
        const flushed = socket.write(frame)
        sent += piece.byteLength
        if (!flushed) await new Promise((drained) => socket.once('drain', drained).once('close', drained))
      }
      if (options.chunked && !answered && !socket.destroyed) socket.write('0\r\n\r\n')
    })
    setTimeout(() => reject(new Error(`no answer to ${method} ${path}`)), 30_000).unref()
  })
}

beforeAll(async () => {
  registry = await startTestRegistry({ MAX_TARBALL_SIZE: String(MAX_TARBALL_SIZE) })
  expect((await put(`/${escapeName(EXISTING)}`, await publishDocument({ name: EXISTING, version: '1.0.0' }))).status).toBe(201)
  // Token use is recorded once a minute; take it now so the baseline is stable.
  expect((await registry.request('/-/whoami', { token: registry.adminToken })).status).toBe(200)
  baseline = await snapshot()
})

afterAll(async () => {
  await registry.close()
})

describe('malformed publish documents', () => {
  const NEW = { name: '@bad/new', version: '1.0.0' }
  /** A valid publish document as JSON text with one key renamed (JSON.parse keeps `__proto__` as an own key). */
  const renamedKey = async (from: string, to: string) => JSON.stringify(await publishDocument(NEW)).replace(`"${from}":`, `"${to}":`)
  const cases: Array<[string, () => Promise<[string, unknown]>, number, string]> = [
    ['malformed JSON', async () => ['/@bad%2fnew', '{"name": "@bad/new", "versions": {'], 400, 'MALFORMED_BODY'],
    ['an empty body', async () => ['/@bad%2fnew', ''], 400, 'MALFORMED_BODY'],
    ['a JSON array', async () => ['/@bad%2fnew', '[]'], 400, 'INVALID_REQUEST'],
    ['a JSON string', async () => ['/@bad%2fnew', '"@bad/new"'], 400, 'INVALID_REQUEST'],
    ['versions that are not objects', async () => ['/@bad%2fnew', { name: '@bad/new', versions: { '1.0.0': 'x' }, _attachments: {} }], 400, 'INVALID_REQUEST'],
    [
      'a wrong integrity',
      async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (versionOf(doc).dist.integrity = ssri.fromData('other bytes', { algorithms: ['sha512'] }).toString()))],
      400,
      'INTEGRITY_MISMATCH',
    ],
    ['an integrity that is not SRI', async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (versionOf(doc).dist.integrity = 'not-an-integrity'))], 400, 'INTEGRITY_MISMATCH'],
    ['a wrong shasum', async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (versionOf(doc).dist.shasum = '0'.repeat(40)))], 400, 'SHASUM_MISMATCH'],
    ['no integrity at all', async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (versionOf(doc).dist = {}))], 400, 'MISSING_INTEGRITY'],
    ['an attachment length mismatch', async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (attachmentOf(doc).length += 1))], 400, 'LENGTH_MISMATCH'],
    [
      'an attachment that is not a tarball',
      async () => {
        const bytes = new TextEncoder().encode('not a gzip stream')
        const doc = await publishDocument(NEW, { tarball: bytes })
        return ['/@bad%2fnew', doc]
      },
      400,
      'INVALID_TARBALL',
    ],
    [
      "a tarball whose package.json names another package",
      async () => ['/@bad%2fnew', await publishDocument(NEW, { tarball: await packTarball({ name: '@bad/other', version: '1.0.0' }) })],
      400,
      'TARBALL_MANIFEST_MISMATCH',
    ],
    [
      "a tarball whose package.json has another version",
      async () => ['/@bad%2fnew', await publishDocument(NEW, { tarball: await packTarball({ name: '@bad/new', version: '9.9.9' }) })],
      400,
      'TARBALL_MANIFEST_MISMATCH',
    ],
    ['a name that differs from the URL', async () => ['/@bad%2fother', await publishDocument(NEW)], 400, 'NAME_MISMATCH'],
    ['an _id that differs from the name', async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (doc._id = '@bad/other'))], 400, 'NAME_MISMATCH'],
    ['a version document naming another package', async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (versionOf(doc).name = '@bad/other'))], 400, 'NAME_MISMATCH'],
    ['a versions key that differs from the version', async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (versionOf(doc).version = '1.0.1'))], 400, 'VERSION_MISMATCH'],
    [
      'two versions',
      async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (doc.versions['1.0.1'] = { ...versionOf(doc), version: '1.0.1' }))],
      400,
      'ONE_VERSION_PER_PUBLISH',
    ],
    [
      'two tarballs',
      async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (doc._attachments['@bad/new-1.0.0-copy-1.0.0.tgz'] = { ...attachmentOf(doc) }))],
      400,
      'ONE_TARBALL_PER_PUBLISH',
    ],
    ['zero tarballs (empty _attachments)', async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (doc._attachments = {}))], 400, 'ONE_TARBALL_PER_PUBLISH'],
    [
      'zero tarballs (only a .sigstore bundle)',
      async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (doc._attachments = { '@bad/new-1.0.0.sigstore': { content_type: 'application/json', data: '{}', length: 2 } }))],
      400,
      'ONE_TARBALL_PER_PUBLISH',
    ],
    [
      'a new version of an existing package without _attachments',
      async () => {
        const doc = await publishDocument({ name: EXISTING, version: '2.0.0' })
        const { _attachments: _dropped, ...withoutAttachments } = doc
        return [`/${escapeName(EXISTING)}`, withoutAttachments]
      },
      400,
      'VERSION_NOT_PUBLISHED',
    ],
    ['a version keyed "__proto__"', async () => ['/@bad%2fnew', await renamedKey('1.0.0', '__proto__')], 400, 'ONE_VERSION_PER_PUBLISH'],
    ['an attachment keyed "__proto__"', async () => ['/@bad%2fnew', await renamedKey('@bad/new-1.0.0.tgz', '__proto__')], 400, 'ONE_TARBALL_PER_PUBLISH'],
    ['an attachment named for another version', async () => ['/@bad%2fnew', await brokenPublish(NEW, (doc) => (doc._attachments = { '@bad/new-2.0.0.tgz': attachmentOf(doc) }))], 400, 'ATTACHMENT_MISMATCH'],
    [
      'a tarball over MAX_TARBALL_SIZE',
      async () => {
        const big = crypto.getRandomValues(new Uint8Array(MAX_TARBALL_SIZE + 1024))
        return ['/@bad%2fnew', await publishDocument(NEW, { tarball: await packTarball(NEW, { 'big.bin': big }, { gzipLevel: 0 }) })]
      },
      413,
      'TARBALL_TOO_LARGE',
    ],
    [
      'a different tarball for a version that exists',
      async () => [`/${escapeName(EXISTING)}`, await publishDocument({ name: EXISTING, version: '1.0.0', description: 'changed' })],
      409,
      'VERSION_EXISTS',
    ],
  ]
  for (const version of ['v1.0.0', '1.0', 'latest', '1.0.0 ', '01.0.0', '1.0.0-', '']) {
    cases.push([
      `the non-semver version ${JSON.stringify(version)}`,
      async () => ['/@bad%2fnew', await publishDocument({ name: '@bad/new', version }, { tarball: await packTarball({ name: '@bad/new', version }) })],
      400,
      'INVALID_VERSION',
    ])
  }
  for (const name of ['UPPER', 'has space', '.hidden', '_under', 'node_modules', 'a'.repeat(215), '@bad/UPPER', '@bad/', 'x~y"z', '../../etc', '@bad/../../x', '@../x']) {
    cases.push([
      `the invalid name ${JSON.stringify(name.length > 40 ? `${name.slice(0, 10)}…` : name)}`,
      async () => [`/${encodeURIComponent(name)}`, await publishDocument({ name, version: '1.0.0' })],
      400,
      'INVALID_PACKAGE_NAME',
    ])
  }

  for (const [label, build, status, code] of cases) {
    test(`${label} → ${status} ${code}`, async () => {
      const [path, body] = await build()
      await expectError(await put(path, body), status, code)
      await expectUnchanged()
    })
  }

  test('a wrong content type → 415', async () => {
    const response = await registry.request('/@bad%2fnew', { method: 'PUT', token: registry.adminToken, body: '<xml/>', headers: { 'content-type': 'application/xml' } })
    await expectError(response, 415, 'UNSUPPORTED_MEDIA_TYPE')
    await expectUnchanged()
  })

  test('no token or a forged token → 401', async () => {
    const doc = await publishDocument(NEW)
    await expectError(await put('/@bad%2fnew', doc, null), 401, 'AUTH_REQUIRED')
    await expectError(await put('/@bad%2fnew', doc, `${registry.adminToken.slice(0, -4)}AAAA`), 401, 'INVALID_TOKEN')
    await expectUnchanged()
  })
})

describe('malformed tag, metadata and -rev edits', () => {
  const tags = `/-/package/${escapeName(EXISTING)}/dist-tags`
  const cases: Array<[string, string, string, unknown, number, string]> = [
    ['a dist-tag body that is not a string', 'PUT', `${tags}/beta`, 123, 400, 'INVALID_REQUEST'],
    ['a dist-tag pointing at a missing version', 'PUT', `${tags}/beta`, '9.9.9', 404, 'VERSION_NOT_FOUND'],
    ['a dist-tag named like a version', 'PUT', `${tags}/1.0.0`, '1.0.0', 400, 'INVALID_TAG'],
    ['a dist-tag named like a range', 'PUT', `${tags}/%5E1.0.0`, '1.0.0', 400, 'INVALID_TAG'],
    ['a dist-tag on a missing package', 'PUT', '/-/package/@bad%2fmissing/dist-tags/beta', '1.0.0', 404, 'PACKAGE_NOT_FOUND'],
    ['removing latest', 'DELETE', `${tags}/latest`, undefined, 400, 'CANNOT_REMOVE_LATEST'],
    ['removing a tag that does not exist', 'DELETE', `${tags}/nope`, undefined, 404, 'TAG_NOT_FOUND'],
    ['deprecating a missing package', 'PUT', '/@bad%2fmissing', { versions: { '1.0.0': { deprecated: 'x' } } }, 404, 'PACKAGE_NOT_FOUND'],
    ['a -rev update with a stale revision', 'PUT', `/${escapeName(EXISTING)}/-rev/0-00000000000000000000000000000000`, { versions: {} }, 409, 'REVISION_CONFLICT'],
    ['a -rev update with a revision that is not ours', 'PUT', `/${escapeName(EXISTING)}/-rev/garbage`, { versions: {} }, 409, 'REVISION_CONFLICT'],
    ['a package delete with a stale revision', 'DELETE', `/${escapeName(EXISTING)}/-rev/0-00000000000000000000000000000000`, undefined, 409, 'REVISION_CONFLICT'],
    ['a tarball delete for a version that never existed', 'DELETE', `/${EXISTING}/-/existing-7.7.7.tgz/-rev/1-00000000000000000000000000000000`, undefined, 404, 'TARBALL_NOT_FOUND'],
  ]
  for (const [label, method, path, body, status, code] of cases) {
    test(`${label} → ${status} ${code}`, async () => {
      const response = await registry.request(path, { method, token: registry.adminToken, ...(body === undefined ? {} : { json: body }) })
      await expectError(response, status, code)
      await expectUnchanged()
    })
  }
})

describe('path traversal', () => {
  // Sent over a raw socket: fetch would resolve `..` and `%2e%2e` segments before sending.
  const requests: Array<[string, string, string?]> = [
    ['GET', `/${EXISTING}/-/..%2f..%2fpackr.db`],
    ['GET', `/${escapeName(EXISTING)}/-/%2e%2e%2f%2e%2e%2fsecrets.json`],
    ['GET', `/${EXISTING}/-/existing-1.0.0.tgz%2f..%2f..%2fsecrets.json`],
    ['GET', `/${EXISTING}/-/../../../secrets.json`],
    ['GET', '/%2e%2e/-/existing-1.0.0.tgz'],
    ['GET', '/%2e%2e/%2e%2e/secrets.json'],
    ['GET', '/..%2f..%2fsecrets.json'],
    ['GET', '/@bad%2F..%2F..%2Fsecrets.json'],
    ['GET', '/@bad/..%2F..%2Fsecrets.json'],
    ['GET', '/@bad%2f%2e%2e/-/..-1.0.0.tgz'],
    ['GET', '/%2e%2e%2ftarballs/-/existing-1.0.0.tgz'],
    ['GET', '/-/package/..%2f..%2fsecrets.json/dist-tags'],
    ['GET', '/-/package/@bad%2f..%2f..%2fx/dist-tags'],
    ['DELETE', `/${EXISTING}/-/..%2f..%2fpackr.db/-rev/1-00000000000000000000000000000000`],
    ['DELETE', '/%2e%2e%2f%2e%2e/-/secrets.json/-rev/1-00000000000000000000000000000000'],
    ['DELETE', '/..%2f..%2ftarballs/-rev/1-00000000000000000000000000000000'],
    ['DELETE', '/-/package/%2e%2e/dist-tags/beta'],
    ['PUT', '/-/package/..%2f..%2fsecrets.json/dist-tags/latest', '"1.0.0"'],
    ['PUT', `/-/package/${escapeName(EXISTING)}/dist-tags/..%2f..%2fx`, '"1.0.0"'],
    ['PUT', '/%2e%2e', '{"name":"..","versions":{},"_attachments":{}}'],
    ['PUT', '/..%2f..%2fx', '{"name":"../../x","versions":{},"_attachments":{}}'],
  ]
  for (const [method, path, body] of requests) {
    test(`${method} ${path} → JSON 4xx`, async () => {
      const { status, response } = await rawRequest(method, path, body === undefined ? {} : { body })
      expect([400, 404]).toContain(status)
      await expectError(response, status)
      if (registry.ctx.db.dialect === 'sqlite') expect(existsSync(join(registry.dataDir, 'packr.db'))).toBe(true)
      expect(existsSync(join(registry.dataDir, 'secrets.json'))).toBe(true)
      await expectUnchanged()
    })
  }
})

describe('unknown routes and methods', () => {
  const requests: Array<[string, string]> = [
    ['GET', '/-/no/such/route/at/all'],
    ['GET', `/${EXISTING}/1.0.0/extra/segments`],
    ['PATCH', `/${escapeName(EXISTING)}`],
    ['POST', `/${escapeName(EXISTING)}`],
    ['DELETE', `/${escapeName(EXISTING)}`],
    ['PUT', '/-/v1/search'],
    ['OPTIONS', '/-/whoami'],
    ['GET', '/-/v1/search?size=100000'],
    ['GET', '/-/v1/search?from=-1'],
  ]
  for (const [method, path] of requests) {
    test(`${method} ${path} → JSON 4xx`, async () => {
      const response = await registry.request(path, { method, token: registry.adminToken })
      expect(response.status).toBeGreaterThanOrEqual(400)
      expect(response.status).toBeLessThan(500)
      await expectError(response, response.status)
      await expectUnchanged()
    })
  }
})

describe('bodies over the size limit', () => {
  test('a declared Content-Length far over the limit is answered 413 before any body is sent', async () => {
    const exchange = await rawRequest('PUT', '/@bad%2fnew', { contentLength: 10 * 1024 ** 3 })
    await expectError(exchange.response, 413, 'BODY_TOO_LARGE')
    expect(exchange.sent).toBe(0)
    await expectUnchanged()
  })

  test('a chunked body is cut off once it crosses the limit, long before it ends', async () => {
    const chunkSize = 256 * 1024
    const chunks = 1024 // 256 MiB offered; the publish body limit is about 17 MiB
    const exchange = await rawRequest('PUT', '/@bad%2fnew', { chunked: true, chunks, chunkSize })
    await expectError(exchange.response, 413, 'BODY_TOO_LARGE')
    // Refused within a few socket buffers of the limit, not after reading everything.
    expect(exchange.sent).toBeLessThan(64 * 1024 * 1024)
    await expectUnchanged()
  })
})
