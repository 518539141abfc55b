// Write routes of the npm protocol: publish, metadata edits, -rev updates and unpublish.
import { Elysia } from 'elysia'
import { z } from 'zod'
import { authPlugin } from '../auth/plugin.ts'
import { actorOf } from '../audit/service.ts'
import { authorize, type AuthResult } from '../auth/policy.ts'
import type { AppContext } from '../context.ts'
import { BadRequestError, NotFoundError } from '../errors/index.ts'
import { isMultipart, readJsonBody, readMultipartForm } from '../http/body.ts'
import type { PublishDocument } from '../npm/publish-body.ts'
import { isUpload, PublishModel, type PackageDocument, type PublishUpload } from './model.ts'

const isBareScope = (segment: string) => segment.startsWith('@') && !segment.includes('/')

/** `/@scope/name/...` arrives as two params; anything else with a second segment is not a package route. */
function scopedName(name: string, sub: string): string {
  if (!isBareScope(name)) throw new NotFoundError('NOT_FOUND', `no route for /${name}/${sub}`)
  return `${name}/${sub}`
}

const MANIFEST_ROOM = 16 * 1024 * 1024

/** Largest JSON publish document: the base64 tarball plus room for the manifest, README and provenance. */
export function publishBodyLimit(maxTarballSize: number): number {
  return Math.ceil((maxTarballSize * 4) / 3) + MANIFEST_ROOM
}

/** Largest multipart upload: the tarball as bytes plus the same room for the version document. */
export function uploadBodyLimit(maxTarballSize: number): number {
  return maxTarballSize + MANIFEST_ROOM
}

export const publishController = (ctx: AppContext) => {
  const jsonLimit = publishBodyLimit(ctx.config.maxTarballSize)
  const parse = ({ request }: { request: Request }) => readJsonBody(request, jsonLimit)
  const uploadLimit = uploadBodyLimit(ctx.config.maxTarballSize)
  /** npm's JSON document, or the same publish as multipart/form-data. */
  const parseDocument = async ({ request }: { request: Request }) =>
    isMultipart(request) ? readMultipartForm(request, uploadLimit, PublishModel.upload, ['manifest']) : readJsonBody(request, jsonLimit)

  async function put(name: string, body: PackageDocument | PublishUpload, auth: AuthResult, set: { status?: number | string; headers: Record<string, string | number> }, address: string | null) {
    // `_attachments` present, even empty, makes it a publish (which then needs exactly one tarball);
    // npm's metadata edits never send the key. A multipart body is always a publish.
    if (isUpload(body) || body._attachments !== undefined) {
      const identity = authorize(auth, 'publish', name)
      const actor = actorOf(identity, address)
      if (!isUpload(body) && (!body.versions || !body.name)) throw new BadRequestError('INVALID_PUBLISH', 'a publish document needs name, versions and _attachments')
      const outcome = isUpload(body)
        ? await ctx.publish.publishUpload(name, { ...body, tarball: new Uint8Array(await body.tarball.arrayBuffer()) }, identity, actor)
        : await ctx.publish.publish(name, body as PublishDocument, identity, actor)
      set.status = outcome.status === 'created' ? 201 : 200
      if (body.access === 'restricted' && outcome.access === 'public') {
        // npm and yarn print this; yarn sends `access: restricted` for every scoped package unless configured.
        set.headers['npm-notice'] = `${name} is public on this registry: a publish's access setting is not applied; run npm access set status=private ${name} to restrict it`
      }
      return outcome.status === 'created'
        ? { ok: `published ${name}@${outcome.version}`, success: true }
        : { ok: `${name}@${outcome.version} was already published with identical content`, success: true }
    }
    const identity = authorize(auth, 'read', name)
    await ctx.publish.updateMetadata(name, body, identity, actorOf(identity, address))
    return { ok: 'updated package metadata', success: true }
  }

  async function putRevision(name: string, rev: string, body: PackageDocument, auth: AuthResult, address: string | null) {
    const identity = authorize(auth, 'read', name)
    await ctx.publish.applyRevision(name, rev, body, identity, actorOf(identity, address))
    return { ok: 'updated package', success: true }
  }

  async function unpublishPackage(name: string, rev: string, auth: AuthResult, address: string | null) {
    const identity = authorize(auth, 'unpublish', name)
    await ctx.publish.unpublishPackage(name, rev, identity, actorOf(identity, address))
    return { ok: `unpublished ${name}`, success: true }
  }

  async function deleteTarball(name: string, file: string, auth: AuthResult, address: string | null) {
    const identity = authorize(auth, 'unpublish', name)
    await ctx.publish.deleteTarball(name, file, identity, actorOf(identity, address))
    return { ok: `removed ${file}`, success: true }
  }

  // The named parsers only tell /openapi.json which media types a route takes; the functions read the bodies within their limits.
  const documentRoute = { parse: [parse, 'application/json' as const], body: PublishModel.document, response: { 200: PublishModel.ok, 201: PublishModel.ok } }
  const publishRoute = { ...documentRoute, parse: [parseDocument, 'application/json' as const, 'multipart/form-data' as const], body: z.union([PublishModel.upload, PublishModel.document]) }

  return new Elysia({ name: 'packr/publish', detail: { tags: ['publish'] } })
    .use(authPlugin(ctx))
    .put('/:name', async ({ params, body, auth, set, clientAddress }) => put(params.name, body, await auth(), set, clientAddress()), {
      ...publishRoute,
      detail: { summary: 'Publish a version (npm JSON with _attachments, or multipart: manifest + tarball), or edit metadata: deprecate, star' },
    })
    .put('/:name/:sub', async ({ params, body, auth, set, clientAddress }) => put(scopedName(params.name, params.sub), body, await auth(), set, clientAddress()), {
      ...publishRoute,
      detail: { summary: 'Publish or edit a scoped package addressed as /@scope/name' },
    })
    .put('/:name/-rev/:rev', async ({ params, body, auth, clientAddress }) => putRevision(params.name, params.rev, body, await auth(), clientAddress()), {
      ...documentRoute,
      detail: { summary: 'Replace the document at a revision: unpublish versions it omits, change maintainers' },
    })
    .put('/:name/:sub/-rev/:rev', async ({ params, body, auth, clientAddress }) => putRevision(scopedName(params.name, params.sub), params.rev, body, await auth(), clientAddress()), {
      ...documentRoute,
      detail: { summary: 'The -rev update for a scoped package addressed as /@scope/name' },
    })
    .delete('/:name/-rev/:rev', async ({ params, auth, clientAddress }) => unpublishPackage(params.name, params.rev, await auth(), clientAddress()), {
      response: { 200: PublishModel.ok },
      detail: { summary: 'Unpublish a whole package' },
    })
    .delete('/:name/:sub/-rev/:rev', async ({ params, auth, clientAddress }) => unpublishPackage(scopedName(params.name, params.sub), params.rev, await auth(), clientAddress()), {
      response: { 200: PublishModel.ok },
      detail: { summary: 'Unpublish a whole scoped package addressed as /@scope/name' },
    })
    .delete('/:name/-/:file/-rev/:rev', async ({ params, auth, clientAddress }) => deleteTarball(params.name, params.file, await auth(), clientAddress()), {
      response: { 200: PublishModel.ok },
      detail: { summary: "Delete an unpublished version's tarball (second step of npm unpublish name@version)" },
    })
    .delete('/:name/:sub/-/:file/-rev/:rev', async ({ params, auth, clientAddress }) => deleteTarball(scopedName(params.name, params.sub), params.file, await auth(), clientAddress()), {
      response: { 200: PublishModel.ok },
      detail: { summary: 'Delete a scoped tarball addressed as /@scope/name/-/name-1.0.0.tgz' },
    })
}
