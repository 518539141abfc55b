// Entitlements (`/api/entitlements/*`, `/api/packages/my-entitlements`) and the routes `npm access`
// calls: visibility, collaborators, package lists, team grants.
import { Elysia } from 'elysia'
import { actorOf } from '../audit/service.ts'
import { authPlugin } from '../auth/plugin.ts'
import { authorize, type AuthResult } from '../auth/policy.ts'
import type { AppContext } from '../context.ts'
import { BadRequestError } from '../errors/index.ts'
import { readJsonBody } from '../http/body.ts'
import { packageFromPath as packageName } from '../npm/names.ts'
import { parseTeamPermission } from '../orgs/service.ts'
import { AccessModel } from './model.ts'

const BODY_LIMIT = 16 * 1024

export const accessController = (ctx: AppContext) => {
  const parse = ({ request }: { request: Request }) => readJsonBody(request, BODY_LIMIT)
  const viewerOf = (result: AuthResult) => ctx.access.signedInViewer(result)

  const visibility = async (name: string, auth: AuthResult) => {
    const row = await ctx.access.readablePackage(await ctx.access.viewerFor(auth.identity), name)
    return { public: row.access === 'public' }
  }
  const collaborators = async (name: string, auth: AuthResult) => ctx.access.collaborators(await ctx.access.viewerFor(auth.identity), name)
  const setAccess = async (name: string, body: { access?: 'public' | 'restricted' | undefined }, auth: AuthResult, address: string | null) => {
    const identity = authorize(auth, 'publish', name)
    const viewer = await ctx.access.viewerFor(identity)
    if (!body.access) {
      await ctx.access.readablePackage(viewer, name)
      throw new BadRequestError('MFA_NOT_SUPPORTED', 'this registry has no two-factor authentication; only npm access set status=public|private is supported')
    }
    await ctx.access.setVisibility(viewer, name, body.access, actorOf(identity, address))
    return { ok: true }
  }

  return (
    new Elysia({ name: 'packr/access', detail: { tags: ['access'] } })
      .use(authPlugin(ctx))
      .post(
        '/api/entitlements/grant',
        async ({ caller, body, set, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await caller())
          const granted = await ctx.access.grant(viewer, body.user, body.package, actorOf(identity, clientAddress()))
          set.status = 201
          return { ...granted, createdAt: new Date(granted.createdAt).toISOString() }
        },
        { body: AccessModel.entitlement, response: { 201: AccessModel.entitlementView }, detail: { summary: 'Let a user read a restricted package (those who may write it)' } },
      )
      .delete(
        '/api/entitlements/revoke',
        async ({ caller, body, set, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await caller())
          await ctx.access.revoke(viewer, body.user, body.package, actorOf(identity, clientAddress()))
          set.status = 204
        },
        { parse, body: AccessModel.entitlement, detail: { summary: "Withdraw a user's entitlement; applies to their next request" } },
      )
      .get(
        '/api/packages/my-entitlements',
        async ({ caller }) => {
          const { viewer } = await viewerOf(await caller())
          return { entitlements: await ctx.access.entitlementsOf(viewer) }
        },
        { response: { 200: AccessModel.myEntitlements }, detail: { summary: 'The restricted packages you may read, and why' } },
      )
      .get('/-/package/:name/visibility', async ({ params, auth }) => visibility(packageName(params.name), await auth()), {
        response: { 200: AccessModel.visibility },
        detail: { summary: 'npm access get status: {public: true|false}' },
      })
      .get('/-/package/:name/:sub/visibility', async ({ params, auth }) => visibility(packageName(params.name, params.sub), await auth()), {
        response: { 200: AccessModel.visibility },
        detail: { summary: 'npm access get status of /@scope/name' },
      })
      .post('/-/package/:name/access', async ({ params, body, auth, clientAddress }) => setAccess(packageName(params.name), body, await auth(), clientAddress()), {
        parse,
        body: AccessModel.npmAccess,
        detail: { summary: 'npm access set status=public|private (those who may write the package)' },
      })
      .post('/-/package/:name/:sub/access', async ({ params, body, auth, clientAddress }) => setAccess(packageName(params.name, params.sub), body, await auth(), clientAddress()), {
        parse,
        body: AccessModel.npmAccess,
        detail: { summary: 'npm access set status of /@scope/name' },
      })
      .get('/-/package/:name/collaborators', async ({ params, auth }) => collaborators(packageName(params.name), await auth()), {
        detail: { summary: 'npm access list collaborators: {user: read|write}' },
      })
      .get('/-/package/:name/:sub/collaborators', async ({ params, auth }) => collaborators(packageName(params.name, params.sub), await auth()), {
        detail: { summary: 'npm access list collaborators of /@scope/name' },
      })
      .get(
        '/-/org/:org/package',
        async ({ params, auth }) => {
          const { viewer } = await viewerOf(await auth())
          return ctx.access.packagesOfOrg(viewer, await ctx.orgs.find(params.org))
        },
        { detail: { summary: "npm access list packages <org>: the org's packages you may see, with your level" } },
      )
      .get(
        '/-/user/:couchId/package',
        async ({ params, auth }) => {
          const { viewer } = await viewerOf(await auth())
          return ctx.access.packagesOfUser(viewer, params.couchId)
        },
        { detail: { summary: "npm access list packages <user>: that user's packages you may see, with their level" } },
      )
      .get(
        '/-/team/:org/:team/package',
        async ({ params, auth }) => {
          const { viewer } = await viewerOf(await auth())
          return ctx.orgs.teamPackages(viewer, params.org, params.team)
        },
        { detail: { summary: "npm access list packages <org:team>: the team's packages" } },
      )
      .put(
        '/-/team/:org/:team/package',
        async ({ params, body, auth, set, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await auth())
          if (!body.permissions) throw new BadRequestError('INVALID_PERMISSION', 'permissions must be read-only or read-write')
          await ctx.orgs.grantTeam(viewer, params.org, params.team, body.package, parseTeamPermission(body.permissions), actorOf(identity, clientAddress()))
          set.status = 201
          return {}
        },
        { parse, body: AccessModel.teamPackage, detail: { summary: "npm access grant: a team's members may read (read-only) or also write (read-write) a package of the org" } },
      )
      .delete(
        '/-/team/:org/:team/package',
        async ({ params, body, auth, set, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await auth())
          await ctx.orgs.revokeTeam(viewer, params.org, params.team, body.package, actorOf(identity, clientAddress()))
          set.status = 204
        },
        { parse, body: AccessModel.teamPackage, detail: { summary: "npm access revoke: withdraw a team's access to a package" } },
      )
  )
}
