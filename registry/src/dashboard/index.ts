// The dashboard: server-rendered pages for browsers, under /-/web/ (a path no package name can take)
// plus the start page at /. This controller holds the start page and signing in and out; each
// section is a feature folder beside it with its own controller, added here and in web/nav.ts.
import { Elysia } from 'elysia'
import { authPlugin } from '../auth/plugin.ts'
import type { AppContext } from '../context.ts'
import { NotFoundError, UnauthorizedError } from '../errors/index.ts'
import { browserRequest, formPost } from '../web/browser.ts'
import { htmlResponse, seeOther } from '../web/layout.ts'
import { orgFromHost } from '../web/org-host.ts'
import { auditPagesController } from './audit/index.ts'
import { DashboardModel } from './model.ts'
import { orgPagesController } from './orgs/index.ts'
import { OrgPages } from './orgs/service.ts'
import { orgPublicPage } from './orgs/views.ts'
import { packagePagesController } from './packages/index.ts'
import { PackagePages } from './packages/service.ts'
import { tokenPagesController } from './tokens/index.ts'
import { usagePagesController } from './usage/index.ts'
import { landingPage, signInPage } from './views.ts'
import { webhookPagesController } from './webhooks/index.ts'

const HIGHLIGHTS = 10

export const dashboardController = (ctx: AppContext) => {
  const packages = new PackagePages(ctx.catalog, ctx.search, ctx.packuments, ctx.analyses, ctx.readmes)
  const orgs = new OrgPages(ctx.orgs, ctx.access)
  return new Elysia({ name: 'packr/dashboard', detail: { tags: ['dashboard'] } })
    .use(authPlugin(ctx))
    .get(
      '/',
      async ({ cookie, request }) => {
        const browser = browserRequest(ctx, cookie, request)
        const chrome = await browser.chrome()
        // On an org's vanity host the start page is the org's page (an unknown org: the 404 page).
        const vanityOrg = orgFromHost(request, ctx.config.orgBaseDomain, ctx.config.trustProxyHops)
        if (vanityOrg !== null) return htmlResponse(orgPublicPage(chrome, await orgs.publicPage(await browser.access(), vanityOrg)))
        return htmlResponse(landingPage(chrome, packages.highlights(await browser.access(), HIGHLIGHTS), ctx.urls.base), { scripts: true })
      },
      { detail: { summary: "Dashboard start page: search, most downloaded and recent packages, set-up (on <org>.ORG_BASE_DOMAIN: that org's page)" } },
    )
    .get(
      '/-/web/sign-in',
      async ({ query, cookie, request }) => {
        const browser = browserRequest(ctx, cookie, request)
        const next = browser.localPath(query.next, '/')
        if (await browser.viewer()) return seeOther(next)
        return htmlResponse(signInPage(await browser.chrome(), { providers: ctx.oauth.providers, csrf: browser.csrf(), next }))
      },
      { query: DashboardModel.signInQuery, detail: { summary: 'Dashboard page: sign in with a password or an identity provider' } },
    )
    .post(
      '/-/web/sign-in',
      async ({ body, cookie, request, clientAddress }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        const next = browser.localPath(body.next, '/')
        try {
          const user = await ctx.auth.verifyCredentials(body.username, body.password, clientAddress(), 'Bearer')
          await browser.startSession(user.id)
        } catch (error) {
          if (!(error instanceof UnauthorizedError)) throw error
          const page = signInPage(await browser.chrome(), { providers: ctx.oauth.providers, csrf: browser.csrf(), next, error: error.message })
          const response = htmlResponse(page, { status: 401 })
          for (const [name, value] of Object.entries(error.headers)) response.headers.set(name, value)
          return response
        }
        return seeOther(next)
      },
      { body: DashboardModel.passwordForm, detail: { summary: 'Dashboard form: sign in with a Packr password (sets packr_session)' } },
    )
    .get(
      '/-/web/sign-in/:provider',
      ({ params, query, cookie, request }) => {
        const browser = browserRequest(ctx, cookie, request)
        return browser.beginProviderSignIn(params.provider, browser.localPath(query.next, '/'))
      },
      { query: DashboardModel.signInQuery, detail: { summary: 'Dashboard: sign in through an identity provider (PKCE, state, nonce)' } },
    )
    .post(
      '/-/web/sign-out',
      async ({ body, cookie, request }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        await browser.endSession()
        return seeOther('/')
      },
      { body: DashboardModel.signOutForm, detail: { summary: 'Dashboard form: sign out (ends the session)' } },
    )
    .use(packagePagesController(ctx))
    .use(tokenPagesController(ctx))
    .use(usagePagesController(ctx))
    .use(orgPagesController(ctx))
    .use(webhookPagesController(ctx))
    .use(auditPagesController(ctx))
    .get(
      '/-/web/*',
      ({ request }) => {
        throw new NotFoundError('PAGE_NOT_FOUND', `there is no page at ${new URL(request.url).pathname}`)
      },
      { detail: { summary: 'Dashboard: any other path under /-/web/ is a 404 page' } },
    )
}
