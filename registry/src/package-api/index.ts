// The package REST API for tools other than npm: discovery (`GET /api/packages[/:pkg]`), gated
// downloads with checksum and signature headers, and the admin's package management (create, edit,
// delete, upload a .tgz). Everything goes through the services the npm routes use: visibility,
// publish, unpublish, download limits and records. `:pkg` is a package name, scoped ones as
// `@scope%2fname`, `@scope%2Fname` or `@scope/name`.
import { Elysia } from 'elysia'
import { packageNotFound } from '../access/service.ts'
import { actorOf } from '../audit/service.ts'
import { authPlugin } from '../auth/plugin.ts'
import { authorize } from '../auth/policy.ts'
import type { AppContext } from '../context.ts'
import { NotFoundError } from '../errors/index.ts'
import { readJsonBody, readMultipartForm } from '../http/body.ts'
import { packageFromPath, tarballFilename } from '../npm/names.ts'
import { resolveVersion } from '../npm/packument.ts'
import { PackageReads, type Caller } from '../packages/reads.ts'
import type { PackageChanges } from '../publish/service.ts'
import { uploadBodyLimit } from '../publish/index.ts'
import type { Identity } from '../tokens/service.ts'
import { PackageApiModel } from './model.ts'
import { PackageApiService } from './service.ts'

const BODY_LIMIT = 64 * 1024

const isBareScope = (segment: string) => segment.startsWith('@') && !segment.includes('/')

export const packageApiController = (ctx: AppContext) => {
  const reads = new PackageReads(ctx)
  const service = new PackageApiService(ctx.db, ctx.packuments, ctx.catalog, ctx.search)
  // The named parser only tells /openapi.json the media type; the function reads the body within its limit.
  const parse = [({ request }: { request: Request }) => readJsonBody(request, BODY_LIMIT), 'application/json' as const]
  const uploadLimit = uploadBodyLimit(ctx.config.maxTarballSize)
  const parseUpload = ({ request }: { request: Request }) => readMultipartForm(request, uploadLimit, PackageApiModel.upload)

  const details = async (name: string, caller: Caller) => service.details((await reads.lookup(name, false, caller)).entry.loaded)

  /** Details as the primary has them right after a write by this request. */
  async function written(name: string) {
    const entry = await ctx.packuments.fresh(name, ctx.db.primary)
    if (!entry) throw packageNotFound(name)
    return service.details(entry.loaded)
  }

  /** `?version=` (default latest) of a package the authenticated caller may read, with its checksum headers. */
  async function download(name: string, spec: string | undefined, caller: Caller, request: Request, address: string | null) {
    const result = await caller()
    const identity = authorize(result, 'read')
    const { entry } = await reads.lookup(name, false, async () => result)
    const version = resolveVersion(entry.loaded.state, spec ?? 'latest')
    if (!version) throw new NotFoundError('VERSION_NOT_FOUND', `version ${spec ?? 'latest'} of ${name} not found`)
    const response = await reads.tarball(entry, version.version, { request, address, readerId: identity.userId, redirect: false })
    response.headers.set('content-disposition', `attachment; filename="${tarballFilename(name, version.version)}"`)
    return response
  }

  async function update(name: string, changes: PackageChanges, admin: () => Promise<Identity>, address: string | null) {
    const identity = await admin()
    await ctx.publish.updatePackage(name, changes, identity, actorOf(identity, address))
    return written(name)
  }

  async function remove(name: string, admin: () => Promise<Identity>, address: string | null) {
    const identity = await admin()
    await ctx.publish.unpublishPackage(name, undefined, identity, actorOf(identity, address))
    return { ok: `unpublished ${name}` }
  }

  async function upload(name: string, body: { tarball: File; tag?: string | undefined }, admin: () => Promise<Identity>, set: { status?: number | string }, address: string | null) {
    const identity = await admin()
    const tarball = new Uint8Array(await body.tarball.arrayBuffer())
    const outcome = await ctx.publish.publishTarball(name, tarball, body.tag ?? 'latest', identity, actorOf(identity, address))
    const version = (await written(name)).versions.find((candidate) => candidate.version === outcome.version)
    if (!version) throw new NotFoundError('VERSION_NOT_FOUND', `version ${outcome.version} of ${name} not found`)
    set.status = outcome.status === 'created' ? 201 : 200
    return { ...version, name, created: outcome.status === 'created' }
  }

  const detailsRoute = { response: { 200: PackageApiModel.details } }
  const updateRoute = { parse, body: PackageApiModel.update, response: { 200: PackageApiModel.details } }
  const uploadRoute = {
    parse: [parseUpload, 'multipart/form-data' as const],
    body: PackageApiModel.upload,
    response: { 200: PackageApiModel.uploaded, 201: PackageApiModel.uploaded },
  }
  const downloadRoute = { query: PackageApiModel.downloadQuery }
  /** The tarball is a stream, so its response is described for /openapi.json by hand. */
  const downloadResponses = {
    200: {
      description: 'The tarball',
      headers: {
        'X-Package-SHA256': { description: 'Hex sha256 of the tarball', schema: { type: 'string' } },
        'X-Package-Signature': { description: "The registry's ECDSA P-256 signature of name@version:integrity (base64 DER)", schema: { type: 'string' } },
        'X-Package-Signature-Keyid': { description: 'Key id of that signature, as listed at /-/npm/v1/keys', schema: { type: 'string' } },
      },
      content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
    },
  } as const

  return new Elysia({ name: 'packr/package-api', prefix: '/api/packages', detail: { tags: ['package API'] } })
    .use(authPlugin(ctx))
    .get(
      '',
      async ({ query, caller }) => {
        const viewer = await ctx.access.viewerFor((await caller()).identity)
        return { ...(await service.list(viewer, query)), offset: query.offset, limit: query.limit }
      },
      { query: PackageApiModel.listQuery, response: { 200: PackageApiModel.list }, detail: { summary: 'List packages you may read (?scope=, ?q= search, ?offset=&limit=)' } },
    )
    .post(
      '',
      async ({ body, admin, set, clientAddress }) => {
        const identity = await admin()
        const { name, ...changes } = body
        await ctx.publish.createPackage(name, changes, identity, actorOf(identity, clientAddress()))
        set.status = 201
        return written(name)
      },
      { parse, body: PackageApiModel.create, response: { 201: PackageApiModel.details }, detail: { summary: 'Create a package without versions, with metadata, owners and visibility (admin)' } },
    )
    .get('/:name', ({ params, caller }) => details(packageFromPath(params.name), caller), {
      ...detailsRoute,
      detail: { summary: 'A package: metadata, dist-tags, owners, versions with size, sha256, signature and dates' },
    })
    .get('/:name/:sub', ({ params, caller }) => details(packageFromPath(params.name, params.sub), caller), {
      ...detailsRoute,
      detail: { summary: 'A scoped package addressed as /api/packages/@scope/name' },
    })
    .get(
      '/:name/download',
      ({ params, query, caller, request, clientAddress }) =>
        // `/api/packages/@acme/download` is the details of @acme/download.
        isBareScope(params.name) ? details(packageFromPath(params.name, 'download'), caller) : download(packageFromPath(params.name), query.version, caller, request, clientAddress()),
      { ...downloadRoute, detail: { summary: 'Download a version (?version=, default latest) with X-Package-SHA256 and X-Package-Signature; signed-in callers', responses: downloadResponses } },
    )
    .get(
      '/:name/:sub/download',
      ({ params, query, caller, request, clientAddress }) => download(packageFromPath(params.name, params.sub), query.version, caller, request, clientAddress()),
      { ...downloadRoute, detail: { summary: 'Download a version of a scoped package addressed as /api/packages/@scope/name/download', responses: downloadResponses } },
    )
    .put('/:name', ({ params, body, admin, clientAddress }) => update(packageFromPath(params.name), body, admin, clientAddress()), {
      ...updateRoute,
      detail: { summary: 'Change metadata overrides (description, keywords, homepage, repository), owners or visibility (admin)' },
    })
    .put('/:name/:sub', ({ params, body, admin, clientAddress }) => update(packageFromPath(params.name, params.sub), body, admin, clientAddress()), {
      ...updateRoute,
      detail: { summary: 'Change a scoped package addressed as /api/packages/@scope/name (admin)' },
    })
    .delete('/:name', ({ params, admin, clientAddress }) => remove(packageFromPath(params.name), admin, clientAddress()), {
      response: { 200: PackageApiModel.deleted },
      detail: { summary: 'Unpublish every version, as npm unpublish --force (admin); a package without versions is removed' },
    })
    .delete('/:name/:sub', ({ params, admin, clientAddress }) => remove(packageFromPath(params.name, params.sub), admin, clientAddress()), {
      response: { 200: PackageApiModel.deleted },
      detail: { summary: 'Unpublish a scoped package addressed as /api/packages/@scope/name (admin)' },
    })
    .post('/:name/versions', ({ params, body, admin, set, clientAddress }) => upload(packageFromPath(params.name), body, admin, set, clientAddress()), {
      ...uploadRoute,
      detail: { summary: 'Publish a .tgz (multipart field tarball, optional tag): its package.json is the version document (admin)' },
    })
    .post('/:name/:sub/versions', ({ params, body, admin, set, clientAddress }) => upload(packageFromPath(params.name, params.sub), body, admin, set, clientAddress()), {
      ...uploadRoute,
      detail: { summary: 'Publish a .tgz to a scoped package addressed as /api/packages/@scope/name/versions (admin)' },
    })
}
