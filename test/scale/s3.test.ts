// Tarballs in an S3-compatible bucket (s3rver on loopback): publish stores the object before the
// metadata commit, downloads redirect to a presigned URL (the real npm client follows it) or stream
// through the registry, server-side encryption is requested, orphans are swept after a grace period.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CreateBucketCommand, DeleteBucketCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { sweepOrphanBlobs } from '../../registry/src/server.ts'
import { npmrc, Workspace } from '../helpers/clients.ts'
import { packTarball, publishDocument } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { S3_CREDENTIALS, startS3, type TestS3 } from '../helpers/s3.ts'

let s3: TestS3
let client: S3Client

async function keys(): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))
  return (listed.Contents ?? []).map((object) => object.Key as string).sort()
}

async function publish(registry: TestRegistry, name: string, version: string, files: Record<string, string> = {}) {
  const tarball = await packTarball({ name, version, main: 'index.js' }, { 'index.js': `module.exports = ${JSON.stringify(`${name}@${version}`)}\n`, ...files })
  const response = await registry.request(`/${name.replace('/', '%2f')}`, {
    method: 'PUT',
    token: registry.adminToken,
    json: await publishDocument({ name, version, main: 'index.js' }, { tarball }),
  })
  return { response, tarball }
}

beforeAll(async () => {
  s3 = await startS3()
  client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3_CREDENTIALS })
})

afterAll(async () => {
  client.destroy()
  await s3.close()
})

describe('S3 storage, redirecting downloads', () => {
  let registry: TestRegistry

  beforeAll(async () => {
    registry = await startTestRegistry(s3.env({ S3_PRESIGN_TTL_SECONDS: '240' }))
  })
  afterAll(() => registry.close())

  test('health names the storage', async () => {
    expect(((await (await registry.request('/health')).json()) as { storage: string }).storage).toBe('s3')
  })

  test('publish stores the tarball in the bucket under its content key', async () => {
    const { response } = await publish(registry, '@acme/cloud', '1.0.0')
    expect(response.status).toBe(201)
    expect(await keys()).toContainEqual(expect.stringMatching(/^@acme\/cloud\/cloud-1\.0\.0-[0-9a-f]{32}\.tgz$/))
  })

  test('a tarball GET answers 302 to a short-lived presigned URL whose object is served immutable', async () => {
    const { tarball } = await publish(registry, 'redirected', '1.0.0')
    const response = await registry.request('/redirected/-/redirected-1.0.0.tgz', { redirect: 'manual' })
    expect(response.status).toBe(302)
    expect(response.headers.get('cache-control')).toBe('private, max-age=60')
    const location = new URL(response.headers.get('location') as string)
    expect(location.origin).toBe(s3.endpoint)
    expect(location.searchParams.get('X-Amz-Expires')).toBe('240')
    expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/)
    const object = await fetch(location)
    expect(object.status).toBe(200)
    expect(object.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(new Uint8Array(await object.arrayBuffer())).toEqual(new Uint8Array(tarball))
    // (s3rver does not check SigV4 signatures, so their validity is exercised only against real S3.)
  })

  test("the package API's download streams through the registry, so its checksum headers arrive", async () => {
    const { tarball } = await publish(registry, 'api-streamed', '1.0.0')
    const response = await registry.request('/api/packages/api-streamed/download', { token: registry.adminToken, redirect: 'manual' })
    expect(response.status).toBe(200)
    const bytes = new Uint8Array(await response.arrayBuffer())
    expect(bytes).toEqual(new Uint8Array(tarball))
    expect(response.headers.get('x-package-sha256')).toBe(new Bun.CryptoHasher('sha256').update(bytes).digest('hex'))
    expect(response.headers.get('x-package-signature')).toBeString()
  })

  test('npm publishes, then installs by following the redirect to the bucket', async () => {
    const ws = new Workspace('packr-s3-npm-')
    const pkg = ws.dir('pkg')
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@acme/bucketed', version: '2.0.0', main: 'index.js' }))
    writeFileSync(join(pkg, 'index.js'), 'module.exports = "from the bucket"\n')
    ws.write('home/.npmrc', npmrc(registry.url, registry.adminToken))
    const published = await ws.run('npm', ['publish', '--registry', `${registry.url}/`], pkg)
    expect(published.exitCode).toBe(0)
    expect((await registry.request('/@acme/bucketed/-/bucketed-2.0.0.tgz', { redirect: 'manual' })).status).toBe(302)

    const app = ws.dir('app')
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
    const install = await ws.run('npm', ['install', '@acme/bucketed@2.0.0', '--registry', `${registry.url}/`], app)
    expect(install.exitCode).toBe(0)
    const lock = JSON.parse(await Bun.file(join(app, 'package-lock.json')).text())
    expect(lock.packages['node_modules/@acme/bucketed'].resolved).toBe(`${registry.url}/@acme/bucketed/-/bucketed-2.0.0.tgz`)
    const run = await ws.exec(['node', '-e', 'process.stdout.write(require("@acme/bucketed"))'], app)
    expect(run.stdout).toBe('from the bucket')
  })

  test('unpublishing removes the object from the bucket', async () => {
    await publish(registry, 'short-lived', '1.0.0')
    expect((await keys()).some((key) => key.startsWith('short-lived/'))).toBe(true)
    const { _rev } = (await (await registry.request('/short-lived?write=true')).json()) as { _rev: string }
    const response = await registry.request(`/short-lived/-rev/${_rev}`, { method: 'DELETE', token: registry.adminToken })
    expect(response.status).toBe(200)
    expect((await keys()).some((key) => key.startsWith('short-lived/'))).toBe(false)
  })

  test('an unreferenced object is swept only once it is older than the grace period', async () => {
    const orphan = 'orphan/orphan-1.0.0-00000000000000000000000000000000.tgz'
    await client.send(new PutObjectCommand({ Bucket: s3.bucket, Key: orphan, Body: new Uint8Array([1, 2, 3]) }))
    const before = await keys()
    expect(await sweepOrphanBlobs(registry.ctx, 60 * 60 * 1000)).toBe(0)
    expect(await keys()).toEqual(before)
    expect(await sweepOrphanBlobs(registry.ctx, 0)).toBe(1)
    const after = await keys()
    expect(after).not.toContain(orphan)
    // Every live version's tarball is still there.
    expect(after).toEqual(before.filter((key) => key !== orphan))
  })
})

describe('S3 storage, streaming through the registry (S3_REDIRECT=false)', () => {
  let registry: TestRegistry

  beforeAll(async () => {
    registry = await startTestRegistry(s3.env({ S3_REDIRECT: 'false' }))
  })
  afterAll(() => registry.close())

  test('a tarball GET streams the object with its length and immutable caching', async () => {
    const { tarball } = await publish(registry, 'streamed', '1.0.0', { 'big.txt': 'x'.repeat(300_000) })
    const response = await registry.request('/streamed/-/streamed-1.0.0.tgz', { redirect: 'manual' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-length')).toBe(String(tarball.byteLength))
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable')
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array(tarball))
  })

  test('an object missing from the bucket is a JSON 404, not a crash', async () => {
    await publish(registry, 'vanishing', '1.0.0')
    const key = (await keys()).find((candidate) => candidate.startsWith('vanishing/')) as string
    await registry.ctx.blobs.delete(key)
    const response = await registry.request('/vanishing/-/vanishing-1.0.0.tgz')
    expect(response.status).toBe(404)
    expect(await response.json()).toMatchObject({ code: 'TARBALL_NOT_FOUND', status: 404 })
  })
})

describe('S3 storage failures', () => {
  test('a registry does not start on a bucket that does not exist', async () => {
    expect(startTestRegistry(s3.env({ S3_BUCKET: 'no-such-bucket' }))).rejects.toThrow('The specified bucket does not exist')
  })

  test('a publish whose upload fails commits nothing', async () => {
    await client.send(new CreateBucketCommand({ Bucket: 'doomed' }))
    const registry = await startTestRegistry(s3.env({ S3_BUCKET: 'doomed' }))
    try {
      await client.send(new DeleteBucketCommand({ Bucket: 'doomed' }))
      const { response } = await publish(registry, 'never-stored', '1.0.0')
      expect(response.status).toBe(500)
      expect(await response.json()).toEqual({ error: 'internal server error', code: 'INTERNAL_ERROR', message: 'internal server error', status: 500 })
      expect((await registry.request('/never-stored')).status).toBe(404)
    } finally {
      await registry.close()
    }
  })
})

describe('S3 server-side encryption', () => {
  // A recording proxy in front of s3rver (which ignores SSE) shows what the SDK sends on the wire.
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = []
  let proxy: ReturnType<typeof createServer>
  let proxyEndpoint: string

  beforeAll(async () => {
    const target = new URL(s3.endpoint)
    proxy = createServer((req, res) => {
      seen.push({ method: req.method as string, url: req.url as string, headers: req.headers })
      const upstream = httpRequest({ host: '127.0.0.1', port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode as number, answer.headers)
        answer.pipe(res)
      })
      req.pipe(upstream)
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    proxyEndpoint = `http://localhost:${(proxy.address() as AddressInfo).port}`
  })
  afterAll(() => new Promise<void>((resolve) => proxy.close(() => resolve())))

  for (const [sse, expected] of [
    [{ S3_SSE: 'AES256' }, { 'x-amz-server-side-encryption': 'AES256' }],
    [{ S3_SSE: 'aws:kms', S3_SSE_KMS_KEY_ID: 'alias/packr' }, { 'x-amz-server-side-encryption': 'aws:kms', 'x-amz-server-side-encryption-aws-kms-key-id': 'alias/packr' }],
  ] as const) {
    test(`S3_SSE=${sse.S3_SSE} is requested on every upload: npm publish, the package API's upload, streamed copies`, async () => {
      const registry = await startTestRegistry(s3.env({ S3_ENDPOINT: proxyEndpoint, ...sse }))
      try {
        seen.length = 0
        const name = `encrypted-${sse.S3_SSE.replace(':', '-').toLowerCase()}`
        expect((await publish(registry, name, '1.0.0')).response.status).toBe(201)
        const puts = seen.filter((request) => request.method === 'PUT')
        expect(puts).toHaveLength(1)
        expect(puts[0]?.headers).toMatchObject({ ...expected, 'content-md5': expect.any(String) })
        const head = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: (await keys()).find((key) => key.startsWith(`${name}/`)) }))
        expect(head.ContentLength).toBeGreaterThan(0)

        seen.length = 0
        const form = new FormData()
        form.set('tarball', new File([await packTarball({ name, version: '2.0.0' })], 'package.tgz'))
        expect((await registry.request(`/api/packages/${name}/versions`, { method: 'POST', token: registry.adminToken, body: form })).status).toBe(201)
        expect(seen.filter((request) => request.method === 'PUT').map((request) => request.headers)).toEqual([expect.objectContaining(expected)])

        // storage:migrate streams objects of unknown length: a multipart upload whose creation carries the encryption.
        seen.length = 0
        // 6 MiB: more than the SDK's 5 MiB part size.
        const chunks = [new Uint8Array(3 * 1024 * 1024), new Uint8Array(3 * 1024 * 1024)]
        const stream = new ReadableStream<Uint8Array>({
          pull(controller) {
            const chunk = chunks.shift()
            if (chunk) controller.enqueue(chunk)
            else controller.close()
          },
        })
        await registry.ctx.blobs.put(`${name}/streamed-copy.tgz`, stream)
        const created = seen.filter((request) => request.method === 'POST' && request.url.includes('uploads'))
        expect(created.map((request) => request.headers)).toEqual([expect.objectContaining(expected)])
        const streamedHead = await client.send(new HeadObjectCommand({ Bucket: s3.bucket, Key: `${name}/streamed-copy.tgz` }))
        expect(streamedHead.ContentLength).toBe(6 * 1024 * 1024)
      } finally {
        await registry.close()
      }
    })
  }
})
