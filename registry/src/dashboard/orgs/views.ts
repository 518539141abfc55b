// Organization pages: the list, one org (members with the forms to change them, teams, packages), and
// its restricted packages with who may read each and why, with grant and revoke forms.
import type { ReadReason } from '../../access/service.ts'
import { html, type SafeHtml } from '../../web/html.ts'
import { layout, type Chrome } from '../../web/layout.ts'
import { count, date, dateTime, packageLink } from '../components.ts'
import type { EntitlementForm, MemberForm } from './model.ts'
import type { OrgPackage } from '../../orgs/service.ts'
import type { OrgEntitlements, OrgListItem, OrgOverview } from './service.ts'

const ROLES = [
  ['admin', 'admin: members, teams, grants, every package of the scope'],
  ['maintainer', 'maintainer: publishes new packages and those they maintain'],
  ['reader', 'reader: reads the restricted packages'],
] as const

export const orgHref = (slug: string) => `/-/web/orgs/${encodeURIComponent(slug)}`

const hidden = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`
const notice = (text: string | undefined) => (text ? html`<p class="notice" role="status" id="notice">${text}</p>` : '')
const formError = (id: string, text: string | undefined) => (text ? html`<p class="error" role="alert" id="${id}">${text}</p>` : '')

export function orgListPage(chrome: Chrome, orgs: OrgListItem[], admin: boolean): string {
  return layout({
    title: 'Organizations',
    chrome: { ...chrome, active: 'orgs' },
    main: html`<h1>Organizations</h1>
<p class="muted">${admin ? 'Every org of the registry (you are a registry admin).' : 'The orgs you belong to.'} An org owns the npm scope of its name; create one with <code>packr org create</code> or the admin API.</p>
${
  orgs.length === 0
    ? html`<p class="muted" id="no-orgs">No organizations yet.</p>`
    : html`<div class="table"><table id="orgs"><thead><tr><th scope="col">Org</th><th scope="col">Scope</th><th scope="col">New packages</th>${admin ? html`<th scope="col" class="num">Members</th>` : html`<th scope="col">Your role</th>`}<th scope="col">Created</th></tr></thead><tbody>${orgs.map(
        (org) => html`<tr id="org-${org.slug}"><th scope="row"><a href="${orgHref(org.slug)}">${org.displayName}</a></th><td><code>@${org.slug}</code></td><td>${org.defaultAccess}</td>${
          admin ? html`<td class="num">${count(org.members ?? 0)}</td>` : html`<td>${org.role}</td>`
        }<td>${date(org.createdAt)}</td></tr>`,
      )}</tbody></table></div>`
}`,
  })
}

export interface OrgPageOptions {
  csrf: string
  notice?: string | undefined
  error?: string | undefined
  /** The values of a member form that failed. */
  form?: Partial<MemberForm> | undefined
}

function memberForms(overview: OrgOverview, options: OrgPageOptions): SafeHtml {
  const action = `${orgHref(overview.org.slug)}/members`
  const form = options.form ?? {}
  return html`<section aria-labelledby="add-member-heading"><h2 id="add-member-heading">Add a member or change a role</h2>
${formError('member-error', options.error)}
<form method="post" action="${action}" id="member-form">${hidden(options.csrf)}
<label for="member-username">User name</label><input id="member-username" name="username" required maxlength="64" autocomplete="off" value="${form.username}">
<label for="member-role">Role</label><select id="member-role" name="role">${ROLES.map(
    ([role, help]) => html`<option value="${role}"${role === (form.role ?? 'maintainer') ? html` selected` : ''}>${help}</option>`,
  )}</select>
<button class="primary" type="submit" id="member-submit">Save member</button></form>
<p class="hint">An org must keep at least one admin.</p></section>`
}

export function orgPage(chrome: Chrome, overview: OrgOverview, options: OrgPageOptions): string {
  const { org } = overview
  const base = orgHref(org.slug)
  return layout({
    title: org.displayName,
    chrome: { ...chrome, active: 'orgs' },
    main: html`<p><a href="/-/web/orgs">Organizations</a> ›</p><h1 id="org-name">${org.displayName}</h1>
${notice(options.notice)}
<dl class="facts"><dt>Scope</dt><dd><code>@${org.slug}</code></dd><dt>New packages</dt><dd>${org.defaultAccess}</dd></dl>
<p><a href="${base}/entitlements" id="entitlements-link">Who may read the restricted packages</a></p>
<div class="grid"><div>
<section aria-labelledby="members-heading"><h2 id="members-heading">Members (${count(overview.members.length)})</h2>
<div class="table"><table id="members"><thead><tr><th scope="col">User</th><th scope="col">Role</th>${overview.manage ? html`<th scope="col">Actions</th>` : ''}</tr></thead><tbody>${overview.members.map(
      (member) => html`<tr id="member-${member.username}"><th scope="row">${member.username}</th><td class="role">${member.role}</td>${
        overview.manage
          ? html`<td><form method="post" action="${base}/members/remove">${hidden(options.csrf)}<input type="hidden" name="username" value="${member.username}"><button class="danger" type="submit" id="remove-${member.username}" aria-label="Remove ${member.username}">Remove</button></form></td>`
          : ''
      }</tr>`,
    )}</tbody></table></div></section>
<section aria-labelledby="packages-heading"><h2 id="packages-heading">Packages (${count(overview.packages.length)})</h2>${
      overview.packages.length === 0
        ? html`<p class="muted">No packages you may see.</p>`
        : html`<div class="table"><table id="org-packages"><thead><tr><th scope="col">Package</th><th scope="col">Latest</th><th scope="col">Access</th><th scope="col">Changed</th></tr></thead><tbody>${overview.packages.map(
            (pkg) => html`<tr><th scope="row">${packageLink(pkg.name)}</th><td>${pkg.version ?? '–'}</td><td>${pkg.access}</td><td>${date(pkg.modifiedAt)}</td></tr>`,
          )}</tbody></table></div>`
    }</section>
<section aria-labelledby="teams-heading"><h2 id="teams-heading">Teams (${count(overview.teams.length)})</h2>${
      overview.teams.length === 0
        ? html`<p class="muted">No teams. Create them with <code>npm team create @${org.slug}:name</code>.</p>`
        : html`<ul id="teams">${overview.teams.map((team) => html`<li><strong>${org.slug}:${team.name}</strong> <span class="muted small">${team.members.length === 0 ? 'no members' : team.members.join(', ')}</span></li>`)}</ul>`
    }</section></div>
<div>${overview.manage ? memberForms(overview, options) : html`${formError('member-error', options.error)}<p class="muted" id="members-read-only">Only the org's admins change its members.</p>`}</div></div>`,
  })
}

function reason(reason: ReadReason): string {
  switch (reason.via) {
    case 'maintainer':
      return 'maintainer of the package'
    case 'org':
      return `org ${reason.role}`
    case 'team':
      return `team ${reason.team} (${reason.permission})`
    case 'grant':
      return `granted by ${reason.grantedBy}`
  }
}

export interface EntitlementsPageOptions {
  csrf: string
  notice?: string | undefined
  error?: string | undefined
  form?: Partial<EntitlementForm> | undefined
}

/**
 * Readers with a reason of their own for this package. Those who read it only by their org role read
 * every restricted package of the org alike; listing them under each package would repeat the
 * member list hundreds of times, so the page says it once.
 */
const packageReaders = (pkg: OrgEntitlements['packages'][number]) => pkg.readers.filter((reader) => reader.reasons.some((item) => item.via !== 'org'))

export function entitlementsPage(chrome: Chrome, data: OrgEntitlements, options: EntitlementsPageOptions): string {
  const { org } = data
  const base = orgHref(org.slug)
  const grantable = data.packages.filter((pkg) => pkg.writable)
  const form = options.form ?? {}
  return layout({
    title: `Entitlements of ${org.displayName}`,
    chrome: { ...chrome, active: 'orgs' },
    main: html`<p><a href="/-/web/orgs">Organizations</a> › <a href="${base}">${org.displayName}</a> ›</p><h1>Who may read the restricted packages</h1>
${notice(options.notice)}
<p class="muted">Restricted packages of <code>@${org.slug}</code> are read by their maintainers, the org's members, teams granted them and users granted them; registry admins read everything. Revoking applies to the user's next request.</p>
<p id="org-readers">Every member of the org (${data.members.length}) reads all of them by their org role (<a href="${base}">members</a>); each package below lists who else may read it, and why.</p>
<div class="grid"><div>${
      data.packages.length === 0
        ? html`<p class="muted" id="no-restricted">No restricted packages you may see.</p>`
        : data.packages.map(
            (pkg) => html`<section aria-labelledby="readers-${pkg.name}"><h2 id="readers-${pkg.name}">${packageLink(pkg.name)}</h2>${
              packageReaders(pkg).length === 0
                ? html`<p class="muted" data-package="${pkg.name}">Only the org's members.</p>`
                : html`<div class="table"><table class="readers" data-package="${pkg.name}"><thead><tr><th scope="col">User</th><th scope="col">Why</th>${pkg.writable ? html`<th scope="col">Actions</th>` : ''}</tr></thead><tbody>${packageReaders(pkg).map((reader) => {
              const grant = reader.reasons.find((item) => item.via === 'grant')
              return html`<tr data-user="${reader.username}"><th scope="row">${reader.username}</th><td>${reader.reasons.map(reason).join('; ')}${
                grant?.via === 'grant' ? html` <span class="muted small">(${dateTime(grant.createdAt)})</span>` : ''
              }</td>${
                pkg.writable
                  ? html`<td>${
                      grant
                        ? html`<form method="post" action="${base}/entitlements/revoke">${hidden(options.csrf)}<input type="hidden" name="user" value="${reader.username}"><input type="hidden" name="package" value="${pkg.name}"><button class="danger" type="submit" aria-label="Revoke ${reader.username}'s entitlement to ${pkg.name}">Revoke</button></form>`
                        : ''
                    }</td>`
                  : ''
              }</tr>`
            })}</tbody></table></div>`
            }</section>`,
          )
    }</div>
<div>${
      grantable.length === 0
        ? html`${formError('grant-error', options.error)}<p class="muted" id="grant-read-only">Entitlements are granted by those who may write the package: org admins, its maintainers, registry admins.</p>`
        : html`<section aria-labelledby="grant-heading"><h2 id="grant-heading">Grant read access</h2>
${formError('grant-error', options.error)}
<form method="post" action="${base}/entitlements/grant" id="grant-form">${hidden(options.csrf)}
<label for="grant-package">Package</label><select id="grant-package" name="package">${grantable.map(
            (pkg) => html`<option value="${pkg.name}"${pkg.name === form.package ? html` selected` : ''}>${pkg.name}</option>`,
          )}</select>
<label for="grant-user">User name</label><input id="grant-user" name="user" required maxlength="64" autocomplete="off" list="org-members" value="${form.user}">
<datalist id="org-members">${data.members.map((member) => html`<option value="${member}"></option>`)}</datalist>
<button class="primary" type="submit" id="grant-submit">Grant</button></form></section>`
    }</div></div>`,
  })
}

/** The page of an org's vanity host (`<org>.<ORG_BASE_DOMAIN>/`): its name and the packages the viewer may read. */
export function orgPublicPage(chrome: Chrome, data: { org: { slug: string; displayName: string }; packages: OrgPackage[] }): string {
  const { org } = data
  return layout({
    title: org.displayName,
    chrome,
    main: html`<h1 id="org-name">${org.displayName}</h1>
<p class="muted">Packages of the scope <code>@${org.slug}</code>${chrome.viewer ? '' : html` (<a href="/-/web/sign-in">sign in</a> to see restricted ones you may read)`}.</p>
${
  data.packages.length === 0
    ? html`<p class="muted" id="no-packages">No packages you may see.</p>`
    : html`<ul class="results" id="org-packages">${data.packages.map(
        (pkg) => html`<li><h2>${packageLink(pkg.name)}</h2><span class="muted small">${pkg.version ?? ''}${pkg.access === 'restricted' ? ' · restricted' : ''} · ${date(pkg.modifiedAt)}</span></li>`,
      )}</ul>`
}`,
  })
}
