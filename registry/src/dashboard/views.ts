// The start page and the sign-in page.
import type { ProviderConfig } from '../config/index.ts'
import { html } from '../web/html.ts'
import { layout, type Chrome } from '../web/layout.ts'
import { signInForm } from '../web/sign-in.ts'
import { count, date, packageLink, scoreBadge, snippet } from './components.ts'
import type { PackagePages } from './packages/service.ts'

type Highlights = ReturnType<PackagePages['highlights']>

export function landingPage(chrome: Chrome, highlights: Highlights, registryUrl: string): string {
  const signedIn = Boolean(chrome.viewer)
  return layout({
    title: 'Private npm registry',
    chrome,
    scripts: true,
    main: html`<h1>Packr</h1>
<p>A private npm registry with <strong id="package-count">${count(highlights.count)}</strong> ${highlights.count === 1 ? 'package' : 'packages'}.</p>
<form role="search" method="get" action="/-/web/packages" class="search"><div><label for="q">Search packages</label><input id="q" name="q" type="search" placeholder="http client, jwt, scope:acme …"></div><div class="actions"><button class="primary" type="submit">Search</button></div></form>
<div class="grid"><div>
<section aria-labelledby="popular-heading"><h2 id="popular-heading">Most downloaded (30 days)</h2>${
      highlights.popular.length === 0
        ? html`<p class="muted">No downloads yet.</p>`
        : html`<ol id="popular">${highlights.popular.map((item) => html`<li>${packageLink(item.name)} ${scoreBadge(item.score)} <span class="muted small">${count(item.downloads)} downloads</span></li>`)}</ol>`
    }</section>
<section aria-labelledby="recent-heading"><h2 id="recent-heading">Recently published</h2>${
      highlights.recent.length === 0
        ? html`<p class="muted">Nothing published yet.</p>`
        : html`<ul id="recent">${highlights.recent.map((item) => html`<li>${packageLink(item.name)} ${item.version} <span class="muted small">${date(item.date)}</span></li>`)}</ul>`
    }</section></div>
<div><section aria-labelledby="setup-heading"><h2 id="setup-heading">Use this registry</h2>
${snippet('setup-registry', 'npm', `npm config set registry ${registryUrl}/`)}
${snippet('setup-login', 'packr', `packr login --registry ${registryUrl}`)}
<p>${signedIn ? html`<a href="/-/web/tokens">Create a token</a> for CI, or <a href="/-/web/usage">see usage</a>.` : html`<a href="/-/web/sign-in">Sign in</a> to create tokens for CI and see usage.`}</p></section></div></div>`,
  })
}

export interface SignInPageOptions {
  providers: readonly ProviderConfig[]
  csrf: string
  next: string
  error?: string | undefined
}

export function signInPage(chrome: Chrome, options: SignInPageOptions): string {
  return layout({
    title: 'Sign in',
    chrome,
    narrow: true,
    main: html`<h1>Sign in to Packr</h1>
${signInForm({
  providers: options.providers,
  providerHref: (id) => `/-/web/sign-in/${id}?next=${encodeURIComponent(options.next)}`,
  action: '/-/web/sign-in',
  hidden: { next: options.next },
  csrf: options.csrf,
  error: options.error,
})}`,
  })
}
