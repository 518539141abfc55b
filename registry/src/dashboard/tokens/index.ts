// Token pages: signed-in people manage their own tokens, admins everyone's. Every form carries the
// CSRF token; a new or rotated secret is shown once, on a page that is never cached.
import { Elysia } from 'elysia'
import { authPlugin } from '../../auth/plugin.ts'
import { authorize, isAdmin } from '../../auth/policy.ts'
import type { AppContext } from '../../context.ts'
import { RegistryError } from '../../errors/index.ts'
import { browserRequest, formPost } from '../../web/browser.ts'
import { htmlResponse, seeOther } from '../../web/layout.ts'
import { TokenPagesModel } from './model.ts'
import { TokenPages } from './service.ts'
import { secretPage, tokensPage } from './views.ts'

export const tokenPagesController = (ctx: AppContext) => {
  const tokens = new TokenPages(ctx.tokens, ctx.users)
  return new Elysia({ name: 'packr/dashboard-tokens', prefix: '/-/web/tokens', detail: { tags: ['dashboard'] } })
    .use(authPlugin(ctx))
    .get(
      '',
      async ({ query, cookie, request }) => {
        const browser = browserRequest(ctx, cookie, request)
        const viewer = authorize(await browser.auth(), 'read')
        const page = query.page ?? 1
        const listing = await tokens.list(viewer, query.user, page)
        const notice = query.done === 'revoked' ? 'The token was revoked: it is refused from now on.' : undefined
        return htmlResponse(tokensPage(await browser.chrome(), { listing, page, admin: isAdmin(viewer), csrf: browser.csrf(), notice }))
      },
      { query: TokenPagesModel.listQuery, detail: { summary: 'Dashboard page: your tokens (admins: everyone’s) with last use, and the create form' } },
    )
    .post(
      '',
      async ({ body, cookie, request, clientAddress }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        const viewer = authorize(await browser.auth(), 'read')
        try {
          const created = await tokens.create(viewer, body, clientAddress())
          const page = secretPage(await browser.chrome(), { title: 'Token created', record: created.record, owner: created.owner, token: created.token, registryUrl: ctx.urls.base })
          return htmlResponse(page, { status: 201, scripts: true })
        } catch (error) {
          // A refused request (bad scope, role above the owner's rights, ...) comes back to the form with its values.
          if (!(error instanceof RegistryError) || error.status === 401) throw error
          const listing = await tokens.list(viewer, undefined, 1)
          const page = tokensPage(await browser.chrome(), { listing, page: 1, admin: isAdmin(viewer), csrf: browser.csrf(), error: error.message, form: body })
          return htmlResponse(page, { status: error.status })
        }
      },
      { body: TokenPagesModel.createForm, detail: { summary: 'Dashboard form: create a token (role, scopes, packages, expiry, CIDR); the secret is shown once' } },
    )
    .post(
      '/:id/revoke',
      async ({ params, body, cookie, request }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        await tokens.revoke(authorize(await browser.auth(), 'read'), params.id)
        return seeOther('/-/web/tokens?done=revoked')
      },
      { body: TokenPagesModel.actionForm, detail: { summary: 'Dashboard form: revoke a token; refused from the next request' } },
    )
    .post(
      '/:id/rotate',
      async ({ params, body, cookie, request }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        const rotated = await tokens.rotate(authorize(await browser.auth(), 'read'), params.id)
        const page = secretPage(await browser.chrome(), { title: 'Token rotated', record: rotated.record, owner: rotated.owner, token: rotated.token, registryUrl: ctx.urls.base })
        return htmlResponse(page, { scripts: true })
      },
      { body: TokenPagesModel.actionForm, detail: { summary: 'Dashboard form: rotate a token (same rights and expiry; the old secret dies at once)' } },
    )
}
