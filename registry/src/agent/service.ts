// The agent API: what a coding agent needs to pick a package. Everything is assembled from the
// catalog (search index, scores, co-occurrence, popularity), the packument cache and the stored
// analyses; nothing here writes. Every package name an answer would contain passes the caller's
// `Visibility` first, and one the caller may not see is answered exactly like one that does not exist
// (or appears as an unnamed "hidden" node in a dependency graph).
import type { CompareResponse, DependenciesResponse, Format, PackageInfo, RecommendationsResponse, Score, SearchResponse, Verdict } from '@packr/agent/schemas'
import { CAPABILITIES, capabilitiesForQuery, comparePackages, buildDependencyGraph, type AnalysisResult, type CompareCandidate, type QualityScore, type SearchHit, type VersionAnalysis } from '@packr/scoring'
import { distance } from 'fastest-levenshtein'
import type { AnalysisService } from '../analysis/service.ts'
import type { Visibility } from '../auth/visibility.ts'
import { latestVersion, packageVersions, type CatalogService } from '../catalog/service.ts'
import { BadRequestError, ConflictError, NotFoundError } from '../errors/index.ts'
import { basenameOf, checkPackageName } from '../npm/names.ts'
import { resolveVersion, type VersionState } from '../npm/packument.ts'
import type { PackageDocsService } from '../package-docs/service.ts'
import type { PackumentCache } from '../packages/cache.ts'
import type { LoadedPackage } from '../packages/service.ts'

const CAPABILITY_LABELS = new Map(CAPABILITIES.map((capability) => [capability.id, capability.label]))
const FIELD_LABELS: Record<string, string> = { name: 'name', keywords: 'keywords', capabilities: 'capabilities', description: 'description', api: 'exported API', readme: 'README' }
const SUB_SCORE_LABELS = { quality: 'quality', maintenance: 'maintenance', supplyChain: 'supply chain', popularity: 'popularity' } as const
/** Bounds of a dependency graph answer (nodes resolved, and nodes/edges listed in `detailed`). */
const GRAPH_LIMITS = { resolve: 500, nodes: 80, edges: 100, problems: 20, direct: { concise: 30, detailed: 50 } }
/**
 * Bounds on lists and texts a publisher controls, so no package can blow an answer past a model's
 * tool-result budget (the worst case is tested in test/mcp/size.test.ts).
 */
const TEXT_LIMITS = { description: { concise: 200, detailed: 500 }, keywords: 20, keywordChars: 50, ranges: 100, distTags: 20 }

type Analysis = { status: 'ready'; result: VersionAnalysis } | { status: 'rejected'; result: AnalysisResult } | { status: 'pending'; result: undefined }

const percent = (ratio: number) => Math.round(ratio * 100)
const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`)
const firstEntries = (record: Record<string, string>, limit: number) => Object.fromEntries(Object.entries(record).slice(0, limit))
const quote = (name: string) => `"${name}"`
const labelOf = (id: string) => CAPABILITY_LABELS.get(id) ?? id

/** recommended / caution / avoid, with the one-line reason an agent can repeat to its user. */
export function verdictOf(score: QualityScore): { verdict: Verdict; reason: string } {
  const subScores = Object.entries(score.subScores) as Array<[keyof typeof SUB_SCORE_LABELS, { ratio: number }]>
  const weakest = subScores.reduce((low, entry) => (entry[1].ratio < low[1].ratio ? entry : low))
  const severe = score.caps.filter((cap) => cap.limit <= 40).sort((a, b) => a.limit - b.limit)[0]
  if (score.flags.deprecated) return { verdict: 'avoid', reason: 'deprecated by its maintainers' }
  if (severe) return { verdict: 'avoid', reason: severe.reason }
  if (score.final < 40) return { verdict: 'avoid', reason: `low score ${score.final}/100; weakest: ${SUB_SCORE_LABELS[weakest[0]]} (${percent(weakest[1].ratio)}%)` }
  if (score.final >= 70 && score.caps.length === 0) return { verdict: 'recommended', reason: `score ${score.final}/100 with no red flags` }
  const cap = score.caps[0]
  return { verdict: 'caution', reason: cap ? `${cap.reason} (score ${score.final}/100)` : `middling score ${score.final}/100; weakest: ${SUB_SCORE_LABELS[weakest[0]]} (${percent(weakest[1].ratio)}%)` }
}

function scoreView(score: QualityScore, format: Format): Score {
  const { verdict, reason } = verdictOf(score)
  const subScores = { quality: percent(score.subScores.quality.ratio), maintenance: percent(score.subScores.maintenance.ratio), supplyChain: percent(score.subScores.supplyChain.ratio), popularity: percent(score.subScores.popularity.ratio) }
  const summary = { final: score.final, verdict, reason, subScores }
  return format === 'concise' ? summary : { ...summary, factors: score.factors, caps: score.caps, flags: score.flags }
}

function dependencyRanges(manifest: Record<string, unknown>): Record<string, string> {
  const ranges = { ...(manifest.dependencies as Record<string, string> | undefined), ...(manifest.optionalDependencies as Record<string, string> | undefined) }
  return Object.fromEntries(Object.entries(ranges).filter(([, range]) => typeof range === 'string'))
}

const stringOf = (value: unknown) => (typeof value === 'string' ? value : undefined)

function repositoryOf(manifest: Record<string, unknown>): string | undefined {
  const repository = manifest.repository
  const url = typeof repository === 'string' ? repository : stringOf((repository as { url?: unknown } | undefined)?.url)
  return url?.replace(/^git\+/, '').replace(/\.git$/, '')
}

/** A search cursor: the offset, bound to the query it was issued for. */
function encodeCursor(offset: number, query: string): string {
  return Buffer.from(JSON.stringify({ o: offset, q: Bun.hash(query).toString(36) })).toString('base64url')
}

function decodeCursor(cursor: string | undefined, query: string): number {
  if (cursor === undefined) return 0
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { o?: unknown; q?: unknown }
    if (Number.isInteger(parsed.o) && (parsed.o as number) >= 0 && parsed.q === Bun.hash(query).toString(36)) return parsed.o as number
  } catch {
    // Reported below.
  }
  throw new BadRequestError('INVALID_CURSOR', 'cursor does not belong to this query; repeat the search without cursor')
}

export class AgentService {
  constructor(
    private readonly catalog: CatalogService,
    private readonly packuments: PackumentCache,
    private readonly analyses: AnalysisService,
    private readonly packageDocs: PackageDocsService,
  ) {}

  /** Names close to `name` that the viewer may see ("did you mean"), best first. */
  suggest(name: string, viewer: Visibility, limit = 3): string[] {
    const wanted = name.toLowerCase()
    const wantedBase = basenameOf(wanted)
    const threshold = Math.max(1, Math.floor(wanted.length / 3))
    const close: Array<{ name: string; distance: number }> = []
    for (const candidate of this.catalog.names()) {
      if (!viewer.canSee(candidate)) continue
      const lower = candidate.toLowerCase()
      // Same basename in another scope (or none) is as close as one edit.
      const score = Math.min(distance(wanted, lower), distance(wantedBase, basenameOf(lower)) + 1)
      if (score <= threshold) close.push({ name: candidate, distance: score })
    }
    return close
      .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
      .slice(0, limit)
      .map((item) => item.name)
  }

  private notFound(name: string, viewer: Visibility): NotFoundError {
    const suggestions = this.suggest(name, viewer)
    const scope = viewer.limitation ? ` visible to this token (${viewer.limitation})` : ''
    const hint = suggestions.length > 0 ? `; did you mean ${suggestions.map(quote).join(' or ')}?` : '; to find a package by what it does, search for the capability (search_packages, or GET /agent/search?q=...)'
    return new NotFoundError('PACKAGE_NOT_FOUND', `no package named ${quote(name)}${scope}${hint}`)
  }

  /** The package, if it exists and the viewer may see it; the same 404 otherwise. */
  private async load(name: string, viewer: Visibility): Promise<LoadedPackage> {
    if (!checkPackageName(name).validForOld) throw new BadRequestError('INVALID_PACKAGE_NAME', `${quote(name)} is not a valid npm package name`)
    if (!viewer.canSee(name)) throw this.notFound(name, viewer)
    const entry = await this.packuments.get(name)
    if (!entry) throw this.notFound(name, viewer)
    return entry.loaded
  }

  private version(loaded: LoadedPackage, spec: string | undefined): VersionState {
    const { state } = loaded
    const version = spec === undefined ? latestVersion(state) : resolveVersion(state, spec)
    if (version) return version
    const recent = state.versions.slice(-10).reverse().map((candidate) => candidate.version)
    const tags = Object.entries(state.distTags).map(([tag, target]) => `${tag} → ${target}`)
    throw new NotFoundError('VERSION_NOT_FOUND', `${state.name} has no version matching ${quote(spec ?? 'latest')}; versions: ${recent.join(', ')}${tags.length > 0 ? `; dist-tags: ${tags.join(', ')}` : ''}`)
  }

  private async analysis(name: string, version: string): Promise<Analysis> {
    const stored = await this.analyses.get(name, version)
    if (!stored) return { status: 'pending', result: undefined }
    return stored.result.status === 'ok' ? { status: 'ready', result: stored.result } : { status: 'rejected', result: stored.result }
  }

  async package(name: string, viewer: Visibility, options: { version?: string | undefined; format: Format }): Promise<PackageInfo> {
    const loaded = await this.load(name, viewer)
    const version = this.version(loaded, options.version)
    const analysis = await this.analysis(name, version.version)
    const { state } = loaded
    const manifest = version.manifest
    const ranges = dependencyRanges(manifest)
    const visibleRanges = Object.fromEntries(Object.entries(ranges).filter(([dependency]) => viewer.canSee(dependency)))
    const description = stringOf(manifest.description)
    const ok = analysis.status === 'ready' ? analysis.result : undefined
    const score = analysis.result ? this.catalog.score(loaded.state, version, analysis.result) : undefined
    const detailed = options.format === 'detailed'
    const capabilities = (ok?.capabilities ?? []).slice(0, detailed ? 12 : 5).map((capability) => (detailed ? { id: capability.id, label: capability.label, confidence: capability.confidence } : { id: capability.id, label: capability.label }))
    const info: PackageInfo = {
      name,
      version: version.version,
      latest: latestVersion(state)?.version ?? version.version,
      description: description === undefined ? null : cut(description, TEXT_LIMITS.description[options.format]),
      publishedAt: new Date(version.publishedAt).toISOString(),
      deprecated: version.deprecated,
      analysis: analysis.status,
      score: score ? scoreView(score, options.format) : null,
      capabilities,
      trust: ok
        ? {
            hasTypes: ok.types.kind !== 'none',
            types: ok.types.kind,
            hasTests: ok.tests.testScript || ok.tests.frameworks.length > 0,
            hasCI: ok.ci.length > 0,
            packageSize: { tarballBytes: ok.files.tarballSize, unpackedBytes: ok.files.unpackedSize, files: ok.files.count },
            license: ok.license.spdx ?? ok.license.declared,
            installScripts: ok.installScripts.risk,
            deprecated: version.deprecated !== null,
            moduleFormat: ok.module.format,
          }
        : null,
      dependencies: { count: Object.keys(ranges).length, hidden: Object.keys(ranges).length - Object.keys(visibleRanges).length, ...(detailed ? { ranges: firstEntries(visibleRanges, TEXT_LIMITS.ranges) } : {}) },
      downloads30Days: this.catalog.downloads30Days(name),
      dependents: this.catalog.dependents(name),
      install: `npm install ${name}@${version.version}`,
    }
    if (!detailed) return info
    const homepage = stringOf(manifest.homepage)
    const repository = repositoryOf(manifest)
    return {
      ...info,
      keywords: Array.isArray(manifest.keywords) ? manifest.keywords.filter((keyword): keyword is string => typeof keyword === 'string').slice(0, TEXT_LIMITS.keywords).map((keyword) => cut(keyword, TEXT_LIMITS.keywordChars)) : [],
      distTags: firstEntries(state.distTags, TEXT_LIMITS.distTags),
      versions: {
        total: state.versions.length,
        recent: state.versions
          .slice(-10)
          .reverse()
          .map((candidate) => ({ version: candidate.version, publishedAt: new Date(candidate.publishedAt).toISOString(), deprecated: candidate.deprecated !== null })),
      },
      links: { ...(homepage ? { homepage } : {}), ...(repository ? { repository } : {}) },
    }
  }

  private why(hit: SearchHit): string {
    const parts: string[] = []
    if (hit.exactName) parts.push('exact name match')
    if (hit.capabilities.length > 0) parts.push(`has ${hit.capabilities.map(labelOf).join(', ')}`)
    const fields = Object.entries(hit.matched).map(([field, terms]) => `${FIELD_LABELS[field] ?? field} (${[...new Set(terms)].slice(0, 3).join(', ')})`)
    if (fields.length > 0) parts.push(`matched ${fields.join(', ')}`)
    const dependents = this.catalog.dependents(hit.name)
    if (dependents > 0) parts.push(`used by ${dependents} package${dependents === 1 ? '' : 's'} in this registry`)
    return parts.join('; ')
  }

  search(query: string, viewer: Visibility, options: { limit: number; cursor?: string | undefined; format: Format }): SearchResponse {
    const offset = decodeCursor(options.cursor, query)
    const { total, hits } = this.catalog.search(query, { limit: options.limit, offset, accept: viewer.canSee })
    const detailed = options.format === 'detailed'
    const results = hits.flatMap((hit) => {
      const entry = this.catalog.entry(hit.name)
      if (!entry) return []
      const verdict = entry.score ? verdictOf(entry.score).verdict : null
      const description = entry.listing.description || null
      return [
        {
          name: hit.name,
          version: entry.listing.version,
          description: description === null ? null : cut(description, TEXT_LIMITS.description[options.format]),
          score: entry.score?.final ?? null,
          verdict,
          why: this.why(hit),
          capabilities: hit.capabilities,
          deprecated: entry.score?.flags.deprecated ?? false,
          ...(detailed
            ? {
                matched: hit.matched as Record<string, string[]>,
                subScores: entry.score ? scoreView(entry.score, 'concise').subScores : null,
              }
            : {}),
        },
      ]
    })
    const next = offset + hits.length
    return {
      query,
      understoodAs: capabilitiesForQuery(query).map((capability) => ({ id: capability.id, label: labelOf(capability.id) })),
      total,
      returned: results.length,
      nextCursor: next < total && hits.length > 0 ? encodeCursor(next, query) : null,
      results,
    }
  }

  async compare(names: readonly string[], viewer: Visibility, options: { format: Format }): Promise<CompareResponse> {
    const candidates: CompareCandidate[] = []
    const scores = new Map<string, QualityScore>()
    const notCompared: CompareResponse['notCompared'] = []
    let missing = false
    for (const name of new Set(names)) {
      try {
        const loaded = await this.load(name, viewer)
        const version = this.version(loaded, undefined)
        const analysis = await this.analysis(name, version.version)
        if (!analysis.result) {
          notCompared.push({ name, reason: 'its analysis is still running (published moments ago); compare again in a few seconds' })
          continue
        }
        const score = this.catalog.score(loaded.state, version, analysis.result)
        scores.set(name, score)
        candidates.push({ name, analysis: analysis.result, score, lastPublishedAt: Math.max(...loaded.state.versions.map((candidate) => candidate.publishedAt)), downloads30Days: this.catalog.downloads30Days(name) })
      } catch (error) {
        if (!(error instanceof NotFoundError) && !(error instanceof BadRequestError)) throw error
        missing = true
        notCompared.push({ name, reason: error.message })
      }
    }
    if (candidates.length < 2) {
      const reasons = notCompared.map((item) => item.reason).join('; ')
      if (missing) throw new NotFoundError('PACKAGE_NOT_FOUND', `cannot compare: ${reasons}`)
      throw new ConflictError('ANALYSIS_PENDING', `cannot compare yet: ${reasons}`)
    }
    const comparison = comparePackages(candidates, { now: Date.now() })
    const detailed = options.format === 'detailed'
    return {
      pick: comparison.pick,
      reasons: comparison.reasons,
      ranking: comparison.ranking,
      sharedCapabilities: comparison.sharedCapabilities,
      packages: comparison.packages.map((item) => {
        const verdict = verdictOf(scores.get(item.name) as QualityScore).verdict
        const base = { name: item.name, version: item.version, score: item.score, verdict, disqualified: item.disqualified }
        if (!detailed) return base
        return {
          ...base,
          subScores: { quality: percent(item.subScores.quality), maintenance: percent(item.subScores.maintenance), supplyChain: percent(item.subScores.supplyChain), popularity: percent(item.subScores.popularity) },
          capabilities: item.capabilities,
          types: item.types,
          moduleFormat: item.moduleFormat,
          unpackedBytes: item.unpackedSize,
          dependencies: item.dependencies,
          daysSinceRelease: item.daysSinceRelease,
          downloads30Days: item.downloads30Days,
          license: item.license,
        }
      }),
      notCompared,
    }
  }

  async dependencies(name: string, viewer: Visibility, options: { version?: string | undefined; depth: number; format: Format }): Promise<DependenciesResponse> {
    const loaded = await this.load(name, viewer)
    const version = this.version(loaded, options.version)
    const manifest = version.manifest as Record<string, Record<string, string> | undefined>
    // Packages the viewer may not see are never looked up (so never expanded): they stay leaves.
    const graph = await buildDependencyGraph(
      { name, version: version.version, dependencies: manifest.dependencies, optionalDependencies: manifest.optionalDependencies },
      async (dependency) => {
        if (!viewer.canSee(dependency)) return undefined
        const entry = await this.packuments.get(dependency)
        return entry ? packageVersions(entry.loaded) : undefined
      },
      { depth: options.depth, maxNodes: GRAPH_LIMITS.resolve },
    )
    // Invisible nodes become `hidden#N`: counted, never named.
    const ids = new Map<string, string>()
    let hiddenCount = 0
    const nodes = graph.nodes.map((node) => {
      if (node.status === 'root' || viewer.canSee(node.name)) return node
      const id = `hidden#${++hiddenCount}`
      ids.set(node.id, id)
      return { ...node, id, name: null, version: null, status: 'hidden' as const, deprecated: null }
    })
    const edges = graph.edges.map((edge) => (ids.has(edge.to) ? { ...edge, to: ids.get(edge.to) as string, range: null } : edge))
    const byId = new Map(nodes.map((node) => [node.id, node]))
    const problems: string[] = []
    for (const node of nodes) if (node.deprecated) problems.push(`${node.id} is deprecated: ${node.deprecated}`)
    for (const edge of edges) {
      const target = byId.get(edge.to)
      if (target?.status === 'unsatisfied') problems.push(`no version of ${target.name} in this registry satisfies ${edge.range} (needed by ${edge.from})`)
      if (target?.status === 'non-registry') problems.push(`${target.name} comes from ${edge.range}, not from the registry (needed by ${edge.from})`)
      if (edge.cycle) problems.push(`cycle: ${edge.from} → ${edge.to}`)
    }
    const rootId = graph.root
    const detailed = options.format === 'detailed'
    const direct = edges.filter((edge) => edge.from === rootId)
    const directLimit = GRAPH_LIMITS.direct[options.format]
    return {
      root: rootId,
      depth: options.depth,
      summary: {
        packages: nodes.length - 1,
        direct: direct.length,
        resolved: nodes.filter((node) => node.status === 'resolved').length,
        external: nodes.filter((node) => node.status === 'external').length,
        unsatisfied: graph.summary.unsatisfied,
        nonRegistry: graph.summary.nonRegistry,
        hidden: hiddenCount,
        deprecated: nodes.filter((node) => node.deprecated).length,
        cycles: graph.summary.cycles,
        maxDepth: graph.summary.maxDepth,
      },
      problems: problems.slice(0, GRAPH_LIMITS.problems),
      direct: direct.slice(0, directLimit).map((edge) => {
        const target = byId.get(edge.to)
        return { name: target?.name ?? null, range: edge.range, version: target?.version ?? null, status: target?.status ?? 'external', deprecated: target?.deprecated ?? null }
      }),
      truncated: graph.truncated || direct.length > directLimit || (detailed && (nodes.length > GRAPH_LIMITS.nodes || edges.length > GRAPH_LIMITS.edges)),
      ...(detailed ? { nodes: nodes.slice(0, GRAPH_LIMITS.nodes), edges: edges.slice(0, GRAPH_LIMITS.edges) } : {}),
    }
  }

  async recommendations(name: string, viewer: Visibility, options: { limit: number }): Promise<RecommendationsResponse> {
    const loaded = await this.load(name, viewer)
    const version = this.version(loaded, undefined)
    const usedWith = this.catalog
      .related(name, options.limit * 3)
      .filter((item) => viewer.canSee(item.name))
      .slice(0, options.limit)
      .map((item) => ({
        name: item.name,
        together: item.together,
        usedBy: item.usedBy,
        relation: item.relation,
        why: item.relation === 'types' ? `type declarations for ${name}` : `${item.together} package${item.together === 1 ? '' : 's'} in this registry use${item.together === 1 ? 's' : ''} both${item.relation === 'same-scope' ? ' (same scope)' : ''}`,
      }))
    const analysis = await this.analysis(name, version.version)
    const own = this.catalog.entry(name)?.score?.final ?? null
    const shared = new Map<string, string[]>()
    for (const capability of (analysis.status === 'ready' ? analysis.result.capabilities : []).slice(0, 3)) {
      for (const hit of this.catalog.byCapability(capability.id, { limit: options.limit * 2, accept: (candidate) => candidate !== name && viewer.canSee(candidate) })) {
        shared.set(hit.name, [...(shared.get(hit.name) ?? []), capability.id])
      }
    }
    const alternatives = [...shared]
      .flatMap(([candidate, capabilities]) => {
        const entry = this.catalog.entry(candidate)
        return entry ? [{ candidate, capabilities, entry, score: entry.score?.final ?? null }] : []
      })
      .sort((a, b) => b.capabilities.length - a.capabilities.length || (b.score ?? -1) - (a.score ?? -1) || a.candidate.localeCompare(b.candidate))
      .slice(0, options.limit)
      .map(({ candidate, capabilities, entry, score }) => ({
        name: candidate,
        version: entry.listing.version,
        score,
        verdict: entry.score ? verdictOf(entry.score).verdict : null,
        sharedCapabilities: capabilities,
        why: `also provides ${capabilities.map(labelOf).join(', ')}${score !== null && own !== null ? `; scores ${score} vs ${own}` : ''}`,
      }))
    return { name, usedWith, alternatives }
  }

  /** README of the latest version (what the npm packument shows), null when there is none. */
  async readme(name: string, viewer: Visibility): Promise<string | null> {
    return (await this.load(name, viewer)).state.readme
  }

  async docs(name: string, viewer: Visibility, options: { version?: string | undefined; symbol?: string | undefined; format: Format }) {
    const loaded = await this.load(name, viewer)
    const version = this.version(loaded, options.version)
    const analysis = await this.analysis(name, version.version)
    return this.packageDocs.docs({ name, version, analysis: analysis.status === 'ready' ? analysis.result : undefined }, { symbol: options.symbol, format: options.format })
  }
}
