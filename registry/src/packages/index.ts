// Read routes of the npm protocol: packuments, version documents and tarballs. Every route accepts a
// scoped name as `@scope/name`, `@scope%2fname` or `@scope%2Fname`.
import { Elysia } from 'elysia'
import { packageNotFound } from '../access/service.ts'
import { authPlugin } from '../auth/plugin.ts'
import type { AppContext } from '../context.ts'
import { NotFoundError } from '../errors/index.ts'
import { versionFromTarballFilename } from '../npm/names.ts'
import { renderVersion, resolveVersion } from '../npm/packument.ts'
import { ABBREVIATED_CONTENT_TYPE, type Representation } from './cache.ts'
import { matchesEtag, PackageReads, type Caller } from './reads.ts'

const notFound = packageNotFound

function acceptsGzip(request: Request): boolean {
  return /\bgzip\b/i.test(request.headers.get('accept-encoding') ?? '')
}

/** npm adds `?write=true` to reads that precede a write, asking to bypass caches. */
const wantsWrite = (query: Record<string, string | undefined>) => query.write === 'true'

function documentResponse(request: Request, representation: Representation): Response {
  if (matchesEtag(request, representation.etag)) return new Response(null, { status: 304, headers: representation.identity.headers })
  const encoded = representation.gzip && acceptsGzip(request) ? representation.gzip : representation.identity
  return new Response(encoded.body, { headers: encoded.headers })
}

/** Package name from `/:name` or `/:name/:sub` routes, where `/@scope/name` arrives split in two. */
function joinName(name: string, sub: string): string {
  return `${name}/${sub}`
}

const isBareScope = (segment: string) => segment.startsWith('@') && !segment.includes('/')

export const packagesController = (ctx: AppContext) => {
  const reads = new PackageReads(ctx)

  async function packument(name: string, request: Request, write: boolean, caller: Caller): Promise<Response> {
    const { entry } = await reads.lookup(name, write, caller)
    const abbreviated = request.headers.get('accept')?.includes(ABBREVIATED_CONTENT_TYPE) === true
    return documentResponse(request, abbreviated ? entry.abbreviated : entry.full)
  }

  /** `GET /:pkg/:version`, where the version may also be a dist-tag or a semver range. */
  async function versionDocument(name: string, spec: string, write: boolean, caller: Caller): Promise<Response> {
    const { entry } = await reads.lookup(name, write, caller)
    const version = resolveVersion(entry.loaded.state, spec)
    if (!version) throw new NotFoundError('VERSION_NOT_FOUND', `version ${spec} of ${name} not found`)
    return Response.json(renderVersion(name, version, ctx.urls), { headers: { 'cache-control': 'private, max-age=0, must-revalidate' } })
  }

  async function tarball(name: string, filename: string, request: Request, write: boolean, caller: Caller, address: string | null): Promise<Response> {
    const version = versionFromTarballFilename(name, filename)
    if (!version) throw new NotFoundError('TARBALL_NOT_FOUND', `no tarball ${filename} for ${name}`)
    const { entry, readerId } = await reads.lookup(name, write, caller)
    if (!entry.tarball(version)) throw new NotFoundError('TARBALL_NOT_FOUND', `no tarball ${filename} for ${name}`)
    return reads.tarball(entry, version, { request, address, readerId, redirect: true })
  }

  return new Elysia({ name: 'packr/packages', detail: { tags: ['packages'] } })
    .use(authPlugin(ctx))
    .get('/:name', ({ params, request, query, auth }) => packument(params.name, request, wantsWrite(query), auth), {
      detail: { summary: 'Packument (full, or abbreviated with Accept: application/vnd.npm.install-v1+json)' },
    })
    .get(
      '/:name/:sub',
      ({ params, request, query, auth }) =>
        isBareScope(params.name)
          ? packument(joinName(params.name, params.sub), request, wantsWrite(query), auth)
          : versionDocument(params.name, params.sub, wantsWrite(query), auth),
      { detail: { summary: 'Scoped packument (/@scope/name), or a version document (/name/version-or-tag)' } },
    )
    .get(
      '/:name/:sub/:spec',
      ({ params, query, auth }) => {
        if (!isBareScope(params.name)) throw notFound(params.name)
        return versionDocument(joinName(params.name, params.sub), params.spec, wantsWrite(query), auth)
      },
      { detail: { summary: 'Version document of a scoped package (/@scope/name/version-or-tag)' } },
    )
    .get('/:name/-/:file', ({ params, request, query, auth, clientAddress }) => tarball(params.name, params.file, request, wantsWrite(query), auth, clientAddress()), {
      detail: { summary: 'Tarball (unscoped, or scoped as /@scope%2fname/-/name-1.0.0.tgz)' },
    })
    .get(
      '/:name/:sub/-/:file',
      ({ params, request, query, auth, clientAddress }) => {
        if (!isBareScope(params.name)) throw notFound(params.name)
        return tarball(joinName(params.name, params.sub), params.file, request, wantsWrite(query), auth, clientAddress())
      },
      { detail: { summary: 'Tarball of a scoped package (/@scope/name/-/name-1.0.0.tgz)' } },
    )
}
