// Writing packages: publish, metadata edits (deprecate, star), owner changes and unpublish.
// Order of a publish: validate everything in memory, store the tarball, then commit the metadata in
// one transaction. A crash between the two leaves an unreferenced blob (swept at start), never a
// version without its tarball. Every transaction begins by bumping the package's revision, which
// takes the row lock, so concurrent writers to one package queue instead of losing updates.
import { and, eq, inArray, isNull, sql } from 'drizzle-orm'
import semver from 'semver'
import { packageNotFound, type AccessService, type Viewer } from '../access/service.ts'
import type { Actor, AuditLog } from '../audit/service.ts'
import { assertPermission, isAdmin } from '../auth/policy.ts'
import type { BillingService } from '../billing/service.ts'
import type { Config } from '../config/index.ts'
import { isUniqueViolation, type Database, type Db } from '../db/index.ts'
import { attestations, orgMembers, packages, stars, users, versions, type Maintainer, type PackageAccess, type PackageMetadata, type PackageRow } from '../db/schema.ts'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError, PayloadTooLargeError } from '../errors/index.ts'
import type { EventBus } from '../events/index.ts'
import type { Logger } from '../logging/index.ts'
import { assertPublishableName, assertValidTag, basenameOf, escapeName, scopeOf, versionFromTarballFilename } from '../npm/names.ts'
import { parseRevision } from '../npm/packument.ts'
import { parseProvenance } from '../npm/provenance.ts'
import { validatePublish, type PublishDocument, type ValidatedPublish } from '../npm/publish-body.ts'
import type { PackumentCache } from '../packages/cache.ts'
import type { SigningService } from '../signing/service.ts'
import type { BlobStore } from '../storage/index.ts'
import type { Identity } from '../tokens/service.ts'
import { inspectTarball, type TarballFacts } from './tarball.ts'

/** `access`: the package's visibility after the publish (a publish's own `access` never changes it). */
export type PublishOutcome = { status: 'created' | 'already-published'; version: string; access: PackageAccess }

/** A metadata document sent without attachments (deprecate, star) or to a `-rev` URL (unpublish, owners). */
export interface MetadataDocument {
  _rev?: string | undefined
  versions?: Record<string, { deprecated?: unknown } & Record<string, unknown>> | undefined
  'dist-tags'?: Record<string, string> | undefined
  maintainers?: Array<{ name?: unknown; email?: unknown }> | undefined
  users?: Record<string, unknown> | undefined
}

/**
 * What an admin sets on a package itself (REST API). `null` clears a metadata override, so the
 * latest version's value shows again; absent fields stay as they are.
 */
export interface PackageChanges {
  description?: string | null | undefined
  keywords?: string[] | null | undefined
  homepage?: string | null | undefined
  repository?: string | null | undefined
  access?: PackageAccess | undefined
  /** User names; replaces the owner list. */
  maintainers?: string[] | undefined
}

const METADATA_FIELDS = ['description', 'keywords', 'homepage', 'repository'] as const

/** `current` with the metadata fields of `changes` applied. */
function mergeMetadata(current: PackageMetadata, changes: PackageChanges): PackageMetadata {
  const next: Record<string, unknown> = { ...current }
  for (const field of METADATA_FIELDS) {
    const value = changes[field]
    if (value === null) delete next[field]
    else if (value !== undefined) next[field] = value
  }
  return next as PackageMetadata
}

const INSTALL_SCRIPTS = ['preinstall', 'install', 'postinstall']

/** Where a version's tarball lives in the blob store: readable, and unique per content. */
export function blobKeyFor(name: string, version: string, integrity: string): string {
  const hex = Buffer.from(integrity.replace(/^sha512-/, ''), 'base64').toString('hex').slice(0, 32)
  return `${name}/${basenameOf(name)}-${version}-${hex}.tgz`
}

function maintainerOf(identity: Identity): Maintainer {
  return identity.email ? { name: identity.username, email: identity.email } : { name: identity.username }
}

/** The tag `latest` falls back to when the version it named goes away: the highest stable version. */
function fallbackLatest(remaining: string[]): string | undefined {
  const stable = remaining.filter((version) => semver.prerelease(version) === null)
  return semver.rsort([...(stable.length > 0 ? stable : remaining)])[0]
}

export class PublishService {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly blobs: BlobStore,
    private readonly packuments: PackumentCache,
    private readonly signing: SigningService,
    private readonly events: EventBus,
    private readonly log: Logger,
    private readonly access: AccessService,
    private readonly audit: AuditLog,
    private readonly billing: BillingService,
  ) {}

  /** Bumps the revision (taking the row lock) and returns the row as it now stands, or undefined. */
  private async lockPackage(tx: Db, name: string, now: number): Promise<PackageRow | undefined> {
    const [row] = await tx
      .update(packages)
      .set({ revision: sql`${packages.revision} + 1`, modifiedAt: now })
      .where(eq(packages.name, name))
      .returning()
    return row
  }

  private liveVersions(tx: Db, name: string) {
    return tx
      .select({ version: versions.version, publishedAt: versions.publishedAt, blobKey: versions.blobKey })
      .from(versions)
      .where(and(eq(versions.packageName, name), isNull(versions.unpublishedAt)))
  }

  /** After a commit: `revision` is the one `lockPackage` took, which the commit made current. */
  private afterWrite(name: string, revision: number): void {
    this.packuments.invalidate(name, revision)
  }

  /**
   * `PUT /:pkg`: npm's JSON document with the tarball in base64, or a multipart upload whose tarball
   * arrives as bytes beside the version document (`tarball`).
   */
  async publish(urlName: string, body: PublishDocument, identity: Identity, actor: Actor, tarball?: Uint8Array): Promise<PublishOutcome> {
    assertPermission(identity, 'publish', urlName)
    const publish = validatePublish(urlName, body, this.config.maxTarballSize, tarball ? { bytes: tarball, manifestFromTarball: false } : undefined)
    return this.commitPublish(publish, identity, actor, await this.assertMayPublishIn(identity, publish.name))
  }

  /**
   * `PUT /:pkg` as multipart/form-data: the version document (as npm sends it under `versions`) and
   * the tarball's bytes side by side; validated and published exactly as npm's document.
   */
  async publishUpload(urlName: string, upload: { manifest: { name: string; version: string } & Record<string, unknown>; tarball: Uint8Array; tag?: string | undefined; access?: string | undefined }, identity: Identity, actor: Actor): Promise<PublishOutcome> {
    const { manifest, tag = 'latest' } = upload
    assertValidTag(tag)
    const document: PublishDocument = { name: manifest.name, versions: { [manifest.version]: manifest }, 'dist-tags': { [tag]: manifest.version }, access: upload.access ?? null }
    return this.publish(urlName, document, identity, actor, upload.tarball)
  }

  /**
   * A bare `.tgz` (REST upload): its own package.json is the version document, `tag` points at it, and
   * the publish then goes exactly as npm's does.
   */
  async publishTarball(urlName: string, tarball: Uint8Array, tag: string, identity: Identity, actor: Actor): Promise<PublishOutcome> {
    assertPermission(identity, 'publish', urlName)
    assertValidTag(tag)
    const viewer = await this.assertMayPublishIn(identity, urlName)
    if (tarball.byteLength > this.config.maxTarballSize) throw new PayloadTooLargeError('TARBALL_TOO_LARGE', `tarball exceeds the limit of ${this.config.maxTarballSize} bytes`)
    const facts = await inspectTarball(tarball)
    const { name, version } = facts.manifest
    if (typeof name !== 'string' || typeof version !== 'string') throw new BadRequestError('INVALID_TARBALL', "the tarball's package.json needs a name and a version")
    const document: PublishDocument = { name, versions: { [version]: { ...facts.manifest } }, 'dist-tags': { [tag]: version } }
    const publish = validatePublish(urlName, document, this.config.maxTarballSize, { bytes: tarball, manifestFromTarball: true })
    return this.commitPublish(publish, identity, actor, viewer, facts)
  }

  /** The publisher's view, once it is known they may publish in the name's scope at all. */
  private async assertMayPublishIn(identity: Identity, name: string): Promise<Viewer> {
    const viewer = await this.access.viewerFor(identity)
    const scope = scopeOf(name)
    // Decided from the scope alone, so the answer is the same whether or not a name exists there.
    if (!viewer.canPublishInScope(scope)) {
      throw new ForbiddenError('ORG_MEMBERSHIP_REQUIRED', `publishing to ${scope} needs the maintainer or admin role in the org ${scope?.slice(1)}`)
    }
    return viewer
  }

  private async commitPublish(publish: ValidatedPublish, identity: Identity, actor: Actor, viewer: Viewer, inspected?: TarballFacts): Promise<PublishOutcome> {
    const scope = scopeOf(publish.name)
    const org = viewer.org(scope)
    const facts = inspected ?? (await inspectTarball(publish.tarball))
    if (facts.manifest.name !== publish.name || facts.manifest.version !== publish.version) {
      throw new BadRequestError(
        'TARBALL_MANIFEST_MISMATCH',
        `the tarball's package.json says ${String(facts.manifest.name)}@${String(facts.manifest.version)}, not ${publish.name}@${publish.version}`,
      )
    }
    const { name, version } = publish
    const scripts = (publish.manifest.scripts ?? {}) as Record<string, unknown>
    const hasInstallScript = facts.hasBindingGyp || INSTALL_SCRIPTS.some((script) => typeof scripts[script] === 'string')
    const readme = publish.readme ?? facts.readme?.text ?? null
    const sha512Hex = Buffer.from(publish.integrity.slice('sha512-'.length), 'base64').toString('hex')
    const provenance = publish.provenance === null ? null : parseProvenance(publish.provenance, name, version, sha512Hex)
    const sha256 = new Bun.CryptoHasher('sha256').update(publish.tarball).digest('hex')
    const signature = await this.signing.sign(name, version, publish.integrity)
    const blobKey = blobKeyFor(name, version, publish.integrity)
    const publisher = maintainerOf(identity)

    await this.blobs.put(blobKey, publish.tarball)
    let outcome: PublishOutcome
    let revision = 0
    try {
      outcome = await this.db.transaction(async (tx) => {
        const now = Date.now()
        // Most publishes are to an existing package: lock it first, and create the row only when absent.
        let row = await this.lockPackage(tx, name, now)
        let created = false
        if (!row) {
          const inserted = await tx
            .insert(packages)
            .values({ name, scope, revision: 0, distTags: {}, maintainers: [publisher], access: org?.defaultAccess ?? 'public', createdBy: identity.userId, createdAt: now, modifiedAt: now })
            .onConflictDoNothing()
            .returning({ name: packages.name })
          created = inserted.length > 0
          row = (await this.lockPackage(tx, name, now)) as PackageRow
        }
        revision = row.revision
        const access = row.access
        viewer.assertCanWrite(row, created)
        if (created) await this.billing.assertMayCreatePackage(tx, identity, scope, org?.ownerId)

        const [existing] = await tx
          .select({ integrity: versions.integrity, unpublishedAt: versions.unpublishedAt })
          .from(versions)
          .where(and(eq(versions.packageName, name), eq(versions.version, version)))
        if (existing) {
          if (existing.unpublishedAt !== null) {
            throw new ConflictError('VERSION_UNPUBLISHED', `${name}@${version} was unpublished and can never be published again; bump the version`)
          }
          if (existing.integrity === publish.integrity) return { status: 'already-published', version, access }
          throw new ConflictError('VERSION_EXISTS', `cannot publish over the previously published version ${name}@${version}`)
        }

        const manifest: Record<string, unknown> = {
          ...publish.manifest,
          _id: `${name}@${version}`,
          _npmUser: publisher,
          maintainers: row.maintainers,
          dist: {
            integrity: publish.integrity,
            shasum: publish.shasum,
            fileCount: facts.fileCount,
            unpackedSize: facts.unpackedSize,
            signatures: [signature],
            ...(provenance ? { attestations: { provenance: { predicateType: provenance.predicateType } } } : {}),
          },
        }
        if (hasInstallScript) manifest.hasInstallScript = true
        if (facts.hasShrinkwrap) manifest._hasShrinkwrap = true
        if (!manifest.readmeFilename && facts.readme) manifest.readmeFilename = facts.readme.filename
        await tx.insert(versions).values({
          packageName: name,
          version,
          manifest,
          readme,
          integrity: publish.integrity,
          shasum: publish.shasum,
          sha256,
          size: publish.tarball.byteLength,
          blobKey,
          publishedAt: now,
          publishedBy: identity.username,
          deprecated: null,
        })
        if (provenance) {
          await tx.insert(attestations).values({ packageName: name, version, predicateType: provenance.predicateType, bundle: provenance.bundle, createdAt: now })
        }
        const distTags = { ...row.distTags }
        for (const tag of publish.tags) distTags[tag] = version
        if (!distTags.latest) distTags.latest = version
        await tx.update(packages).set({ distTags }).where(eq(packages.name, name))
        await this.audit.record(tx, actor, { action: 'package.publish', target: `${name}@${version}`, details: { tags: publish.tags, access, provenance: provenance !== null } })
        return { status: 'created', version, access }
      })
    } catch (error) {
      await this.discardBlob(name, version, blobKey)
      if (isUniqueViolation(error)) {
        // Another instance inserted the same version between our read and our insert.
        const row = await this.db.primary
          .select({ integrity: versions.integrity })
          .from(versions)
          .where(and(eq(versions.packageName, name), eq(versions.version, version)))
        if (row[0]?.integrity === publish.integrity) return { status: 'already-published', version, access: org?.defaultAccess ?? 'public' }
        throw new ConflictError('VERSION_EXISTS', `cannot publish over the previously published version ${name}@${version}`)
      }
      throw error
    }
    this.afterWrite(name, revision)
    if (outcome.status === 'created') this.events.emit({ type: 'package.published', name, version, actor: identity.username })
    return outcome
  }

  /**
   * `POST /api/packages`: a package without versions, reserving its name with metadata, owners and
   * visibility. npm clients see it with empty `versions` until its first publish.
   */
  async createPackage(name: string, changes: PackageChanges, identity: Identity, actor: Actor): Promise<void> {
    assertPermission(identity, 'publish', name)
    assertPublishableName(name)
    const viewer = await this.assertMayPublishIn(identity, name)
    const scope = scopeOf(name)
    const org = viewer.org(scope)
    const now = Date.now()
    const revision = 1
    await this.db.transaction(async (tx) => {
      const maintainers = changes.maintainers ? await this.validateMaintainers(tx, changes.maintainers.map((username) => ({ name: username }))) : [maintainerOf(identity)]
      if (changes.maintainers) await this.assertOrgMaintainers(tx, viewer, name, maintainers.map((maintainer) => maintainer.name))
      const metadata = mergeMetadata({}, changes)
      const [row] = await tx
        .insert(packages)
        .values({ name, scope, revision, distTags: {}, maintainers, access: changes.access ?? org?.defaultAccess ?? 'public', metadata, createdBy: identity.userId, createdAt: now, modifiedAt: now })
        .onConflictDoNothing()
        .returning()
      if (!row) throw new ConflictError('PACKAGE_EXISTS', `${name} already exists; change it with PUT /api/packages/${escapeName(name)}`)
      viewer.assertCanWrite(row, true)
      await this.billing.assertMayCreatePackage(tx, identity, scope, org?.ownerId)
      await this.audit.record(tx, actor, { action: 'package.create', target: name, details: { access: row.access, maintainers: maintainers.map((maintainer) => maintainer.name), metadata } })
    })
    this.afterWrite(name, revision)
    this.events.emit({ type: 'package.changed', name, actor: identity.username })
  }

  /** `PUT /api/packages/:pkg`: metadata overrides, owners and visibility, each audited. */
  async updatePackage(name: string, changes: PackageChanges, identity: Identity, actor: Actor): Promise<void> {
    assertPermission(identity, 'publish', name)
    const viewer = await this.access.viewerFor(identity)
    let revision = 0
    const changed = await this.db.transaction(async (tx) => {
      const row = await this.lockPackage(tx, name, Date.now())
      if (!row || !viewer.canRead(row) || (await this.isGone(tx, name))) throw packageNotFound(name)
      revision = row.revision
      viewer.assertCanWrite(row)
      const update: Partial<PackageRow> = {}
      const metadata = mergeMetadata(row.metadata, changes)
      if (JSON.stringify(metadata) !== JSON.stringify(row.metadata)) {
        update.metadata = metadata
        await this.audit.record(tx, actor, { action: 'package.metadata', target: name, details: { from: row.metadata, to: metadata } })
      }
      if (changes.maintainers) {
        const maintainers = await this.changedMaintainers(tx, viewer, identity, row, changes.maintainers.map((username) => ({ name: username })), actor)
        if (maintainers) update.maintainers = maintainers
      }
      if (Object.keys(update).length > 0) await tx.update(packages).set(update).where(eq(packages.name, name))
      const visibility = changes.access !== undefined && (await this.access.changeVisibility(tx, row, changes.access, actor))
      return Object.keys(update).length > 0 || visibility
    })
    this.afterWrite(name, revision)
    if (changed) this.events.emit({ type: 'package.changed', name, actor: identity.username })
  }

  /** Every version of the package was unpublished: its name@versions stay reserved, the package is gone. */
  private async isGone(tx: Db, name: string): Promise<boolean> {
    const rows = await tx.select({ unpublishedAt: versions.unpublishedAt }).from(versions).where(eq(versions.packageName, name))
    return rows.length > 0 && rows.every((row) => row.unpublishedAt !== null)
  }

  /** Deletes a blob this request wrote unless a committed version references the same key. */
  private async discardBlob(name: string, version: string, blobKey: string): Promise<void> {
    const [row] = await this.db.primary
      .select({ blobKey: versions.blobKey })
      .from(versions)
      .where(and(eq(versions.packageName, name), eq(versions.version, version)))
    if (row?.blobKey === blobKey) return
    await this.blobs.delete(blobKey).catch((error) => this.log.warn('could not delete orphan blob', { blob: blobKey, error: String(error) }))
  }

  /**
   * `PUT /:pkg` without attachments: deprecations (npm deprecate sends the whole packument back)
   * and stars. Only an explicit `deprecated` changes a version: a message deprecates it, `""`
   * undeprecates it (npm and pnpm both send that). Versions the document leaves out, or sends
   * without the key, stay as they are, so two deprecations built from one stale read do not undo
   * each other.
   */
  async updateMetadata(name: string, body: MetadataDocument, identity: Identity, actor: Actor): Promise<void> {
    const viewer = await this.access.viewerFor(identity)
    const deprecations = new Map<string, string | null>()
    for (const [version, doc] of Object.entries(body.versions ?? {})) {
      const message = doc?.deprecated
      if (typeof message === 'string') deprecations.set(version, message.length > 0 ? message : null)
    }
    const starring = body.users !== undefined ? Boolean(body.users[identity.username]) : undefined

    let revision = 0
    const changed = await this.db.transaction(async (tx) => {
      const row = await this.lockPackage(tx, name, Date.now())
      if (!row || !viewer.canRead(row)) throw packageNotFound(name)
      revision = row.revision
      const known = await tx
        .select({ version: versions.version, deprecated: versions.deprecated, unpublishedAt: versions.unpublishedAt })
        .from(versions)
        .where(eq(versions.packageName, name))
      // A version nobody published cannot arrive here: answering 200 would tell npm it was published.
      const neverPublished = Object.keys(body.versions ?? {}).filter((version) => !known.some((row) => row.version === version))
      if (neverPublished.length > 0) {
        throw new BadRequestError(
          'VERSION_NOT_PUBLISHED',
          `${neverPublished.map((version) => `${name}@${version}`).join(', ')} is not published; a publish must attach its tarball in _attachments`,
        )
      }
      const current = known.filter((version) => version.unpublishedAt === null)
      const toChange = current.filter((version) => deprecations.has(version.version) && deprecations.get(version.version) !== version.deprecated)
      if (toChange.length > 0) {
        assertPermission(identity, 'publish', name)
        viewer.assertCanWrite(row)
        for (const version of toChange) {
          await tx
            .update(versions)
            .set({ deprecated: deprecations.get(version.version) ?? null })
            .where(and(eq(versions.packageName, name), eq(versions.version, version.version)))
        }
        const deprecated = Object.fromEntries(toChange.map((version) => [version.version, deprecations.get(version.version) ?? null]))
        await this.audit.record(tx, actor, { action: 'package.deprecate', target: name, details: { versions: deprecated } })
      }
      if (starring === true) {
        const added = await tx.insert(stars).values({ packageName: name, userId: identity.userId, createdAt: Date.now() }).onConflictDoNothing().returning({ name: stars.packageName })
        if (added.length > 0) await this.audit.record(tx, actor, { action: 'package.star', target: name })
      } else if (starring === false) {
        const removed = await tx.delete(stars).where(and(eq(stars.packageName, name), eq(stars.userId, identity.userId))).returning({ name: stars.packageName })
        if (removed.length > 0) await this.audit.record(tx, actor, { action: 'package.unstar', target: name })
      }
      return toChange.map((version) => version.version)
    })
    this.afterWrite(name, revision)
    if (changed.length > 0) {
      const messages = new Set(changed.map((version) => deprecations.get(version) ?? null))
      this.events.emit({
        type: 'package.deprecated',
        name,
        versions: changed,
        message: messages.size === 1 ? ([...messages][0] ?? null) : null,
        actor: identity.username,
      })
    }
  }

  private assertMayUnpublish(viewer: Viewer, identity: Identity, row: PackageRow, publishedAt: number[]): void {
    assertPermission(identity, 'unpublish', row.name)
    viewer.assertCanWrite(row)
    if (isAdmin(identity)) return
    const windowMs = this.config.unpublishWindowHours * 3600 * 1000
    if (publishedAt.some((at) => Date.now() - at > windowMs)) {
      throw new ForbiddenError(
        'UNPUBLISH_WINDOW_PASSED',
        `versions older than ${this.config.unpublishWindowHours} hours can only be unpublished by an admin; deprecate them instead`,
      )
    }
  }

  /**
   * Locks the package for a `-rev` write: 404 when it does not exist (for `viewer`), 409 unless `rev`
   * is current. Without `rev` (REST API) the write applies to whatever is current.
   */
  private async lockAtRevision(tx: Db, name: string, rev: string | undefined, now: number, viewer: Viewer): Promise<PackageRow> {
    const row = await this.lockPackage(tx, name, now)
    if (!row || !viewer.canRead(row)) throw packageNotFound(name)
    if (rev !== undefined) this.assertRevision(row, rev)
    return row
  }

  /** Throws 409 unless `rev` names the package's current revision (compare-and-swap for -rev writes). */
  private assertRevision(row: PackageRow, rev: string): void {
    // `row` is read after our own bump, so the client's revision is one behind it.
    if (parseRevision(rev) !== row.revision - 1) {
      throw new ConflictError('REVISION_CONFLICT', `${row.name} changed since it was read (stale _rev ${rev}); fetch it again and retry`)
    }
  }

  /**
   * `PUT /:pkg/-rev/:rev`: the client sends the document it wants. Versions missing from its
   * `versions` are unpublished (tarballs tombstoned in the same transaction); `maintainers` replaces
   * the owner list. A document without `versions` never removes any.
   */
  async applyRevision(name: string, rev: string, body: MetadataDocument, identity: Identity, actor: Actor): Promise<void> {
    const viewer = await this.access.viewerFor(identity)
    const removedBlobs: string[] = []
    const removedVersions: string[] = []
    let revision = 0
    await this.db.transaction(async (tx) => {
      const now = Date.now()
      const row = await this.lockAtRevision(tx, name, rev, now, viewer)
      revision = row.revision
      const live = await this.liveVersions(tx, name)
      const update: Partial<PackageRow> = {}

      if (body.versions !== undefined) {
        const keep = new Set(Object.keys(body.versions))
        const removed = live.filter((version) => !keep.has(version.version))
        if (removed.length > 0) {
          this.assertMayUnpublish(viewer, identity, row, removed.map((version) => version.publishedAt))
          for (const version of removed) {
            await tx
              .update(versions)
              .set({ unpublishedAt: now })
              .where(and(eq(versions.packageName, name), eq(versions.version, version.version)))
            await this.audit.record(tx, actor, { action: 'package.unpublish', target: `${name}@${version.version}` })
            removedBlobs.push(version.blobKey)
            removedVersions.push(version.version)
          }
          const remaining = live.filter((version) => keep.has(version.version)).map((version) => version.version)
          update.distTags = this.retag(row.distTags, remaining, body['dist-tags'])
        }
      }

      if (body.maintainers !== undefined) {
        const maintainers = await this.changedMaintainers(tx, viewer, identity, row, body.maintainers, actor)
        if (maintainers) update.maintainers = maintainers
      }
      if (Object.keys(update).length > 0) await tx.update(packages).set(update).where(eq(packages.name, name))
    })
    this.afterWrite(name, revision)
    await this.deleteBlobs(removedBlobs)
    for (const version of removedVersions) this.events.emit({ type: 'package.unpublished', name, version, actor: identity.username })
    if (body.maintainers !== undefined) this.events.emit({ type: 'package.changed', name, actor: identity.username })
  }

  /**
   * The owner list `proposed` would make, checked (known users, org maintainers in an org's scope, the
   * caller may write the package) and audited; undefined when it names the same owners as now.
   */
  private async changedMaintainers(tx: Db, viewer: Viewer, identity: Identity, row: PackageRow, proposed: NonNullable<MetadataDocument['maintainers']>, actor: Actor): Promise<Maintainer[] | undefined> {
    const maintainers = await this.validateMaintainers(tx, proposed)
    const before = row.maintainers.map((maintainer) => maintainer.name).sort()
    const after = maintainers.map((maintainer) => maintainer.name).sort()
    if (JSON.stringify(after) === JSON.stringify(before)) return undefined
    assertPermission(identity, 'publish', row.name)
    viewer.assertCanWrite(row)
    await this.assertOrgMaintainers(tx, viewer, row.name, after.filter((username) => !before.includes(username)))
    await this.audit.record(tx, actor, { action: 'package.owners', target: row.name, details: { from: before, to: after } })
    return maintainers
  }

  /** Tags after versions went away: tags on removed versions are dropped, `latest` falls back. */
  private retag(tags: Record<string, string>, remaining: string[], proposed: Record<string, string> | undefined): Record<string, string> {
    const next: Record<string, string> = {}
    for (const [tag, version] of Object.entries(tags)) if (remaining.includes(version)) next[tag] = version
    if (!next.latest && remaining.length > 0) {
      const suggested = proposed?.latest
      next.latest = suggested && remaining.includes(suggested) ? suggested : (fallbackLatest(remaining) as string)
    }
    return next
  }

  /** In an org's scope, new owners must be able to write there: org admins or maintainers. */
  private async assertOrgMaintainers(tx: Db, viewer: Viewer, name: string, added: string[]): Promise<void> {
    const org = viewer.org(scopeOf(name))
    if (!org || added.length === 0) return
    const writers = await tx
      .select({ username: users.username })
      .from(orgMembers)
      .innerJoin(users, eq(orgMembers.userId, users.id))
      .where(and(eq(orgMembers.orgId, org.id), inArray(orgMembers.role, ['admin', 'maintainer']), inArray(users.username, added)))
    const outsiders = added.filter((username) => !writers.some((writer) => writer.username === username))
    if (outsiders.length > 0) {
      throw new BadRequestError('NOT_AN_ORG_MAINTAINER', `${outsiders.join(', ')} must have the maintainer or admin role in the org ${org.slug} to own ${name}`)
    }
  }

  private async validateMaintainers(tx: Db, proposed: NonNullable<MetadataDocument['maintainers']>): Promise<Maintainer[]> {
    const names = [...new Set(proposed.map((maintainer) => maintainer?.name).filter((value): value is string => typeof value === 'string' && value !== ''))]
    if (names.length === 0) throw new BadRequestError('LAST_OWNER', 'a package must keep at least one maintainer')
    const found = await tx.select().from(users).where(inArray(users.username, names))
    const missing = names.filter((name) => !found.some((user) => user.username === name))
    if (missing.length > 0) throw new BadRequestError('UNKNOWN_USER', `no user named ${missing.join(', ')}`)
    return found.map((user) => (user.email ? { name: user.username, email: user.email } : { name: user.username }))
  }

  /**
   * `DELETE /:pkg/-rev/:rev` and `DELETE /api/packages/:pkg` (no `rev`): unpublishes every version; the
   * name@versions stay reserved. A package that never had a version (created empty) is removed
   * outright; one already unpublished is not found.
   */
  async unpublishPackage(name: string, rev: string | undefined, identity: Identity, actor: Actor): Promise<void> {
    const viewer = await this.access.viewerFor(identity)
    const removedBlobs: string[] = []
    let revision = 0
    await this.db.transaction(async (tx) => {
      const now = Date.now()
      const row = await this.lockAtRevision(tx, name, rev, now, viewer)
      revision = row.revision
      const live = await this.liveVersions(tx, name)
      this.assertMayUnpublish(viewer, identity, row, live.map((version) => version.publishedAt))
      if (live.length === 0) {
        if (await this.isGone(tx, name)) throw packageNotFound(name)
        await tx.delete(packages).where(eq(packages.name, name))
        await this.audit.record(tx, actor, { action: 'package.delete', target: name })
        return
      }
      await this.audit.record(tx, actor, { action: 'package.unpublish', target: name, details: { versions: live.map((version) => version.version) } })
      await tx
        .update(versions)
        .set({ unpublishedAt: now })
        .where(and(eq(versions.packageName, name), isNull(versions.unpublishedAt)))
      await tx.update(packages).set({ distTags: {} }).where(eq(packages.name, name))
      removedBlobs.push(...live.map((version) => version.blobKey))
    })
    this.afterWrite(name, revision)
    await this.deleteBlobs(removedBlobs)
    this.events.emit({ type: 'package.unpublished', name, version: null, actor: identity.username })
  }

  /**
   * `DELETE /:pkg/-/:file/-rev/:rev`, npm's second request of a version unpublish. The version is
   * normally already tombstoned by the `-rev` PUT; if not, this unpublishes it. Idempotent.
   */
  async deleteTarball(name: string, filename: string, identity: Identity, actor: Actor): Promise<void> {
    const viewer = await this.access.viewerFor(identity)
    const version = versionFromTarballFilename(name, filename)
    if (!version) throw new NotFoundError('TARBALL_NOT_FOUND', `no tarball ${filename} for ${name}`)
    let blobKey: string | undefined
    let revision = 0
    await this.db.transaction(async (tx) => {
      const now = Date.now()
      const row = await this.lockPackage(tx, name, now)
      if (!row || !viewer.canRead(row)) throw packageNotFound(name)
      revision = row.revision
      const [target] = await tx
        .select()
        .from(versions)
        .where(and(eq(versions.packageName, name), eq(versions.version, version)))
      if (!target) throw new NotFoundError('TARBALL_NOT_FOUND', `no tarball ${filename} for ${name}`)
      this.assertMayUnpublish(viewer, identity, row, target.unpublishedAt === null ? [target.publishedAt] : [])
      blobKey = target.blobKey
      if (target.unpublishedAt !== null) return
      await this.audit.record(tx, actor, { action: 'package.unpublish', target: `${name}@${version}` })
      await tx
        .update(versions)
        .set({ unpublishedAt: now })
        .where(and(eq(versions.packageName, name), eq(versions.version, version)))
      const remaining = (await this.liveVersions(tx, name)).map((live) => live.version)
      await tx.update(packages).set({ distTags: this.retag(row.distTags, remaining, undefined) }).where(eq(packages.name, name))
    })
    this.afterWrite(name, revision)
    if (blobKey) await this.deleteBlobs([blobKey])
  }

  private async deleteBlobs(keys: string[]): Promise<void> {
    for (const key of keys) {
      await this.blobs.delete(key).catch((error) => this.log.warn('could not delete unpublished tarball; the sweep will retry', { blob: key, error: String(error) }))
    }
  }
}
