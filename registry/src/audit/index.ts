// `GET /api/v1/admin/audit`: the audit log, filtered and paged, for registry admins.
import { Elysia } from 'elysia'
import { authPlugin } from '../auth/plugin.ts'
import type { AppContext } from '../context.ts'
import { AuditModel } from './model.ts'
import { auditFilter } from './service.ts'

export const auditController = (ctx: AppContext) =>
  new Elysia({ name: 'packr/audit', detail: { tags: ['admin'] } }).use(authPlugin(ctx)).get(
    '/api/v1/admin/audit',
    async ({ admin, query }) => {
      await admin()
      const page = await ctx.audit.query(auditFilter(query), query.limit, query.cursor)
      return { events: page.events.map((event) => ({ ...event, at: new Date(event.at).toISOString() })), next: page.next }
    },
    { query: AuditModel.query, detail: { summary: 'The audit log, newest first: filter by actor, action, target (prefix*) and time; page with cursor' } },
  )
