// The agent HTTP API against a real registry with published, analysed packages: every endpoint's
// answer validated against the SDK's schemas, scoped names in every encoding, actionable errors, and
// the visibility rule (a restricted token never sees other packages, in any answer).
import { AgentSchemas, type CompareResponse, type DependenciesResponse, type DocsResponse, type PackageInfo, type RecommendationsResponse, type SearchResponse } from '@packr/agent/schemas'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { z } from 'zod'
import { OUTSIDE_ACME, publishFixtures } from '../../test/helpers/agent-fixtures.ts'
import { startTestRegistry, type TestRegistry } from '../../test/helpers/registry.ts'

let registry: TestRegistry
let acmeToken: string
let listedToken: string

beforeAll(async () => {
  registry = await startTestRegistry()
  await publishFixtures(registry)
  const admin = (await registry.ctx.users.findByUsername('admin'))!
  acmeToken = (await registry.ctx.tokens.issue({ user: admin, name: 'acme', role: 'ci-readonly', scopes: ['@acme'], expiresInDays: 1 })).token
  listedToken = (await registry.ctx.tokens.issue({ user: admin, name: 'listed', role: 'ci-readonly', packages: ['@acme/http', '@acme/app'], expiresInDays: 1 })).token
}, 120_000)

afterAll(() => registry.close())

/** GET `path`, expecting `status`; a 200 body is validated against `schema` (strictly: the parse must succeed). */
async function get<T>(path: string, schema: z.ZodType<T>, options: { token?: string; status?: number } = {}): Promise<T> {
  const response = await registry.request(path, { token: options.token })
  const text = await response.text()
  expect({ path, status: response.status }).toEqual({ path, status: options.status ?? 200 })
  const body = JSON.parse(text) as unknown
  if (response.status !== 200) return body as T
  const parsed = schema.safeParse(body)
  if (!parsed.success) throw new Error(`${path}: ${parsed.error.message}`)
  return parsed.data
}

const error = (path: string, status: number, token?: string) => get(path, AgentSchemas.error, { status, token })

describe('GET /agent/:pkg', () => {
  test('latest version with score, sub-scores, factors, capabilities, trust signals and install command', async () => {
    const info = await get<PackageInfo>('/agent/tiny-jwt', AgentSchemas.package)
    expect(info).toMatchObject({ name: 'tiny-jwt', version: '1.1.0', latest: '1.1.0', description: 'Sign and verify JSON Web Tokens', deprecated: null, analysis: 'ready', install: 'npm install tiny-jwt@1.1.0' })
    expect(info.score?.final).toBeGreaterThan(40)
    expect(Object.keys(info.score?.subScores ?? {})).toEqual(['quality', 'maintenance', 'supplyChain', 'popularity'])
    expect(info.score?.factors?.find((factor) => factor.id === 'types')?.evidence).toContain('ships declarations')
    expect(info.capabilities.map((capability) => capability.id)).toContain('jwt')
    expect(info.trust).toMatchObject({ hasTypes: true, types: 'bundled', hasTests: true, hasCI: false, license: 'MIT', installScripts: 'none', deprecated: false })
    expect(info.trust?.packageSize.files).toBe(4)
    expect(info.dependents).toBe(3)
    expect(info.versions?.recent.map((version) => version.version)).toEqual(['1.1.0', '1.0.0'])
    expect(info.links?.repository).toBe('https://git.example/tiny-jwt')
  })

  test('?version= picks another version; concise leaves the detail out', async () => {
    const old = await get<PackageInfo>('/agent/tiny-jwt?version=1.0.0&format=concise', AgentSchemas.package)
    expect(old.version).toBe('1.0.0')
    expect(old.score?.factors).toBeUndefined()
    expect(old.versions).toBeUndefined()
    expect(old.score?.verdict).toMatch(/recommended|caution|avoid/)
    expect((await get<PackageInfo>('/agent/tiny-jwt?version=^1.0.0', AgentSchemas.package)).version).toBe('1.1.0')
  })

  test('deprecated packages say so and are not recommended', async () => {
    const info = await get<PackageInfo>('/agent/@acme/retry', AgentSchemas.package)
    expect(info.deprecated).toBe('use @acme/http built-in retries')
    expect(info.score?.verdict).toBe('avoid')
    expect(info.score?.reason).toBe('deprecated by its maintainers')
    expect(info.trust?.deprecated).toBe(true)
  })

  test('scoped names in every encoding, for every view', async () => {
    for (const name of ['@acme/http', '@acme%2fhttp', '@acme%2Fhttp']) {
      expect((await get<PackageInfo>(`/agent/${name}`, AgentSchemas.package)).name).toBe('@acme/http')
      expect((await get<DependenciesResponse>(`/agent/${name}/deps`, AgentSchemas.dependencies)).root).toBe('@acme/http@2.0.0')
      expect((await get<DocsResponse>(`/agent/${name}/docs`, AgentSchemas.docs)).name).toBe('@acme/http')
      expect((await get<RecommendationsResponse>(`/agent/${name}/recommendations`, AgentSchemas.recommendations)).name).toBe('@acme/http')
    }
  })

  test('names that collide with routes: a scoped package called "deps", an unscoped one called "search"', async () => {
    expect((await get<PackageInfo>('/agent/@acme/deps', AgentSchemas.package)).name).toBe('@acme/deps')
    expect((await get<PackageInfo>('/agent/%73earch', AgentSchemas.package)).name).toBe('search')
  })

  test('unknown names get "did you mean"; unknown versions list the real ones; bad names are 400', async () => {
    const typo = await error('/agent/tiny-jwd', 404)
    expect(typo).toMatchObject({ code: 'PACKAGE_NOT_FOUND', status: 404, error: 'no package named "tiny-jwt"'.replace('tiny-jwt', 'tiny-jwd') + '; did you mean "tiny-jwt"?' })
    const otherScope = await error('/agent/@acme/tiny-jwt', 404)
    expect(otherScope.error).toContain('did you mean "tiny-jwt"?')
    const nothingClose = await error('/agent/zzzzzzzzzzzz', 404)
    expect(nothingClose.error).toContain('search for the capability')
    const version = await error('/agent/tiny-jwt?version=9.0.0', 404)
    expect(version).toMatchObject({ code: 'VERSION_NOT_FOUND' })
    expect(version.error).toBe('tiny-jwt has no version matching "9.0.0"; versions: 1.1.0, 1.0.0; dist-tags: latest → 1.1.0')
    expect((await error('/agent/no%20spaces', 400)).code).toBe('INVALID_PACKAGE_NAME')
    expect((await error('/agent/tiny-jwt?format=verbose', 400)).code).toBe('INVALID_REQUEST')
  })
})

describe('GET /agent/search', () => {
  test('capability search: hits say why they matched, best first', async () => {
    const result = await get<SearchResponse>('/agent/search?q=verify%20jwt%20tokens', AgentSchemas.search)
    expect(result.understoodAs.map((capability) => capability.id)).toContain('jwt')
    expect(result.results[0]?.name).toBe('tiny-jwt')
    const top = result.results[0]
    expect(top?.why).toContain('has JSON Web Tokens')
    expect(top?.why).toContain('used by 3 packages in this registry')
    expect(top?.matched?.name).toBeDefined()
    expect(top?.score).toBeGreaterThan(0)
    expect(result.results.map((hit) => hit.name)).toEqual(expect.arrayContaining(['jwt-lite', '@other/secret-sauce']))
  })

  test('cursor pagination walks every hit once; a cursor from another query is refused', async () => {
    const seen: string[] = []
    let cursor: string | null = null
    let total = 0
    do {
      const page: SearchResponse = await get<SearchResponse>(`/agent/search?q=jwt&limit=1${cursor ? `&cursor=${cursor}` : ''}`, AgentSchemas.search)
      total = page.total
      expect(page.returned).toBe(page.results.length)
      seen.push(...page.results.map((hit) => hit.name))
      cursor = page.nextCursor
    } while (cursor)
    expect(total).toBeGreaterThanOrEqual(3)
    expect(seen.length).toBe(total)
    expect(new Set(seen).size).toBe(total)
    const first = await get<SearchResponse>('/agent/search?q=jwt&limit=1', AgentSchemas.search)
    expect((await error(`/agent/search?q=http&cursor=${first.nextCursor}`, 400)).code).toBe('INVALID_CURSOR')
    expect((await error('/agent/search?q=jwt&cursor=garbage', 400)).code).toBe('INVALID_CURSOR')
  })

  test('free text keeps its commas (Elysia splits query values on them), here and in npm search', async () => {
    const result = await get<SearchResponse>('/agent/search?q=sign%2C%20verify%2C%20jwt', AgentSchemas.search)
    expect(result.query).toBe('sign, verify, jwt')
    expect(result.results[0]?.name).toBe('tiny-jwt')
    const npm = (await (await registry.request('/-/v1/search?text=keywords:jwt,token')).json()) as { objects: Array<{ package: { name: string } }> }
    expect(npm.objects.map((item) => item.package.name)).toEqual(['@other/secret-sauce', 'tiny-jwt'])
  })

  test('q is required; limits are enforced', async () => {
    expect((await error('/agent/search', 400)).error).toContain('q')
    expect((await error('/agent/search?q=', 400)).code).toBe('INVALID_REQUEST')
    expect((await error('/agent/search?q=jwt&limit=500', 400)).code).toBe('INVALID_REQUEST')
  })
})

describe('GET /agent/compare', () => {
  test('side by side with a pick and reasons; unknown names listed as not compared', async () => {
    const result = await get<CompareResponse>('/agent/compare?packages=tiny-jwt,jwt-lite,jwt-lit', AgentSchemas.compare)
    expect(result.pick).toBe('tiny-jwt')
    expect(result.ranking).toEqual(['tiny-jwt', 'jwt-lite'])
    expect(result.reasons).toEqual(['tiny-jwt is the only candidate without disqualifying problems', 'tiny-jwt ships its own TypeScript types', 'jwt-lite ruled out: no license: others may not legally reuse it'])
    expect(result.packages.find((item) => item.name === 'tiny-jwt')?.types).toBe('bundled')
    expect(result.notCompared).toEqual([{ name: 'jwt-lit', reason: 'no package named "jwt-lit"; did you mean "jwt-lite"?' }])
    const scored = await get<CompareResponse>('/agent/compare?packages=tiny-jwt,@other/secret-sauce', AgentSchemas.compare)
    expect(scored.reasons[0]).toMatch(/^tiny-jwt has the highest score \(\d+ vs @other\/secret-sauce \d+\)$/)
  })

  test('a deprecated candidate is ruled out', async () => {
    const result = await get<CompareResponse>('/agent/compare?packages=@acme/retry,@acme/http&format=concise', AgentSchemas.compare)
    expect(result.pick).toBe('@acme/http')
    expect(result.packages.find((item) => item.name === '@acme/retry')?.disqualified.join(' ')).toContain('deprecated')
    expect(result.packages[0]?.subScores).toBeUndefined()
  })

  test('fewer than two comparable packages is an error that says why', async () => {
    expect((await error('/agent/compare?packages=tiny-jwt', 400)).error).toBe('packages must name 2 to 5 different packages separated by commas, got 1')
    expect((await error('/agent/compare?packages=a,b,c,d,e,f', 400)).code).toBe('INVALID_REQUEST')
    const missing = await error('/agent/compare?packages=tiny-jwt,jwt-lit', 404)
    expect(missing.error).toBe('cannot compare: no package named "jwt-lit"; did you mean "jwt-lite"?')
  })
})

describe('GET /agent/:pkg/deps, /recommendations, /docs', () => {
  test('dependency tree with external, deprecated and resolved nodes and the problems in words', async () => {
    const graph = await get<DependenciesResponse>('/agent/@acme/app/deps?depth=3', AgentSchemas.dependencies)
    expect(graph.root).toBe('@acme/app@1.0.0')
    expect(graph.direct.map((edge) => edge.name).sort()).toEqual(['@acme/http', '@other/secret-sauce', 'tiny-jwt'])
    expect(graph.summary).toMatchObject({ external: 1, hidden: 0, deprecated: 1, maxDepth: 2 })
    expect(graph.problems).toContain('@acme/retry@1.0.0 is deprecated: use @acme/http built-in retries')
    expect(graph.nodes?.find((node) => node.name === 'left-pad-outside')?.status).toBe('external')
    const shallow = await get<DependenciesResponse>('/agent/@acme/app/deps?depth=1&format=concise', AgentSchemas.dependencies)
    expect(shallow.nodes).toBeUndefined()
    expect(shallow.summary.packages).toBe(3)
    expect((await error('/agent/@acme/app/deps?depth=50', 400)).code).toBe('INVALID_REQUEST')
  })

  test('recommendations: used together with, and alternatives with the same capabilities', async () => {
    const result = await get<RecommendationsResponse>('/agent/@acme/http/recommendations', AgentSchemas.recommendations)
    expect(result.usedWith.find((item) => item.name === 'tiny-jwt')).toMatchObject({ together: 2, why: '2 packages in this registry use both' })
    const jwt = await get<RecommendationsResponse>('/agent/tiny-jwt/recommendations', AgentSchemas.recommendations)
    expect(jwt.alternatives.map((item) => item.name)).toContain('@other/secret-sauce')
    expect(jwt.alternatives.every((item) => item.sharedCapabilities.length > 0 && item.why.startsWith('also provides'))).toBe(true)
  })

  test('docs: signatures from the .d.ts, README examples, an overview; symbol filter', async () => {
    const docs = await get<DocsResponse>('/agent/tiny-jwt/docs', AgentSchemas.docs)
    expect(docs).toMatchObject({ name: 'tiny-jwt', version: '1.1.0', source: 'extracted', generatedBy: null, install: 'npm install tiny-jwt@1.1.0' })
    expect(docs.overview).toContain('tiny-jwt 1.1.0: Sign and verify JSON Web Tokens.')
    expect(docs.overview).toContain('Main exports: sign, verify, TokenError.')
    expect(docs.api.items[0]).toEqual({ name: 'sign', kind: 'function', signature: 'function sign(payload: object, secret: string, options?: SignOptions): string', summary: 'Signs a payload with HS256.' })
    expect(docs.api.items.map((item) => item.name)).toEqual(['sign', 'verify', 'TokenError', 'SignOptions'])
    expect(docs.examples[0]).toMatchObject({ title: 'Usage', language: 'js', source: 'readme' })
    expect(docs.examples[0]?.code).toContain("import { sign, verify } from 'tiny-jwt'")
    const filtered = await get<DocsResponse>('/agent/tiny-jwt/docs?symbol=VER', AgentSchemas.docs)
    expect(filtered.api).toMatchObject({ total: 1, returned: 1 })
    expect(filtered.api.items[0]?.name).toBe('verify')
    const untyped = await get<DocsResponse>('/agent/jwt-lite/docs', AgentSchemas.docs)
    expect(untyped.api.items).toEqual([{ name: 'decode', kind: 'unknown', signature: null, summary: null }])
  })
})

describe('visibility: reads follow the token', () => {
  /** The whole answer must not name any package outside `@acme`. */
  const expectNoneOutsideAcme = (body: unknown) => {
    const text = JSON.stringify(body)
    for (const name of OUTSIDE_ACME) expect({ leaked: name, found: text.includes(`"${name}`) || text.includes(` ${name}`) }).toEqual({ leaked: name, found: false })
  }

  test('a token scoped to @acme sees only @acme packages in search, info, compare, deps, recommendations and docs', async () => {
    const search = await get<SearchResponse>('/agent/search?q=jwt%20search', AgentSchemas.search, { token: acmeToken })
    expect(search.results.length).toBeGreaterThan(0)
    expect(search.results.every((hit) => hit.name.startsWith('@acme/'))).toBe(true)
    expectNoneOutsideAcme(search)
    const all = await get<SearchResponse>('/agent/search?q=http%20client%20jwt%20retry&detailed', AgentSchemas.search, { token: acmeToken })
    expectNoneOutsideAcme(all)

    const hidden = await error('/agent/tiny-jwt', 404, acmeToken)
    expect(hidden.error).toBe('no package named "tiny-jwt" visible to this token (this token is limited to @acme); to find a package by what it does, search for the capability (search_packages, or GET /agent/search?q=...)')
    for (const path of ['/agent/tiny-jwt/docs', '/agent/tiny-jwt/deps', '/agent/tiny-jwt/recommendations', '/agent/@other/secret-sauce']) expect((await error(path, 404, acmeToken)).code).toBe('PACKAGE_NOT_FOUND')
    // A typo close to an invisible name suggests nothing from outside.
    expectNoneOutsideAcme(await error('/agent/tiny-jwd', 404, acmeToken))

    const info = await get<PackageInfo>('/agent/@acme/http', AgentSchemas.package, { token: acmeToken })
    expect(info.dependencies).toEqual({ count: 3, hidden: 2, ranges: { '@acme/retry': '^1.0.0' } })
    expectNoneOutsideAcme(info)

    const graph = await get<DependenciesResponse>('/agent/@acme/app/deps?depth=3', AgentSchemas.dependencies, { token: acmeToken })
    // tiny-jwt is reached through two ranges (^1.1.0, ^1.0.0): two hidden nodes, as unresolved ranges are.
    expect(graph.summary.hidden).toBe(4)
    expect(graph.direct.filter((edge) => edge.status === 'hidden')).toEqual([
      { name: null, range: null, version: null, status: 'hidden', deprecated: null },
      { name: null, range: null, version: null, status: 'hidden', deprecated: null },
    ])
    expectNoneOutsideAcme(graph)

    const recommendations = await get<RecommendationsResponse>('/agent/@acme/http/recommendations', AgentSchemas.recommendations, { token: acmeToken })
    expectNoneOutsideAcme(recommendations)

    // Only the asked-for name is echoed back, exactly as for a package that does not exist.
    const compare = await error('/agent/compare?packages=@acme/http,tiny-jwt', 404, acmeToken)
    expect(compare.error).toBe('cannot compare: no package named "tiny-jwt" visible to this token (this token is limited to @acme); to find a package by what it does, search for the capability (search_packages, or GET /agent/search?q=...)')
    const both = await get<CompareResponse>('/agent/compare?packages=@acme/http,@acme/retry', AgentSchemas.compare, { token: acmeToken })
    expectNoneOutsideAcme(both)
  })

  test('a token limited to a package list sees only those packages', async () => {
    const search = await get<SearchResponse>('/agent/search?q=http', AgentSchemas.search, { token: listedToken })
    expect(search.results.map((hit) => hit.name)).toEqual(['@acme/http'])
    expect((await error('/agent/@acme/retry', 404, listedToken)).error).toContain('limited to @acme/http, @acme/app')
    const graph = await get<DependenciesResponse>('/agent/@acme/app/deps', AgentSchemas.dependencies, { token: listedToken })
    expect(graph.direct.map((edge) => edge.name)).toEqual(['@acme/http', null, null])
  })

  test('anonymous callers see what npm reads show; a refused token is 401', async () => {
    expect((await get<PackageInfo>('/agent/tiny-jwt', AgentSchemas.package)).name).toBe('tiny-jwt')
    const refused = await registry.request('/agent/tiny-jwt', { token: 'not-a-token' })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toBe('Bearer')
  })
})

describe('schemas in /openapi.json', () => {
  test('the agent routes document the SDK response schemas', async () => {
    const spec = (await (await registry.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>> }
    const schemaOf = (path: string) => JSON.stringify(spec.paths[path]?.get?.responses?.['200']?.content?.['application/json']?.schema ?? null)
    expect(schemaOf('/agent/search')).toContain('understoodAs')
    expect(schemaOf('/agent/compare')).toContain('notCompared')
    expect(schemaOf('/agent/{name}')).toContain('installScripts')
    expect(schemaOf('/agent/{name}/deps')).toContain('unexpanded')
    expect(schemaOf('/agent/{name}/recommendations')).toContain('usedWith')
    expect(schemaOf('/agent/{name}/docs')).toContain('signature')
  })
})
