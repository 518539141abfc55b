// Package pages: anyone may read them, as anyone may read packuments.
import { Elysia } from 'elysia'
import type { AppContext } from '../../context.ts'
import { NotFoundError } from '../../errors/index.ts'
import { browserRequest } from '../../web/browser.ts'
import { htmlResponse } from '../../web/layout.ts'
import { nameList, PackagePagesModel } from './model.ts'
import { COMPARE_MAX, PackagePages } from './service.ts'
import { comparePage, listPage, packagePage } from './views.ts'

export const packagePagesController = (ctx: AppContext) => {
  const pages = new PackagePages(ctx.catalog, ctx.search, ctx.packuments, ctx.analyses, ctx.readmes)
  return new Elysia({ name: 'packr/dashboard-packages', prefix: '/-/web', detail: { tags: ['dashboard'] } })
    .get(
      '/packages',
      async ({ query, cookie, request }) => {
        const listQuery = { q: query.q ?? '', scope: query.scope, capability: query.capability, page: query.page ?? 1 }
        const browser = browserRequest(ctx, cookie, request)
        const chrome = await browser.chrome()
        return htmlResponse(listPage(chrome, listQuery, pages.list(await browser.access(), listQuery)))
      },
      { query: PackagePagesModel.listQuery, detail: { summary: 'Dashboard page: search packages, filter by scope and capability' } },
    )
    .get(
      '/packages/*',
      async ({ params, cookie, request }) => {
        const name = decodeURIComponent(params['*'])
        const browser = browserRequest(ctx, cookie, request)
        const detail = await pages.detail(await browser.access(), name)
        if (!detail) throw new NotFoundError('PACKAGE_NOT_FOUND', `package ${name} not found`)
        const chrome = await browser.chrome()
        return htmlResponse(packagePage(chrome, detail, ctx.urls.base), { scripts: true })
      },
      { detail: { summary: 'Dashboard page: a package (README, versions, install, score and evidence, dependencies, dependents)' } },
    )
    .get(
      '/compare',
      async ({ query, cookie, request }) => {
        const names = [...new Set(nameList(query.packages, query.with))].slice(0, COMPARE_MAX)
        const browser = browserRequest(ctx, cookie, request)
        const chrome = await browser.chrome()
        return htmlResponse(comparePage(chrome, names, await pages.compare(await browser.access(), names)))
      },
      { query: PackagePagesModel.compareQuery, detail: { summary: 'Dashboard page: compare 2 to 5 packages, with a recommended pick' } },
    )
}
