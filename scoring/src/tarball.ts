// Safe reading of npm package tarballs (.tgz). Every read is bounded: decompressed bytes, entry
// count, buffered file size and wall time, so a hostile archive (zip bomb, millions of entries,
// a 50 MB single file) is refused with a reason instead of exhausting the process.
import { createTarDecoder, type TarHeader } from 'modern-tar'

export interface TarballLimits {
  /** Total decompressed bytes (tar stream) before the archive is refused as a bomb. */
  maxUnpackedBytes: number
  /** Number of tar entries before the archive is refused. */
  maxEntries: number
  /** Largest single file whose content is buffered; larger files are listed, not read. */
  maxFileBytes: number
  /** Wall-clock budget for the whole read, in milliseconds. */
  timeoutMs: number
  /** Total bytes of file contents buffered; selected files beyond it are listed, not read. */
  maxBufferedBytes: number
}

export const DEFAULT_TARBALL_LIMITS: TarballLimits = {
  maxUnpackedBytes: 512 * 1024 * 1024,
  maxEntries: 50_000,
  maxFileBytes: 4 * 1024 * 1024,
  timeoutMs: 10_000,
  maxBufferedBytes: 64 * 1024 * 1024,
}

export type TarEntryType = 'file' | 'directory' | 'symlink' | 'hardlink' | 'other'

export interface TarEntryInfo {
  /** Path inside the package, with the archive's first folder (`package/`) removed. */
  path: string
  size: number
  type: TarEntryType
  mode?: number
  linkTarget?: string
  /** What is unsafe about the entry's name; such entries are listed but never read. */
  problems?: TarballProblemKind[]
}

export type TarballProblemKind =
  | 'absolute-path'
  | 'parent-traversal'
  | 'symlink'
  | 'hardlink'
  | 'non-utf8-name'
  | 'duplicate-path'
  | 'special-file'
  | 'file-too-large-to-read'
  | 'read-budget-exhausted'

export interface TarballProblem {
  kind: TarballProblemKind
  path: string
}

export interface TarballContents {
  entries: TarEntryInfo[]
  /** Contents of the files selected by `select` (only regular files within `maxFileBytes`). */
  files: Map<string, Uint8Array>
  /** Sum of regular file sizes. */
  unpackedSize: number
  /** Sum of the sizes of the buffered files. */
  bufferedBytes: number
  problems: TarballProblem[]
}

export type TarballErrorCode = 'INVALID_GZIP' | 'INVALID_TAR' | 'TOO_LARGE' | 'TOO_MANY_ENTRIES' | 'TIMEOUT'

export class TarballError extends Error {
  override readonly name = 'TarballError'
  constructor(
    readonly code: TarballErrorCode,
    message: string,
  ) {
    super(message)
  }
}

export interface ReadTarballOptions {
  limits?: Partial<TarballLimits>
  /** Which files to buffer, by package-relative path. Default: none. */
  select?: (path: string, size: number) => boolean
  /** Stop reading as soon as every selected file wanted by this predicate has been read. */
  stopWhen?: (files: Map<string, Uint8Array>) => boolean
}

const typeOf = (header: TarHeader): TarEntryType => {
  switch (header.type ?? 'file') {
    case 'file':
      return 'file'
    case 'directory':
      return 'directory'
    case 'symlink':
      return 'symlink'
    case 'link':
      return 'hardlink'
    default:
      return 'other'
  }
}

/** Strips the archive's top folder and classifies what is unsafe about the raw name. */
export function normalizeEntryPath(rawName: string): { path: string; problems: TarballProblemKind[] } {
  const problems: TarballProblemKind[] = []
  if (rawName.includes('\uFFFD')) problems.push('non-utf8-name')
  const name = rawName.replaceAll('\\', '/')
  if (name.startsWith('/') || /^[A-Za-z]:\//.test(name)) problems.push('absolute-path')
  const segments = name.split('/').filter((segment) => segment !== '' && segment !== '.')
  if (segments.includes('..')) problems.push('parent-traversal')
  // npm strips exactly one leading folder (conventionally `package/`).
  const path = segments.slice(1).filter((segment) => segment !== '..').join('/')
  return { path, problems }
}

/** Decompresses `bytes` as gzip, failing once more than `limit` bytes come out. */
function boundedGunzip(bytes: Uint8Array, limit: number): ReadableStream<Uint8Array> {
  let total = 0
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      total += chunk.byteLength
      if (total > limit) {
        controller.error(new TarballError('TOO_LARGE', `archive expands beyond ${limit} bytes`))
        return
      }
      controller.enqueue(chunk)
    },
  })
  return new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream('gzip')).pipeThrough(counter)
}

async function readBody(body: ReadableStream<Uint8Array>, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size)
  let offset = 0
  for await (const chunk of body) {
    out.set(chunk.subarray(0, Math.max(0, size - offset)), offset)
    offset += chunk.byteLength
  }
  return out
}

async function drain(body: ReadableStream<Uint8Array>): Promise<void> {
  for await (const _ of body) {
    // discard
  }
}

function asTarballError(error: unknown): TarballError {
  if (error instanceof TarballError) return error
  const message = error instanceof Error ? error.message : String(error)
  if (/gzip|zlib|inflate|header check|incorrect header|decompress|unexpected end of file/i.test(message)) {
    return new TarballError('INVALID_GZIP', `not a valid gzip stream: ${message}`)
  }
  return new TarballError('INVALID_TAR', `not a valid tar archive: ${message}`)
}

/**
 * Lists a package tarball and buffers the selected files, within `limits`.
 * Throws `TarballError` when the archive is unreadable or exceeds a limit.
 */
export async function readTarball(bytes: Uint8Array, options: ReadTarballOptions = {}): Promise<TarballContents> {
  const limits = { ...DEFAULT_TARBALL_LIMITS, ...options.limits }
  const deadline = performance.now() + limits.timeoutMs
  const contents: TarballContents = { entries: [], files: new Map(), unpackedSize: 0, bufferedBytes: 0, problems: [] }
  const seen = new Set<string>()
  const decoder = createTarDecoder()
  const piping = boundedGunzip(bytes, limits.maxUnpackedBytes).pipeTo(decoder.writable)
  // A failed pipe surfaces through the reader below; keep it from becoming an unhandled rejection.
  piping.catch(() => {})
  const reader = decoder.readable.getReader()
  try {
    while (true) {
      const { done, value: entry } = await reader.read()
      if (done) break
      if (performance.now() > deadline) throw new TarballError('TIMEOUT', `reading took longer than ${limits.timeoutMs} ms`)
      if (contents.entries.length >= limits.maxEntries) {
        throw new TarballError('TOO_MANY_ENTRIES', `archive has more than ${limits.maxEntries} entries`)
      }
      const { header, body } = entry
      const type = typeOf(header)
      const { path, problems } = normalizeEntryPath(header.name)
      for (const kind of problems) contents.problems.push({ kind, path: header.name })
      if (type === 'symlink') contents.problems.push({ kind: 'symlink', path })
      if (type === 'hardlink') contents.problems.push({ kind: 'hardlink', path })
      if (type === 'other') contents.problems.push({ kind: 'special-file', path })
      if (type === 'file' && seen.has(path)) contents.problems.push({ kind: 'duplicate-path', path })
      seen.add(path)
      const info: TarEntryInfo = { path, size: header.size, type }
      if (header.mode !== undefined) info.mode = header.mode
      if (header.linkname) info.linkTarget = header.linkname
      if (problems.length > 0) info.problems = problems
      contents.entries.push(info)
      if (type !== 'file' || problems.length > 0) {
        await drain(body)
        continue
      }
      contents.unpackedSize += header.size
      if (options.select?.(path, header.size)) {
        if (header.size > limits.maxFileBytes) {
          contents.problems.push({ kind: 'file-too-large-to-read', path })
          await drain(body)
        } else if (contents.bufferedBytes + header.size > limits.maxBufferedBytes) {
          contents.problems.push({ kind: 'read-budget-exhausted', path })
          await drain(body)
        } else {
          contents.bufferedBytes += header.size
          contents.files.set(path, await readBody(body, header.size))
          if (options.stopWhen?.(contents.files)) break
        }
      } else {
        await drain(body)
      }
    }
  } catch (error) {
    throw asTarballError(error)
  } finally {
    reader.cancel().catch(() => {})
  }
  if (contents.entries.length === 0) throw new TarballError('INVALID_TAR', 'archive contains no entries')
  return contents
}

export type PackageManifest = Record<string, unknown> & { name?: unknown; version?: unknown }

/** Parses the `package.json` of a tarball read with `readTarball`; throws `TarballError` when it is missing or not an object. */
export function manifestOf(contents: TarballContents): PackageManifest {
  const raw = contents.files.get('package.json')
  if (!raw) throw new TarballError('INVALID_TAR', 'archive has no package.json at its root')
  let parsed: unknown
  try {
    parsed = JSON.parse(new TextDecoder().decode(raw))
  } catch {
    throw new TarballError('INVALID_TAR', 'package.json in the archive is not valid JSON')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TarballError('INVALID_TAR', 'package.json in the archive is not a JSON object')
  }
  return parsed as PackageManifest
}

/** Reads and parses `package.json` from a package tarball, stopping as soon as it is found. */
export async function readManifest(bytes: Uint8Array, limits?: Partial<TarballLimits>): Promise<PackageManifest> {
  const contents = await readTarball(bytes, {
    ...(limits ? { limits } : {}),
    select: (path) => path === 'package.json',
    stopWhen: (files) => files.has('package.json'),
  })
  return manifestOf(contents)
}
