// Usage pages, with the usage API's rule: the whole registry's figures are for admins; one package's
// for those who may write it. Download figures of a private registry are its operators' business.
import { Elysia } from 'elysia'
import { authorize } from '../../auth/policy.ts'
import type { AppContext } from '../../context.ts'
import { ForbiddenError } from '../../errors/index.ts'
import { browserRequest } from '../../web/browser.ts'
import { htmlResponse } from '../../web/layout.ts'
import { UsagePagesModel } from './model.ts'
import { UsagePages, type Range } from './service.ts'
import { overviewPage, packageUsagePage } from './views.ts'

const DEFAULT_RANGE: Range = 30

export const usagePagesController = (ctx: AppContext) => {
  const usage = new UsagePages(ctx.downloads)
  /** Throws unless the signed-in person may see the usage asked for (404 for packages they may not read). */
  async function allowed(browser: ReturnType<typeof browserRequest>, name: string | undefined): Promise<void> {
    const identity = authorize(await browser.auth(), 'read')
    const viewer = await ctx.access.viewerFor(identity)
    if (name === undefined) {
      if (!viewer.admin) throw new ForbiddenError('ADMIN_ONLY', "the whole registry's usage is for admins; open a package you maintain")
      return
    }
    const row = await ctx.access.readablePackage(viewer, name)
    if (!viewer.canWrite(row)) throw new ForbiddenError('NOT_A_MAINTAINER', `usage of ${row.name} is for those who may write it`)
  }
  return new Elysia({ name: 'packr/dashboard-usage', prefix: '/-/web', detail: { tags: ['dashboard'] } })
    .get(
      '/usage',
      async ({ query, cookie, request }) => {
        const browser = browserRequest(ctx, cookie, request)
        await allowed(browser, query.package)
        const days = (query.days ?? DEFAULT_RANGE) as Range
        const chrome = await browser.chrome()
        if (query.package === undefined) return htmlResponse(overviewPage(chrome, days, await usage.overview(days)))
        return htmlResponse(packageUsagePage(chrome, query.package, days, await usage.package(query.package, days)))
      },
      { query: UsagePagesModel.query, detail: { summary: 'Dashboard page: downloads over time (all packages and the top ones, or one package per version)' } },
    )
    .get(
      '/usage/csv',
      async ({ query, cookie, request }) => {
        await allowed(browserRequest(ctx, cookie, request), query.package)
        const days = (query.days ?? DEFAULT_RANGE) as Range
        const filename = `packr-downloads-${query.package?.replace(/[@/]/g, '_') ?? 'all'}-${days}d.csv`
        return new Response(await usage.csv(days, query.package), {
          headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': `attachment; filename="${filename}"`, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
        })
      },
      { query: UsagePagesModel.query, detail: { summary: 'Dashboard export: download counts per day, package and version as CSV' } },
    )
}
