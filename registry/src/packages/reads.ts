// Reading a package as a caller may see it, and serving a version's tarball, shared by the npm read
// routes and the package REST API so both apply one visibility rule, one download limit and one
// download record.
import { packageNotFound } from '../access/service.ts'
import type { AuthResult } from '../auth/policy.ts'
import type { AppContext } from '../context.ts'
import { NotFoundError } from '../errors/index.ts'
import { checkPackageName } from '../npm/names.ts'
import type { CachedPackage } from './cache.ts'

const IMMUTABLE = 'public, max-age=31536000, immutable'
/** Restricted tarballs never change either, but a shared cache must not hand them to others. */
const PRIVATE_IMMUTABLE = 'private, max-age=31536000, immutable'
const REDIRECT_CACHE = 'private, max-age=60'

/** The caller behind a read, resolved only for restricted packages: public reads never look. */
export type Caller = () => Promise<AuthResult>

export function matchesEtag(request: Request, etag: string): boolean {
  const header = request.headers.get('if-none-match')
  if (!header) return false
  return header === etag || header.split(',').some((candidate) => candidate.trim().replace(/^W\//, '') === etag)
}

export interface TarballRequest {
  request: Request
  address: string | null
  /** The reader of a restricted package (counted against their download limit); null for public ones. */
  readerId: string | null
  /** A 302 to the blob store is allowed (npm clients); otherwise the bytes stream through with their checksum headers. */
  redirect: boolean
}

export class PackageReads {
  constructor(private readonly ctx: Pick<AppContext, 'packuments' | 'db' | 'access' | 'blobs' | 'downloads' | 'downloadLimiter' | 'log'>) {}

  /**
   * The package, and for a restricted one the reader's user id. Someone who may not read a restricted
   * package gets exactly the answer for a name nobody published, before any ETag is compared, so
   * neither a body nor a 304 tells them it exists. A refused token counts as no token here.
   */
  async lookup(name: string, write: boolean, caller: Caller): Promise<{ entry: CachedPackage; readerId: string | null }> {
    // Only existing packages are cached as present, and publish (or package creation) validated their names: a hit skips the (costly) check.
    let entry = write ? undefined : this.ctx.packuments.cached(name)
    if (!entry) {
      if (!checkPackageName(name).validForOld) throw packageNotFound(name)
      entry = (write ? await this.ctx.packuments.fresh(name, this.ctx.db.primary) : await this.ctx.packuments.get(name)) ?? undefined
      if (!entry) throw packageNotFound(name)
    }
    if (entry.loaded.row.access === 'public') return { entry, readerId: null }
    const { identity } = await caller()
    this.ctx.access.assertReadable(await this.ctx.access.viewerFor(identity), entry.loaded.row)
    return { entry, readerId: identity?.userId ?? null }
  }

  /**
   * One version's tarball: counted against the reader's download limit (restricted packages), recorded
   * as a download, then redirected to the blob store or streamed with `X-Package-SHA256` and
   * `X-Package-Signature`.
   */
  async tarball(entry: CachedPackage, version: string, options: TarballRequest): Promise<Response> {
    const name = entry.loaded.row.name
    const ref = entry.tarball(version)
    if (!ref) throw new NotFoundError('TARBALL_NOT_FOUND', `no tarball of ${name}@${version}`)
    const etag = `"${ref.integrity}"`
    const restricted = entry.loaded.row.access !== 'public'
    const cacheControl = restricted ? PRIVATE_IMMUTABLE : IMMUTABLE
    if (matchesEtag(options.request, etag)) return new Response(null, { status: 304, headers: { etag, 'cache-control': cacheControl } })
    if (restricted && options.readerId) await this.ctx.downloadLimiter.consume(options.readerId)
    const downloader = restricted || options.readerId ? { address: options.address, userId: options.readerId } : { address: options.address, authorization: options.request.headers.get('authorization') }
    const url = options.redirect ? await this.ctx.blobs.downloadUrl(ref.blobKey) : null
    if (url) {
      this.ctx.downloads.record(name, version, downloader)
      // The redirect may be reused only while the presigned URL it names is valid; the object itself
      // is served with immutable cache headers by the bucket.
      return new Response(null, { status: 302, headers: { location: url, 'cache-control': REDIRECT_CACHE, etag } })
    }
    const blob = await this.ctx.blobs.get(ref.blobKey)
    if (!blob) {
      this.ctx.log.error('tarball missing from storage', { package: name, version, blob: ref.blobKey })
      throw new NotFoundError('TARBALL_NOT_FOUND', `tarball for ${name}@${version} is missing from storage`)
    }
    this.ctx.downloads.record(name, version, downloader)
    const headers: Record<string, string> = {
      'content-type': 'application/octet-stream',
      'content-length': String(blob.size),
      'cache-control': cacheControl,
      etag,
      'x-package-sha256': ref.sha256,
    }
    if (ref.signature) {
      headers['x-package-signature'] = ref.signature.sig
      headers['x-package-signature-keyid'] = ref.signature.keyid
    }
    return new Response(blob.body, { headers })
  }
}
