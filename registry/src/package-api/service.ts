// The package REST API's reads: a paginated listing (by name from the database, or ranked by the
// catalog's search for a query) and a package's details, both built from the same cached package
// state the npm routes serve, and both limited to what the viewer may read.
import { and, asc, count, eq, exists, inArray, isNull, not, or, type SQL } from 'drizzle-orm'
import type { Viewer } from '../access/service.ts'
import { describePackage, latestVersion, type CatalogService } from '../catalog/service.ts'
import type { Database } from '../db/index.ts'
import type { AnalysisResult } from '@packr/scoring'
import { packages, versionAnalyses, versions } from '../db/schema.ts'
import { sortedVersions } from '../npm/packument.ts'
import type { PackumentCache } from '../packages/cache.ts'
import type { LoadedPackage } from '../packages/service.ts'
import { inScope, type SearchService } from '../search/service.ts'
import type { PackageDetails, PackageSummary, VersionView } from './model.ts'

export interface ListQuery {
  q?: string | undefined
  /** `@acme` or `acme`. */
  scope?: string | undefined
  offset: number
  limit: number
}

const iso = (ms: number) => new Date(ms).toISOString()
const asString = (value: unknown) => (typeof value === 'string' ? value : null)

export class PackageApiService {
  constructor(
    private readonly db: Database,
    private readonly packuments: PackumentCache,
    private readonly catalog: CatalogService,
    private readonly search: SearchService,
  ) {}

  async list(viewer: Viewer, query: ListQuery): Promise<{ total: number; packages: PackageSummary[] }> {
    const scope = query.scope === undefined ? undefined : `@${query.scope.replace(/^@/, '')}`
    const { total, names } = query.q ? this.searchNames(viewer, query.q, scope, query) : await this.listNames(viewer, scope, query)
    const loaded = await Promise.all(names.map(async (name) => (await this.packuments.get(name))?.loaded))
    return { total, packages: loaded.filter((entry) => entry !== undefined).map((entry) => this.summary(entry)) }
  }

  /** Ranked like npm search: the catalog holds packages with at least one version. */
  private searchNames(viewer: Viewer, q: string, scope: string | undefined, page: ListQuery): { total: number; names: string[] } {
    const results = this.search.search(q, page.limit, page.offset, viewer, scope ? inScope(scope) : undefined)
    return { total: results.total, names: results.objects.map((hit) => hit.package.name) }
  }

  /**
   * Every package by name, including those created empty, but not those whose versions were all
   * unpublished. Restricted packages are filtered by the viewer's rules before paging, so counts and
   * pages hold only what the viewer may read.
   */
  private async listNames(viewer: Viewer, scope: string | undefined, page: ListQuery): Promise<{ total: number; names: string[] }> {
    const anyVersion = (live: boolean) =>
      exists(
        this.db.read
          .select({ one: versions.version })
          .from(versions)
          .where(and(eq(versions.packageName, packages.name), live ? isNull(versions.unpublishedAt) : undefined)),
      )
    const conditions: Array<SQL | undefined> = [scope ? eq(packages.scope, scope) : undefined, or(anyVersion(true), not(anyVersion(false)))]
    // An admin token limited to some scopes or packages sees restricted packages only within them.
    const seesEverything = viewer.admin && viewer.identity?.scopes.length === 0 && viewer.identity.packages === null
    if (!seesEverything) {
      const restricted = await this.db.read
        .select({ name: packages.name, access: packages.access, maintainers: packages.maintainers })
        .from(packages)
        .where(and(eq(packages.access, 'restricted'), scope ? eq(packages.scope, scope) : undefined))
      const readable = restricted.filter((row) => viewer.canRead(row)).map((row) => row.name)
      conditions.push(readable.length > 0 ? or(eq(packages.access, 'public'), inArray(packages.name, readable)) : eq(packages.access, 'public'))
    }
    const where = and(...conditions)
    const [counted] = await this.db.read.select({ total: count() }).from(packages).where(where)
    const rows = await this.db.read.select({ name: packages.name }).from(packages).where(where).orderBy(asc(packages.name)).limit(page.limit).offset(page.offset)
    return { total: counted?.total ?? 0, names: rows.map((row) => row.name) }
  }

  summary(loaded: LoadedPackage): PackageSummary {
    const { state, row } = loaded
    const described = describePackage(state.metadata, latestVersion(state))
    const score = this.catalog.entry(state.name)?.score
    return {
      name: state.name,
      scope: row.scope,
      access: row.access,
      description: described.description,
      keywords: described.keywords,
      latest: state.distTags.latest ?? null,
      score: score ? score.final : null,
      modifiedAt: iso(state.modifiedAt),
    }
  }

  /** With each version's quality score, from the analyses stored for the package (one read). */
  async details(loaded: LoadedPackage): Promise<PackageDetails> {
    const { state, tarballs } = loaded
    const analyses = await this.db.read
      .select({ version: versionAnalyses.version, result: versionAnalyses.result })
      .from(versionAnalyses)
      .where(eq(versionAnalyses.packageName, state.name))
    const analysisOf = new Map(analyses.map((row) => [row.version, row.result as unknown as AnalysisResult]))
    const latest = latestVersion(state)
    const described = describePackage(state.metadata, latest)
    const tagsOf = (version: string) => Object.entries(state.distTags).flatMap(([tag, target]) => (target === version ? [tag] : []))
    const views: VersionView[] = sortedVersions(state.versions)
      .reverse()
      .flatMap((version) => {
        const tarball = tarballs.get(version.version)
        if (!tarball) return []
        const manifest = version.manifest as { description?: unknown; dist?: { shasum?: unknown }; _npmUser?: { name?: unknown } }
        const analysis = analysisOf.get(version.version)
        return [
          {
            version: version.version,
            description: asString(manifest.description),
            size: tarball.size,
            integrity: tarball.integrity,
            shasum: asString(manifest.dist?.shasum) ?? '',
            sha256: tarball.sha256,
            signature: tarball.signature ?? null,
            publishedAt: iso(version.publishedAt),
            publishedBy: asString(manifest._npmUser?.name),
            deprecated: version.deprecated,
            tags: tagsOf(version.version),
            analyzed: analysis !== undefined,
            score: analysis?.status === 'ok' ? this.catalog.score(state, version, analysis).final : null,
          },
        ]
      })
    return {
      ...this.summary(loaded),
      homepage: described.homepage ?? null,
      repository: described.repository ?? null,
      license: asString(latest?.manifest.license),
      distTags: state.distTags,
      maintainers: state.maintainers,
      createdAt: iso(state.createdAt),
      versions: views,
    }
  }
}
