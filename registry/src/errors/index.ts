// One error shape for every failure: `{error, code, message, status}`. npm prints only `error`,
// so it carries the human sentence; `code` is stable for programs. Services throw these classes;
// the plugin below turns them (and Elysia's own errors) into responses.
import { Elysia, ValidationError } from 'elysia'
import type { Logger } from '../logging/index.ts'

export interface ErrorBody {
  error: string
  code: string
  message: string
  status: number
}

export class RegistryError extends Error {
  override readonly name: string = 'RegistryError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }

  toBody(): ErrorBody {
    return { error: this.message, code: this.code, message: this.message, status: this.status }
  }

  toResponse(): Response {
    return jsonError(this.status, this.code, this.message, this.headers)
  }
}

export class BadRequestError extends RegistryError {
  override readonly name = 'BadRequestError'
  constructor(code: string, message: string) {
    super(400, code, message)
  }
}

/** 401. `scheme` becomes `WWW-Authenticate`, which npm uses to pick its hint (Bearer, Basic, OTP, ipaddress). */
export class UnauthorizedError extends RegistryError {
  override readonly name = 'UnauthorizedError'
  constructor(code: string, message: string, scheme = 'Bearer') {
    super(401, code, message, { 'www-authenticate': scheme })
  }
}

export class ForbiddenError extends RegistryError {
  override readonly name = 'ForbiddenError'
  constructor(code: string, message: string) {
    super(403, code, message)
  }
}

/** 405; `allow` lists the methods the route takes. */
export class MethodNotAllowedError extends RegistryError {
  override readonly name = 'MethodNotAllowedError'
  constructor(code: string, message: string, allow: string) {
    super(405, code, message, { allow })
  }
}

export class NotAcceptableError extends RegistryError {
  override readonly name = 'NotAcceptableError'
  constructor(code: string, message: string) {
    super(406, code, message)
  }
}

export class NotFoundError extends RegistryError {
  override readonly name = 'NotFoundError'
  constructor(code: string, message: string) {
    super(404, code, message)
  }
}

export class ConflictError extends RegistryError {
  override readonly name = 'ConflictError'
  constructor(code: string, message: string) {
    super(409, code, message)
  }
}

export class PayloadTooLargeError extends RegistryError {
  override readonly name = 'PayloadTooLargeError'
  constructor(code: string, message: string) {
    super(413, code, message)
  }
}

export class UnsupportedMediaTypeError extends RegistryError {
  override readonly name = 'UnsupportedMediaTypeError'
  constructor(code: string, message: string) {
    super(415, code, message)
  }
}

export class UnprocessableEntityError extends RegistryError {
  override readonly name = 'UnprocessableEntityError'
  constructor(code: string, message: string) {
    super(422, code, message)
  }
}

export class TooManyRequestsError extends RegistryError {
  override readonly name = 'TooManyRequestsError'
  constructor(code: string, message: string, retryAfterSeconds: number) {
    super(429, code, message, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterSeconds))) })
  }
}

/**
 * An OAuth 2 token-endpoint error (RFC 6749 §5.2, RFC 8628 §3.5): `error` is the RFC's code
 * (`authorization_pending`, `slow_down`, ...) as OAuth clients expect, `message` the sentence.
 */
export class OAuthProtocolError extends RegistryError {
  override readonly name = 'OAuthProtocolError'
  constructor(code: 'authorization_pending' | 'slow_down' | 'expired_token' | 'access_denied' | 'invalid_grant' | 'unsupported_grant_type', message: string) {
    super(400, code, message)
  }

  override toBody(): ErrorBody & { error_description: string } {
    return { error: this.code, code: this.code, message: this.message, status: this.status, error_description: this.message }
  }

  override toResponse(): Response {
    return new Response(JSON.stringify(this.toBody()), {
      status: this.status,
      headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    })
  }
}

export function jsonError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  const body: ErrorBody = { error: message, code, message, status }
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  })
}

/** A readable sentence from a validation failure, naming the offending field. */
function describeValidation(error: ValidationError): string {
  const first = error.all[0] as { path?: unknown; message?: unknown; summary?: unknown } | undefined
  const path = Array.isArray(first?.path) ? first.path.join('.') : typeof first?.path === 'string' ? first.path.replace(/^\//, '').replaceAll('/', '.') : ''
  const detail = typeof first?.message === 'string' ? first.message : typeof first?.summary === 'string' ? first.summary : 'is invalid'
  const where = error.type === 'body' ? 'request body' : error.type
  return path ? `invalid ${where}: ${path}: ${detail}` : `invalid ${where}: ${detail}`
}

/**
 * An unexpected error as it may be logged. Failed queries carry their bound parameters (password
 * hashes, token keys) in the message; those are cut, the query text and the cause are kept.
 */
export function describeUnexpected(error: unknown): string {
  const text = error instanceof Error ? (error.stack ?? error.message) : String(error)
  const cause = error instanceof Error && error.cause instanceof Error ? `\ncaused by: ${error.cause.message}` : ''
  return `${text.replace(/^params: .*$/gm, 'params: [redacted]')}${cause}`
}

/** Any failure as a RegistryError. Unknown errors become a 500 that reveals nothing but a request-safe sentence. */
function asRegistryError(code: string | number, error: unknown, request: Request, log: Logger): RegistryError {
  if (error instanceof RegistryError) return error
  // Elysia wraps whatever a `parse` hook throws in its ParseError; our body readers throw 413/415/400
  // with a precise reason, which must reach the client instead of a generic "could not be parsed".
  const cause = (error as { cause?: unknown }).cause
  if (code === 'PARSE' && cause instanceof RegistryError) return cause
  switch (code) {
    case 'NOT_FOUND':
      return new NotFoundError('NOT_FOUND', `no route for ${request.method} ${new URL(request.url).pathname}`)
    case 'VALIDATION':
      return new BadRequestError('INVALID_REQUEST', describeValidation(error as ValidationError))
    case 'PARSE':
      return new BadRequestError('MALFORMED_BODY', 'request body could not be parsed; send valid JSON with content-type application/json')
    case 'INVALID_COOKIE_SIGNATURE':
      return new UnauthorizedError('INVALID_SESSION', 'session cookie is invalid; sign in again')
  }
  const status = typeof (error as { status?: unknown }).status === 'number' ? (error as { status: number }).status : 500
  if (status >= 400 && status < 500) return new RegistryError(status, 'BAD_REQUEST', 'request could not be processed')
  log.error('unhandled error', { method: request.method, path: new URL(request.url).pathname, error: describeUnexpected(error) })
  return new RegistryError(500, 'INTERNAL_ERROR', 'internal server error')
}

/**
 * Global error mapping. `forBrowser` may answer a browser's page request with a page instead of the
 * JSON error (web/errors.ts); everything else gets `{error, code, message, status}`.
 */
export const errorPlugin = (log: Logger, forBrowser: (error: RegistryError, request: Request) => Response | null = () => null) =>
  new Elysia({ name: 'packr/errors' }).onError({ as: 'global' }, ({ code, error, request }) => {
    const failure = asRegistryError(code, error, request, log)
    return forBrowser(failure, request) ?? failure.toResponse()
  })
