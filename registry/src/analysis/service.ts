// The scoring pipeline in the registry: every published version is analysed by a durable job
// (retried with backoff; a failed analysis never touches the publish), and the result is stored.
// Scores are not stored: they are computed from the analysis whenever they are read, so freshness
// and popularity stay current without re-analysis (see insights/).
import { ANALYSIS_VERSION, resolveRange, type AnalysisResult, type PackageLookup } from '@packr/scoring'
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm'
import type { Database, Db } from '../db/index.ts'
import { versionAnalyses, versions } from '../db/schema.ts'
import type { RegistryEvent } from '../events/index.ts'
import type { JobQueue } from '../jobs/service.ts'
import type { Logger } from '../logging/index.ts'
import type { BlobStore } from '../storage/index.ts'
import type { AnalysisRunner } from './runner.ts'

export const ANALYZE_JOB = 'analyze-version'

export interface StoredAnalysis {
  analysisVersion: number
  analyzedAt: number
  result: AnalysisResult
}

const jobKey = (name: string, version: string) => `${ANALYZE_JOB}:${name}@${version}`

export class AnalysisService {
  /** Called after a version's analysis is stored, so derived data (search, insights) can follow. */
  onAnalyzed: (name: string, version: string) => void | Promise<void> = () => {}

  constructor(
    private readonly db: Database,
    private readonly blobs: BlobStore,
    private readonly lookup: PackageLookup,
    private readonly jobs: JobQueue,
    private readonly runner: AnalysisRunner,
    private readonly log: Logger,
  ) {
    jobs.register(ANALYZE_JOB, (payload) => this.analyze(String(payload.name), String(payload.version)))
  }

  /** Queues the analysis of `name@version` (idempotent while one is waiting). */
  schedule(name: string, version: string): Promise<void> {
    return this.jobs.enqueue(ANALYZE_JOB, { name, version }, { dedupeKey: jobKey(name, version) })
  }

  onEvent = async (event: RegistryEvent): Promise<void> => {
    if (event.type === 'package.published') await this.schedule(event.name, event.version)
  }

  /**
   * Queues every live version without a current analysis: versions published while no worker ran,
   * and everything after the analyzer changed (`ANALYSIS_VERSION`). Returns how many were queued.
   */
  async reconcile(): Promise<number> {
    const missing = await this.db.read
      .select({ name: versions.packageName, version: versions.version })
      .from(versions)
      .leftJoin(versionAnalyses, and(eq(versionAnalyses.packageName, versions.packageName), eq(versionAnalyses.version, versions.version)))
      .where(and(isNull(versions.unpublishedAt), or(isNull(versionAnalyses.analyzedAt), lt(versionAnalyses.analysisVersion, ANALYSIS_VERSION))))
    for (const { name, version } of missing) await this.schedule(name, version)
    return missing.length
  }

  /** The stored analysis; `via` the primary where a just-finished analysis must be seen (replica lag). */
  async get(name: string, version: string, via: Db = this.db.read): Promise<StoredAnalysis | undefined> {
    const [row] = await via
      .select()
      .from(versionAnalyses)
      .where(and(eq(versionAnalyses.packageName, name), eq(versionAnalyses.version, version)))
      .limit(1)
    return row ? { analysisVersion: row.analysisVersion, analyzedAt: row.analyzedAt, result: row.result as unknown as AnalysisResult } : undefined
  }

  /** The job: read the stored tarball and manifest, analyse in the worker thread, store the result. */
  async analyze(name: string, version: string): Promise<void> {
    const [row] = await this.db.primary
      .select({ manifest: versions.manifest, blobKey: versions.blobKey, unpublishedAt: versions.unpublishedAt })
      .from(versions)
      .where(and(eq(versions.packageName, name), eq(versions.version, version)))
      .limit(1)
    if (!row || row.unpublishedAt !== null) return
    const blob = await this.blobs.get(row.blobKey)
    if (!blob) throw new Error(`tarball of ${name}@${version} is missing from storage`)
    const tarball = new Uint8Array(await new Response(blob.body).arrayBuffer())
    const deprecatedDependencies = await this.deprecatedDependencies(row.manifest)
    const result = await this.runner.analyze(tarball, { manifest: row.manifest, deprecatedDependencies })
    const now = Date.now()
    await this.db.transaction((tx) =>
      tx
        .insert(versionAnalyses)
        .values({ packageName: name, version, analysisVersion: result.analysisVersion, status: result.status, result: result as unknown as Record<string, unknown>, analyzedAt: now })
        .onConflictDoUpdate({
          target: [versionAnalyses.packageName, versionAnalyses.version],
          set: { analysisVersion: sql`excluded.analysis_version`, status: sql`excluded.status`, result: sql`excluded.result`, analyzedAt: now },
        }),
    )
    if (result.status === 'rejected') this.log.warn('tarball could not be analysed', { package: name, version, reason: result.reason })
    await this.onAnalyzed(name, version)
  }

  /** Dependencies whose version this registry would resolve them to is deprecated. */
  private async deprecatedDependencies(manifest: Record<string, unknown>): Promise<string[]> {
    const ranges = { ...(manifest.optionalDependencies as Record<string, string> | undefined), ...(manifest.dependencies as Record<string, string> | undefined) }
    const deprecated: string[] = []
    for (const [dependency, range] of Object.entries(ranges)) {
      if (typeof range !== 'string') continue
      const known = await this.lookup(dependency)
      const resolved = known ? resolveRange(range, known) : null
      if (resolved && known?.versions[resolved]?.deprecated) deprecated.push(dependency)
    }
    return deprecated
  }
}
