// The HTTP machinery under PackrClient: one `request` that builds the URL and headers, applies the
// timeout and the caller's AbortSignal, retries with exponential backoff and jitter (honouring
// Retry-After), maps failures to the error classes and validates the body with a zod schema. Web
// standard APIs only (fetch, AbortController, URL, Headers), so it runs on Bun, Node 20+, Deno and
// workers alike.
import type { z } from 'zod'
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIResponseValidationError, APIUserAbortError, PackrError } from './errors.ts'

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>

export interface RequestOptions {
  /** Milliseconds per attempt before it counts as timed out (and is retried). */
  timeout?: number
  maxRetries?: number
  signal?: AbortSignal
  headers?: Record<string, string>
}

export interface RequestSpec<T> extends RequestOptions {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE'
  path: string
  query?: Record<string, string | number | boolean | undefined>
  body?: unknown
  /**
   * A body that is not JSON (a multipart upload), made anew for every attempt since a stream can be
   * sent only once; its headers (content type, length) go with it.
   */
  upload?: () => { body: NonNullable<RequestInit['body']>; headers: Record<string, string> }
  schema: z.ZodType<T>
  /** Non-2xx statuses whose body is data, not an error (the device-flow poll's 400s). */
  acceptStatus?: readonly number[]
}

export interface TransportOptions {
  baseUrl: string
  token: string | undefined
  timeout: number
  maxRetries: number
  fetch: Fetch
  fetchOptions: RequestInit
  defaultHeaders: Record<string, string>
  /** Injectable for tests: waits `ms` unless `signal` aborts first. */
  sleep?: (ms: number, signal: AbortSignal | undefined) => Promise<void>
}

export interface WithResponse<T> {
  data: T
  response: Response
  requestId: string | null
}

/** Longest server-requested wait that is honoured; beyond it the backoff applies. */
const MAX_RETRY_AFTER_MS = 60_000
const INITIAL_BACKOFF_MS = 500
const MAX_BACKOFF_MS = 8_000

/** 0.5 s, 1 s, 2 s ... capped at 8 s, each shortened by up to 25 % so many clients spread out. */
export function backoffDelay(retry: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** retry)
  return Math.round(base * (1 - 0.25 * random()))
}

/** `retry-after-ms`, then `retry-after` (seconds or an HTTP date), when short enough to honour. */
export function retryAfterMs(headers: Headers, now = Date.now()): number | null {
  const ms = Number(headers.get('retry-after-ms'))
  if (headers.has('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms <= MAX_RETRY_AFTER_MS ? ms : null
  const value = headers.get('retry-after')
  if (value === null) return null
  const seconds = Number(value)
  const wait = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(value) - now
  return Number.isFinite(wait) && wait >= 0 && wait <= MAX_RETRY_AFTER_MS ? wait : null
}

function shouldRetry(method: string, status: number, headers: Headers): boolean {
  const override = headers.get('x-should-retry')
  if (override === 'true') return true
  if (override === 'false') return false
  // A POST that failed with 5xx may have been carried out; only 429 (refused before any work) is safe.
  if (method === 'POST') return status === 429
  return status === 408 || status === 429 || status >= 500
}

const abortableSleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(new APIUserAbortError())
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    const onAbort = () => {
      clearTimeout(timer)
      reject(new APIUserAbortError())
    }
    signal?.addEventListener('abort', onAbort, { once: true })
  })

function errorFromBody(status: number, text: string, headers: Headers): APIError {
  let body: { error?: unknown; code?: unknown; message?: unknown } = {}
  try {
    body = JSON.parse(text) as typeof body
  } catch {
    // Not JSON (a proxy's HTML page, say): the status line speaks for it.
  }
  const message = typeof body.message === 'string' ? body.message : typeof body.error === 'string' ? body.error : `${status} ${text.slice(0, 200)}`.trim()
  return APIError.from(status, typeof body.code === 'string' ? body.code : `HTTP_${status}`, message, headers)
}

export class Transport {
  private readonly sleep: NonNullable<TransportOptions['sleep']>

  constructor(readonly options: TransportOptions) {
    this.sleep = options.sleep ?? abortableSleep
  }

  url(path: string, query: RequestSpec<unknown>['query'] = {}): string {
    const url = new URL(`${this.options.baseUrl}${path}`)
    for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, String(value))
    return url.toString()
  }

  async request<T>(spec: RequestSpec<T>): Promise<WithResponse<T>> {
    const maxRetries = spec.maxRetries ?? this.options.maxRetries
    const url = this.url(spec.path, spec.query)
    for (let retry = 0; ; retry++) {
      const headers = new Headers({ accept: 'application/json', ...this.options.defaultHeaders, ...spec.headers })
      if (this.options.token) headers.set('authorization', `Bearer ${this.options.token}`)
      if (spec.body !== undefined) headers.set('content-type', 'application/json')
      if (retry > 0) headers.set('x-packr-retry-count', String(retry))
      const attempt = await this.attempt(url, spec, headers)
      if ('data' in attempt) return attempt
      const retryable = retry < maxRetries && attempt.retryable
      if (!retryable) throw attempt.error
      await this.sleep(attempt.waitMs ?? backoffDelay(retry), spec.signal)
    }
  }

  /** One try: the parsed result, or the error with whether (and when) to try again. */
  private async attempt<T>(url: string, spec: RequestSpec<T>, headers: Headers): Promise<WithResponse<T> | { error: PackrError; retryable: boolean; waitMs?: number | null }> {
    if (spec.signal?.aborted) throw new APIUserAbortError()
    const controller = new AbortController()
    const timeoutMs = spec.timeout ?? this.options.timeout
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      controller.abort()
    }, timeoutMs)
    const onAbort = () => controller.abort()
    spec.signal?.addEventListener('abort', onAbort, { once: true })
    try {
      let response: Response
      let text: string
      const upload = spec.upload?.()
      if (upload) for (const [name, value] of Object.entries(upload.headers)) headers.set(name, value)
      try {
        response = await this.options.fetch(url, {
          ...this.options.fetchOptions,
          method: spec.method,
          headers,
          body: upload ? upload.body : spec.body === undefined ? undefined : JSON.stringify(spec.body),
          signal: controller.signal,
        })
        text = await response.text()
      } catch (cause) {
        if (spec.signal?.aborted) throw new APIUserAbortError()
        if (timedOut) return { error: new APIConnectionTimeoutError(`no answer from ${this.options.baseUrl} within ${timeoutMs} ms`, { cause }), retryable: true }
        const reason = cause instanceof Error ? cause.message : String(cause)
        // A refused or reset connection never reached the handler, so retrying is safe for any method.
        return { error: new APIConnectionError(`cannot reach ${this.options.baseUrl}: ${reason}`, { cause }), retryable: true }
      }
      const accepted = response.ok || spec.acceptStatus?.includes(response.status) === true
      if (!accepted) return { error: errorFromBody(response.status, text, response.headers), retryable: shouldRetry(spec.method, response.status, response.headers), waitMs: retryAfterMs(response.headers) }
      return { data: this.parse(spec, text, response.status), response, requestId: response.headers.get('x-request-id') }
    } finally {
      clearTimeout(timer)
      spec.signal?.removeEventListener('abort', onAbort)
    }
  }

  private parse<T>(spec: RequestSpec<T>, text: string, status: number): T {
    let json: unknown = undefined
    if (text !== '') {
      try {
        json = JSON.parse(text)
      } catch {
        throw new APIResponseValidationError(`${spec.method} ${spec.path} answered ${status} with a body that is not JSON`, [])
      }
    }
    const parsed = spec.schema.safeParse(json)
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path, message: issue.message }))
      const first = issues[0]
      throw new APIResponseValidationError(`${spec.method} ${spec.path} answered with an unexpected shape${first ? ` (${first.path.join('.') || 'body'}: ${first.message})` : ''}`, issues)
    }
    return parsed.data
  }
}

/**
 * A promise of a parsed body that can also give the raw response: `await p` is the data,
 * `await p.withResponse()` is `{ data, response, requestId }`.
 */
export class APIPromise<T> implements PromiseLike<T> {
  private parsed: Promise<T> | undefined

  constructor(private readonly responsePromise: Promise<WithResponse<T>>) {}

  withResponse(): Promise<WithResponse<T>> {
    return this.responsePromise
  }

  private data(): Promise<T> {
    return (this.parsed ??= this.responsePromise.then((result) => result.data))
  }

  then<R1 = T, R2 = never>(onfulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null, onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R1 | R2> {
    return this.data().then(onfulfilled, onrejected)
  }

  catch<R = never>(onrejected?: ((reason: unknown) => R | PromiseLike<R>) | null): Promise<T | R> {
    return this.data().catch(onrejected)
  }

  finally(onfinally?: (() => void) | null): Promise<T> {
    return this.data().finally(onfinally)
  }
}
