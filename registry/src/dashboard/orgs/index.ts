// Organization pages: members and registry admins see an org; its admins change members; those who
// may write a restricted package grant and revoke read access to it. Every form carries the CSRF
// token; a refused change comes back to its form with the service's reason and changes nothing.
import { Elysia } from 'elysia'
import { actorOf } from '../../audit/service.ts'
import { authPlugin } from '../../auth/plugin.ts'
import type { AppContext } from '../../context.ts'
import { RegistryError } from '../../errors/index.ts'
import { browserRequest, formPost, type BrowserRequest } from '../../web/browser.ts'
import { htmlResponse, seeOther } from '../../web/layout.ts'
import { OrgPagesModel } from './model.ts'
import { OrgPages } from './service.ts'
import { entitlementsPage, orgHref, orgListPage, orgPage } from './views.ts'

const NOTICES = {
  'member-set': (user?: string) => `${user ?? 'The member'} now has the role shown below.`,
  'member-removed': (user?: string) => `${user ?? 'The member'} is no longer a member.`,
  granted: (user?: string) => `${user ?? 'The user'} may now read the package.`,
  revoked: (user?: string) => `${user ?? 'The user'} may no longer read the package (unless another reason below still lets them).`,
} as const

/** A refusal to show on the form (bad input, a rule of the service); anything else is an error page. */
const formFailure = (error: unknown): RegistryError | null => (error instanceof RegistryError && error.status !== 401 ? error : null)

export const orgPagesController = (ctx: AppContext) => {
  const pages = new OrgPages(ctx.orgs, ctx.access)
  const signedIn = async (browser: BrowserRequest) => ctx.access.signedInViewer(await browser.auth())
  const done = (slug: string, path: string, what: keyof typeof NOTICES, user: string) => seeOther(`${orgHref(slug)}${path}?${new URLSearchParams({ done: what, user })}`)

  return new Elysia({ name: 'packr/dashboard-orgs', prefix: '/-/web/orgs', detail: { tags: ['dashboard'] } })
    .use(authPlugin(ctx))
    .get(
      '',
      async ({ cookie, request }) => {
        const browser = browserRequest(ctx, cookie, request)
        const { viewer } = await signedIn(browser)
        return htmlResponse(orgListPage(await browser.chrome(), await pages.list(viewer), viewer.admin))
      },
      { detail: { summary: 'Dashboard page: the orgs you belong to (admins: every org)' } },
    )
    .get(
      '/:slug',
      async ({ params, query, cookie, request }) => {
        const browser = browserRequest(ctx, cookie, request)
        const { viewer } = await signedIn(browser)
        const overview = await pages.overview(viewer, params.slug)
        const notice = query.done ? NOTICES[query.done](query.user) : undefined
        return htmlResponse(orgPage(await browser.chrome(), overview, { csrf: browser.csrf(), notice }))
      },
      { query: OrgPagesModel.pageQuery, detail: { summary: "Dashboard page: an org's members and roles, teams and packages (members and admins)" } },
    )
    .post(
      '/:slug/members',
      async ({ params, body, cookie, request, clientAddress }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        const { identity, viewer } = await signedIn(browser)
        try {
          const result = await pages.setMember(viewer, params.slug, body.username, body.role, actorOf(identity, clientAddress()))
          return done(result.org.slug, '', 'member-set', result.username)
        } catch (error) {
          const failure = formFailure(error)
          if (!failure) throw error
          const overview = await pages.overview(viewer, params.slug)
          return htmlResponse(orgPage(await browser.chrome(), overview, { csrf: browser.csrf(), error: failure.message, form: body }), { status: failure.status })
        }
      },
      { body: OrgPagesModel.memberForm, detail: { summary: 'Dashboard form: add a member to an org or change their role (org admins)' } },
    )
    .post(
      '/:slug/members/remove',
      async ({ params, body, cookie, request, clientAddress }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        const { identity, viewer } = await signedIn(browser)
        try {
          await pages.removeMember(viewer, params.slug, body.username, actorOf(identity, clientAddress()))
          return done(params.slug, '', 'member-removed', body.username)
        } catch (error) {
          const failure = formFailure(error)
          if (!failure) throw error
          const overview = await pages.overview(viewer, params.slug)
          return htmlResponse(orgPage(await browser.chrome(), overview, { csrf: browser.csrf(), error: failure.message }), { status: failure.status })
        }
      },
      { body: OrgPagesModel.memberRemovalForm, detail: { summary: 'Dashboard form: remove a member from an org (org admins; the last admin stays)' } },
    )
    .get(
      '/:slug/entitlements',
      async ({ params, query, cookie, request }) => {
        const browser = browserRequest(ctx, cookie, request)
        const { viewer } = await signedIn(browser)
        const data = await pages.entitlements(viewer, params.slug)
        const notice = query.done ? NOTICES[query.done](query.user) : undefined
        return htmlResponse(entitlementsPage(await browser.chrome(), data, { csrf: browser.csrf(), notice }))
      },
      { query: OrgPagesModel.pageQuery, detail: { summary: "Dashboard page: who may read each of an org's restricted packages and why, with grant and revoke" } },
    )
    .post(
      '/:slug/entitlements/:change',
      async ({ params, body, cookie, request, clientAddress }) => {
        const browser = formPost(ctx, cookie, request, body.csrf)
        const { identity, viewer } = await signedIn(browser)
        const actor = actorOf(identity, clientAddress())
        try {
          if (params.change === 'grant') await pages.grant(viewer, body.user, body.package, actor)
          else await pages.revoke(viewer, body.user, body.package, actor)
          return done(params.slug, '/entitlements', params.change === 'grant' ? 'granted' : 'revoked', body.user)
        } catch (error) {
          const failure = formFailure(error)
          if (!failure) throw error
          const data = await pages.entitlements(viewer, params.slug)
          return htmlResponse(entitlementsPage(await browser.chrome(), data, { csrf: browser.csrf(), error: failure.message, form: body }), { status: failure.status })
        }
      },
      {
        params: OrgPagesModel.entitlementChange,
        body: OrgPagesModel.entitlementForm,
        detail: { summary: 'Dashboard form: grant (or revoke) a user read access to a restricted package (those who may write it)' },
      },
    )
}
