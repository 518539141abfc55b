// dist-tags: named pointers (`latest`, `next`, ...) to published versions.
import { and, eq, isNull, sql } from 'drizzle-orm'
import { packageNotFound, type AccessService, type Viewer } from '../access/service.ts'
import type { Actor, AuditLog } from '../audit/service.ts'
import { assertPermission } from '../auth/policy.ts'
import type { Database } from '../db/index.ts'
import { packages, versions } from '../db/schema.ts'
import { BadRequestError, NotFoundError } from '../errors/index.ts'
import type { EventBus } from '../events/index.ts'
import { assertValidTag } from '../npm/names.ts'
import type { PackumentCache } from '../packages/cache.ts'
import type { Identity } from '../tokens/service.ts'

export class DistTagService {
  constructor(
    private readonly db: Database,
    private readonly packuments: PackumentCache,
    private readonly events: EventBus,
    private readonly access: AccessService,
    private readonly audit: AuditLog,
  ) {}

  /** The tags of a package `viewer` may read (a restricted package is resolved for the viewer only then). */
  async list(name: string, viewer: () => Promise<Viewer>): Promise<Record<string, string>> {
    const entry = await this.packuments.get(name)
    if (!entry) throw packageNotFound(name)
    if (entry.loaded.row.access !== 'public') this.access.assertReadable(await viewer(), entry.loaded.row)
    return entry.loaded.state.distTags
  }

  private async change(name: string, tag: string, identity: Identity, actor: Actor, apply: (tags: Record<string, string>, live: Set<string>) => void): Promise<void> {
    assertPermission(identity, 'publish', name)
    const viewer = await this.access.viewerFor(identity)
    const revision = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(packages)
        .set({ revision: sql`${packages.revision} + 1`, modifiedAt: Date.now() })
        .where(eq(packages.name, name))
        .returning()
      if (!row) throw packageNotFound(name)
      viewer.assertCanWrite(row)
      const live = await tx
        .select({ version: versions.version })
        .from(versions)
        .where(and(eq(versions.packageName, name), isNull(versions.unpublishedAt)))
      const tags = { ...row.distTags }
      apply(tags, new Set(live.map((version) => version.version)))
      await tx.update(packages).set({ distTags: tags }).where(eq(packages.name, name))
      await this.audit.record(tx, actor, { action: tags[tag] === undefined ? 'dist-tag.remove' : 'dist-tag.set', target: name, details: { tag, version: tags[tag] ?? null } })
      return row.revision
    })
    this.packuments.invalidate(name, revision)
  }

  async set(name: string, tag: string, version: string, identity: Identity, actor: Actor): Promise<void> {
    assertValidTag(tag)
    await this.change(name, tag, identity, actor, (tags, live) => {
      if (!live.has(version)) throw new NotFoundError('VERSION_NOT_FOUND', `version ${version} of ${name} not found`)
      tags[tag] = version
    })
    this.events.emit({ type: 'dist-tag.changed', name, tag, version, actor: identity.username })
  }

  async remove(name: string, tag: string, identity: Identity, actor: Actor): Promise<void> {
    if (tag === 'latest') throw new BadRequestError('CANNOT_REMOVE_LATEST', 'the latest tag cannot be removed; point it at another version instead')
    await this.change(name, tag, identity, actor, (tags) => {
      if (!(tag in tags)) throw new NotFoundError('TAG_NOT_FOUND', `${name} has no dist-tag ${tag}`)
      delete tags[tag]
    })
    this.events.emit({ type: 'dist-tag.changed', name, tag, version: null, actor: identity.username })
  }
}
