// The agent API: /agent/search, /agent/compare, /agent/:pkg and its /deps, /recommendations and
// /docs views. Scoped names work as `@scope/name`, `@scope%2fname` and `@scope%2Fname`, like the npm
// routes. Reads follow the registry's auth: anonymous callers see what npm reads show, a refused token
// gets 401, and a restricted token sees only the packages its Visibility allows (auth/visibility.ts).
import { AgentSchemas } from '@packr/agent/schemas'
import { Elysia } from 'elysia'
import { authPlugin } from '../auth/plugin.ts'
import type { AuthResult } from '../auth/policy.ts'
import type { Visibility } from '../auth/visibility.ts'
import type { AppContext } from '../context.ts'
import { BadRequestError, NotFoundError } from '../errors/index.ts'
import { AgentModel } from './model.ts'

const isBareScope = (segment: string) => segment.startsWith('@') && !segment.includes('/')

/** `/agent/@scope/name/...`: the first segment must be a scope. */
function scopedName(scope: string, name: string): string {
  if (!isBareScope(scope)) throw new NotFoundError('NOT_FOUND', `no agent view ${JSON.stringify(name)}: use /agent/<package>, /agent/<package>/deps, /recommendations or /docs`)
  return `${scope}/${name}`
}

function comparedNames(list: string): string[] {
  const names = [...new Set(list.split(',').map((name) => name.trim()).filter(Boolean))]
  if (names.length < 2 || names.length > 5) throw new BadRequestError('INVALID_REQUEST', `packages must name 2 to 5 different packages separated by commas, got ${names.length}`)
  return names
}

export const agentController = (ctx: AppContext) => {
  async function viewer(auth: () => Promise<AuthResult>): Promise<Visibility> {
    const result = await auth()
    if (result.error) throw result.error
    return ctx.visibility.viewer(result.identity)
  }

  type VersionQuery = { version?: string | undefined; format: 'concise' | 'detailed' }
  const info = async (name: string, query: VersionQuery, auth: () => Promise<AuthResult>) => ctx.agent.package(name, await viewer(auth), query)
  const deps = async (name: string, query: VersionQuery & { depth: number }, auth: () => Promise<AuthResult>) => ctx.agent.dependencies(name, await viewer(auth), query)
  const recommendations = async (name: string, query: { limit: number }, auth: () => Promise<AuthResult>) => ctx.agent.recommendations(name, await viewer(auth), query)
  const docs = async (name: string, query: VersionQuery & { symbol?: string | undefined }, auth: () => Promise<AuthResult>) => ctx.agent.docs(name, await viewer(auth), query)
  // `/agent/@acme/deps` is the package @acme/deps itself, not the deps view of "@acme". It is answered
  // as a ready Response (Elysia sends those as they are), since the route's declared schema is the view's.
  const infoOr = <T>(name: string, sub: string, query: VersionQuery, auth: () => Promise<AuthResult>, view: () => Promise<T>): Promise<T> =>
    isBareScope(name) ? info(`${name}/${sub}`, { version: query.version, format: query.format }, auth).then((body) => Response.json(body) as unknown as T) : view()

  return new Elysia({ name: 'packr/agent', prefix: '/agent', detail: { tags: ['agent'] } })
    .use(authPlugin(ctx))
    .get('/search', async ({ query, auth }) => ctx.agent.search(query.q, await viewer(auth), query), {
      query: AgentModel.searchQuery,
      response: { 200: AgentSchemas.search },
      detail: { summary: 'Search packages by capability; each hit says why it matched (cursor pagination)' },
    })
    .get('/compare', async ({ query, auth }) => ctx.agent.compare(comparedNames(query.packages), await viewer(auth), query), {
      query: AgentModel.compareQuery,
      response: { 200: AgentSchemas.compare },
      detail: { summary: 'Compare 2-5 packages side by side with a recommended pick and reasons' },
    })
    .get('/:name', ({ params, query, auth }) => info(params.name, query, auth), {
      query: AgentModel.packageQuery,
      response: { 200: AgentSchemas.package },
      detail: { summary: 'A package for agents: score with sub-scores and factors, capabilities, trust signals, install command' },
    })
    .get('/:name/:sub', ({ params, query, auth }) => info(scopedName(params.name, params.sub), query, auth), {
      query: AgentModel.packageQuery,
      response: { 200: AgentSchemas.package },
      detail: { summary: 'A scoped package for agents (/agent/@scope/name)' },
    })
    .get('/:name/deps', ({ params, query, auth }) => infoOr(params.name, 'deps', query, auth, () => deps(params.name, query, auth)), {
      query: AgentModel.dependenciesQuery,
      response: { 200: AgentSchemas.dependencies },
      detail: { summary: 'Dependency tree as this registry resolves it, with problems' },
    })
    .get('/:name/:sub/deps', ({ params, query, auth }) => deps(scopedName(params.name, params.sub), query, auth), {
      query: AgentModel.dependenciesQuery,
      response: { 200: AgentSchemas.dependencies },
      detail: { summary: 'Dependency tree of /@scope/name' },
    })
    .get('/:name/recommendations', ({ params, query, auth }) => infoOr(params.name, 'recommendations', { format: 'detailed' }, auth, () => recommendations(params.name, query, auth)), {
      query: AgentModel.recommendationsQuery,
      response: { 200: AgentSchemas.recommendations },
      detail: { summary: 'Packages used together with this one, and alternatives with the same capabilities' },
    })
    .get('/:name/:sub/recommendations', ({ params, query, auth }) => recommendations(scopedName(params.name, params.sub), query, auth), {
      query: AgentModel.recommendationsQuery,
      response: { 200: AgentSchemas.recommendations },
      detail: { summary: 'Recommendations for /@scope/name' },
    })
    .get('/:name/docs', ({ params, query, auth }) => infoOr(params.name, 'docs', query, auth, () => docs(params.name, query, auth)), {
      query: AgentModel.docsQuery,
      response: { 200: AgentSchemas.docs },
      detail: { summary: 'API docs: overview, exported functions/classes/types with signatures, usage examples' },
    })
    .get('/:name/:sub/docs', ({ params, query, auth }) => docs(scopedName(params.name, params.sub), query, auth), {
      query: AgentModel.docsQuery,
      response: { 200: AgentSchemas.docs },
      detail: { summary: 'API docs of /@scope/name' },
    })
}
