// `npm dist-tag ls/add/rm`: /-/package/:pkg/dist-tags[/:tag], with the name escaped or raw.
import { Elysia } from 'elysia'
import { authPlugin } from '../auth/plugin.ts'
import { actorOf } from '../audit/service.ts'
import { authorize, type AuthResult } from '../auth/policy.ts'
import type { AppContext } from '../context.ts'
import { readJsonBody } from '../http/body.ts'
import { packageFromPath as packageName } from '../npm/names.ts'
import { DistTagModel } from './model.ts'

const TAG_BODY_LIMIT = 4096

export const distTagsController = (ctx: AppContext) => {
  const parse = ({ request }: { request: Request }) => readJsonBody(request, TAG_BODY_LIMIT)
  const list = (name: string, auth: () => Promise<AuthResult>) => ctx.distTags.list(name, async () => ctx.access.viewerFor((await auth()).identity))
  const add = async (name: string, tag: string, version: string, auth: AuthResult, address: string | null) => {
    const identity = authorize(auth, 'publish', name)
    await ctx.distTags.set(name, tag, version, identity, actorOf(identity, address))
    return { ok: true }
  }
  const remove = async (name: string, tag: string, auth: AuthResult, address: string | null) => {
    const identity = authorize(auth, 'publish', name)
    await ctx.distTags.remove(name, tag, identity, actorOf(identity, address))
    return { ok: true }
  }
  const write = { parse, body: DistTagModel.version, response: { 200: DistTagModel.ok } }

  return new Elysia({ name: 'packr/dist-tags', prefix: '/-/package', detail: { tags: ['dist-tags'] } })
    .use(authPlugin(ctx))
    .get('/:name/dist-tags', ({ params, auth }) => list(packageName(params.name), auth), {
      response: { 200: DistTagModel.tags },
      detail: { summary: 'List dist-tags' },
    })
    .get('/:name/:sub/dist-tags', ({ params, auth }) => list(packageName(params.name, params.sub), auth), {
      response: { 200: DistTagModel.tags },
      detail: { summary: 'List dist-tags of /@scope/name' },
    })
    .put('/:name/dist-tags/:tag', async ({ params, body, auth, clientAddress }) => add(packageName(params.name), params.tag, body, await auth(), clientAddress()), {
      ...write,
      detail: { summary: 'Point a dist-tag at a version' },
    })
    .put('/:name/:sub/dist-tags/:tag', async ({ params, body, auth, clientAddress }) => add(packageName(params.name, params.sub), params.tag, body, await auth(), clientAddress()), {
      ...write,
      detail: { summary: 'Point a dist-tag of /@scope/name at a version' },
    })
    .delete('/:name/dist-tags/:tag', async ({ params, auth, clientAddress }) => remove(packageName(params.name), params.tag, await auth(), clientAddress()), {
      response: { 200: DistTagModel.ok },
      detail: { summary: 'Remove a dist-tag' },
    })
    .delete('/:name/:sub/dist-tags/:tag', async ({ params, auth, clientAddress }) => remove(packageName(params.name, params.sub), params.tag, await auth(), clientAddress()), {
      response: { 200: DistTagModel.ok },
      detail: { summary: 'Remove a dist-tag of /@scope/name' },
    })
}
