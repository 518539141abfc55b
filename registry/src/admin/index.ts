// The admin API behind the dashboard: tokens (create, list, revoke, rotate), users, and browser
// sessions. Every route but sign-in needs the admin permission, from a bearer token or, when no
// Authorization header is sent, from the `packr_session` cookie.
import { Elysia } from 'elysia'
import { actorOf } from '../audit/service.ts'
import { authPlugin } from '../auth/plugin.ts'
import type { AppContext } from '../context.ts'
import { ConflictError, NotFoundError } from '../errors/index.ts'
import { clearedCookie, SESSION_COOKIE, sessionCookie } from '../sessions/service.ts'
import { AdminTokenBody } from '../tokens/model.ts'
import { adminTokenView, roleTokenOptions } from '../tokens/service.ts'
import { SigningModel } from '../signing/model.ts'
import { AdminModel } from './model.ts'

const DEFAULT_PAGE_SIZE = 100

export const adminController = (ctx: AppContext) => {
  return new Elysia({ name: 'packr/admin', prefix: '/api/v1/admin', detail: { tags: ['admin'] } })
    .use(authPlugin(ctx))
    .post(
      '/sessions',
      async ({ body, cookie, clientAddress, set }) => {
        const user = await ctx.auth.verifyCredentials(body.username, body.password, clientAddress(), 'Bearer')
        const session = await ctx.sessions.create(user)
        cookie[SESSION_COOKIE]!.set(sessionCookie(ctx.config.publicUrl, session.cookie, session.expiresAt))
        set.status = 201
        return { username: user.username, role: user.role, expiresAt: new Date(session.expiresAt).toISOString() }
      },
      { body: AdminModel.sessionBody, response: { 201: AdminModel.session }, detail: { summary: 'Sign in to the dashboard: sets the packr_session cookie' } },
    )
    .delete(
      '/sessions',
      async ({ cookie, set }) => {
        await ctx.sessions.destroy(cookie[SESSION_COOKIE]?.value as string | undefined)
        cookie[SESSION_COOKIE]!.set(clearedCookie('/'))
        set.status = 204
      },
      { detail: { summary: 'Sign out: ends the session named by the cookie' } },
    )
    .post(
      '/tokens',
      async ({ admin, body, set, clientAddress }) => {
        const caller = await admin()
        const owner = await ctx.users.findByUsername(body.username ?? caller.username)
        if (!owner) throw new NotFoundError('USER_NOT_FOUND', `no user named ${body.username}`)
        const { token, record } = await ctx.tokens.issue(roleTokenOptions(body, owner, actorOf(caller, clientAddress())))
        set.status = 201
        return { ...adminTokenView({ ...record, username: owner.username }), token }
      },
      { body: AdminTokenBody, detail: { summary: 'Create a token with a preset role; the secret is shown only in this response' } },
    )
    .get(
      '/tokens',
      async ({ admin, query }) => {
        await admin()
        const owner = query.username === undefined ? undefined : await ctx.users.findByUsername(query.username)
        if (query.username !== undefined && !owner) throw new NotFoundError('USER_NOT_FOUND', `no user named ${query.username}`)
        const { total, items } = await ctx.tokens.list(owner?.id, { offset: query.offset ?? 0, limit: query.limit ?? DEFAULT_PAGE_SIZE })
        return { total, tokens: items.map(adminTokenView) }
      },
      { query: AdminModel.tokenListQuery, detail: { summary: 'List live tokens (all users, or ?username=)' } },
    )
    .delete(
      '/tokens/:id',
      async ({ admin, params, set, clientAddress }) => {
        const caller = await admin()
        if (!(await ctx.tokens.revoke(params.id, actorOf(caller, clientAddress())))) throw new NotFoundError('TOKEN_NOT_FOUND', `no live token with id ${params.id}`)
        set.status = 204
      },
      { detail: { summary: 'Revoke a token; refused from the very next request' } },
    )
    .post(
      '/tokens/:id/rotate',
      async ({ admin, params, clientAddress }) => {
        const caller = await admin()
        const { token, record } = await ctx.tokens.rotate(params.id, actorOf(caller, clientAddress()))
        const owner = await ctx.users.findById(record.userId)
        return { ...adminTokenView({ ...record, username: owner?.username ?? '' }), token }
      },
      { detail: { summary: 'Replace a token secret: same rights and expiry, the old secret dies at once' } },
    )
    .get(
      '/users',
      async ({ admin }) => {
        await admin()
        const users = await ctx.users.list()
        return { users: users.map((user) => ({ id: user.id, username: user.username, email: user.email, role: user.role, createdAt: new Date(user.createdAt).toISOString() })) }
      },
      { detail: { summary: 'List users' } },
    )
    .delete(
      '/users/:username',
      async ({ admin, params, set, clientAddress }) => {
        const caller = await admin()
        const user = await ctx.users.findByUsername(params.username)
        if (!user) throw new NotFoundError('USER_NOT_FOUND', `no user named ${params.username}`)
        if (user.id === caller.userId) throw new ConflictError('CANNOT_DELETE_SELF', 'an admin cannot delete their own account')
        await ctx.users.delete(user.id, actorOf(caller, clientAddress()))
        set.status = 204
      },
      { detail: { summary: 'Delete a user: their tokens and sessions stop working at once' } },
    )
    .post(
      '/signing-keys/rotate',
      async ({ admin, set, clientAddress }) => {
        const caller = await admin()
        set.status = 201
        return ctx.signing.rotate(actorOf(caller, clientAddress()))
      },
      { response: { 201: SigningModel.key }, detail: { summary: 'Rotate the signing key; the old key expires now and keeps verifying older versions' } },
    )
}
