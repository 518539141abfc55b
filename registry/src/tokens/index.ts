// A user's own tokens, managed with a login token (npm login, packr login) or an admin token: npm's
// token API (`npm token list/create/revoke`) and Packr's role-based API used by `packr token`.
import { Elysia } from 'elysia'
import { actorOf } from '../audit/service.ts'
import { authPlugin } from '../auth/plugin.ts'
import { assertCanManageTokens, authorize } from '../auth/policy.ts'
import type { AppContext } from '../context.ts'
import type { UserRow } from '../db/schema.ts'
import { NotFoundError, UnauthorizedError } from '../errors/index.ts'
import type { Identity } from './service.ts'
import { adminTokenView, npmTokenOptions, npmTokenView, roleTokenOptions, tokenKey } from './service.ts'
import { TokenModel } from './model.ts'

const DEFAULT_PAGE_SIZE = 100

export const tokensController = (ctx: AppContext) => {
  /** The caller's account, for a token allowed to manage tokens. */
  async function owner(identity: Identity): Promise<UserRow> {
    assertCanManageTokens(identity)
    const user = await ctx.users.findById(identity.userId)
    if (!user) throw new UnauthorizedError('INVALID_TOKEN', 'token is invalid; log in again')
    return user
  }

  return new Elysia({ name: 'packr/tokens', detail: { tags: ['tokens'] } })
    .use(authPlugin(ctx))
    .get(
      '/-/npm/v1/tokens',
      async ({ auth, query }) => {
        const user = await owner(authorize(await auth(), 'read'))
        const page = query.page ?? 0
        const perPage = query.perPage ?? DEFAULT_PAGE_SIZE
        const { total, items } = await ctx.tokens.list(user.id, { offset: page * perPage, limit: perPage })
        const next = (page + 1) * perPage < total ? `${ctx.urls.base}/-/npm/v1/tokens?page=${page + 1}&perPage=${perPage}` : null
        return { objects: items.map((token) => npmTokenView(token, ctx.tokens.redactedPrefix)), total, urls: { next } }
      },
      { query: TokenModel.npmListQuery, detail: { summary: 'List your tokens (npm token list), paginated with urls.next' } },
    )
    .post(
      '/-/npm/v1/tokens',
      async ({ auth, body, clientAddress }) => {
        const identity = authorize(await auth(), 'read')
        const user = await owner(identity)
        // Accounts that sign in only through a provider have no password to confirm.
        if (user.passwordHash !== null) await ctx.auth.verifyCredentials(user.username, body.password ?? '', clientAddress())
        const options = npmTokenOptions(body, user, actorOf(identity, clientAddress()))
        await ctx.access.assertMayIssueToken(identity, options.role, options.scopes ?? [])
        const { token, record } = await ctx.tokens.issue(options)
        return { ...npmTokenView({ ...record }, ctx.tokens.redactedPrefix), token }
      },
      { body: TokenModel.npmCreateBody, detail: { summary: 'Create a token (npm token create): old and granular bodies' } },
    )
    .delete(
      '/-/npm/v1/tokens/token/:key',
      async ({ auth, params, set, clientAddress }) => {
        const identity = authorize(await auth(), 'read')
        const user = await owner(identity)
        // npm sends the key, or the raw token when the argument matched a token prefix.
        const row = (await ctx.tokens.findByKey(params.key)) ?? (await ctx.tokens.findByKey(tokenKey(params.key)))
        if (!row || row.userId !== user.id || row.revokedAt !== null) throw new NotFoundError('TOKEN_NOT_FOUND', 'no such token')
        await ctx.tokens.revoke(row.id, actorOf(identity, clientAddress()))
        set.status = 204
      },
      { detail: { summary: 'Revoke a token by key or raw token (npm token revoke)' } },
    )
    .post(
      '/api/v1/tokens',
      async ({ auth, body, set, clientAddress }) => {
        const identity = authorize(await auth(), 'read')
        const user = await owner(identity)
        await ctx.access.assertMayIssueToken(identity, body.role, body.scopes ?? [])
        const { token, record } = await ctx.tokens.issue(roleTokenOptions(body, user, actorOf(identity, clientAddress())))
        set.status = 201
        return { ...adminTokenView({ ...record, username: user.username }), token }
      },
      { body: TokenModel.roleCreateBody, detail: { summary: 'Create one of your own tokens with a preset role (packr token create); the secret is shown once' } },
    )
    .get(
      '/api/v1/tokens',
      async ({ auth, query }) => {
        const user = await owner(authorize(await auth(), 'read'))
        const { total, items } = await ctx.tokens.list(user.id, { offset: query.offset ?? 0, limit: query.limit ?? DEFAULT_PAGE_SIZE })
        return { total, tokens: items.map(adminTokenView) }
      },
      { query: TokenModel.listQuery, detail: { summary: 'List your live tokens (packr token list)' } },
    )
    .delete(
      '/api/v1/tokens/:id',
      async ({ auth, params, set, clientAddress }) => {
        const identity = authorize(await auth(), 'read')
        const user = await owner(identity)
        const row = await ctx.tokens.findById(params.id)
        if (!row || row.userId !== user.id || row.revokedAt !== null) throw new NotFoundError('TOKEN_NOT_FOUND', `no live token with id ${params.id}`)
        await ctx.tokens.revoke(row.id, actorOf(identity, clientAddress()))
        set.status = 204
      },
      { detail: { summary: 'Revoke one of your tokens (packr token revoke)' } },
    )
}
