// Request bodies read with a hard size limit: an oversized body is refused from its Content-Length
// before any of it is read, and a chunked one as soon as the limit is crossed.
import type { z } from 'zod'
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors/index.ts'

export async function readBodyBytes(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > limit) {
    throw new PayloadTooLargeError('BODY_TOO_LARGE', `request body of ${declared} bytes exceeds the limit of ${limit} bytes`)
  }
  if (!request.body) return new Uint8Array(0)
  const chunks: Uint8Array[] = []
  let total = 0
  for await (const chunk of request.body) {
    total += chunk.byteLength
    if (total > limit) {
      await request.body.cancel().catch(() => {})
      throw new PayloadTooLargeError('BODY_TOO_LARGE', `request body exceeds the limit of ${limit} bytes`)
    }
    chunks.push(chunk)
  }
  return Buffer.concat(chunks)
}

/** Parses a JSON body within `limit` bytes. Throws 400 for malformed JSON, 415 for another media type. */
export async function readJsonBody(request: Request, limit: number): Promise<unknown> {
  const type = request.headers.get('content-type')
  if (type !== null && !/^application\/(.+\+)?json\b/i.test(type) && !/^text\/plain\b/i.test(type)) {
    throw new UnsupportedMediaTypeError('UNSUPPORTED_MEDIA_TYPE', `expected a JSON body, got ${type}`)
  }
  const bytes = await readBodyBytes(request, limit)
  if (bytes.byteLength === 0) throw new BadRequestError('MALFORMED_BODY', 'request body is empty; send a JSON document')
  try {
    return JSON.parse(new TextDecoder().decode(bytes))
  } catch (error) {
    throw new BadRequestError('MALFORMED_BODY', `request body is not valid JSON: ${(error as Error).message}`)
  }
}

export const isMultipart = (request: Request) => /^multipart\/form-data\b/i.test(request.headers.get('content-type') ?? '')

/**
 * Parses a `multipart/form-data` body within `limit` bytes into its fields (text or File). Throws
 * 415 for another media type, 400 for a body that is not valid multipart or repeats a field.
 */
export async function readMultipartBody(request: Request, limit: number): Promise<Record<string, string | File>> {
  const type = request.headers.get('content-type') ?? ''
  if (!isMultipart(request)) throw new UnsupportedMediaTypeError('UNSUPPORTED_MEDIA_TYPE', `expected a multipart/form-data body, got ${type || 'no content-type'}`)
  const bytes = await readBodyBytes(request, limit)
  let form: Awaited<ReturnType<Response['formData']>>
  try {
    form = await new Response(bytes, { headers: { 'content-type': type } }).formData()
  } catch (error) {
    throw new BadRequestError('MALFORMED_BODY', `request body is not valid multipart/form-data: ${(error as Error).message}`)
  }
  const fields: Record<string, string | File> = {}
  for (const [key, value] of form.entries()) {
    if (key in fields) throw new BadRequestError('MALFORMED_BODY', `multipart field ${JSON.stringify(key)} appears more than once`)
    fields[key] = value
  }
  return fields
}

/**
 * A multipart body within `limit` bytes, validated by `schema` (400 naming the first bad field);
 * the fields named in `jsonFields` are parsed from their JSON text first.
 */
export async function readMultipartForm<T>(request: Request, limit: number, schema: z.ZodType<T>, jsonFields: readonly string[] = []): Promise<T> {
  const fields: Record<string, unknown> = await readMultipartBody(request, limit)
  for (const key of jsonFields) {
    const text = fields[key]
    if (typeof text !== 'string') continue
    try {
      fields[key] = JSON.parse(text)
    } catch (error) {
      throw new BadRequestError('MALFORMED_BODY', `multipart field ${key} is not valid JSON: ${(error as Error).message}`)
    }
  }
  const parsed = schema.safeParse(fields)
  if (parsed.success) return parsed.data
  const issue = parsed.error.issues[0]
  const path = issue?.path.join('.') ?? ''
  throw new BadRequestError('INVALID_REQUEST', `invalid multipart body: ${path ? `${path}: ` : ''}${issue?.message ?? 'is invalid'}`)
}
