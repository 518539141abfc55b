// Organizations: the admin API behind the dashboard (`/api/v1/admin/orgs`, a user's own orgs), the
// public org and profile pages, and the routes `npm org` and `npm team` call.
import { Elysia } from 'elysia'
import { actorOf } from '../audit/service.ts'
import { authPlugin } from '../auth/plugin.ts'
import { assertPersonal, type AuthResult } from '../auth/policy.ts'
import type { AppContext } from '../context.ts'
import { readJsonBody } from '../http/body.ts'
import { OrgModel } from './model.ts'
import { parseOrgRole } from './service.ts'

const BODY_LIMIT = 16 * 1024

export const orgsController = (ctx: AppContext) => {
  const parse = ({ request }: { request: Request }) => readJsonBody(request, BODY_LIMIT)
  /** The signed-in caller (token or session) as a viewer. */
  const viewerOf = (result: AuthResult) => ctx.access.signedInViewer(result)
  /** Public pages: anyone, a valid caller sees more. */
  const anyViewer = async (result: AuthResult) => ctx.access.viewerFor(result.identity)

  return (
    new Elysia({ name: 'packr/orgs', detail: { tags: ['orgs'] } })
      .use(authPlugin(ctx))
      .get(
        '/api/v1/admin/orgs',
        async ({ admin }) => {
          await admin()
          return { orgs: await ctx.orgs.list() }
        },
        { detail: { summary: 'List every org (registry admins)' } },
      )
      .post(
        '/api/v1/admin/orgs',
        async ({ caller, body, set, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await caller())
          assertPersonal(identity, 'create orgs')
          set.status = 201
          return ctx.orgs.create(viewer, body, actorOf(identity, clientAddress()))
        },
        { body: OrgModel.create, response: { 201: OrgModel.summary }, detail: { summary: 'Create an org (owning the scope @slug); its creator becomes its admin' } },
      )
      .patch(
        '/api/v1/admin/orgs/:slug',
        async ({ caller, params, body, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await caller())
          return ctx.orgs.update(viewer, params.slug, body, actorOf(identity, clientAddress()))
        },
        { body: OrgModel.update, response: { 200: OrgModel.summary }, detail: { summary: "Rename an org, or restrict (or open) its whole scope: defaultAccess applies to every package there" } },
      )
      .get(
        '/api/v1/admin/orgs/:slug/members',
        async ({ caller, params }) => {
          const { viewer } = await viewerOf(await caller())
          return { members: await ctx.orgs.members(viewer, params.slug) }
        },
        { detail: { summary: "An org's members and their roles (members and registry admins)" } },
      )
      .post(
        '/api/v1/admin/orgs/:slug/members',
        async ({ caller, params, body, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await caller())
          const result = await ctx.orgs.setMember(viewer, params.slug, body.username, parseOrgRole(body.role), actorOf(identity, clientAddress()))
          return { org: result.org.slug, username: result.username, role: result.role, members: result.size }
        },
        { body: OrgModel.member, detail: { summary: "Add a member to an org or change their role (org admins)" } },
      )
      .delete(
        '/api/v1/admin/orgs/:slug/members',
        async ({ caller, params, body, set, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await caller())
          await ctx.orgs.removeMember(viewer, params.slug, body.username, actorOf(identity, clientAddress()))
          set.status = 204
        },
        { parse, body: OrgModel.memberRemoval, detail: { summary: 'Remove a member ({username} in the body); the last admin cannot go' } },
      )
      .get(
        '/api/v1/admin/users/me/orgs',
        async ({ caller }) => {
          const { identity } = await viewerOf(await caller())
          return { orgs: await ctx.orgs.orgsOf(identity.userId) }
        },
        { detail: { summary: 'The orgs you belong to, with your role' } },
      )
      .get('/api/v1/orgs/:slug/packages', async ({ caller, params }) => ctx.orgs.packagesOf(await anyViewer(await caller()), params.slug), {
        detail: { summary: "An org's packages (restricted ones only for those entitled)" },
      })
      .get('/api/v1/users/:username/profile', async ({ caller, params }) => ctx.orgs.profile(await anyViewer(await caller()), params.username), {
        detail: { summary: "A user's public profile: orgs and the packages they maintain" },
      })
      // npm org (libnpmorg)
      .put(
        '/-/org/:org/user',
        async ({ auth, params, body, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await auth())
          const result = await ctx.orgs.setMember(viewer, params.org, body.user, parseOrgRole(body.role), actorOf(identity, clientAddress()))
          return { org: { name: result.org.slug, size: result.size }, user: result.username, role: result.role }
        },
        { parse, body: OrgModel.npmOrgUser, detail: { summary: 'npm org set: add a member or change their role (owner/admin → admin, developer → maintainer)' } },
      )
      .delete(
        '/-/org/:org/user',
        async ({ auth, params, body, set, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await auth())
          await ctx.orgs.removeMember(viewer, params.org, body.user, actorOf(identity, clientAddress()))
          set.status = 204
        },
        { parse, body: OrgModel.npmUser, detail: { summary: 'npm org rm: remove a member' } },
      )
      .get(
        '/-/org/:org/user',
        async ({ auth, params }) => {
          const { viewer } = await viewerOf(await auth())
          return Object.fromEntries((await ctx.orgs.members(viewer, params.org)).map((member) => [member.username, member.role]))
        },
        { detail: { summary: 'npm org ls: {user: role}' } },
      )
      // npm team (libnpmteam)
      .put(
        '/-/org/:org/team',
        async ({ auth, params, body, set, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await auth())
          set.status = 201
          return ctx.orgs.createTeam(viewer, params.org, body.name, body.description ?? null, actorOf(identity, clientAddress()))
        },
        { parse, body: OrgModel.npmTeam, detail: { summary: 'npm team create' } },
      )
      .get(
        '/-/org/:org/team',
        async ({ auth, params }) => {
          const { viewer } = await viewerOf(await auth())
          return ctx.orgs.teams(viewer, params.org)
        },
        { detail: { summary: "npm team ls <org>: ['org:team', ...]" } },
      )
      .delete(
        '/-/team/:org/:team',
        async ({ auth, params, set, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await auth())
          await ctx.orgs.destroyTeam(viewer, params.org, params.team, actorOf(identity, clientAddress()))
          set.status = 204
        },
        { detail: { summary: 'npm team destroy' } },
      )
      .put(
        '/-/team/:org/:team/user',
        async ({ auth, params, body, set, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await auth())
          await ctx.orgs.addTeamMember(viewer, params.org, params.team, body.user, actorOf(identity, clientAddress()))
          set.status = 201
          return {}
        },
        { parse, body: OrgModel.npmUser, detail: { summary: 'npm team add: the user must already be a member of the org' } },
      )
      .delete(
        '/-/team/:org/:team/user',
        async ({ auth, params, body, set, clientAddress }) => {
          const { identity, viewer } = await viewerOf(await auth())
          await ctx.orgs.removeTeamMember(viewer, params.org, params.team, body.user, actorOf(identity, clientAddress()))
          set.status = 204
        },
        { parse, body: OrgModel.npmUser, detail: { summary: 'npm team rm' } },
      )
      .get(
        '/-/team/:org/:team/user',
        async ({ auth, params }) => {
          const { viewer } = await viewerOf(await auth())
          return ctx.orgs.teamMembers(viewer, params.org, params.team)
        },
        { detail: { summary: 'npm team ls <org:team>: the members' } },
      )
  )
}
