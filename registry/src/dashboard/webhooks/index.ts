// Webhook pages, with the webhook API's rules: signed-in people manage their own webhooks and those of
// orgs they administer (registry admins: all); anyone else's is answered as missing. The signing
// secret is shown once, on the page that created it.
import { Elysia } from 'elysia'
import { actorOf } from '../../audit/service.ts'
import { authPlugin } from '../../auth/plugin.ts'
import type { AppContext } from '../../context.ts'
import { RegistryError } from '../../errors/index.ts'
import { browserRequest, formPost, type BrowserRequest } from '../../web/browser.ts'
import { htmlResponse, seeOther } from '../../web/layout.ts'
import { WebhookPagesModel } from './model.ts'
import { WebhookPages } from './service.ts'
import { webhookCreatedPage, webhookHref, webhookPage, webhooksPage } from './views.ts'

const NOTICES = {
  deleted: 'The webhook was deleted; nothing more is sent to it.',
  redelivered: 'The delivery was queued again as a new delivery (same event id); it appears below.',
} as const

export const webhookPagesController = (ctx: AppContext) => {
  const pages = new WebhookPages(ctx.webhooks, ctx.access)
  const signedIn = async (browser: BrowserRequest) => ctx.access.signedInViewer(await browser.auth())

  return new Elysia({ name: 'packr/dashboard-webhooks', prefix: '/-/web/webhooks', detail: { tags: ['dashboard'] } })
    .use(authPlugin(ctx))
    .get(
      '',
      async ({ query, cookie, request }) => {
        const browser = browserRequest(ctx, cookie, request)
        const { viewer } = await signedIn(browser)
        const listing = await pages.list(viewer)
        const notice = query.done === 'deleted' ? NOTICES.deleted : undefined
        return htmlResponse(webhooksPage(await browser.chrome(), { ...listing, csrf: browser.csrf(), notice }))
      },
      { query: WebhookPagesModel.pageQuery, detail: { summary: 'Dashboard page: your webhooks and your orgs’ (admins: all), and the create form' } },
    )
    .post(
      '',
      async ({ body, cookie, request, clientAddress }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        const { identity, viewer } = await signedIn(browser)
        try {
          const { webhook, secret } = await pages.create(viewer, body, actorOf(identity, clientAddress()))
          return htmlResponse(webhookCreatedPage(await browser.chrome(), webhook, secret), { status: 201, scripts: true })
        } catch (error) {
          // A refused URL (private address, bad scheme), an org the viewer does not administer: back to the form.
          if (!(error instanceof RegistryError) || error.status === 401) throw error
          const listing = await pages.list(viewer)
          return htmlResponse(webhooksPage(await browser.chrome(), { ...listing, csrf: browser.csrf(), error: error.message, form: body }), { status: error.status })
        }
      },
      { body: WebhookPagesModel.createForm, detail: { summary: 'Dashboard form: create a webhook (URL checked as in the API); the signing secret is shown once' } },
    )
    .get(
      '/:id',
      async ({ params, query, cookie, request }) => {
        const browser = browserRequest(ctx, cookie, request)
        const { viewer } = await signedIn(browser)
        const detail = await pages.detail(viewer, params.id)
        const notice = query.done === 'redelivered' ? NOTICES.redelivered : undefined
        return htmlResponse(webhookPage(await browser.chrome(), { ...detail, csrf: browser.csrf(), notice }))
      },
      { query: WebhookPagesModel.pageQuery, detail: { summary: 'Dashboard page: a webhook and its delivery log (status, response code, attempts, times)' } },
    )
    .post(
      '/:id/delete',
      async ({ params, body, cookie, request, clientAddress }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        const { identity, viewer } = await signedIn(browser)
        await pages.delete(viewer, params.id, actorOf(identity, clientAddress()))
        return seeOther('/-/web/webhooks?done=deleted')
      },
      { body: WebhookPagesModel.actionForm, detail: { summary: 'Dashboard form: delete a webhook and its delivery log' } },
    )
    .post(
      '/:id/deliveries/:deliveryId/redeliver',
      async ({ params, body, cookie, request, clientAddress }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        const { identity, viewer } = await signedIn(browser)
        await pages.redeliver(viewer, params.id, params.deliveryId, actorOf(identity, clientAddress()))
        return seeOther(`${webhookHref(params.id)}?done=redelivered`)
      },
      { body: WebhookPagesModel.actionForm, detail: { summary: 'Dashboard form: send a delivery again, as a new delivery with the same event id' } },
    )
}
