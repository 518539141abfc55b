// PackrClient against a real registry with published fixture packages, and against loopback
// servers that misbehave on purpose: typed validated answers, one error class per failure kind,
// retries with backoff honouring Retry-After, timeouts, AbortSignal, injectable fetch, pagination.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { publishFixtures } from '../../test/helpers/agent-fixtures.ts'
import { startTestRegistry, type TestRegistry } from '../../test/helpers/registry.ts'
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIResponseValidationError,
  APIUserAbortError,
  AuthenticationError,
  backoffDelay,
  BadRequestError,
  ConflictError,
  encodePackageName,
  InternalServerError,
  NotFoundError,
  PackrClient,
  PackrError,
  PermissionDeniedError,
  RateLimitError,
  retryAfterMs,
  UnprocessableEntityError,
  type Fetch,
} from '../src/index.ts'

let registry: TestRegistry
let client: PackrClient

beforeAll(async () => {
  registry = await startTestRegistry()
  await publishFixtures(registry)
  client = new PackrClient({ registryUrl: registry.url, token: registry.adminToken })
}, 120_000)

afterAll(() => registry.close())

describe('against a registry', () => {
  test('every agent endpoint, typed and validated', async () => {
    const info = await client.packages.retrieve('tiny-jwt')
    expect(info.version).toBe('1.1.0')
    expect(info.score?.factors?.length).toBeGreaterThan(10)
    expect((await client.packages.retrieve('tiny-jwt', { version: '1.0.0', format: 'concise' })).score?.factors).toBeUndefined()
    const page = await client.packages.search('verify jwt tokens', { limit: 2 })
    expect(page.data[0]?.name).toBe('tiny-jwt')
    expect(page.hasNextPage()).toBe(true)
    const compared = await client.packages.compare(['tiny-jwt', '@other/secret-sauce'])
    expect(compared.pick).toBe('tiny-jwt')
    expect((await client.packages.dependencies('@acme/app', { depth: 1 })).summary.packages).toBe(3)
    expect((await client.packages.recommendations('@acme/http', { limit: 3 })).usedWith.length).toBeGreaterThan(0)
    expect((await client.packages.docs('tiny-jwt', { symbol: 'verify' })).api.items.map((item) => item.name)).toEqual(['verify'])
  })

  test('registry basics: packument, versions, dist-tags, whoami', async () => {
    expect((await client.packages.metadata('@acme/http')).versions['2.0.0']?.name).toBe('@acme/http')
    const versions = await client.packages.versions('tiny-jwt')
    expect(versions.map((version) => version.version)).toEqual(['1.1.0', '1.0.0'])
    expect(versions[0]?.publishedAt).toMatch(/^\d{4}-\d\d-\d\dT/)
    expect((await client.packages.versions('@acme/retry'))[0]?.deprecated).toBe('use @acme/http built-in retries')
    expect(await client.distTags.list('tiny-jwt')).toEqual({ latest: '1.1.0' })
    expect(await client.whoami()).toEqual({ username: 'admin' })
  })

  test('names colliding with agent routes are encoded so they still reach the package', async () => {
    expect(encodePackageName('search')).toBe('%73earch')
    expect(encodePackageName('compare')).toBe('%63ompare')
    expect(encodePackageName('@acme/http')).toBe('@acme%2Fhttp')
    expect((await client.packages.retrieve('search')).name).toBe('search')
    expect((await client.packages.retrieve('@acme/deps')).name).toBe('@acme/deps')
  })

  test('auto-pagination: for await walks every result across pages', async () => {
    const names: string[] = []
    for await (const hit of client.packages.search('jwt', { limit: 1 })) names.push(hit.name)
    const all = await client.packages.search('jwt', { limit: 50 })
    expect(names).toEqual(all.data.map((hit) => hit.name))
    expect(names.length).toBeGreaterThanOrEqual(3)
    let pages = 0
    for await (const page of (await client.packages.search('jwt', { limit: 2 })).iterPages()) {
      pages++
      expect(page.data.length).toBeGreaterThan(0)
    }
    expect(pages).toBe(Math.ceil(names.length / 2))
  })

  test('registry errors become their classes, with status and the server code', async () => {
    const typo = await client.packages.retrieve('tiny-jwd').catch((error: unknown) => error)
    expect(typo).toBeInstanceOf(NotFoundError)
    expect(typo).toMatchObject({ status: 404, code: 'PACKAGE_NOT_FOUND', message: 'no package named "tiny-jwd"; did you mean "tiny-jwt"?' })
    const refused = await new PackrClient({ registryUrl: registry.url, token: 'not-a-token' }).whoami().catch((error: unknown) => error)
    expect(refused).toBeInstanceOf(AuthenticationError)
    expect((refused as AuthenticationError).code).toBe('INVALID_TOKEN')
    const anonymous = await new PackrClient({ registryUrl: registry.url, token: null }).tokens.list().catch((error: unknown) => error)
    expect(anonymous).toBeInstanceOf(AuthenticationError)
    const bad = await client.packages.search('jwt', { cursor: 'nope' }).catch((error: unknown) => error)
    expect(bad).toBeInstanceOf(BadRequestError)
    expect((bad as BadRequestError).code).toBe('INVALID_CURSOR')
    const ci = (await registry.ctx.tokens.issue({ user: (await registry.ctx.users.findByUsername('admin'))!, name: 'ci', role: 'ci-readonly', expiresInDays: 1 })).token
    const forbidden = await new PackrClient({ registryUrl: registry.url, token: ci }).tokens.list().catch((error: unknown) => error)
    expect(forbidden).toBeInstanceOf(PermissionDeniedError)
  })

  test('withResponse gives the raw response alongside the data', async () => {
    const { data, response } = await client.packages.retrieve('tiny-jwt').withResponse()
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toContain('application/json')
    expect(data.name).toBe('tiny-jwt')
  })
})

/** A loopback server answering each request with the next scripted reply, recording what it got. */
function scripted(replies: Array<(request: Request) => Response | Promise<Response>>) {
  // Headers are copied when the request arrives: Bun does not keep a finished request's headers.
  const requests: Array<{ method: string; headers: Headers }> = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    fetch(request) {
      requests.push({ method: request.method, headers: new Headers(request.headers) })
      const reply = replies[Math.min(requests.length - 1, replies.length - 1)] as (request: Request) => Response | Promise<Response>
      return reply(request)
    },
  })
  return { url: `http://127.0.0.1:${server.port}`, requests, stop: () => server.stop(true) }
}

const errorReply = (status: number, code = 'SOMETHING', headers: Record<string, string> = {}) => () => Response.json({ error: `failed with ${status}`, code, message: `failed with ${status}`, status }, { status, headers })
const WHOAMI = () => Response.json({ username: 'pat' })

describe('failures, retries and timeouts', () => {
  test('one class per status; 4xx other than 408/429 are not retried', async () => {
    const cases: Array<[number, new (...args: never[]) => Error]> = [
      [400, BadRequestError],
      [401, AuthenticationError],
      [403, PermissionDeniedError],
      [404, NotFoundError],
      [409, ConflictError],
      [422, UnprocessableEntityError],
    ]
    for (const [status, Kind] of cases) {
      const server = scripted([errorReply(status, `CODE_${status}`)])
      const error = await new PackrClient({ registryUrl: server.url, token: 't' }).whoami().catch((caught: unknown) => caught)
      server.stop()
      expect(error).toBeInstanceOf(Kind)
      expect(error).toMatchObject({ status, code: `CODE_${status}`, message: `failed with ${status}` })
      expect(server.requests).toHaveLength(1)
    }
  })

  test('5xx and 429 are retried with backoff; success on a later attempt; the retry count is sent', async () => {
    const server = scripted([errorReply(503), errorReply(500), WHOAMI])
    const sleeps: number[] = []
    const started = Date.now()
    expect(await new PackrClient({ registryUrl: server.url, token: 't' }).whoami()).toEqual({ username: 'pat' })
    server.stop()
    sleeps.push(Date.now() - started)
    expect(server.requests.map((request) => request.headers.get('x-packr-retry-count'))).toEqual([null, '1', '2'])
    // 0.5 s then 1 s, each shortened by at most 25 %: at least 375 + 750 ms in all.
    expect(sleeps[0]).toBeGreaterThanOrEqual(1_125)
  })

  test('Retry-After is honoured; after the last retry the error surfaces with its class', async () => {
    const server = scripted([errorReply(429, 'RATE_LIMITED', { 'retry-after-ms': '300' }), errorReply(429, 'RATE_LIMITED', { 'retry-after': '1' })])
    const started = Date.now()
    const error = await new PackrClient({ registryUrl: server.url, maxRetries: 2 }).whoami().catch((caught: unknown) => caught)
    const elapsed = Date.now() - started
    server.stop()
    expect(error).toBeInstanceOf(RateLimitError)
    expect((error as RateLimitError).retryAfterSeconds).toBe(1)
    expect(server.requests).toHaveLength(3)
    expect(elapsed).toBeGreaterThanOrEqual(1_300)
    const failing = scripted([errorReply(502)])
    const serverError = await new PackrClient({ registryUrl: failing.url, maxRetries: 1 }).whoami().catch((caught: unknown) => caught)
    failing.stop()
    expect(serverError).toBeInstanceOf(InternalServerError)
    expect(failing.requests).toHaveLength(2)
  })

  test('a POST is retried on 429 only, never on 5xx (it may have been carried out)', async () => {
    const server = scripted([errorReply(500)])
    const error = await new PackrClient({ registryUrl: server.url, token: 't' }).tokens.create({ name: 'x', role: 'ci-readonly' }).catch((caught: unknown) => caught)
    server.stop()
    expect(error).toBeInstanceOf(InternalServerError)
    expect(server.requests).toHaveLength(1)
  })

  test('timeouts are retried, then reported as APIConnectionTimeoutError', async () => {
    const server = scripted([async () => (await Bun.sleep(400), WHOAMI())])
    const error = await new PackrClient({ registryUrl: server.url, timeout: 100, maxRetries: 1 }).whoami().catch((caught: unknown) => caught)
    server.stop()
    expect(error).toBeInstanceOf(APIConnectionTimeoutError)
    expect(server.requests).toHaveLength(2)
    const slowOnce = scripted([async () => (await Bun.sleep(400), WHOAMI()), WHOAMI])
    expect(await new PackrClient({ registryUrl: slowOnce.url, timeout: 100 }).whoami()).toEqual({ username: 'pat' })
    slowOnce.stop()
  })

  test('an AbortSignal cancels the request and any wait for a retry', async () => {
    const slow = scripted([async () => (await Bun.sleep(2_000), WHOAMI())])
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 50)
    const aborted = await new PackrClient({ registryUrl: slow.url }).whoami({ signal: controller.signal }).catch((caught: unknown) => caught)
    slow.stop()
    expect(aborted).toBeInstanceOf(APIUserAbortError)
    const busy = scripted([errorReply(503, 'BUSY', { 'retry-after': '30' })])
    const waiting = new AbortController()
    setTimeout(() => waiting.abort(), 100)
    const started = Date.now()
    const during = await new PackrClient({ registryUrl: busy.url }).whoami({ signal: waiting.signal }).catch((caught: unknown) => caught)
    busy.stop()
    expect(during).toBeInstanceOf(APIUserAbortError)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  test('an unreachable registry is an APIConnectionError after the retries', async () => {
    const error = await new PackrClient({ registryUrl: 'http://127.0.0.1:9', maxRetries: 0 }).whoami().catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(APIConnectionError)
    expect((error as Error).message).toStartWith('cannot reach http://127.0.0.1:9')
  })

  test('a 200 with the wrong shape is an APIResponseValidationError naming the field', async () => {
    const server = scripted([() => Response.json({ user: 'pat' })])
    const error = await new PackrClient({ registryUrl: server.url }).whoami().catch((caught: unknown) => caught)
    server.stop()
    expect(error).toBeInstanceOf(APIResponseValidationError)
    expect((error as Error).message).toBe('GET /-/whoami answered with an unexpected shape (username: Invalid input: expected string, received undefined)')
  })

  test('backoff and Retry-After arithmetic', () => {
    expect(backoffDelay(0, () => 0)).toBe(500)
    expect(backoffDelay(0, () => 1)).toBe(375)
    expect(backoffDelay(3, () => 0)).toBe(4_000)
    expect(backoffDelay(10, () => 0)).toBe(8_000)
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2_000)
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '9' }))).toBe(150)
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(Date.UTC(2030, 0, 1, 0, 0, 5)).toUTCString() }), Date.UTC(2030, 0, 1))).toBe(5_000)
    expect(retryAfterMs(new Headers({ 'retry-after': '3600' }))).toBeNull()
    expect(retryAfterMs(new Headers())).toBeNull()
  })
})

describe('construction', () => {
  test('defaults come from PACKR_REGISTRY_URL and PACKR_TOKEN; a missing URL fails at once', async () => {
    const saved = { url: process.env.PACKR_REGISTRY_URL, token: process.env.PACKR_TOKEN }
    try {
      process.env.PACKR_REGISTRY_URL = registry.url
      process.env.PACKR_TOKEN = registry.adminToken
      expect(await new PackrClient().whoami()).toEqual({ username: 'admin' })
      delete process.env.PACKR_REGISTRY_URL
      expect(() => new PackrClient()).toThrow(PackrError)
      expect(() => new PackrClient()).toThrow('no registry URL: pass registryUrl or set PACKR_REGISTRY_URL')
      expect(() => new PackrClient({ registryUrl: 'ftp://x' })).toThrow('registryUrl must be an http(s) URL')
    } finally {
      if (saved.url === undefined) delete process.env.PACKR_REGISTRY_URL
      else process.env.PACKR_REGISTRY_URL = saved.url
      if (saved.token === undefined) delete process.env.PACKR_TOKEN
      else process.env.PACKR_TOKEN = saved.token
    }
  })

  test('an injected fetch carries every request (here: straight into the app, no socket)', async () => {
    const seen: string[] = []
    const { createApp } = await import('../../registry/src/app.ts')
    const app = createApp(registry.ctx)
    const inProcess: Fetch = async (input, init) => {
      const request = input instanceof Request ? input : new Request(String(input), init)
      seen.push(`${request.method} ${new URL(request.url).pathname} ${request.headers.get('authorization') ? 'auth' : 'anon'}`)
      return app.handle(request)
    }
    const injected = new PackrClient({ registryUrl: 'http://packr.invalid', token: registry.adminToken, fetch: inProcess, defaultHeaders: { 'x-trace': '1' } })
    expect((await injected.packages.retrieve('@acme/http')).name).toBe('@acme/http')
    expect(seen).toEqual(['GET /agent/@acme%2Fhttp auth'])
  })

  test('the core uses web-standard APIs only (Node 20+, Bun, Deno, workers)', () => {
    const dir = join(import.meta.dir, '../src')
    for (const file of readdirSync(dir).filter((name) => name.endsWith('.ts'))) {
      const source = readFileSync(join(dir, file), 'utf8')
      expect({ file, nodeImports: /from ['"]node:|require\(/.test(source), buffer: /\bBuffer\b/.test(source) }).toEqual({ file, nodeImports: false, buffer: false })
    }
  })
})
