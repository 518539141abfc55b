// Login, logout and whoami as npm, pnpm, yarn and bun call them. Login routes never look at the
// Authorization header: npm sends whatever stale token it has along with a login.
import { Elysia } from 'elysia'
import type { AppContext } from '../context.ts'
import { BadRequestError, NotFoundError } from '../errors/index.ts'
import { AuthModel } from './model.ts'
import { authPlugin } from './plugin.ts'
import { authorize } from './policy.ts'

const COUCH_PREFIX = 'org.couchdb.user:'

function couchUsername(couchId: string): string {
  if (!couchId.startsWith(COUCH_PREFIX) || couchId.length === COUCH_PREFIX.length) {
    throw new NotFoundError('NOT_FOUND', 'user documents are addressed as org.couchdb.user:<name>')
  }
  return couchId.slice(COUCH_PREFIX.length)
}

export const authController = (ctx: AppContext) =>
  new Elysia({ name: 'packr/auth-routes', detail: { tags: ['auth'] } })
    .use(authPlugin(ctx))
    .post(
      '/-/v1/login',
      async ({ body, clientAddress, request }) => {
        if (body.name && body.password) {
          const { token, expires } = await ctx.auth.login(body.name, body.password, clientAddress())
          return { token, expires }
        }
        // npm's web login: the person approves in a browser while npm polls the done URL.
        const started = await ctx.logins.start('web', { name: request.headers.get('user-agent') ?? 'npm', address: clientAddress() })
        return {
          loginUrl: `${ctx.urls.base}/cli/auth?code=${started.userCode}`,
          doneUrl: `${ctx.urls.base}/-/v1/login/done/${started.secret}`,
        }
      },
      {
        body: AuthModel.loginBody,
        response: { 200: AuthModel.loginResponse.or(AuthModel.webLoginResponse) },
        detail: { summary: 'Exchange a username and password for a token (CI login), or start npm web login with {}' },
      },
    )
    .get(
      '/-/v1/login/done/:secret',
      async ({ params, set }) => {
        const poll = await ctx.logins.pollWeb(params.secret)
        set.headers['cache-control'] = 'no-store'
        if (poll.status === 'pending') {
          // npm parses the body before it looks at the status, so a pending answer is JSON too.
          set.status = 202
          set.headers['retry-after'] = String(poll.retryAfter)
          return { status: 'pending' }
        }
        return { token: poll.token }
      },
      { detail: { summary: "npm web login's done URL: 202 + Retry-After until approved in the browser, then 200 {token} once" } },
    )
    .put(
      '/-/user/:couchId',
      async ({ params, body, set, clientAddress }) => {
        const username = couchUsername(params.couchId)
        if (body.name !== username) throw new BadRequestError('NAME_MISMATCH', `body name ${JSON.stringify(body.name)} does not match the URL`)
        const result = await ctx.auth.couchLogin(username, body.password, body.email, clientAddress())
        set.status = 201
        return { ok: `you are authenticated as '${result.username}'`, id: `${COUCH_PREFIX}${result.username}`, rev: '1-0', token: result.token }
      },
      {
        body: AuthModel.couchUserBody,
        response: { 201: AuthModel.couchLoginResponse },
        detail: { summary: 'npm couch login (npm login --auth-type=legacy)' },
      },
    )
    .get(
      '/-/user/:couchId',
      async ({ params }) => {
        const username = couchUsername(params.couchId)
        const user = await ctx.users.findByUsername(username)
        if (!user) throw new NotFoundError('USER_NOT_FOUND', `no user named ${username}`)
        return { _id: `${COUCH_PREFIX}${user.username}`, name: user.username, email: user.email ?? undefined, type: 'user', roles: [] }
      },
      { detail: { summary: 'A user document (npm owner add looks users up here)' } },
    )
    .delete(
      '/-/user/token/:token',
      async ({ params, clientAddress }) => {
        await ctx.auth.logout(params.token, clientAddress())
        return { ok: true }
      },
      { detail: { summary: 'Log out: revoke the token in the path' } },
    )
    .get(
      '/-/whoami',
      async ({ auth }) => {
        const identity = authorize(await auth(), 'read')
        return { username: identity.username }
      },
      { response: { 200: AuthModel.whoamiResponse }, detail: { summary: 'The user behind the token' } },
    )
