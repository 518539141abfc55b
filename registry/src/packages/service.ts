// Reading packages: the database state behind a packument, and single versions. With a read replica,
// a package written moments ago (here or on another instance) may not have reached it yet: writes
// record the revision they committed, and a replica read older than that is redone on the primary.
import { and, asc, eq, isNull } from 'drizzle-orm'
import type { Database, Db } from '../db/index.ts'
import { packages, stars, users, versions, type PackageRow, type VersionRow } from '../db/schema.ts'
import type { PackageState, VersionState } from '../npm/packument.ts'

export interface TarballRef {
  version: string
  blobKey: string
  size: number
  integrity: string
  sha256: string
  signature: { keyid: string; sig: string } | undefined
}

export interface LoadedPackage {
  state: PackageState
  row: PackageRow
  /** Live versions by version string, with what the tarball route needs. */
  tarballs: Map<string, TarballRef>
}

/** What a packument is built from: the package row and its live versions (oldest first). */
export function packageState(row: PackageRow, versions: VersionState[], readme: string | null = null, starredBy: string[] = []): PackageState {
  const { name, revision, distTags, maintainers, createdAt, modifiedAt, metadata } = row
  return { name, revision, distTags, maintainers, createdAt, modifiedAt, metadata, readme, starredBy, versions }
}

/** How long a written revision is remembered; a replica lagging longer than this is broken anyway. */
const EXPECTATION_TTL_MS = 60_000

export class PackageService {
  /** Package name → the revision a recent write committed on the primary (replicated databases only). */
  private readonly expected = new Map<string, { revision: number; until: number }>()

  constructor(private readonly db: Database) {}

  /** Records that `name` reached `revision` on the primary, so older replica reads of it are not trusted. */
  expectRevision(name: string, revision: number): void {
    if (!this.db.replicated) return
    const now = Date.now()
    if (this.expected.size >= 10_000) {
      for (const [key, expectation] of this.expected) if (expectation.until < now) this.expected.delete(key)
    }
    const current = this.expected.get(name)
    if (!current || current.revision <= revision) this.expected.set(name, { revision, until: now + EXPECTATION_TTL_MS })
  }

  /**
   * Everything a packument is built from, or null when there is no such package or all its versions
   * were unpublished. Reads the
   * replica unless `via` says otherwise, falling back to the primary when the replica is behind.
   */
  async load(name: string, via?: Db): Promise<LoadedPackage | null> {
    const source = via ?? this.db.read
    const [row] = await source.select().from(packages).where(eq(packages.name, name)).limit(1)
    const expectation = via ? undefined : this.expected.get(name)
    if (expectation) {
      const behind = expectation.until >= Date.now() && (row?.revision ?? -1) < expectation.revision
      if (behind) return this.load(name, this.db.primary)
      if (this.expected.get(name) === expectation) this.expected.delete(name)
    }
    return row ? this.assemble(row, source) : null
  }

  private async assemble(row: PackageRow, via: Db): Promise<LoadedPackage | null> {
    const name = row.name
    const live = await via
      .select({
        version: versions.version,
        manifest: versions.manifest,
        integrity: versions.integrity,
        sha256: versions.sha256,
        size: versions.size,
        blobKey: versions.blobKey,
        publishedAt: versions.publishedAt,
        deprecated: versions.deprecated,
      })
      .from(versions)
      .where(and(eq(versions.packageName, name), isNull(versions.unpublishedAt)))
      .orderBy(asc(versions.publishedAt))
    // A package created empty (REST API) has no version rows and is served without versions; one
    // whose versions were all unpublished keeps their tombstones and is gone.
    if (live.length === 0 && (await via.select({ version: versions.version }).from(versions).where(eq(versions.packageName, name)).limit(1)).length > 0) return null
    const latest = row.distTags.latest ?? live.at(-1)?.version
    let readme: string | null = null
    if (latest) {
      const [readmeRow] = await via
        .select({ readme: versions.readme })
        .from(versions)
        .where(and(eq(versions.packageName, name), eq(versions.version, latest)))
        .limit(1)
      readme = readmeRow?.readme ?? null
    }
    const starredBy = await via
      .select({ username: users.username })
      .from(stars)
      .innerJoin(users, eq(stars.userId, users.id))
      .where(eq(stars.packageName, name))
      .orderBy(asc(users.username))
    const tarballs = new Map<string, TarballRef>()
    for (const version of live) {
      const signatures = (version.manifest.dist as { signatures?: Array<{ keyid: string; sig: string }> } | undefined)?.signatures
      tarballs.set(version.version, {
        version: version.version,
        blobKey: version.blobKey,
        size: version.size,
        integrity: version.integrity,
        sha256: version.sha256,
        signature: signatures?.[0],
      })
    }
    const states = live.map((version) => ({ version: version.version, manifest: version.manifest, publishedAt: version.publishedAt, deprecated: version.deprecated }))
    return { row, tarballs, state: packageState(row, states, readme, starredBy.map((star) => star.username)) }
  }

  async findVersionRow(name: string, version: string, via: Db = this.db.read): Promise<VersionRow | undefined> {
    const [row] = await via
      .select()
      .from(versions)
      .where(and(eq(versions.packageName, name), eq(versions.version, version)))
      .limit(1)
    return row
  }
}
