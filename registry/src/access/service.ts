// Who may read and write which package. Public packages are readable by anyone and never reach this
// code on the read path. A restricted package is readable only by registry admins, its maintainers,
// members of the org owning its scope (any role), CI tokens issued for that scope, members of teams
// granted it, and users granted it; to everyone else it does not exist (404, the same answer as for
// a name nobody published). Writing follows the org roles (see `Viewer.canWrite`).
//
// What a user may see depends on org memberships, team grants and entitlements. These are cached per
// user and dropped, here and on every other instance, whenever any of them changes, so a revocation
// applies to the very next request.
import { and, asc, eq, inArray, isNull, or, sql } from 'drizzle-orm'
import { authorize, isAdmin, isCiToken, packageInReach, type AuthResult } from '../auth/policy.ts'
import type { Actor, AuditLog } from '../audit/service.ts'
import type { Cluster } from '../cluster/index.ts'
import type { Database, Db } from '../db/index.ts'
import {
  entitlements,
  orgMembers,
  orgs,
  packages,
  teamMembers,
  teamPackages,
  teams,
  users,
  versions,
  type Maintainer,
  type OrgRole,
  type PackageAccess,
  type PackageRow,
  type TeamPermission,
} from '../db/schema.ts'
import { ForbiddenError, NotFoundError } from '../errors/index.ts'
import type { EventBus } from '../events/index.ts'
import { scopeOf } from '../npm/names.ts'
import type { PackumentCache } from '../packages/cache.ts'
import { userIdentity, type Identity } from '../tokens/service.ts'

/** What access decisions need to know about a package. */
export interface PackageFacts {
  name: string
  access: PackageAccess
  maintainers: readonly Maintainer[]
}

export interface OrgInfo {
  id: string
  slug: string
  /** `@slug` */
  scope: string
  displayName: string
  defaultAccess: PackageAccess
  ownerId: string | null
}

/** A user's memberships and grants, as loaded for access decisions. */
export interface AccessProfile {
  /** Org scope (`@acme`) → role. */
  orgRoles: ReadonlyMap<string, OrgRole>
  /** Package → the strongest of its team grants and entitlements. */
  grants: ReadonlyMap<string, TeamPermission>
}

const EMPTY_PROFILE: AccessProfile = { orgRoles: new Map(), grants: new Map() }

/** The answer for a package the caller may not see: exactly what a name nobody published gets. */
export const packageNotFound = (name: string) => new NotFoundError('PACKAGE_NOT_FOUND', `package ${name} not found`)

const strongest = (a: TeamPermission | undefined, b: TeamPermission): TeamPermission => (a === 'write' || b === 'write' ? 'write' : 'read')

/** One caller's view of the registry: synchronous checks once the profile is loaded. */
export class Viewer {
  constructor(
    readonly identity: Identity | null,
    private readonly profile: AccessProfile,
    private readonly orgs: ReadonlyMap<string, OrgInfo>,
  ) {}

  get admin(): boolean {
    return this.identity !== null && isAdmin(this.identity)
  }

  org(scope: string | null): OrgInfo | undefined {
    return scope === null ? undefined : this.orgs.get(scope)
  }

  orgRole(scope: string | null): OrgRole | undefined {
    return scope === null ? undefined : this.profile.orgRoles.get(scope)
  }

  /** A CI token whose scopes include `scope`, an org's: "issued for that scope". */
  ciTokenFor(scope: string | null): boolean {
    return this.identity !== null && scope !== null && this.orgs.has(scope) && isCiToken(this.identity) && this.identity.scopes.includes(scope)
  }

  private maintains(pkg: PackageFacts): boolean {
    return this.identity !== null && pkg.maintainers.some((maintainer) => maintainer.name === this.identity?.username)
  }

  canRead(pkg: PackageFacts): boolean {
    if (pkg.access === 'public') return true
    const identity = this.identity
    if (!identity || !packageInReach(identity, pkg.name)) return false
    if (isAdmin(identity) || this.maintains(pkg)) return true
    const scope = scopeOf(pkg.name)
    if (this.orgRole(scope) !== undefined || this.ciTokenFor(scope)) return true
    return this.hasGrant(pkg.name)
  }

  /**
   * In an org's scope: org admins and CI tokens issued for the scope write every package; org
   * maintainers create packages and write those they maintain or a team of theirs may write; readers
   * never write. Elsewhere: the package's maintainers. Registry admins always.
   */
  canWrite(pkg: Pick<PackageFacts, 'name' | 'maintainers'>, isNew = false): boolean {
    if (!this.identity) return false
    if (isAdmin(this.identity)) return true
    const scope = scopeOf(pkg.name)
    if (!this.org(scope)) return isNew || pkg.maintainers.some((maintainer) => maintainer.name === this.identity?.username)
    const role = this.orgRole(scope)
    if (role === 'admin' || this.ciTokenFor(scope)) return true
    if (role !== 'maintainer') return false
    return isNew || pkg.maintainers.some((maintainer) => maintainer.name === this.identity?.username) || this.profile.grants.get(pkg.name) === 'write'
  }

  /** May publish in `scope` at all (before any package is looked at, so the answer never depends on one). */
  canPublishInScope(scope: string | null): boolean {
    if (!this.org(scope)) return true
    if (this.admin || this.ciTokenFor(scope)) return true
    const role = this.orgRole(scope)
    return role === 'admin' || role === 'maintainer'
  }

  hasGrant(name: string): boolean {
    return this.profile.grants.has(name)
  }

  /** Throws 404 unless the package is readable, then 403 unless it is writable. */
  assertCanWrite(pkg: PackageFacts, isNew = false): void {
    if (!this.canRead(pkg)) throw packageNotFound(pkg.name)
    if (this.canWrite(pkg, isNew)) return
    const org = this.org(scopeOf(pkg.name))
    throw new ForbiddenError(
      'NOT_A_MAINTAINER',
      org && this.orgRole(org.scope) !== 'maintainer'
        ? `${this.identity?.username ?? 'anonymous'} cannot write ${pkg.name}: it needs the admin or maintainer role in the org ${org.slug}`
        : `${this.identity?.username ?? 'anonymous'} is not a maintainer of ${pkg.name}`,
    )
  }
}

export interface EntitlementView {
  package: string
  /** Why the caller may read it. */
  via: 'admin' | 'maintainer' | 'org' | 'ci-token' | 'team' | 'grant'
}

/** One reason a user may read a restricted package. */
export type ReadReason =
  | { via: 'maintainer' }
  | { via: 'org'; role: OrgRole }
  | { via: 'team'; team: string; permission: TeamPermission }
  | { via: 'grant'; grantedBy: string; createdAt: number }

/** A restricted package of an org and everyone who may read it (registry admins aside), with why. */
export interface RestrictedPackageReaders {
  name: string
  /** May the viewer grant and revoke entitlements to it (those who may write it). */
  writable: boolean
  readers: Array<{ username: string; reasons: ReadReason[] }>
}

export class AccessService {
  private orgCache: Promise<Map<string, OrgInfo>> | undefined
  private readonly profiles = new Map<string, Promise<AccessProfile>>()
  /** Bumped by every forget: a load that started before one is used once but not kept. */
  private epoch = 0

  constructor(
    private readonly db: Database,
    private readonly cluster: Cluster,
    private readonly packuments: PackumentCache,
    private readonly audit: AuditLog,
    private readonly events: EventBus,
  ) {}

  /** After memberships, teams, grants or orgs changed: drops cached profiles here and on every instance. */
  forget(): void {
    this.forgetLocal()
    this.cluster.broadcast({ type: 'access' })
  }

  forgetLocal(): void {
    this.epoch++
    this.orgCache = undefined
    this.profiles.clear()
  }

  /** Every org by scope (`@acme`). Orgs are few; they are cached whole. */
  orgs(): Promise<Map<string, OrgInfo>> {
    if (this.orgCache) return this.orgCache
    const epoch = this.epoch
    const loading = this.db.primary
      .select()
      .from(orgs)
      .then((rows) => new Map(rows.map((row) => [`@${row.slug}`, { id: row.id, slug: row.slug, scope: `@${row.slug}`, displayName: row.displayName, defaultAccess: row.defaultAccess, ownerId: row.ownerId }])))
    if (epoch === this.epoch) this.orgCache = loading
    loading.catch(() => {
      if (this.orgCache === loading) this.orgCache = undefined
    })
    return loading
  }

  private profile(userId: string): Promise<AccessProfile> {
    const cached = this.profiles.get(userId)
    if (cached) return cached
    const epoch = this.epoch
    const loading = this.loadProfile(userId)
    if (epoch === this.epoch) {
      if (this.profiles.size >= 10_000) this.profiles.delete(this.profiles.keys().next().value as string)
      this.profiles.set(userId, loading)
    }
    loading.catch(() => this.profiles.delete(userId))
    return loading
  }

  private async loadProfile(userId: string): Promise<AccessProfile> {
    const [memberships, teamGrants, granted] = await Promise.all([
      this.db.primary.select({ slug: orgs.slug, role: orgMembers.role }).from(orgMembers).innerJoin(orgs, eq(orgMembers.orgId, orgs.id)).where(eq(orgMembers.userId, userId)),
      this.db.primary
        .select({ packageName: teamPackages.packageName, permission: teamPackages.permission })
        .from(teamMembers)
        .innerJoin(teamPackages, eq(teamPackages.teamId, teamMembers.teamId))
        .where(eq(teamMembers.userId, userId)),
      this.db.primary.select({ packageName: entitlements.packageName }).from(entitlements).where(eq(entitlements.userId, userId)),
    ])
    const grants = new Map<string, TeamPermission>()
    for (const grant of teamGrants) grants.set(grant.packageName, strongest(grants.get(grant.packageName), grant.permission))
    for (const grant of granted) grants.set(grant.packageName, strongest(grants.get(grant.packageName), 'read'))
    return { orgRoles: new Map(memberships.map((membership) => [`@${membership.slug}`, membership.role])), grants }
  }

  async viewerFor(identity: Identity | null): Promise<Viewer> {
    const [orgMap, profile] = await Promise.all([this.orgs(), identity ? this.profile(identity.userId) : EMPTY_PROFILE])
    return new Viewer(identity, profile, orgMap)
  }

  /** A caller who must be signed in (401 otherwise), with their view. */
  async signedInViewer(result: AuthResult): Promise<{ identity: Identity; viewer: Viewer }> {
    const identity = authorize(result, 'read')
    return { identity, viewer: await this.viewerFor(identity) }
  }

  /** Throws the not-found answer unless `viewer` may read the package. */
  assertReadable(viewer: Viewer, pkg: PackageFacts): void {
    if (!viewer.canRead(pkg)) throw packageNotFound(pkg.name)
  }

  /** The package row, for a caller who may read it; 404 otherwise (also when it does not exist). */
  async readablePackage(viewer: Viewer, name: string): Promise<PackageRow> {
    const [row] = await this.db.primary.select().from(packages).where(eq(packages.name, name)).limit(1)
    if (!row) throw packageNotFound(name)
    this.assertReadable(viewer, row)
    return row
  }

  /**
   * A CI token for an org's scope can publish (and read) everything there without its owner being a
   * member, so only org admins (or registry admins) may create one.
   */
  async assertMayIssueToken(issuer: Identity, role: string, scopes: readonly string[]): Promise<void> {
    if (role !== 'ci-readonly' && role !== 'ci-publish') return
    const viewer = await this.viewerFor(issuer)
    if (viewer.admin) return
    for (const scope of scopes) {
      if (viewer.org(scope) && viewer.orgRole(scope) !== 'admin') {
        throw new ForbiddenError('ORG_ADMIN_REQUIRED', `only admins of the org ${scope.slice(1)} can create CI tokens for ${scope}`)
      }
    }
  }

  /** `npm access set status=public|private`: changes who can see the package. */
  async setVisibility(viewer: Viewer, name: string, access: PackageAccess, actor: Actor): Promise<void> {
    let revision = 0
    const changed = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(packages)
        .set({ revision: sql`${packages.revision} + 1` })
        .where(eq(packages.name, name))
        .returning()
      if (!row) throw packageNotFound(name)
      viewer.assertCanWrite(row)
      revision = row.revision
      return this.changeVisibility(tx, row, access, actor)
    })
    this.packuments.invalidate(name, revision)
    if (changed) this.events.emit({ type: 'package.changed', name, actor: actor.username ?? '' })
  }

  /**
   * Inside a write transaction that locked `row` (and checked the writer): sets its visibility, with
   * an audit record. Returns whether it changed; the caller invalidates and emits after the commit.
   */
  async changeVisibility(tx: Db, row: PackageRow, access: PackageAccess, actor: Actor): Promise<boolean> {
    if (row.access === access) return false
    await tx.update(packages).set({ access }).where(eq(packages.name, row.name))
    await this.audit.record(tx, actor, { action: 'package.access', target: row.name, details: { from: row.access, to: access } })
    return true
  }

  /** `POST /api/entitlements/grant`: lets `username` read the restricted package `name`. */
  async grant(viewer: Viewer, username: string, name: string, actor: Actor): Promise<{ user: string; package: string; grantedBy: string; createdAt: number }> {
    const pkg = await this.readablePackage(viewer, name)
    viewer.assertCanWrite(pkg)
    const user = await this.userNamed(username)
    const createdAt = Date.now()
    const grantedBy = viewer.identity?.username ?? ''
    await this.db.transaction(async (tx) => {
      await tx
        .insert(entitlements)
        .values({ userId: user.id, packageName: name, grantedBy, createdAt })
        .onConflictDoUpdate({ target: [entitlements.userId, entitlements.packageName], set: { grantedBy, createdAt } })
      await this.audit.record(tx, actor, { action: 'entitlement.grant', target: name, details: { user: username } })
    })
    this.forget()
    return { user: username, package: name, grantedBy, createdAt }
  }

  /** `DELETE /api/entitlements/revoke`: applies to the user's very next request. */
  async revoke(viewer: Viewer, username: string, name: string, actor: Actor): Promise<void> {
    const pkg = await this.readablePackage(viewer, name)
    viewer.assertCanWrite(pkg)
    const user = await this.userNamed(username)
    await this.db.transaction(async (tx) => {
      const removed = await tx
        .delete(entitlements)
        .where(and(eq(entitlements.userId, user.id), eq(entitlements.packageName, name)))
        .returning({ packageName: entitlements.packageName })
      if (removed.length === 0) throw new NotFoundError('ENTITLEMENT_NOT_FOUND', `${username} has no entitlement to ${name}`)
      await this.audit.record(tx, actor, { action: 'entitlement.revoke', target: name, details: { user: username } })
    })
    this.forget()
  }

  /** Every restricted package with a live version the viewer may read, and why. */
  async entitlementsOf(viewer: Viewer): Promise<EntitlementView[]> {
    const restricted = await this.db.read
      .selectDistinct({ name: packages.name, access: packages.access, maintainers: packages.maintainers })
      .from(packages)
      .innerJoin(versions, and(eq(versions.packageName, packages.name), isNull(versions.unpublishedAt)))
      .where(eq(packages.access, 'restricted'))
      .orderBy(asc(packages.name))
    const identity = viewer.identity
    const result: EntitlementView[] = []
    for (const pkg of restricted) {
      if (!identity || !viewer.canRead(pkg)) continue
      const scope = scopeOf(pkg.name)
      const via: EntitlementView['via'] = viewer.admin
        ? 'admin'
        : pkg.maintainers.some((maintainer) => maintainer.name === identity.username)
          ? 'maintainer'
          : viewer.orgRole(scope)
            ? 'org'
            : viewer.ciTokenFor(scope)
              ? 'ci-token'
              : (await this.grantedDirectly(identity.userId, pkg.name))
                ? 'grant'
                : 'team'
      result.push({ package: pkg.name, via })
    }
    return result
  }

  private async grantedDirectly(userId: string, name: string): Promise<boolean> {
    const [row] = await this.db.primary
      .select({ name: entitlements.packageName })
      .from(entitlements)
      .where(and(eq(entitlements.userId, userId), eq(entitlements.packageName, name)))
      .limit(1)
    return row !== undefined
  }

  /** `npm access list collaborators`: user → `read` or `write`. */
  async collaborators(viewer: Viewer, name: string): Promise<Record<string, TeamPermission>> {
    const pkg = await this.readablePackage(viewer, name)
    const result: Record<string, TeamPermission> = {}
    const add = (username: string, level: TeamPermission) => (result[username] = strongest(result[username], level))
    for (const maintainer of pkg.maintainers) add(maintainer.name, 'write')
    const org = viewer.org(scopeOf(name))
    if (org) {
      const members = await this.db.read.select({ username: users.username, role: orgMembers.role }).from(orgMembers).innerJoin(users, eq(orgMembers.userId, users.id)).where(eq(orgMembers.orgId, org.id))
      for (const member of members) add(member.username, member.role === 'admin' ? 'write' : 'read')
    }
    const [teamGrants, granted] = await Promise.all([
      this.db.read
        .select({ username: users.username, permission: teamPackages.permission })
        .from(teamPackages)
        .innerJoin(teamMembers, eq(teamMembers.teamId, teamPackages.teamId))
        .innerJoin(users, eq(teamMembers.userId, users.id))
        .where(eq(teamPackages.packageName, name)),
      this.db.read.select({ username: users.username }).from(entitlements).innerJoin(users, eq(entitlements.userId, users.id)).where(eq(entitlements.packageName, name)),
    ])
    for (const grant of teamGrants) add(grant.username, grant.permission)
    for (const grant of granted) add(grant.username, 'read')
    return result
  }

  /**
   * The restricted packages of `org`'s scope that the viewer may read, each with the users who may
   * read it and why (maintainer, org role, team grant, entitlement). Registry admins read everything
   * and are not listed. Four queries whatever the number of packages.
   */
  async restrictedReadersOfOrg(viewer: Viewer, org: OrgInfo): Promise<RestrictedPackageReaders[]> {
    const rows = await this.db.read
      .select({ name: packages.name, access: packages.access, maintainers: packages.maintainers })
      .from(packages)
      .where(and(eq(packages.scope, org.scope), eq(packages.access, 'restricted')))
      .orderBy(asc(packages.name))
    const visible = rows.filter((pkg) => viewer.canRead(pkg))
    if (visible.length === 0) return []
    const names = visible.map((pkg) => pkg.name)
    const [members, teamGrants, granted] = await Promise.all([
      this.db.read.select({ username: users.username, role: orgMembers.role }).from(orgMembers).innerJoin(users, eq(orgMembers.userId, users.id)).where(eq(orgMembers.orgId, org.id)),
      this.db.read
        .select({ packageName: teamPackages.packageName, team: teams.name, permission: teamPackages.permission, username: users.username })
        .from(teamPackages)
        .innerJoin(teams, eq(teams.id, teamPackages.teamId))
        .innerJoin(teamMembers, eq(teamMembers.teamId, teamPackages.teamId))
        .innerJoin(users, eq(teamMembers.userId, users.id))
        .where(inArray(teamPackages.packageName, names)),
      this.db.read
        .select({ packageName: entitlements.packageName, username: users.username, grantedBy: entitlements.grantedBy, createdAt: entitlements.createdAt })
        .from(entitlements)
        .innerJoin(users, eq(entitlements.userId, users.id))
        .where(inArray(entitlements.packageName, names)),
    ])
    return visible.map((pkg) => {
      const reasons = new Map<string, ReadReason[]>()
      const add = (username: string, reason: ReadReason) => reasons.set(username, [...(reasons.get(username) ?? []), reason])
      for (const maintainer of pkg.maintainers) add(maintainer.name, { via: 'maintainer' })
      for (const member of members) add(member.username, { via: 'org', role: member.role })
      for (const grant of teamGrants) if (grant.packageName === pkg.name) add(grant.username, { via: 'team', team: `${org.slug}:${grant.team}`, permission: grant.permission })
      for (const grant of granted) if (grant.packageName === pkg.name) add(grant.username, { via: 'grant', grantedBy: grant.grantedBy, createdAt: grant.createdAt })
      const readers = [...reasons].map(([username, list]) => ({ username, reasons: list })).sort((a, b) => a.username.localeCompare(b.username))
      return { name: pkg.name, writable: viewer.canWrite(pkg), readers }
    })
  }

  /**
   * `npm access list packages <user>`: packages `username` maintains, those of orgs they belong to,
   * and those granted to them, each with their level, limited to what the viewer may see.
   */
  async packagesOfUser(viewer: Viewer, username: string): Promise<Record<string, TeamPermission>> {
    const user = await this.userNamed(username)
    const subject = new Viewer(userIdentity(user, { id: '', name: 'access list', role: 'login' }), await this.profile(user.id), await this.orgs())
    const scopes = [...(await this.orgs()).keys()].filter((scope) => subject.orgRole(scope) !== undefined)
    const maintained = sql`${packages.maintainers} like ${`%"name":${JSON.stringify(user.username)}%`}`
    const granted = sql`${packages.name} in (select ${entitlements.packageName} from ${entitlements} where ${entitlements.userId} = ${user.id}
      union select ${teamPackages.packageName} from ${teamPackages} inner join ${teamMembers} on ${teamMembers.teamId} = ${teamPackages.teamId} where ${teamMembers.userId} = ${user.id})`
    const candidates = await this.db.read
      .select({ name: packages.name, access: packages.access, maintainers: packages.maintainers })
      .from(packages)
      .where(or(maintained, granted, scopes.length > 0 ? inArray(packages.scope, scopes) : undefined))
      .orderBy(asc(packages.name))
    const result: Record<string, TeamPermission> = {}
    for (const pkg of candidates) {
      // `like` also matches `_` as any character: keep only what really concerns the user.
      const concerns = pkg.maintainers.some((maintainer) => maintainer.name === user.username) || subject.orgRole(scopeOf(pkg.name)) !== undefined || subject.hasGrant(pkg.name)
      if (!concerns || !viewer.canRead(pkg) || !subject.canRead(pkg)) continue
      result[pkg.name] = subject.canWrite(pkg) ? 'write' : 'read'
    }
    return result
  }

  /** `npm access list packages <scope>` (org): every package of the scope the viewer may see, with the viewer's level. */
  async packagesOfOrg(viewer: Viewer, org: OrgInfo): Promise<Record<string, TeamPermission>> {
    const rows = await this.db.read
      .select({ name: packages.name, access: packages.access, maintainers: packages.maintainers })
      .from(packages)
      .where(eq(packages.scope, org.scope))
      .orderBy(asc(packages.name))
    const result: Record<string, TeamPermission> = {}
    for (const pkg of rows) if (viewer.canRead(pkg)) result[pkg.name] = viewer.canWrite(pkg) ? 'write' : 'read'
    return result
  }

  private async userNamed(username: string) {
    const [user] = await this.db.primary.select().from(users).where(eq(users.username, username)).limit(1)
    if (!user) throw new NotFoundError('USER_NOT_FOUND', `no user named ${username}`)
    return user
  }
}
