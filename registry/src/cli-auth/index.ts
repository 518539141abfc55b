// The browser step behind `packr login` (device flow) and `npm login` (web login): enter or confirm
// the code, sign in (password or identity provider), see which client asked, approve or deny. Plain
// HTML forms in the dashboard's layout, no scripts, the dashboard's CSRF protection, a strict
// Content-Security-Policy. Browsers get HTML error pages (web/errors.ts); other clients JSON errors.
import { Elysia } from 'elysia'
import { authPlugin } from '../auth/plugin.ts'
import type { AppContext } from '../context.ts'
import { RegistryError, UnauthorizedError } from '../errors/index.ts'
import { browserRequest, formPost, wantsHtml, type BrowserRequest } from '../web/browser.ts'
import { htmlResponse, seeOther } from '../web/layout.ts'
import { CliAuthModel } from './model.ts'
import { approvePage, decidedPage, enterCodePage, signInPage } from './views.ts'

export const cliAuthController = (ctx: AppContext) => {
  /** The page for a code: sign-in when nobody is signed in, approval otherwise. */
  async function codePage(browser: BrowserRequest, code: string, address: string | null, error?: string): Promise<Response> {
    await ctx.authLimiter.assertAllowed(address)
    let pending
    try {
      pending = await ctx.logins.pendingByUserCode(code)
    } catch (failure) {
      if (!(failure instanceof RegistryError)) throw failure
      // Guessing codes counts as failed authentication.
      await ctx.authLimiter.recordFailure(address)
      if (!wantsHtml(browser.request)) throw failure
      return htmlResponse(enterCodePage(await browser.chrome(), { error: failure.message, code }), { status: failure.status })
    }
    const csrf = browser.csrf()
    const identity = await browser.viewer()
    const chrome = await browser.chrome()
    return htmlResponse(identity ? approvePage(chrome, pending, identity.username, csrf) : signInPage(chrome, { request: pending, providers: ctx.oauth.providers, csrf, error }))
  }

  return new Elysia({ name: 'packr/cli-auth', prefix: '/cli/auth', detail: { tags: ['auth'] } })
    .use(authPlugin(ctx))
    .get(
      '',
      async ({ query, cookie, request, clientAddress }) => {
        const browser = browserRequest(ctx, cookie, request)
        return query.code ? codePage(browser, query.code, clientAddress()) : htmlResponse(enterCodePage(await browser.chrome()))
      },
      { query: CliAuthModel.pageQuery, detail: { summary: 'Browser page: enter or confirm a login code, sign in, approve or deny' } },
    )
    .post(
      '/login',
      async ({ body, cookie, request, clientAddress }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        try {
          const user = await ctx.auth.verifyCredentials(body.username, body.password, clientAddress(), 'Bearer')
          await browser.startSession(user.id)
        } catch (error) {
          if (error instanceof UnauthorizedError) return codePage(browser, body.code, clientAddress(), error.message)
          throw error
        }
        return seeOther(`/cli/auth?code=${encodeURIComponent(body.code)}`)
      },
      { body: CliAuthModel.passwordForm, detail: { summary: 'Browser page: sign in with a Packr password' } },
    )
    .post(
      '/decision',
      async ({ body, cookie, request }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        const identity = await browser.viewer()
        const user = identity ? await ctx.users.findById(identity.userId) : undefined
        if (!user) throw new UnauthorizedError('SIGN_IN_REQUIRED', 'sign in before approving a login')
        const approve = body.decision === 'approve'
        await ctx.logins.decide(body.code, user, approve)
        ctx.log.info(approve ? 'terminal login approved' : 'terminal login denied', { username: user.username })
        return htmlResponse(decidedPage(await browser.chrome(), approve))
      },
      { body: CliAuthModel.decisionForm, detail: { summary: 'Browser page: approve or deny a login code' } },
    )
    .post(
      '/logout',
      async ({ body, cookie, request }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        await browser.endSession()
        return seeOther(body.code ? `/cli/auth?code=${encodeURIComponent(body.code)}` : '/cli/auth')
      },
      { body: CliAuthModel.logoutForm, detail: { summary: 'Browser page: sign out' } },
    )
    .get(
      '/signin/:provider',
      async ({ params, query, cookie, request }) => {
        await ctx.logins.pendingByUserCode(query.code)
        return browserRequest(ctx, cookie, request).beginProviderSignIn(params.provider, `/cli/auth?code=${encodeURIComponent(query.code)}`)
      },
      { query: CliAuthModel.signInQuery, detail: { summary: 'Browser page: go to the identity provider (PKCE, state, nonce)' } },
    )
    .get('/callback/:provider', async ({ params, cookie, request }) => seeOther(await browserRequest(ctx, cookie, request).completeProviderSignIn(params.provider)), {
      query: CliAuthModel.callbackQuery,
      detail: { summary: 'Browser page: return from an identity provider (the dashboard and the approval page)' },
    })
}
