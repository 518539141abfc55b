// What the organization pages show and do, on the org and access services (no HTTP): the orgs a
// person belongs to (admins: all), one org with its members, teams and packages, and who may read its
// restricted packages. Every rule is the services' own, so a page can never do what the API refuses.
import type { AccessService, RestrictedPackageReaders, Viewer } from '../../access/service.ts'
import type { Actor } from '../../audit/service.ts'
import type { OrgRole } from '../../db/schema.ts'
import { parseOrgRole, type OrgPackage, type OrgService, type OrgSummary } from '../../orgs/service.ts'

export interface OrgListItem extends OrgSummary {
  /** The viewer's role; absent for orgs a registry admin sees without belonging to them. */
  role?: OrgRole | undefined
  members?: number | undefined
}

export interface OrgOverview {
  org: Pick<OrgSummary, 'slug' | 'displayName' | 'defaultAccess'>
  members: Array<{ username: string; role: OrgRole }>
  teams: Array<{ name: string; members: string[] }>
  packages: OrgPackage[]
  /** May the viewer change members (org admins and registry admins). */
  manage: boolean
}

export interface OrgEntitlements {
  org: Pick<OrgSummary, 'slug' | 'displayName'>
  packages: RestrictedPackageReaders[]
  /** Members' names, offered when granting. */
  members: string[]
}

export class OrgPages {
  constructor(
    private readonly orgs: OrgService,
    private readonly access: AccessService,
  ) {}

  /** The viewer's orgs with their role; registry admins see every org. */
  async list(viewer: Viewer): Promise<OrgListItem[]> {
    if (viewer.admin) return this.orgs.list()
    return viewer.identity ? this.orgs.orgsOf(viewer.identity.userId) : []
  }

  /** One org, for its members and registry admins (the org service refuses everyone else). */
  async overview(viewer: Viewer, slug: string): Promise<OrgOverview> {
    const org = await this.orgs.find(slug)
    const members = await this.orgs.members(viewer, org.slug)
    const [teamNames, packages] = await Promise.all([this.orgs.teams(viewer, org.slug), this.orgs.packagesOf(viewer, org.slug)])
    // Teams are few per org (npm team): one small query each.
    const teams = await Promise.all(
      teamNames.map(async (qualified) => {
        const name = qualified.slice(org.slug.length + 1)
        return { name, members: await this.orgs.teamMembers(viewer, org.slug, name) }
      }),
    )
    return { org, members, teams, packages: packages.packages, manage: viewer.admin || viewer.orgRole(org.scope) === 'admin' }
  }

  /** An org's public page (its vanity host): its packages the viewer may read. 404 for an unknown org. */
  async publicPage(viewer: Viewer, slug: string): Promise<{ org: Pick<OrgSummary, 'slug' | 'displayName'>; packages: OrgPackage[] }> {
    const { org, packages } = await this.orgs.packagesOf(viewer, slug)
    return { org, packages }
  }

  setMember(viewer: Viewer, slug: string, username: string, role: string, actor: Actor) {
    return this.orgs.setMember(viewer, slug, username, parseOrgRole(role), actor)
  }

  removeMember(viewer: Viewer, slug: string, username: string, actor: Actor): Promise<void> {
    return this.orgs.removeMember(viewer, slug, username, actor)
  }

  /** The org's restricted packages the viewer may read, and who else may and why (members and admins only). */
  async entitlements(viewer: Viewer, slug: string): Promise<OrgEntitlements> {
    const org = await this.orgs.find(slug)
    const members = await this.orgs.members(viewer, org.slug)
    return { org, packages: await this.access.restrictedReadersOfOrg(viewer, org), members: members.map((member) => member.username) }
  }

  async grant(viewer: Viewer, username: string, name: string, actor: Actor): Promise<void> {
    await this.access.grant(viewer, username, name, actor)
  }

  revoke(viewer: Viewer, username: string, name: string, actor: Actor): Promise<void> {
    return this.access.revoke(viewer, username, name, actor)
  }
}
