// What the package pages show, read from what the registry already keeps in memory: the catalog
// (search, scores, capabilities, co-occurrence, popularity) and the packument cache (versions,
// dist-tags, deprecations, README). Nothing here touches HTTP.
import { CAPABILITIES, comparePackages, type AnalysisResult, type Capability, type Comparison, type QualityScore, type Recommendation } from '@packr/scoring'
import semver from 'semver'
import type { Viewer } from '../../access/service.ts'
import type { AnalysisService } from '../../analysis/service.ts'
import { latestVersion, type CatalogService, type Listing } from '../../catalog/service.ts'
import type { VersionState } from '../../npm/packument.ts'
import { checkPackageName } from '../../npm/names.ts'
import type { PackumentCache } from '../../packages/cache.ts'
import type { SearchService } from '../../search/service.ts'
import type { ReadmeCache, RenderedReadme } from './readme.ts'

export const PAGE_SIZE = 20
const DEPENDENTS_SHOWN = 50
const RELATED_SHOWN = 10
export const COMPARE_MAX = 5

const CAPABILITY_LABELS = new Map(CAPABILITIES.map((capability) => [capability.id, capability.label]))
export const capabilityLabel = (id: string) => CAPABILITY_LABELS.get(id) ?? id

export interface ListQuery {
  q: string
  scope: string | undefined
  capability: string | undefined
  page: number
}

export interface ListedPackage {
  name: string
  version: string
  description: string
  date: string
  score: number | null
  deprecated: boolean
  capabilities: string[]
}

export interface PackageList {
  total: number
  items: ListedPackage[]
  /** Scopes present in the registry, for the filter. */
  scopes: string[]
}

export interface VersionRow {
  version: string
  publishedAt: number
  deprecated: string | null
  tags: string[]
}

export interface DependencyRow {
  name: string
  range: string
  kind: 'dependency' | 'peer' | 'optional'
  /** Published in this registry (so it has a page here). */
  known: boolean
}

export interface PackageDetail {
  name: string
  listing: Listing
  latest: VersionState
  license: string | null
  versions: VersionRow[]
  distTags: Record<string, string>
  readme: RenderedReadme | null
  dependencies: DependencyRow[]
  dependents: { total: number; names: string[] }
  score: QualityScore | undefined
  analysis: AnalysisResult | undefined
  capabilities: Capability[]
  related: Recommendation[]
  downloads30Days: number
}

export interface PackageComparison {
  comparison: Comparison | null
  /** Names that cannot be compared, with the reason. */
  missing: Array<{ name: string; reason: string }>
}

export class PackagePages {
  constructor(
    private readonly catalog: CatalogService,
    private readonly search: SearchService,
    private readonly packuments: PackumentCache,
    private readonly analyses: AnalysisService,
    private readonly readmes: ReadmeCache,
  ) {}

  /** The catalog entry when `viewer` may see the package; restricted packages are invisible to others. */
  private visible(viewer: Viewer, name: string) {
    const entry = this.catalog.entry(name)
    return entry && this.catalog.visibleTo(viewer, entry.listing) ? entry : undefined
  }

  private listed(name: string): ListedPackage | null {
    const entry = this.catalog.entry(name)
    if (!entry) return null
    const { listing, score } = entry
    return {
      name,
      version: listing.version,
      description: listing.description,
      date: listing.date,
      score: score?.final ?? null,
      deprecated: score?.flags.deprecated ?? false,
      capabilities: entry.capabilities,
    }
  }

  /** Search (the engine behind npm search, qualifiers included) filtered by scope and capability. */
  list(viewer: Viewer, query: ListQuery): PackageList {
    const scope = query.scope?.replace(/^@/, '')
    const only = (listing: Listing) => {
      if (scope !== undefined && listing.scope !== scope) return false
      return query.capability === undefined || (this.catalog.entry(listing.name)?.capabilities.includes(query.capability) ?? false)
    }
    const found = this.search.search(query.q, PAGE_SIZE, (query.page - 1) * PAGE_SIZE, viewer, only)
    const scopes = new Set<string>()
    for (const entry of this.catalog.all()) if (entry.listing.scope !== 'unscoped' && this.catalog.visibleTo(viewer, entry.listing)) scopes.add(entry.listing.scope)
    return {
      total: found.total,
      items: found.objects.map((object) => this.listed(object.package.name)).filter((item): item is ListedPackage => item !== null),
      scopes: [...scopes].sort(),
    }
  }

  /** The start page's lists: most downloaded in 30 days, and most recently published. */
  highlights(viewer: Viewer, limit: number): { count: number; popular: Array<ListedPackage & { downloads: number }>; recent: ListedPackage[] } {
    const visible = [...this.catalog.all()].filter((entry) => this.catalog.visibleTo(viewer, entry.listing))
    const downloaded = visible.map((entry) => ({ name: entry.listing.name, downloads: this.catalog.downloads30Days(entry.listing.name) })).filter((item) => item.downloads > 0)
    const popular = firstInOrder(downloaded, limit, (a, b) => b.downloads - a.downloads || compareText(a.name, b.name)).map((item) => ({
      ...(this.listed(item.name) as ListedPackage),
      downloads: item.downloads,
    }))
    const recent = firstInOrder(visible, limit, (a, b) => compareText(b.listing.date, a.listing.date)).map((entry) => this.listed(entry.listing.name) as ListedPackage)
    return { count: visible.length, popular, recent }
  }

  /** Everything the package page shows, or null when there is no such package. */
  async detail(viewer: Viewer, name: string): Promise<PackageDetail | null> {
    if (!checkPackageName(name).validForOld) return null
    const cached = await this.packuments.get(name)
    if (!cached || !viewer.canRead(cached.loaded.row)) return null
    const { state } = cached.loaded
    const latest = latestVersion(state) as VersionState
    const entry = this.catalog.entry(name)
    const stored = await this.analyses.get(name, latest.version)
    const tagsOf = new Map<string, string[]>()
    for (const [tag, version] of Object.entries(state.distTags)) tagsOf.set(version, [...(tagsOf.get(version) ?? []), tag])
    const versions = state.versions
      .map((version) => ({ version: version.version, publishedAt: version.publishedAt, deprecated: version.deprecated, tags: tagsOf.get(version.version) ?? [] }))
      .sort((a, b) => (semver.valid(a.version) && semver.valid(b.version) ? semver.rcompare(a.version, b.version) : b.publishedAt - a.publishedAt))
    const manifest = latest.manifest
    const dependencies: DependencyRow[] = []
    for (const [field, kind] of [['dependencies', 'dependency'], ['peerDependencies', 'peer'], ['optionalDependencies', 'optional']] as const) {
      const ranges = manifest[field]
      if (!ranges || typeof ranges !== 'object') continue
      for (const [dependency, range] of Object.entries(ranges as Record<string, unknown>)) {
        dependencies.push({ name: dependency, range: String(range), kind, known: this.visible(viewer, dependency) !== undefined })
      }
    }
    const dependents = this.catalog.dependentNames(name).filter((dependent) => this.visible(viewer, dependent))
    const license = typeof manifest.license === 'string' ? manifest.license : null
    return {
      name,
      listing: entry?.listing ?? { name, access: cached.loaded.row.access, scope: '', version: latest.version, description: '', keywords: [], date: new Date(latest.publishedAt).toISOString(), publisher: undefined, maintainers: [], links: {} },
      latest,
      license,
      versions,
      distTags: state.distTags,
      readme: state.readme ? this.readmes.render(name, latest.version, state.readme) : null,
      dependencies,
      dependents: { total: dependents.length, names: dependents.slice(0, DEPENDENTS_SHOWN) },
      score: entry?.score,
      analysis: stored?.result,
      capabilities: stored?.result.status === 'ok' ? stored.result.capabilities : [],
      related: this.catalog.related(name, RELATED_SHOWN * 2).filter((recommendation) => this.visible(viewer, recommendation.name)).slice(0, RELATED_SHOWN),
      downloads30Days: this.catalog.downloads30Days(name),
    }
  }

  /** Side-by-side comparison with a recommended pick (`comparePackages`), for 2 to 5 packages. */
  async compare(viewer: Viewer, names: readonly string[]): Promise<PackageComparison> {
    const missing: PackageComparison['missing'] = []
    const candidates = []
    for (const name of [...new Set(names)].slice(0, COMPARE_MAX)) {
      const entry = this.visible(viewer, name)
      const stored = entry ? await this.analyses.get(name, entry.listing.version) : undefined
      if (!entry) missing.push({ name, reason: 'no such package in this registry' })
      else if (!entry.score || !stored) missing.push({ name, reason: 'not analysed yet' })
      else candidates.push({ name, analysis: stored.result, score: entry.score, lastPublishedAt: Date.parse(entry.listing.date), downloads30Days: this.catalog.downloads30Days(name) })
    }
    return { comparison: candidates.length >= 2 ? comparePackages(candidates, { now: Date.now() }) : null, missing }
  }
}

/** Code-point order: names and ISO dates need no locale rules, and `localeCompare` is several times slower. */
const compareText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0)

/**
 * The first `limit` items in `order`, kept in a short sorted list while scanning: the start page
 * shows 10 of up to tens of thousands of packages, and sorting all of them twice per request took
 * 15 ms with 10,000 packages (5 ms for everything the start page gathers now).
 */
export function firstInOrder<T>(items: Iterable<T>, limit: number, order: (a: T, b: T) => number): T[] {
  const first: T[] = []
  if (limit <= 0) return first
  for (const item of items) {
    if (first.length === limit) {
      if (order(item, first[limit - 1] as T) >= 0) continue
      first.pop()
    }
    let at = first.length
    while (at > 0 && order(item, first[at - 1] as T) < 0) at--
    first.splice(at, 0, item)
  }
  return first
}
