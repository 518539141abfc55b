// `GET /api/v1/admin/usage`: downloads per package, version and day, for charts.
import { Elysia } from 'elysia'
import { authPlugin } from '../auth/plugin.ts'
import { authorize } from '../auth/policy.ts'
import type { AppContext } from '../context.ts'
import { UsageModel } from './model.ts'

export const usageController = (ctx: AppContext) =>
  new Elysia({ name: 'packr/usage', detail: { tags: ['admin'] } }).use(authPlugin(ctx)).get(
    '/api/v1/admin/usage',
    async ({ caller, query }) => ctx.usage.usage(await ctx.access.viewerFor(authorize(await caller(), 'read')), query),
    { query: UsageModel.query, detail: { summary: 'Downloads per day as series (per package, and per version for ?package=) and the top packages' } },
  )
