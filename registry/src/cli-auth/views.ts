// The approval page's views, in the dashboard's layout: enter a code, sign in, see which client asked
// and from where, approve or deny. No scripts on these pages.
import type { ProviderConfig } from '../config/index.ts'
import type { LoginRequestRow } from '../db/schema.ts'
import { html } from '../web/html.ts'
import { layout, type Chrome } from '../web/layout.ts'
import { signInForm } from '../web/sign-in.ts'

const page = (title: string, chrome: Chrome, main: ReturnType<typeof html>) => layout({ title, chrome: { ...chrome, active: 'terminal' }, main, narrow: true })

export function enterCodePage(chrome: Chrome, options: { error?: string; code?: string } = {}): string {
  return page(
    'Connect a terminal',
    chrome,
    html`<h1>Connect a terminal to Packr</h1>
<p>Enter the code shown in your terminal (<code>packr login</code> or <code>npm login</code>).</p>
${options.error ? html`<p class="error" role="alert">${options.error}</p>` : ''}
<form method="get" action="/cli/auth"><label for="code">Code</label><input id="code" name="code" autocomplete="off" autocapitalize="characters" placeholder="BCDF-GHJK" value="${options.code}" required><button class="primary" type="submit">Continue</button></form>`,
  )
}

function requestDetails(request: LoginRequestRow) {
  const what = request.kind === 'web' ? 'npm login' : 'A device login (packr login)'
  return html`<section class="box" aria-labelledby="request-heading"><h2 id="request-heading" class="sr-only">The login request</h2><p>${what} is asking to sign in to this registry as you.</p>
<p class="code" id="user-code">${request.userCode}</p>
<p class="muted">Check that this is the code shown in your terminal.</p>
<dl class="facts"><dt>Client</dt><dd id="client-name">${request.clientName}</dd><dt>From</dt><dd id="client-address">${request.clientAddress ?? 'unknown address'}</dd>
<dt>Expires</dt><dd><time datetime="${new Date(request.expiresAt).toISOString()}">${new Date(request.expiresAt).toISOString()}</time></dd></dl></section>`
}

export interface SignInOptions {
  request: LoginRequestRow
  providers: readonly ProviderConfig[]
  csrf: string
  error?: string | undefined
}

export function signInPage(chrome: Chrome, { request, providers, csrf, error }: SignInOptions): string {
  return page(
    'Sign in',
    chrome,
    html`<h1>Sign in to approve</h1>${requestDetails(request)}
${signInForm({
  providers,
  preferred: request.provider,
  providerHref: (id) => `/cli/auth/signin/${id}?code=${encodeURIComponent(request.userCode)}`,
  action: '/cli/auth/login',
  hidden: { code: request.userCode },
  csrf,
  error,
})}`,
  )
}

export function approvePage(chrome: Chrome, request: LoginRequestRow, username: string, csrf: string): string {
  const hidden = html`<input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="code" value="${request.userCode}">`
  return page(
    'Approve sign-in',
    chrome,
    html`<h1>Approve this sign-in?</h1>${requestDetails(request)}
<p>Signed in as <strong id="signed-in-as">${username}</strong>. Approving gives that terminal a token with your rights.</p>
<form method="post" action="/cli/auth/decision">${hidden}<button class="primary" type="submit" name="decision" value="approve" id="approve">Approve</button><button class="danger" type="submit" name="decision" value="deny" id="deny">Deny</button></form>
<form method="post" action="/cli/auth/logout">${hidden}<button type="submit">Not ${username}? Sign out</button></form>`,
  )
}

export function decidedPage(chrome: Chrome, approved: boolean): string {
  return approved
    ? page('Approved', chrome, html`<h1 id="result">Approved</h1><p>Your terminal is signed in. You can close this window.</p>`)
    : page('Denied', chrome, html`<h1 id="result">Denied</h1><p>The terminal was not signed in. You can close this window.</p>`)
}
