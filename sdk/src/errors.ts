// One error class per failure kind, as the openai and @anthropic-ai SDKs do: `catch (e) { if (e
// instanceof NotFoundError) ... }`. HTTP errors carry the status, the registry's stable `code` and
// the response headers; connection problems, timeouts and aborts have their own classes.

export class PackrError extends Error {
  override readonly name: string = 'PackrError'
}

export class APIError extends PackrError {
  override readonly name: string = 'APIError'
  constructor(
    /** HTTP status. */
    readonly status: number,
    /** The registry's stable error code (`PACKAGE_NOT_FOUND`, ...), or `HTTP_<status>` when the body had none. */
    readonly code: string,
    message: string,
    readonly headers: Headers,
    /** The `x-request-id` response header, when the server sent one. */
    readonly requestId: string | null = headers.get('x-request-id'),
  ) {
    super(message)
  }

  /** The subclass for `status`. */
  static from(status: number, code: string, message: string, headers: Headers): APIError {
    const Kind = STATUS_ERRORS[status] ?? (status >= 500 ? InternalServerError : APIError)
    return new Kind(status, code, message, headers)
  }
}

export class BadRequestError extends APIError {
  override readonly name = 'BadRequestError'
}
/** 401: no token where one is needed, or the token is expired, revoked or malformed. */
export class AuthenticationError extends APIError {
  override readonly name = 'AuthenticationError'
}
/** 403: the token lacks the permission, or its scope/package list does not reach the package. */
export class PermissionDeniedError extends APIError {
  override readonly name = 'PermissionDeniedError'
}
export class NotFoundError extends APIError {
  override readonly name = 'NotFoundError'
}
export class ConflictError extends APIError {
  override readonly name = 'ConflictError'
}
export class UnprocessableEntityError extends APIError {
  override readonly name = 'UnprocessableEntityError'
}
/** 429; `retryAfterSeconds` is what the server asked for. */
export class RateLimitError extends APIError {
  override readonly name = 'RateLimitError'
  get retryAfterSeconds(): number | null {
    const value = Number(this.headers.get('retry-after'))
    return Number.isFinite(value) && value >= 0 ? value : null
  }
}
export class InternalServerError extends APIError {
  override readonly name = 'InternalServerError'
}

const STATUS_ERRORS: Record<number, new (status: number, code: string, message: string, headers: Headers) => APIError> = {
  400: BadRequestError,
  401: AuthenticationError,
  403: PermissionDeniedError,
  404: NotFoundError,
  409: ConflictError,
  422: UnprocessableEntityError,
  429: RateLimitError,
}

/** The registry could not be reached (DNS, refused connection, reset). */
export class APIConnectionError extends PackrError {
  override readonly name: string = 'APIConnectionError'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

/** No answer within the timeout (after the retries). */
export class APIConnectionTimeoutError extends APIConnectionError {
  override readonly name = 'APIConnectionTimeoutError'
}

/** The caller's AbortSignal fired. */
export class APIUserAbortError extends PackrError {
  override readonly name = 'APIUserAbortError'
  constructor() {
    super('request was aborted')
  }
}

/** The registry answered 2xx with a body that does not match the expected schema. */
export class APIResponseValidationError extends PackrError {
  override readonly name = 'APIResponseValidationError'
  constructor(
    message: string,
    readonly issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  ) {
    super(message)
  }
}
