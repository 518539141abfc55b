// Organizations, their members and teams. An org owns the npm scope `@<slug>`: its admins manage
// members, teams and grants; its maintainers publish there; every member reads its restricted
// packages. Every change is audited in its own transaction and drops the cached access profiles
// (here and on other instances) so it applies to the next request.
import { and, asc, count, eq, inArray, isNull, sql } from 'drizzle-orm'
import type { AccessService, OrgInfo, Viewer } from '../access/service.ts'
import type { Actor, AuditLog } from '../audit/service.ts'
import type { BillingService } from '../billing/service.ts'
import { isUniqueViolation, type Database, type Db } from '../db/index.ts'
import { orgMembers, orgs, packages, teamMembers, teamPackages, teams, users, versions, type OrgRole, type PackageAccess, type TeamPermission, type UserRow } from '../db/schema.ts'
import { BadRequestError, ConflictError, ForbiddenError, NotFoundError } from '../errors/index.ts'
import { scopeOf } from '../npm/names.ts'
import type { EventBus } from '../events/index.ts'
import type { PackumentCache } from '../packages/cache.ts'

const SLUG = /^[a-z0-9][a-z0-9._-]{0,63}$/
const TEAM_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i

/** npm's org roles (`npm org set`) and Packr's own, to Packr's. */
const ROLE_ALIASES: Record<string, OrgRole> = { owner: 'admin', admin: 'admin', developer: 'maintainer', maintainer: 'maintainer', reader: 'reader' }

export function parseOrgRole(role: string | undefined): OrgRole {
  const parsed = ROLE_ALIASES[role ?? 'developer']
  if (!parsed) throw new BadRequestError('INVALID_ROLE', `invalid role ${JSON.stringify(role)}: use admin, maintainer or reader (npm's owner, admin, developer are accepted too)`)
  return parsed
}

/** npm's `read-only`/`read-write` (and Packr's `read`/`write`). */
export function parseTeamPermission(permission: string): TeamPermission {
  if (permission === 'read-only' || permission === 'read') return 'read'
  if (permission === 'read-write' || permission === 'write') return 'write'
  throw new BadRequestError('INVALID_PERMISSION', `invalid permission ${JSON.stringify(permission)}: use read-only or read-write`)
}

export interface OrgSummary {
  slug: string
  displayName: string
  defaultAccess: PackageAccess
  createdAt: string
}

export interface OrgPackage {
  name: string
  version: string | null
  access: PackageAccess
  modifiedAt: string
}

const orgNotFound = (slug: string) => new NotFoundError('ORG_NOT_FOUND', `no org named ${slug}`)

export class OrgService {
  constructor(
    private readonly db: Database,
    private readonly access: AccessService,
    private readonly audit: AuditLog,
    private readonly billing: BillingService,
    private readonly packuments: PackumentCache,
    private readonly events: EventBus,
  ) {}

  /** `acme`, `@acme` → the org, or 404. */
  async find(slug: string): Promise<OrgInfo> {
    const org = (await this.access.orgs()).get(`@${slug.replace(/^@/, '').toLowerCase()}`)
    if (!org) throw orgNotFound(slug)
    return org
  }

  private assertAdmin(viewer: Viewer, org: OrgInfo): void {
    if (viewer.admin || viewer.orgRole(org.scope) === 'admin') return
    throw new ForbiddenError('ORG_ADMIN_REQUIRED', `this needs the admin role in the org ${org.slug}`)
  }

  private assertMember(viewer: Viewer, org: OrgInfo): void {
    if (viewer.admin || viewer.orgRole(org.scope) !== undefined) return
    throw new ForbiddenError('ORG_MEMBERSHIP_REQUIRED', `only members of the org ${org.slug} can see this`)
  }

  private async user(username: string, tx: Db = this.db.primary): Promise<UserRow> {
    const [user] = await tx.select().from(users).where(eq(users.username, username.replace(/^@/, ''))).limit(1)
    if (!user) throw new NotFoundError('USER_NOT_FOUND', `no user named ${username}`)
    return user
  }

  async list(): Promise<Array<OrgSummary & { members: number }>> {
    const rows = await this.db.read
      .select({ org: orgs, members: count(orgMembers.userId) })
      .from(orgs)
      .leftJoin(orgMembers, eq(orgMembers.orgId, orgs.id))
      .groupBy(orgs.id)
      .orderBy(asc(orgs.slug))
    return rows.map(({ org, members }) => ({ ...summary(org), members }))
  }

  /**
   * Creates an org and makes its creator its admin. A scope that already holds packages someone else
   * maintains can only be turned into an org by a registry admin, or its packages would change hands.
   */
  async create(viewer: Viewer, input: { slug: string; displayName?: string | undefined; defaultAccess?: PackageAccess | undefined }, actor: Actor): Promise<OrgSummary> {
    const identity = viewer.identity
    if (!identity) throw new ForbiddenError('ORG_ADMIN_REQUIRED', 'sign in to create an org')
    const slug = input.slug.replace(/^@/, '')
    if (!SLUG.test(slug)) throw new BadRequestError('INVALID_ORG_SLUG', `invalid org name ${JSON.stringify(input.slug)}: use 1-64 lower-case letters, digits, ".", "_" or "-"`)
    const scope = `@${slug}`
    if (!viewer.admin) {
      const foreign = await this.db.primary
        .select({ name: packages.name, maintainers: packages.maintainers })
        .from(packages)
        .where(eq(packages.scope, scope))
      if (foreign.some((pkg) => !pkg.maintainers.some((maintainer) => maintainer.name === identity.username))) {
        throw new ConflictError('SCOPE_IN_USE', `the scope ${scope} already holds packages you do not maintain; ask a registry admin to create this org`)
      }
    }
    const now = Date.now()
    const row = { id: crypto.randomUUID(), slug, displayName: input.displayName ?? slug, defaultAccess: input.defaultAccess ?? 'public', ownerId: identity.userId, createdAt: now, updatedAt: now }
    try {
      await this.db.transaction(async (tx) => {
        await this.billing.assertMayAddScope(tx, identity, scope)
        await tx.insert(orgs).values(row)
        await tx.insert(orgMembers).values({ orgId: row.id, userId: identity.userId, role: 'admin', createdAt: now })
        await this.audit.record(tx, actor, { action: 'org.create', target: `org:${slug}`, details: { displayName: row.displayName, defaultAccess: row.defaultAccess } })
      })
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('ORG_EXISTS', `an org named ${slug} already exists`)
      throw error
    }
    this.access.forget()
    return summary(row)
  }

  /** Renames, or changes the scope's visibility: `defaultAccess` also applies to every package already there. */
  async update(viewer: Viewer, slug: string, input: { displayName?: string | undefined; defaultAccess?: PackageAccess | undefined }, actor: Actor): Promise<OrgSummary> {
    const org = await this.find(slug)
    this.assertAdmin(viewer, org)
    const revisions: Array<{ name: string; revision: number }> = []
    const updated = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(orgs)
        .set({ ...(input.displayName ? { displayName: input.displayName } : {}), ...(input.defaultAccess ? { defaultAccess: input.defaultAccess } : {}), updatedAt: Date.now() })
        .where(eq(orgs.id, org.id))
        .returning()
      if (!row) throw orgNotFound(slug)
      if (input.defaultAccess) {
        const changed = await tx
          .update(packages)
          .set({ access: input.defaultAccess, revision: sql`${packages.revision} + 1` })
          .where(and(eq(packages.scope, org.scope), sql`${packages.access} <> ${input.defaultAccess}`))
          .returning({ name: packages.name, revision: packages.revision })
        revisions.push(...changed)
      }
      await this.audit.record(tx, actor, { action: 'org.update', target: `org:${org.slug}`, details: { ...input, packagesChanged: revisions.length } })
      return row
    })
    for (const { name, revision } of revisions) {
      this.packuments.invalidate(name, revision)
      this.events.emit({ type: 'package.changed', name, actor: actor.username ?? '' })
    }
    this.access.forget()
    return summary(updated)
  }

  async members(viewer: Viewer, slug: string): Promise<Array<{ username: string; role: OrgRole }>> {
    const org = await this.find(slug)
    this.assertMember(viewer, org)
    return this.db.primary
      .select({ username: users.username, role: orgMembers.role })
      .from(orgMembers)
      .innerJoin(users, eq(orgMembers.userId, users.id))
      .where(eq(orgMembers.orgId, org.id))
      .orderBy(asc(users.username))
  }

  /** Adds a member or changes their role; the last admin cannot step down. Returns the org's new size. */
  async setMember(viewer: Viewer, slug: string, username: string, role: OrgRole, actor: Actor): Promise<{ org: OrgInfo; size: number; username: string; role: OrgRole }> {
    const org = await this.find(slug)
    this.assertAdmin(viewer, org)
    const user = await this.user(username)
    const size = await this.db.transaction(async (tx) => {
      if (role !== 'admin') await this.assertKeepsAnAdmin(tx, org, user.id)
      await tx
        .insert(orgMembers)
        .values({ orgId: org.id, userId: user.id, role, createdAt: Date.now() })
        .onConflictDoUpdate({ target: [orgMembers.orgId, orgMembers.userId], set: { role } })
      await this.audit.record(tx, actor, { action: 'org.member.set', target: `org:${org.slug}`, details: { user: user.username, role } })
      const [total] = await tx.select({ size: count() }).from(orgMembers).where(eq(orgMembers.orgId, org.id))
      return total?.size ?? 0
    })
    this.access.forget()
    return { org, size, username: user.username, role }
  }

  /** Removes a member (org admins, or members leaving), and them from the org's teams. */
  async removeMember(viewer: Viewer, slug: string, username: string, actor: Actor): Promise<void> {
    const org = await this.find(slug)
    const user = await this.user(username)
    if (viewer.identity?.userId !== user.id) this.assertAdmin(viewer, org)
    await this.db.transaction(async (tx) => {
      await this.assertKeepsAnAdmin(tx, org, user.id)
      const removed = await tx
        .delete(orgMembers)
        .where(and(eq(orgMembers.orgId, org.id), eq(orgMembers.userId, user.id)))
        .returning({ userId: orgMembers.userId })
      if (removed.length === 0) throw new NotFoundError('NOT_AN_ORG_MEMBER', `${user.username} is not a member of ${org.slug}`)
      const orgTeams = tx.select({ id: teams.id }).from(teams).where(eq(teams.orgId, org.id))
      await tx.delete(teamMembers).where(and(eq(teamMembers.userId, user.id), inArray(teamMembers.teamId, orgTeams)))
      await this.audit.record(tx, actor, { action: 'org.member.remove', target: `org:${org.slug}`, details: { user: user.username } })
    })
    this.access.forget()
  }

  /** Throws 409 when `userId` is the org's only admin (so demoting or removing them would orphan it). */
  private async assertKeepsAnAdmin(tx: Db, org: OrgInfo, userId: string): Promise<void> {
    const admins = await tx
      .select({ userId: orgMembers.userId })
      .from(orgMembers)
      .where(and(eq(orgMembers.orgId, org.id), eq(orgMembers.role, 'admin')))
    if (admins.length === 1 && admins[0]?.userId === userId) {
      throw new ConflictError('LAST_ORG_ADMIN', `${org.slug} must keep at least one admin; make someone else admin first`)
    }
  }

  async orgsOf(userId: string): Promise<Array<OrgSummary & { role: OrgRole }>> {
    const rows = await this.db.primary
      .select({ org: orgs, role: orgMembers.role })
      .from(orgMembers)
      .innerJoin(orgs, eq(orgMembers.orgId, orgs.id))
      .where(eq(orgMembers.userId, userId))
      .orderBy(asc(orgs.slug))
    return rows.map(({ org, role }) => ({ ...summary(org), role }))
  }

  /** Packages of the org's scope with a live version that the viewer may see. */
  async packagesOf(viewer: Viewer, slug: string): Promise<{ org: OrgSummary; packages: OrgPackage[] }> {
    const org = await this.find(slug)
    const rows = await this.db.read
      .selectDistinct({ name: packages.name, access: packages.access, maintainers: packages.maintainers, distTags: packages.distTags, modifiedAt: packages.modifiedAt })
      .from(packages)
      .innerJoin(versions, and(eq(versions.packageName, packages.name), isNull(versions.unpublishedAt)))
      .where(eq(packages.scope, org.scope))
      .orderBy(asc(packages.name))
    return {
      org: { slug: org.slug, displayName: org.displayName, defaultAccess: org.defaultAccess, createdAt: '' },
      packages: rows
        .filter((pkg) => viewer.canRead(pkg))
        .map((pkg) => ({ name: pkg.name, version: pkg.distTags.latest ?? null, access: pkg.access, modifiedAt: new Date(pkg.modifiedAt).toISOString() })),
    }
  }

  /** A user's public profile: orgs, and the packages they maintain that the viewer may see. */
  async profile(viewer: Viewer, username: string): Promise<{ username: string; createdAt: string; orgs: Array<{ slug: string; displayName: string }>; packages: string[] }> {
    const user = await this.user(username)
    const [memberships, maintained] = await Promise.all([
      this.orgsOf(user.id),
      this.db.read
        .selectDistinct({ name: packages.name, access: packages.access, maintainers: packages.maintainers })
        .from(packages)
        .innerJoin(versions, and(eq(versions.packageName, packages.name), isNull(versions.unpublishedAt)))
        .where(sql`${packages.maintainers} like ${`%"name":${JSON.stringify(user.username)}%`}`)
        .orderBy(asc(packages.name)),
    ])
    return {
      username: user.username,
      createdAt: new Date(user.createdAt).toISOString(),
      orgs: memberships.map((org) => ({ slug: org.slug, displayName: org.displayName })),
      packages: maintained.filter((pkg) => pkg.maintainers.some((maintainer) => maintainer.name === user.username) && viewer.canRead(pkg)).map((pkg) => pkg.name),
    }
  }

  private async team(org: OrgInfo, name: string, tx: Db = this.db.primary) {
    const [team] = await tx
      .select()
      .from(teams)
      .where(and(eq(teams.orgId, org.id), eq(teams.name, name)))
      .limit(1)
    if (!team) throw new NotFoundError('TEAM_NOT_FOUND', `no team ${org.slug}:${name}`)
    return team
  }

  async createTeam(viewer: Viewer, slug: string, name: string, description: string | null, actor: Actor): Promise<{ name: string; description: string | null }> {
    const org = await this.find(slug)
    this.assertAdmin(viewer, org)
    if (!TEAM_NAME.test(name)) throw new BadRequestError('INVALID_TEAM_NAME', `invalid team name ${JSON.stringify(name)}: use 1-64 letters, digits, ".", "_" or "-"`)
    try {
      await this.db.transaction(async (tx) => {
        await tx.insert(teams).values({ id: crypto.randomUUID(), orgId: org.id, name, description, createdAt: Date.now() })
        await this.audit.record(tx, actor, { action: 'team.create', target: `team:${org.slug}:${name}` })
      })
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('TEAM_EXISTS', `the team ${org.slug}:${name} already exists`)
      throw error
    }
    return { name: `${org.slug}:${name}`, description }
  }

  async destroyTeam(viewer: Viewer, slug: string, name: string, actor: Actor): Promise<void> {
    const org = await this.find(slug)
    this.assertAdmin(viewer, org)
    await this.db.transaction(async (tx) => {
      const team = await this.team(org, name, tx)
      await tx.delete(teams).where(eq(teams.id, team.id))
      await this.audit.record(tx, actor, { action: 'team.delete', target: `team:${org.slug}:${name}` })
    })
    this.access.forget()
  }

  /** `npm team ls <scope>`: `["acme:devs", ...]`. */
  async teams(viewer: Viewer, slug: string): Promise<string[]> {
    const org = await this.find(slug)
    this.assertMember(viewer, org)
    const rows = await this.db.primary.select({ name: teams.name }).from(teams).where(eq(teams.orgId, org.id)).orderBy(asc(teams.name))
    return rows.map((row) => `${org.slug}:${row.name}`)
  }

  async teamMembers(viewer: Viewer, slug: string, name: string): Promise<string[]> {
    const org = await this.find(slug)
    this.assertMember(viewer, org)
    const team = await this.team(org, name)
    const rows = await this.db.primary
      .select({ username: users.username })
      .from(teamMembers)
      .innerJoin(users, eq(teamMembers.userId, users.id))
      .where(eq(teamMembers.teamId, team.id))
      .orderBy(asc(users.username))
    return rows.map((row) => row.username)
  }

  /** Team members must be members of the org. */
  async addTeamMember(viewer: Viewer, slug: string, name: string, username: string, actor: Actor): Promise<void> {
    const org = await this.find(slug)
    this.assertAdmin(viewer, org)
    const user = await this.user(username)
    await this.db.transaction(async (tx) => {
      const team = await this.team(org, name, tx)
      const [member] = await tx
        .select({ role: orgMembers.role })
        .from(orgMembers)
        .where(and(eq(orgMembers.orgId, org.id), eq(orgMembers.userId, user.id)))
      if (!member) throw new BadRequestError('NOT_AN_ORG_MEMBER', `${user.username} is not a member of ${org.slug}; npm org set ${org.slug} ${user.username} first`)
      await tx.insert(teamMembers).values({ teamId: team.id, userId: user.id, createdAt: Date.now() }).onConflictDoNothing()
      await this.audit.record(tx, actor, { action: 'team.member.add', target: `team:${org.slug}:${name}`, details: { user: user.username } })
    })
    this.access.forget()
  }

  async removeTeamMember(viewer: Viewer, slug: string, name: string, username: string, actor: Actor): Promise<void> {
    const org = await this.find(slug)
    this.assertAdmin(viewer, org)
    const user = await this.user(username)
    await this.db.transaction(async (tx) => {
      const team = await this.team(org, name, tx)
      const removed = await tx
        .delete(teamMembers)
        .where(and(eq(teamMembers.teamId, team.id), eq(teamMembers.userId, user.id)))
        .returning({ userId: teamMembers.userId })
      if (removed.length === 0) throw new NotFoundError('NOT_A_TEAM_MEMBER', `${user.username} is not in ${org.slug}:${name}`)
      await this.audit.record(tx, actor, { action: 'team.member.remove', target: `team:${org.slug}:${name}`, details: { user: user.username } })
    })
    this.access.forget()
  }

  /** `npm access list packages scope:team`. */
  async teamPackages(viewer: Viewer, slug: string, name: string): Promise<Record<string, TeamPermission>> {
    const org = await this.find(slug)
    this.assertMember(viewer, org)
    const team = await this.team(org, name)
    const rows = await this.db.primary
      .select({ name: packages.name, access: packages.access, maintainers: packages.maintainers, permission: teamPackages.permission })
      .from(teamPackages)
      .innerJoin(packages, eq(teamPackages.packageName, packages.name))
      .where(eq(teamPackages.teamId, team.id))
      .orderBy(asc(packages.name))
    return Object.fromEntries(rows.filter((row) => viewer.canRead(row)).map((row) => [row.name, row.permission]))
  }

  /** `npm access grant`: a package of the org's scope, for the members of one of its teams. */
  async grantTeam(viewer: Viewer, slug: string, name: string, packageName: string, permission: TeamPermission, actor: Actor): Promise<void> {
    const org = await this.find(slug)
    this.assertAdmin(viewer, org)
    const pkg = await this.access.readablePackage(viewer, packageName)
    if (scopeOf(pkg.name) !== org.scope) throw new BadRequestError('PACKAGE_OUTSIDE_ORG', `${pkg.name} is not in the scope ${org.scope}; teams can only be granted their org's packages`)
    await this.db.transaction(async (tx) => {
      const team = await this.team(org, name, tx)
      await tx
        .insert(teamPackages)
        .values({ teamId: team.id, packageName: pkg.name, permission, createdAt: Date.now() })
        .onConflictDoUpdate({ target: [teamPackages.teamId, teamPackages.packageName], set: { permission } })
      await this.audit.record(tx, actor, { action: 'team.package.grant', target: pkg.name, details: { team: `${org.slug}:${name}`, permission } })
    })
    this.access.forget()
  }

  async revokeTeam(viewer: Viewer, slug: string, name: string, packageName: string, actor: Actor): Promise<void> {
    const org = await this.find(slug)
    this.assertAdmin(viewer, org)
    const pkg = await this.access.readablePackage(viewer, packageName)
    await this.db.transaction(async (tx) => {
      const team = await this.team(org, name, tx)
      const removed = await tx
        .delete(teamPackages)
        .where(and(eq(teamPackages.teamId, team.id), eq(teamPackages.packageName, pkg.name)))
        .returning({ name: teamPackages.packageName })
      if (removed.length === 0) throw new NotFoundError('GRANT_NOT_FOUND', `${org.slug}:${name} has no access to ${pkg.name}`)
      await this.audit.record(tx, actor, { action: 'team.package.revoke', target: pkg.name, details: { team: `${org.slug}:${name}` } })
    })
    this.access.forget()
  }
}

function summary(org: { slug: string; displayName: string; defaultAccess: PackageAccess; createdAt: number }): OrgSummary {
  return { slug: org.slug, displayName: org.displayName, defaultAccess: org.defaultAccess, createdAt: new Date(org.createdAt).toISOString() }
}
