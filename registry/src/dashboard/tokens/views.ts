// Token pages: the list (with last use) and the create form on one page, and the page that shows a
// new secret once, with a copy button that needs JavaScript and a read-only field that does not.
import type { TokenRow } from '../../db/schema.ts'
import { TOKEN_ROLES, type TokenSummary } from '../../tokens/service.ts'
import { html, type SafeHtml } from '../../web/html.ts'
import { layout, type Chrome } from '../../web/layout.ts'
import { count, dateTime, pager } from '../components.ts'
import type { TokenCreateForm } from './model.ts'
import { TOKENS_PER_PAGE, type TokenListing } from './service.ts'

const ROLE_HELP: Record<(typeof TOKEN_ROLES)[number], string> = {
  'ci-readonly': 'ci-readonly: install only',
  'ci-publish': 'ci-publish: install and publish',
  maintainer: 'maintainer: install, publish, unpublish',
  admin: 'admin: everything, including the admin API',
}

function restrictions(token: Pick<TokenSummary, 'scopes' | 'packages' | 'cidr' | 'readonly'>): string {
  const parts = [
    token.scopes.length > 0 ? `scopes ${token.scopes.join(', ')}` : '',
    token.packages ? `packages ${token.packages.join(', ')}` : '',
    token.cidr ? `from ${token.cidr.join(', ')}` : '',
    token.readonly ? 'read-only' : '',
  ].filter(Boolean)
  return parts.length > 0 ? parts.join('; ') : 'none'
}

export interface TokensPageOptions {
  listing: TokenListing
  page: number
  admin: boolean
  csrf: string
  notice?: string | undefined
  error?: string | undefined
  /** The values of a form that failed, to correct rather than retype. */
  form?: Partial<TokenCreateForm> | undefined
}

function createForm(options: TokensPageOptions): SafeHtml {
  const form = options.form ?? {}
  const field = (id: string, label: string, hint: string, value: string | undefined, attributes: SafeHtml = html``) =>
    html`<label for="${id}">${label}</label><p class="hint" id="${id}-hint">${hint}</p><input id="${id}" name="${id}" aria-describedby="${id}-hint" value="${value}"${attributes}>`
  return html`<section aria-labelledby="create-heading"><h2 id="create-heading">Create a token</h2>
${options.error ? html`<p class="error" role="alert" id="create-error">${options.error}</p>` : ''}
<form method="post" action="/-/web/tokens" id="create-token"><input type="hidden" name="csrf" value="${options.csrf}">
<label for="name">Name</label><input id="name" name="name" required maxlength="200" value="${form.name}" placeholder="deploy from CI">
<label for="role">Role</label><select id="role" name="role">${TOKEN_ROLES.map(
    (role) => html`<option value="${role}"${role === (form.role ?? 'ci-readonly') ? html` selected` : ''}>${ROLE_HELP[role]}</option>`,
  )}</select>
${field('scopes', 'Scopes', 'Optional: limit the token to these scopes, e.g. @acme (separate with commas or spaces).', form.scopes?.join(', '))}
${field('packages', 'Packages', 'Optional: and to these package names.', form.packages?.join(', '))}
${field('expiresInDays', 'Expires after (days)', 'Empty: the token does not expire.', form.expiresInDays?.toString(), html` type="number" min="0.01" step="any" inputmode="decimal"`)}
${field('cidr', 'Allowed networks (CIDR)', 'Optional: only requests from these addresses, e.g. 10.0.0.0/8, 2001:db8::/32.', form.cidr?.join(', '))}
${options.admin ? field('username', 'For user', 'Admins only: create the token for this user (capped by their rights). Empty: for you.', form.username) : ''}
<label for="description">Description</label><input id="description" name="description" maxlength="1000" value="${form.description}">
<p><label class="inline"><input type="checkbox" id="readonly" name="readonly"${form.readonly ? html` checked` : ''}> Read-only (install only, whatever the role)</label></p>
<button class="primary" type="submit" id="create-submit">Create token</button></form></section>`
}

export function tokensPage(chrome: Chrome, options: TokensPageOptions): string {
  const { listing } = options
  const pages = Math.max(1, Math.ceil(listing.total / TOKENS_PER_PAGE))
  const everyone = listing.owner === null
  return layout({
    title: 'Tokens',
    chrome: { ...chrome, active: 'tokens' },
    main: html`<h1>Tokens</h1>
${options.notice ? html`<p class="notice" role="status" id="notice">${options.notice}</p>` : ''}
<div class="grid"><section aria-labelledby="list-heading"><h2 id="list-heading">${everyone ? 'Live tokens of every user' : `Live tokens of ${listing.owner}`} (${count(listing.total)})</h2>
${options.admin ? html`<form method="get" action="/-/web/tokens"><label for="user">Show the tokens of</label><input id="user" name="user" value="${everyone ? '' : listing.owner}" placeholder="every user"><button type="submit">Show</button></form>` : ''}
${
  listing.tokens.length === 0
    ? html`<p class="muted" id="no-tokens">No live tokens.</p>`
    : html`<div class="table"><table id="tokens"><thead><tr><th scope="col">Name</th>${everyone || options.admin ? html`<th scope="col">Owner</th>` : ''}<th scope="col">Role</th><th scope="col">Restrictions</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">Expires</th><th scope="col">Actions</th></tr></thead><tbody>${listing.tokens.map(
        (token) => html`<tr id="token-${token.id}"><th scope="row">${token.name}${token.description ? html`<br><span class="muted small">${token.description}</span>` : ''}</th>${
          everyone || options.admin ? html`<td>${token.username}</td>` : ''
        }<td>${token.role}</td><td>${restrictions(token)}</td><td>${dateTime(token.createdAt)}</td><td class="last-used">${token.lastUsedAt === null ? 'never' : dateTime(token.lastUsedAt)}</td><td>${
          token.expiresAt === null ? 'never' : dateTime(token.expiresAt)
        }</td><td><form method="post" action="/-/web/tokens/${token.id}/rotate"><input type="hidden" name="csrf" value="${options.csrf}"><button type="submit" id="rotate-${token.id}" aria-label="Rotate ${token.name}">Rotate</button></form><form method="post" action="/-/web/tokens/${token.id}/revoke"><input type="hidden" name="csrf" value="${options.csrf}"><button class="danger" type="submit" id="revoke-${token.id}" aria-label="Revoke ${token.name}">Revoke</button></form></td></tr>`,
      )}</tbody></table></div>`
}
${pager('/-/web/tokens', { user: everyone ? undefined : options.admin ? (listing.owner ?? undefined) : undefined }, options.page, pages)}</section>
${createForm(options)}</div>`,
  })
}

/** npm's per-registry auth line (`//host/path/:_authToken=`) for `registryUrl`. */
const authLine = (registryUrl: string) => `${registryUrl.replace(/^https?:/, '').replace(/\/?$/, '/')}:_authToken=\${NPM_TOKEN}`

export function secretPage(chrome: Chrome, options: { title: string; record: TokenRow; owner: string; token: string; registryUrl: string }): string {
  const { record } = options
  return layout({
    title: options.title,
    chrome: { ...chrome, active: 'tokens' },
    scripts: true,
    main: html`<h1>${options.title}</h1>
<p class="notice warn" role="status">Copy the token now: it is shown only this once. Keep it secret, like a password.</p>
<label for="token-secret">Token “${record.name}” for ${options.owner}</label>
<div class="snippet"><input id="token-secret" class="secret" readonly autocomplete="off" spellcheck="false" value="${options.token}"><button type="button" data-copy="token-secret" hidden id="copy-secret">Copy</button></div>
<dl class="facts"><dt>Role</dt><dd>${record.role}</dd><dt>Restrictions</dt><dd>${restrictions(record)}</dd><dt>Expires</dt><dd>${record.expiresAt === null ? 'never' : dateTime(record.expiresAt)}</dd></dl>
<h2>Use it</h2><p>In CI, keep the token in a secret variable named <code>NPM_TOKEN</code> and add this line to the project's <code>.npmrc</code>:</p>
<pre><code id="npmrc-line">${authLine(options.registryUrl)}</code></pre>
<p><a href="/-/web/tokens" id="back-to-tokens">Back to tokens</a></p>`,
  })
}
