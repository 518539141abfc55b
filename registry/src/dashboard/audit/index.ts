// The audit log page: registry admins, filters as a GET form, newest first, older pages by cursor.
import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { browserRequest } from '../../web/browser.ts'
import { htmlResponse } from '../../web/layout.ts'
import { AuditPagesModel } from './model.ts'
import { AuditPages } from './service.ts'
import { auditPage } from './views.ts'

export const auditPagesController = (ctx: AppContext) => {
  const pages = new AuditPages(ctx.audit)
  return new Elysia({ name: 'packr/dashboard-audit', prefix: '/-/web', detail: { tags: ['dashboard'] } }).get(
    '/audit',
    async ({ query, cookie, request }) => {
      const browser = browserRequest(ctx, cookie, request)
      const { viewer } = await ctx.access.signedInViewer(await browser.auth())
      return htmlResponse(auditPage(await browser.chrome(), query, await pages.page(viewer, query)))
    },
    { query: AuditPagesModel.query, detail: { summary: 'Dashboard page: the audit log with filters (actor, action, target, dates) and paging (admins)' } },
  )
}
