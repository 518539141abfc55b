// `npm search`: GET /-/v1/search in npm's response shape, ranked by relevance and quality.
import { Elysia } from 'elysia'
import { authPlugin } from '../auth/plugin.ts'
import type { AppContext } from '../context.ts'
import type { Caller } from '../packages/reads.ts'
import { SearchModel } from './model.ts'
import { inScope } from './service.ts'

export const searchController = (ctx: AppContext) => {
  // Only when restricted packages exist at all is the caller worth resolving.
  const viewerOf = async (auth: Caller) => (ctx.catalog.hasRestricted ? ctx.access.viewerFor((await auth()).identity) : null)
  return new Elysia({ name: 'packr/search', detail: { tags: ['search'] } })
    .use(authPlugin(ctx))
    .get('/-/v1/search', async ({ query, auth }) => ctx.search.search(query.text ?? '', query.size, query.from, await viewerOf(auth)), {
      query: SearchModel.query,
      response: { 200: SearchModel.response },
      detail: { summary: 'Search packages (npm search)' },
    })
    .get(
      '/-/search/:scope',
      async ({ params, query, auth }) => ctx.search.search(query.q ?? '', query.size, query.from, await viewerOf(auth), inScope(params.scope)),
      {
        params: SearchModel.scopeParams,
        query: SearchModel.scopeQuery,
        response: { 200: SearchModel.response },
        detail: { summary: "Search one scope's packages (?q=), in npm's search response shape" },
      },
    )
}
