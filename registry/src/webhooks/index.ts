// `/api/v1/admin/webhooks`: a user's own webhooks and their orgs', with their delivery log.
import { Elysia } from 'elysia'
import { actorOf } from '../audit/service.ts'
import { authPlugin } from '../auth/plugin.ts'
import { assertPersonal, type AuthResult } from '../auth/policy.ts'
import type { AppContext } from '../context.ts'
import { WebhookModel } from './model.ts'
import { deliveryView } from './service.ts'

export const webhooksController = (ctx: AppContext) => {
  const personal = async (result: AuthResult) => {
    const signedIn = await ctx.access.signedInViewer(result)
    assertPersonal(signedIn.identity, 'manage webhooks')
    return signedIn
  }
  return new Elysia({ name: 'packr/webhooks', prefix: '/api/v1/admin/webhooks', detail: { tags: ['webhooks'] } })
    .use(authPlugin(ctx))
    .post(
      '',
      async ({ caller, body, set, clientAddress }) => {
        const { identity, viewer } = await personal(await caller())
        const { webhook, secret } = await ctx.webhooks.create(viewer, body, actorOf(identity, clientAddress()))
        set.status = 201
        return { ...webhook, secret }
      },
      { body: WebhookModel.create, detail: { summary: 'Create a webhook (yours, or an org’s); the signing secret is shown only here' } },
    )
    .get(
      '',
      async ({ caller, query }) => {
        const { viewer } = await personal(await caller())
        return { webhooks: await ctx.webhooks.list(viewer, query.org) }
      },
      { query: WebhookModel.listQuery, detail: { summary: 'Your webhooks and those of orgs you administer (?org= for one org)' } },
    )
    .get(
      '/:id',
      async ({ caller, params }) => {
        const { viewer } = await personal(await caller())
        return ctx.webhooks.get(viewer, params.id)
      },
      { detail: { summary: 'One webhook' } },
    )
    .patch(
      '/:id',
      async ({ caller, params, body, clientAddress }) => {
        const { identity, viewer } = await personal(await caller())
        return ctx.webhooks.update(viewer, params.id, body, actorOf(identity, clientAddress()))
      },
      { body: WebhookModel.update, detail: { summary: 'Change a webhook’s URL, events, or pause it (active: false)' } },
    )
    .delete(
      '/:id',
      async ({ caller, params, set, clientAddress }) => {
        const { identity, viewer } = await personal(await caller())
        await ctx.webhooks.delete(viewer, params.id, actorOf(identity, clientAddress()))
        set.status = 204
      },
      { detail: { summary: 'Delete a webhook and its delivery log' } },
    )
    .get(
      '/:id/deliveries',
      async ({ caller, params, query }) => {
        const { viewer } = await personal(await caller())
        return { deliveries: (await ctx.webhooks.deliveries(viewer, params.id, query.limit)).map(deliveryView) }
      },
      { query: WebhookModel.deliveriesQuery, detail: { summary: 'A webhook’s deliveries, newest first: status, attempts, the last answer' } },
    )
    .post(
      '/:id/deliveries/:deliveryId/redeliver',
      async ({ caller, params, set, clientAddress }) => {
        const { identity, viewer } = await personal(await caller())
        set.status = 202
        return deliveryView(await ctx.webhooks.redeliver(viewer, params.id, params.deliveryId, actorOf(identity, clientAddress())))
      },
      { detail: { summary: 'Send a delivery’s payload again, as a new delivery with the same event id' } },
    )
}
