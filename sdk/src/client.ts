// PackrClient: the typed client for a Packr registry. Agent endpoints under `client.packages`,
// registry basics (packuments, versions, dist-tags, whoami), tokens and the device-flow login the
// `packr` CLI uses. Every response is validated with the zod schemas in schemas.ts.
import { z } from 'zod'
import { APIPromise, Transport, type Fetch, type RequestOptions, type RequestSpec } from './core.ts'
import { PackrError } from './errors.ts'
import { PagePromise } from './pagination.ts'
import {
  CompareResponse,
  CreatedToken,
  DependenciesResponse,
  DeviceAuthorization,
  DistTags,
  DocsResponse,
  PackageInfo,
  Packument,
  RecommendationsResponse,
  SearchResponse,
  TokenList,
  Whoami,
  type Format,
  type SearchResult,
  type TokenInfo,
} from './schemas.ts'

export interface ClientOptions {
  /** Base URL of the registry. Default: `PACKR_REGISTRY_URL`. */
  registryUrl?: string | undefined
  /** Bearer token. Default: `PACKR_TOKEN`; `null` sends none even when the variable is set. */
  token?: string | null | undefined
  /** Milliseconds per attempt. Default 30,000. */
  timeout?: number
  /** Retries after the first attempt on connection errors, timeouts, 408, 429 and 5xx. Default 2. */
  maxRetries?: number
  /** A fetch implementation (a proxy-aware one, a test double, `app.handle`). Default: the global fetch. */
  fetch?: Fetch
  /** Merged into every RequestInit (e.g. a `dispatcher` for proxies on Node). */
  fetchOptions?: RequestInit
  defaultHeaders?: Record<string, string>
}

function readEnv(name: string): string | undefined {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env
  const value = env?.[name]?.trim()
  return value ? value : undefined
}

/** Names that would collide with `/agent/search` and `/agent/compare` travel percent-encoded. */
const RESERVED_AGENT_NAMES = new Set(['search', 'compare'])

/** A package name as one path segment: `@acme%2Fwidget`; reserved agent words are escaped. */
export function encodePackageName(name: string): string {
  if (RESERVED_AGENT_NAMES.has(name)) return `%${name.charCodeAt(0).toString(16)}${name.slice(1)}`
  return name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name)
}

export interface VersionOptions extends RequestOptions {
  /** A version, dist-tag or range; default the latest. */
  version?: string
}

export interface FormatOptions {
  /** `concise` trims the answer to the essentials (fewer tokens). Default `detailed`. */
  format?: Format
}

export interface SearchOptions extends RequestOptions, FormatOptions {
  /** Results per page, 1-50. Default 10. */
  limit?: number
  cursor?: string
}

export interface DependencyOptions extends VersionOptions, FormatOptions {
  /** Levels below the package, 1-5. Default 2. */
  depth?: number
}

export interface DocsOptions extends VersionOptions, FormatOptions {
  /** Only exported names containing this text (case-insensitive). */
  symbol?: string
}

export interface CreateTokenRequest {
  name: string
  role: 'ci-readonly' | 'ci-publish' | 'maintainer' | 'admin'
  scopes?: string[] | undefined
  packages?: string[] | undefined
  expiresInDays?: number | undefined
  cidr?: string[] | undefined
  readonly?: boolean | undefined
  description?: string | undefined
}

export type DevicePoll =
  | { status: 'pending' }
  | { status: 'slow_down' }
  | { status: 'denied'; message: string }
  | { status: 'expired'; message: string }
  | { status: 'approved'; token: string; username: string }

const DevicePollBody = z.object({ token: z.string().optional(), username: z.string().optional(), error: z.string().optional(), message: z.string().optional() })

export class PackrClient {
  readonly registryUrl: string
  readonly packages: Packages
  readonly distTags: DistTagsResource
  readonly tokens: Tokens
  readonly login: DeviceLogin
  private readonly transport: Transport

  constructor(options: ClientOptions = {}) {
    const registryUrl = options.registryUrl ?? readEnv('PACKR_REGISTRY_URL')
    if (!registryUrl) throw new PackrError('no registry URL: pass registryUrl or set PACKR_REGISTRY_URL')
    let parsed: URL
    try {
      parsed = new URL(registryUrl)
    } catch {
      throw new PackrError(`registryUrl must be an absolute http(s) URL, got ${JSON.stringify(registryUrl)}`)
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new PackrError(`registryUrl must be an http(s) URL, got ${JSON.stringify(registryUrl)}`)
    this.registryUrl = registryUrl.replace(/\/+$/, '')
    const fetchImpl = options.fetch ?? (globalThis.fetch as Fetch | undefined)
    if (!fetchImpl) throw new PackrError('no fetch available: pass options.fetch')
    this.transport = new Transport({
      baseUrl: this.registryUrl,
      token: options.token === null ? undefined : (options.token ?? readEnv('PACKR_TOKEN')),
      timeout: options.timeout ?? 30_000,
      maxRetries: options.maxRetries ?? 2,
      fetch: fetchImpl,
      fetchOptions: options.fetchOptions ?? {},
      defaultHeaders: options.defaultHeaders ?? {},
    })
    this.packages = new Packages(this)
    this.distTags = new DistTagsResource(this)
    this.tokens = new Tokens(this)
    this.login = new DeviceLogin(this)
  }

  /** Low-level request with the client's auth, retries, timeout and validation. */
  request<T>(spec: RequestSpec<T>): APIPromise<T> {
    return new APIPromise(this.transport.request(spec))
  }

  /** Escape hatch: GET any registry path, validated with `schema`. */
  get<T>(path: string, schema: z.ZodType<T>, options: RequestOptions & { query?: RequestSpec<T>['query'] } = {}): APIPromise<T> {
    return this.request({ ...options, method: 'GET', path, schema })
  }

  /** The user the token belongs to. */
  whoami(options: RequestOptions = {}): APIPromise<{ username: string }> {
    return this.get('/-/whoami', Whoami, options)
  }
}

/** Packages: the agent API (scores, search, compare, dependencies, recommendations, docs) and packuments. */
export class Packages {
  constructor(private readonly client: PackrClient) {}

  /** Everything an agent needs to judge one version: score with sub-scores and factors, capabilities, trust signals, install command. */
  retrieve(name: string, options: VersionOptions & FormatOptions = {}): APIPromise<PackageInfo> {
    const { version, format, ...rest } = options
    return this.client.get(`/agent/${encodePackageName(name)}`, PackageInfo, { ...rest, query: { version, format } })
  }

  /** Capability search; each hit says why it matched. Await for the first page, or `for await` every result. */
  search(query: string, options: SearchOptions = {}): PagePromise<SearchResponse, SearchResult> {
    const { limit, cursor, format, ...rest } = options
    const fetchPage = (pageCursor: string | undefined) =>
      this.client.request({ ...rest, method: 'GET', path: '/agent/search', schema: SearchResponse, query: { q: query, limit, cursor: pageCursor, format } }).withResponse()
    return new PagePromise(fetchPage(cursor), { items: (page) => page.results, nextCursor: (page) => page.nextCursor, fetch: fetchPage })
  }

  /** Two to five packages side by side with a recommended pick and reasons. */
  compare(names: readonly string[], options: RequestOptions & FormatOptions = {}): APIPromise<CompareResponse> {
    const { format, ...rest } = options
    return this.client.get('/agent/compare', CompareResponse, { ...rest, query: { packages: names.join(','), format } })
  }

  /** The dependency graph as this registry resolves it, with problems spelled out. */
  dependencies(name: string, options: DependencyOptions = {}): APIPromise<z.infer<typeof DependenciesResponse>> {
    const { version, depth, format, ...rest } = options
    return this.client.get(`/agent/${encodePackageName(name)}/deps`, DependenciesResponse, { ...rest, query: { version, depth, format } })
  }

  /** Packages used together with this one, and better-scored alternatives with the same capabilities. */
  recommendations(name: string, options: RequestOptions & { limit?: number } = {}): APIPromise<z.infer<typeof RecommendationsResponse>> {
    const { limit, ...rest } = options
    return this.client.get(`/agent/${encodePackageName(name)}/recommendations`, RecommendationsResponse, { ...rest, query: { limit } })
  }

  /** API documentation: overview, exported functions/classes/types with signatures, usage examples. */
  docs(name: string, options: DocsOptions = {}): APIPromise<z.infer<typeof DocsResponse>> {
    const { version, symbol, format, ...rest } = options
    return this.client.get(`/agent/${encodePackageName(name)}/docs`, DocsResponse, { ...rest, query: { version, symbol, format } })
  }

  /** The npm packument (all versions, dist-tags, times, README). */
  metadata(name: string, options: RequestOptions = {}): APIPromise<Packument> {
    return this.client.get(`/${encodePackageName(name)}`, Packument, options)
  }

  /** `GET /api/packages/:pkg` (the package REST API): metadata, and every version with its checksums and quality score. */
  details(name: string, options: RequestOptions = {}): APIPromise<PackageDetails> {
    return this.client.get(`/api/packages/${encodePackageName(name)}`, PackageDetails, options)
  }

  /**
   * Publishes a tarball with `PUT /:pkg` as multipart/form-data (the bytes as they are, no base64):
   * `manifest` is the version document with `dist.integrity`. `onProgress` follows the upload. A
   * retry re-sends the same bytes, which the registry accepts as the same publish.
   */
  async publish(request: PublishRequest, options: RequestOptions = {}): Promise<{ created: boolean; message: string }> {
    const form = new FormData()
    form.set('manifest', JSON.stringify(request.manifest))
    form.set('tarball', new File([request.tarball as Uint8Array<ArrayBuffer>], 'package.tgz', { type: 'application/gzip' }))
    form.set('tag', request.tag)
    // Encoded up front so the length is known (the registry refuses oversized bodies from it) and progress can be counted.
    const encoded = new Response(form)
    // Read before the body: the generated multipart content type is forgotten once the body is consumed.
    const type = encoded.headers.get('content-type') as string
    const bytes = new Uint8Array(await encoded.arrayBuffer())
    const { data, response } = await this.client
      .request({
        ...options,
        method: 'PUT',
        path: `/${encodePackageName(request.manifest.name)}`,
        upload: () => ({ body: uploadStream(bytes, request.onProgress), headers: { 'content-type': type, 'content-length': String(bytes.byteLength) } }),
        schema: PublishAnswer,
      })
      .withResponse()
    return { created: response.status === 201, message: data.ok }
  }

  /** Live versions, newest first, with publish time and deprecation. */
  async versions(name: string, options: RequestOptions = {}): Promise<Array<{ version: string; publishedAt: string | null; deprecated: string | null }>> {
    const packument = await this.metadata(name, options)
    return Object.values(packument.versions)
      .map((manifest) => ({ version: manifest.version, publishedAt: packument.time?.[manifest.version] ?? null, deprecated: manifest.deprecated ?? null }))
      .sort((a, b) => (b.publishedAt ?? '').localeCompare(a.publishedAt ?? ''))
  }
}

export interface PublishRequest {
  manifest: { name: string; version: string } & Record<string, unknown>
  tarball: Uint8Array
  tag: string
  onProgress?: ((sent: number, total: number) => void) | undefined
}

const PublishAnswer = z.object({ ok: z.string() }).loose()

const PackageDetails = z
  .object({
    name: z.string(),
    latest: z.string().nullable(),
    distTags: z.record(z.string(), z.string()),
    versions: z.array(
      z
        .object({
          version: z.string(),
          size: z.number(),
          integrity: z.string(),
          shasum: z.string(),
          sha256: z.string(),
          publishedAt: z.string(),
          tags: z.array(z.string()),
          analyzed: z.boolean(),
          score: z.number().nullable(),
        })
        .loose(),
    ),
  })
  .loose()
export type PackageDetails = z.infer<typeof PackageDetails>

const UPLOAD_CHUNK = 64 * 1024

/** `bytes` as a stream that reports how much of it the request has taken. */
function uploadStream(bytes: Uint8Array, onProgress: PublishRequest['onProgress']): ReadableStream<Uint8Array> {
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes.byteLength) {
        controller.close()
        return
      }
      const chunk = bytes.subarray(sent, sent + UPLOAD_CHUNK)
      sent += chunk.byteLength
      controller.enqueue(chunk)
      onProgress?.(sent, bytes.byteLength)
    },
  })
}

export class DistTagsResource {
  constructor(private readonly client: PackrClient) {}

  list(name: string, options: RequestOptions = {}): APIPromise<Record<string, string>> {
    return this.client.get(`/-/package/${encodePackageName(name)}/dist-tags`, DistTags, options)
  }
}

/** Your own tokens (needs a login session or an admin token). */
export class Tokens {
  constructor(private readonly client: PackrClient) {}

  create(request: CreateTokenRequest, options: RequestOptions = {}): APIPromise<z.infer<typeof CreatedToken>> {
    return this.client.request({ ...options, method: 'POST', path: '/api/v1/tokens', body: request, schema: CreatedToken })
  }

  async list(options: RequestOptions = {}): Promise<TokenInfo[]> {
    const tokens: TokenInfo[] = []
    for (let offset = 0; ; ) {
      const page = await this.client.get('/api/v1/tokens', TokenList, { ...options, query: { offset, limit: 100 } })
      tokens.push(...page.tokens)
      offset += page.tokens.length
      if (page.tokens.length === 0 || offset >= page.total) return tokens
    }
  }

  revoke(id: string, options: RequestOptions = {}): APIPromise<undefined> {
    return this.client.request({ ...options, method: 'DELETE', path: `/api/v1/tokens/${encodeURIComponent(id)}`, schema: z.undefined() })
  }
}

/** RFC 8628 device flow: start, then poll until a person approves in the browser. */
export class DeviceLogin {
  constructor(private readonly client: PackrClient) {}

  /** `provider` picks the identity provider the approval page offers. */
  start(options: { provider?: string | undefined; clientName?: string | undefined } & RequestOptions = {}): APIPromise<DeviceAuthorization> {
    const { provider, clientName, ...rest } = options
    const body: Record<string, string> = {}
    if (provider) body.provider = provider
    if (clientName) body.client_name = clientName
    return this.client.request({ ...rest, method: 'POST', path: '/-/v1/device/authorize', body, schema: DeviceAuthorization })
  }

  /** One poll of the token endpoint. */
  async poll(deviceCode: string, options: RequestOptions = {}): Promise<DevicePoll> {
    const { data, response } = await this.client
      .request({ ...options, method: 'POST', path: '/-/v1/device/token', body: { device_code: deviceCode }, schema: DevicePollBody, acceptStatus: [400] })
      .withResponse()
    if (response.status === 200 && data.token && data.username) return { status: 'approved', token: data.token, username: data.username }
    switch (data.error) {
      case 'authorization_pending':
        return { status: 'pending' }
      case 'slow_down':
        return { status: 'slow_down' }
      case 'access_denied':
        return { status: 'denied', message: data.message ?? 'the login was denied' }
      case 'expired_token':
      case 'invalid_grant':
        return { status: 'expired', message: data.message ?? 'the login expired' }
      default:
        throw new PackrError(data.message ?? 'unexpected answer from the device token endpoint')
    }
  }
}

export type { DeviceAuthorization, TokenInfo }
