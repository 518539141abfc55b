// What the registry knows about its packages as a whole, kept in memory: the search index, who
// depends on whom ("used together with"), download popularity, and each package's current score.
// Rebuilt from the database at start, refreshed per package on every change (here, or on another
// instance through the cluster), and fully recomputed periodically so time-based signals
// (freshness, 30-day downloads) stay current.
import {
  CoOccurrenceIndex,
  DEFAULT_POPULARITY_REFERENCE,
  PackageSearchIndex,
  scoreVersion,
  type AnalysisResult,
  type CoOccurrenceSnapshot,
  type PackageLookup,
  type PackageVersions,
  type QualityScore,
  type SearchHit,
  type SearchIndexSnapshot,
  type VersionAnalysis,
} from '@packr/scoring'
import { eq, gte, isNull, or, sql } from 'drizzle-orm'
import type { AnalysisService } from '../analysis/service.ts'
import type { Viewer } from '../access/service.ts'
import type { Database } from '../db/index.ts'
import { catalogSnapshots, packages, versionAnalyses, versions, type PackageAccess, type PackageMetadata } from '../db/schema.ts'
import type { DownloadService } from '../downloads/service.ts'
import { isPackageEvent, type RegistryEvent } from '../events/index.ts'
import type { Logger } from '../logging/index.ts'
import type { PackageState, VersionState } from '../npm/packument.ts'
import type { PackumentCache } from '../packages/cache.ts'
import { packageState, type LoadedPackage, type PackageService } from '../packages/service.ts'

const DAY_MS = 86_400_000

/** What npm's search response shows of a package, kept per package. */
export interface Listing {
  name: string
  access: PackageAccess
  scope: string
  version: string
  description: string
  keywords: string[]
  date: string
  publisher: { username: string; email?: string } | undefined
  maintainers: Array<{ username: string; email?: string }>
  links: Record<string, string>
}

export interface CatalogEntry {
  listing: Listing
  /** Score of the latest version now; undefined until its analysis exists. */
  score: QualityScore | undefined
  /** Capability ids of the latest version (empty until its analysis exists). */
  capabilities: string[]
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined
}

function repositoryUrl(repository: unknown): string | undefined {
  const url = typeof repository === 'string' ? repository : asString((repository as { url?: unknown } | undefined)?.url)
  return url?.replace(/^git\+/, '').replace(/\.git$/, '')
}

function person(value: unknown): { username: string; email?: string } | undefined {
  const record = value as { name?: unknown; email?: unknown } | undefined
  if (typeof record?.name !== 'string') return undefined
  return typeof record.email === 'string' ? { username: record.name, email: record.email } : { username: record.name }
}

export function latestVersion(state: PackageState): VersionState | undefined {
  return state.versions.find((version) => version.version === state.distTags.latest) ?? state.versions.at(-1)
}

/** What describes a package: an admin's package-level metadata where set, else its latest version's. */
export interface PackageDescription {
  description: string
  keywords: string[]
  homepage: string | undefined
  repository: string | undefined
  bugs: string | undefined
}

export function describePackage(metadata: PackageMetadata, latest: VersionState | undefined): PackageDescription {
  const manifest = latest?.manifest ?? {}
  return {
    description: metadata.description ?? asString(manifest.description) ?? '',
    keywords: metadata.keywords ?? (Array.isArray(manifest.keywords) ? manifest.keywords.filter((keyword): keyword is string => typeof keyword === 'string') : []),
    homepage: metadata.homepage ?? asString(manifest.homepage),
    repository: repositoryUrl(metadata.repository ?? manifest.repository),
    bugs: asString((manifest.bugs as { url?: unknown } | undefined)?.url) ?? asString(manifest.bugs),
  }
}

export function toListing(state: PackageState, latest: VersionState, access: PackageAccess, publicUrl: string): Listing {
  const { description, keywords, homepage, repository, bugs } = describePackage(state.metadata, latest)
  const links: Record<string, string> = { npm: `${publicUrl}/${state.name}` }
  if (homepage) links.homepage = homepage
  if (repository) links.repository = repository
  if (bugs) links.bugs = bugs
  return {
    name: state.name,
    access,
    scope: state.name.startsWith('@') ? (state.name.split('/')[0] as string).slice(1) : 'unscoped',
    version: latest.version,
    description,
    keywords,
    date: new Date(latest.publishedAt).toISOString(),
    publisher: person(latest.manifest._npmUser),
    maintainers: state.maintainers.map((maintainer) => (maintainer.email ? { username: maintainer.name, email: maintainer.email } : { username: maintainer.name })),
    links,
  }
}

/** A package's versions and their dependencies, in the shape `@packr/scoring`'s graph code reads. */
export function packageVersions(loaded: LoadedPackage): PackageVersions {
  const result: PackageVersions = { versions: {}, distTags: loaded.state.distTags }
  for (const version of loaded.state.versions) {
    const manifest = version.manifest as Record<string, Record<string, string> | undefined>
    result.versions[version.version] = {
      dependencies: manifest.dependencies ?? {},
      optionalDependencies: manifest.optionalDependencies ?? {},
      peerDependencies: manifest.peerDependencies ?? {},
      deprecated: version.deprecated,
    }
  }
  return result
}

/** Looks packages up through the packument cache (the registry's own data, no network). */
export function registryLookup(packuments: PackumentCache): PackageLookup {
  return async (name) => {
    const entry = await packuments.get(name)
    return entry ? packageVersions(entry.loaded) : undefined
  }
}

const dependencyNames = (manifest: Record<string, unknown>) => Object.keys((manifest.dependencies as Record<string, string> | undefined) ?? {})

/** Bumped when the snapshot's shape changes; an older snapshot is ignored and the catalog rebuilt. */
const SNAPSHOT_FORMAT = 2
const SNAPSHOT_ID = 'catalog'
/** Changes this close to a snapshot are re-read after restoring it: clocks of instances differ a little. */
const SNAPSHOT_OVERLAP_MS = 60_000
/** Characters of a README the search index uses (it indexes the first 1,000). */
const README_PREFIX = 1200
const BATCH = 400
const REBUILD_INSTEAD_OF_REFRESHING = 500

interface Snapshot {
  index: SearchIndexSnapshot
  cooccurrence: CoOccurrenceSnapshot
  entries: Array<[string, CatalogEntry]>
  downloads30: Array<[string, number]>
  popularityReference: { downloads30Days: number; dependents: number }
}

export class CatalogService {
  private index = new PackageSearchIndex()
  private cooccurrence = new CoOccurrenceIndex()
  private entries = new Map<string, CatalogEntry>()
  /** Names of listed packages that are restricted. */
  private restricted = new Set<string>()
  private downloads30 = new Map<string, number>()
  private popularityReference = DEFAULT_POPULARITY_REFERENCE
  private timers: Array<ReturnType<typeof setInterval>> = []
  /** Changed since the last snapshot. */
  private dirty = false
  /** Packages refreshed while a rebuild runs: its bulk read may predate them, so they are redone after. */
  private changedDuringRebuild: Set<string> | null = null
  /**
   * Refreshes of one name run one after another, so an older read never overwrites a newer one; a
   * burst of writes to one package coalesces into the running refresh plus one more.
   */
  private readonly refreshing = new Map<string, { running: Promise<void>; queued: Promise<void> | undefined }>()

  constructor(
    private readonly db: Database,
    private readonly packages: PackageService,
    private readonly analyses: AnalysisService,
    private readonly downloads: DownloadService,
    private readonly publicUrl: () => string,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.entries.size
  }

  /** Whether any listed package is restricted (only then is a searcher's identity worth resolving). */
  get hasRestricted(): boolean {
    return this.restricted.size > 0
  }

  private countRestricted(): void {
    this.restricted = new Set([...this.entries.values()].filter(({ listing }) => listing.access !== 'public').map(({ listing }) => listing.name))
  }

  /** Whether `viewer` (null: anonymous) may see a listed package. */
  visibleTo(viewer: Viewer | null, listing: Listing): boolean {
    if (listing.access === 'public') return true
    return viewer?.canRead({ name: listing.name, access: listing.access, maintainers: listing.maintainers.map((maintainer) => ({ name: maintainer.username })) }) ?? false
  }

  entry(name: string): CatalogEntry | undefined {
    return this.entries.get(name)
  }

  /** Every listed package, in no particular order. */
  all(): IterableIterator<CatalogEntry> {
    return this.entries.values()
  }

  /** Packages in this registry whose latest version depends on `name`. */
  dependents(name: string): number {
    return this.cooccurrence.usedBy(name)
  }

  /** The names of those packages, sorted. */
  dependentNames(name: string): string[] {
    return this.cooccurrence.dependentsOf(name)
  }

  downloads30Days(name: string): number {
    return this.downloads30.get(name) ?? 0
  }

  /** "Used together with" `name`, best first, each saying how many packages use both. */
  related(name: string, limit: number) {
    return this.cooccurrence.related(name, { limit })
  }

  /** Dependencies that packages with dependencies like `names` also use (CrossRec-style). */
  recommend(names: readonly string[], limit: number) {
    return this.cooccurrence.recommend(names, { limit })
  }

  /** Scores `version` of a package from its stored analysis (a rejected tarball scores 0), as of now. */
  score(state: PackageState, version: VersionState, analysis: AnalysisResult): QualityScore {
    return scoreVersion(analysis, {
      now: Date.now(),
      versions: state.versions.map((candidate) => ({ version: candidate.version, publishedAt: candidate.publishedAt })),
      deprecated: version.deprecated,
      downloads30Days: this.downloads30Days(state.name),
      dependents: this.dependents(state.name),
      popularityReference: this.popularityReference,
    })
  }

  /** 30-day downloads of every package, and what counts as "fully popular" here (the 95th percentile). */
  private async loadPopularity(): Promise<void> {
    this.downloads30 = await this.downloads.totalsSince(Date.now() - 29 * DAY_MS)
    const counts = [...this.downloads30.values()].sort((a, b) => a - b)
    const p95 = counts[Math.floor(counts.length * 0.95)] ?? 0
    this.popularityReference = { downloads30Days: Math.max(DEFAULT_POPULARITY_REFERENCE.downloads30Days, p95), dependents: DEFAULT_POPULARITY_REFERENCE.dependents }
  }

  /**
   * Rebuilds everything from the database in a few bulk reads: popularity, every package's live
   * versions, then the README prefix and analysis of each latest version. The new catalog replaces
   * the old one only when complete, so search keeps answering meanwhile.
   */
  async rebuild(): Promise<void> {
    this.changedDuringRebuild = new Set()
    try {
      await this.rebuildAll()
    } finally {
      const changed = this.changedDuringRebuild
      this.changedDuringRebuild = null
      for (const name of changed) await this.refresh(name)
    }
  }

  private async rebuildAll(): Promise<void> {
    await this.loadPopularity()
    const rows = await this.db.read.select().from(packages)
    const live = await this.db.read
      .select({ name: versions.packageName, version: versions.version, manifest: versions.manifest, publishedAt: versions.publishedAt, deprecated: versions.deprecated })
      .from(versions)
      .where(isNull(versions.unpublishedAt))
    const byName = new Map<string, VersionState[]>()
    for (const version of live) {
      const list = byName.get(version.name) ?? []
      list.push({ version: version.version, manifest: version.manifest, publishedAt: version.publishedAt, deprecated: version.deprecated })
      byName.set(version.name, list)
    }
    const states: Array<{ state: PackageState; latest: VersionState; access: PackageAccess }> = []
    for (const row of rows) {
      const list = byName.get(row.name)
      if (!list) continue
      list.sort((a, b) => a.publishedAt - b.publishedAt)
      const state = packageState(row, list)
      const latest = latestVersion(state)
      if (latest) states.push({ state, latest, access: row.access })
    }
    const cooccurrence = new CoOccurrenceIndex()
    for (const { state, latest } of states) cooccurrence.setDependencies(state.name, dependencyNames(latest.manifest))
    this.cooccurrence = cooccurrence
    const index = new PackageSearchIndex()
    const entries = new Map<string, CatalogEntry>()
    for (let at = 0; at < states.length; at += BATCH) {
      const batch = states.slice(at, at + BATCH)
      const pairs = sql.join(batch.map(({ state, latest }) => sql`(${state.name}, ${latest.version})`), sql`, `)
      const readmes = await this.db.read
        .select({ name: versions.packageName, readme: sql<string | null>`substr(${versions.readme}, 1, ${README_PREFIX})` })
        .from(versions)
        .where(sql`(${versions.packageName}, ${versions.version}) in (${pairs})`)
      const analyses = await this.db.read
        .select({ name: versionAnalyses.packageName, result: versionAnalyses.result })
        .from(versionAnalyses)
        .where(sql`(${versionAnalyses.packageName}, ${versionAnalyses.version}) in (${pairs})`)
      const readmeOf = new Map(readmes.map((row) => [row.name, row.readme]))
      const analysisOf = new Map(analyses.map((row) => [row.name, row.result as unknown as AnalysisResult]))
      for (const { state, latest, access } of batch) {
        state.readme = readmeOf.get(state.name) ?? null
        const analysis = analysisOf.get(state.name)
        this.place(index, entries, state, latest, access, analysis?.status === 'ok' ? analysis : undefined)
      }
      // Let requests through between batches.
      await Bun.sleep(0)
    }
    this.index = index
    this.entries = entries
    this.countRestricted()
    this.dirty = true
  }

  /** Re-reads one package and replaces (or removes) everything derived from it. */
  refresh(name: string): Promise<void> {
    const current = this.refreshing.get(name)
    if (current?.queued) return current.queued
    const start = () => {
      const running = (async () => this.apply(name, await this.packages.load(name)))()
      const entry = { running, queued: undefined as Promise<void> | undefined }
      this.refreshing.set(name, entry)
      const settle = () => {
        if (this.refreshing.get(name) === entry) this.refreshing.delete(name)
      }
      running.then(settle, settle)
      return entry
    }
    if (!current) return start().running
    // The running refresh may have read before the latest write: queue exactly one more after it.
    const queued = current.running.catch(() => {}).then(() => start().running)
    current.queued = queued
    return queued
  }

  onEvent = (event: RegistryEvent): Promise<void> | undefined => (isPackageEvent(event) ? this.refresh(event.name) : undefined)

  private async apply(name: string, loaded: LoadedPackage | null): Promise<void> {
    this.dirty = true
    this.changedDuringRebuild?.add(name)
    const latest = loaded ? latestVersion(loaded.state) : undefined
    this.restricted.delete(name)
    if (!loaded || !latest) {
      this.index.remove(name)
      this.cooccurrence.remove(name)
      this.entries.delete(name)
      return
    }
    this.cooccurrence.setDependencies(name, dependencyNames(latest.manifest))
    // A refresh follows a write (often the analysis itself), which the replica may not have yet.
    const stored = await this.analyses.get(name, latest.version, this.db.primary)
    this.place(this.index, this.entries, loaded.state, latest, loaded.row.access, stored?.result.status === 'ok' ? stored.result : undefined)
    if (loaded.row.access !== 'public') this.restricted.add(name)
  }

  private place(index: PackageSearchIndex, entries: Map<string, CatalogEntry>, state: PackageState, latest: VersionState, access: PackageAccess, analysis: VersionAnalysis | undefined): void {
    const score = analysis ? this.score(state, latest, analysis) : undefined
    const listing = toListing(state, latest, access, this.publicUrl())
    index.upsert({
      name: state.name,
      description: listing.description,
      keywords: listing.keywords,
      capabilities: analysis?.capabilities ?? [],
      readme: state.readme,
      apiNames: analysis?.api.names ?? [],
      // Unanalysed packages rank as middling until their analysis lands.
      quality: score ? score.final / 100 : 0.5,
      popularity: score?.subScores.popularity.ratio ?? 0,
      deprecated: Boolean(latest.deprecated),
    })
    entries.set(state.name, { listing, score, capabilities: analysis?.capabilities.map((capability) => capability.id) ?? [] })
  }

  /** Full-text search, ranked by relevance × quality/popularity prior; `accept` filters names. */
  search(query: string, options: { limit: number; offset: number; accept?: (name: string) => boolean }): { total: number; hits: SearchHit[] } {
    return this.index.search(query, { limit: options.limit, offset: options.offset, ...(options.accept ? { filter: options.accept } : {}) })
  }

  /** Packages having capability `id`, by confidence × quality prior; `accept` filters names. */
  byCapability(id: string, options: { limit: number; accept?: (name: string) => boolean }): SearchHit[] {
    return this.index.byCapability(id, { limit: options.limit, ...(options.accept ? { filter: options.accept } : {}) }).hits
  }

  /** Every listed package, by name (npm search with qualifiers only). */
  names(): string[] {
    return [...this.entries.keys()].sort()
  }

  /** Stores the catalog so the next start can restore it instead of rebuilding. */
  async saveSnapshot(): Promise<void> {
    const takenAt = Date.now()
    this.dirty = false
    const snapshot: Snapshot = {
      index: this.index.toJSON(),
      cooccurrence: this.cooccurrence.toJSON(),
      entries: [...this.entries],
      downloads30: [...this.downloads30],
      popularityReference: this.popularityReference,
    }
    const data = JSON.stringify(snapshot)
    await this.db.transaction((tx) =>
      tx
        .insert(catalogSnapshots)
        .values({ id: SNAPSHOT_ID, formatVersion: SNAPSHOT_FORMAT, takenAt, data })
        .onConflictDoUpdate({ target: catalogSnapshots.id, set: { formatVersion: SNAPSHOT_FORMAT, takenAt, data } }),
    )
  }

  /**
   * Restores the last snapshot and re-reads the packages changed since it was taken. Returns the
   * snapshot's age in milliseconds, or null when there is no usable snapshot (then rebuild).
   */
  async restore(): Promise<number | null> {
    const [row] = await this.db.read.select().from(catalogSnapshots).where(eq(catalogSnapshots.id, SNAPSHOT_ID)).limit(1)
    if (!row || row.formatVersion !== SNAPSHOT_FORMAT) return null
    let snapshot: Snapshot
    try {
      snapshot = JSON.parse(row.data) as Snapshot
      this.index = PackageSearchIndex.fromJSON(snapshot.index)
      this.cooccurrence = CoOccurrenceIndex.fromJSON(snapshot.cooccurrence)
    } catch (error) {
      this.log.warn('catalog snapshot unusable; rebuilding', { error: error instanceof Error ? error.message : String(error) })
      return null
    }
    this.entries = new Map(snapshot.entries)
    this.countRestricted()
    this.downloads30 = new Map(snapshot.downloads30)
    this.popularityReference = snapshot.popularityReference
    const since = row.takenAt - SNAPSHOT_OVERLAP_MS
    const changed = await this.db.read
      .selectDistinct({ name: packages.name })
      .from(packages)
      .leftJoin(versionAnalyses, eq(versionAnalyses.packageName, packages.name))
      .where(or(gte(packages.modifiedAt, since), gte(versionAnalyses.analyzedAt, since)))
    // Past a point, one bulk rebuild is cheaper than many single re-reads.
    if (changed.length > REBUILD_INSTEAD_OF_REFRESHING) await this.rebuild()
    else for (const { name } of changed) await this.refresh(name)
    return Date.now() - row.takenAt
  }

  /**
   * Background upkeep: a full recompute every `rebuildEveryMs` (freshness and popularity move without
   * writes) and a snapshot every `snapshotEveryMs` when something changed.
   */
  start(rebuildEveryMs = 6 * 3600_000, snapshotEveryMs = 30 * 60_000): void {
    if (this.timers.length > 0) return
    const quietly = (work: () => Promise<void>, what: string) => () =>
      void work().catch((error) => this.log.warn(`catalog ${what} failed`, { error: error instanceof Error ? error.message : String(error) }))
    this.timers.push(setInterval(quietly(() => this.rebuild(), 'rebuild'), rebuildEveryMs))
    this.timers.push(setInterval(quietly(async () => (this.dirty ? this.saveSnapshot() : undefined), 'snapshot'), snapshotEveryMs))
  }

  /** Stops the upkeep and saves a last snapshot when something changed. */
  async stop(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer)
    this.timers = []
    if (this.dirty) await this.saveSnapshot().catch((error) => this.log.warn('catalog snapshot failed', { error: error instanceof Error ? error.message : String(error) }))
  }
}
