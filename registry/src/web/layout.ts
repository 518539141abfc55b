// The page shell every HTML page of the registry shares (dashboard, approval page, error pages):
// landmarks, navigation, the account area, and the response headers. The stylesheet is inline and
// allowed by its hash; JavaScript is a served file, included only on pages that use it.
import { readFileSync } from 'node:fs'
import packageJson from '../../package.json' with { type: 'json' }
import { html, trusted, type SafeHtml } from './html.ts'
import { NAV } from './nav.ts'

const asset = (file: string) => readFileSync(new URL(`./assets/${file}`, import.meta.url), 'utf8')
const digest = (text: string, encoding: 'base64' | 'hex') => new Bun.CryptoHasher('sha256').update(text).digest(encoding)

const STYLE = asset('dashboard.css')
const STYLE_HASH = digest(STYLE, 'base64')
const STYLE_MARKUP = trusted(STYLE)

/** Files served under /-/web/assets/ (see web/index.ts), with a content hash for cache busting. */
export const ASSETS: Record<string, { body: string; type: string; version: string }> = Object.fromEntries(
  [
    ['dashboard.js', 'text/javascript; charset=utf-8'],
    ['favicon.svg', 'image/svg+xml'],
  ].map(([file, type]) => {
    const body = asset(file as string)
    return [file, { body, type, version: digest(body, 'hex').slice(0, 12) }]
  }),
)

const assetUrl = (file: string) => `/-/web/assets/${file}?v=${ASSETS[file]?.version}`

/**
 * Content-Security-Policy: nothing but this stylesheet, our own forms, our favicon and, where a page
 * needs it, our script file. No inline script, no framing, no base tag, no third-party requests.
 */
export function contentSecurityPolicy(scripts: boolean): string {
  return `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src 'self'; ${scripts ? "script-src 'self'; connect-src 'none'; " : ''}form-action 'self'; frame-ancestors 'none'; base-uri 'none'`
}

/** Headers for every page: our own content only, never framed, never cached. */
export function pageHeaders(scripts = false): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicy(scripts),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // Not `no-referrer`: Chromium then sends `Origin: null` on form posts, which the CSRF check refuses.
    'referrer-policy': 'same-origin',
    'cache-control': 'no-store',
  }
}

/** Who is looking, as far as the page shell needs to know. */
export interface Chrome {
  /** null: nobody signed in; undefined: unknown (error pages rendered without a session lookup). */
  viewer: { username: string; admin: boolean } | null | undefined
  /** For the sign-out form. */
  csrf?: string | undefined
  /** The NAV id of the current section. */
  active?: string | undefined
}

export interface PageOptions {
  title: string
  chrome: Chrome
  main: SafeHtml
  /** Include the dashboard script (copy buttons). */
  scripts?: boolean
  /** A narrow column for forms. */
  narrow?: boolean
}

function navigation(chrome: Chrome): SafeHtml {
  const { viewer } = chrome
  const items = NAV.filter((item) => item.show === 'everyone' || (item.show === 'signedIn' && viewer) || (item.show === 'admin' && viewer?.admin))
  return html`<nav aria-label="Main"><ul>${items.map(
    (item) => html`<li><a href="${item.href}"${item.id === chrome.active ? html` aria-current="page"` : ''}>${item.label}</a></li>`,
  )}</ul></nav>`
}

function account(chrome: Chrome): SafeHtml {
  const { viewer } = chrome
  if (viewer === undefined) return html``
  if (viewer === null) return html`<div class="account"><a id="nav-sign-in" href="/-/web/sign-in">Sign in</a></div>`
  return html`<div class="account"><span>Signed in as <strong id="nav-username">${viewer.username}</strong>${viewer.admin ? ' (admin)' : ''}</span>
<form method="post" action="/-/web/sign-out"><input type="hidden" name="csrf" value="${chrome.csrf}"><button type="submit" id="sign-out">Sign out</button></form></div>`
}

export function layout(options: PageOptions): string {
  const { title, chrome, main } = options
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${title} · Packr</title><link rel="icon" type="image/svg+xml" href="${assetUrl('favicon.svg')}"><style>${STYLE_MARKUP}</style>${
    options.scripts ? html`<script src="${assetUrl('dashboard.js')}" defer></script>` : ''
  }</head>
<body><a class="skip" href="#main">Skip to content</a>
<header class="top"><div class="bar"><a class="brand" href="/">Packr</a>${navigation(chrome)}${account(chrome)}</div></header>
<main id="main" tabindex="-1"${options.narrow ? html` class="narrow"` : ''}>${main}</main>
<footer><span>Packr ${packageJson.version}</span> · <a href="/openapi.json">HTTP API</a></footer>
</body></html>`.markup
}

/** An HTML page response. */
export function htmlResponse(body: string, options: { status?: number; scripts?: boolean } = {}): Response {
  return new Response(body, { status: options.status ?? 200, headers: pageHeaders(options.scripts) })
}

/** Where a browser goes next after a form post (303: the next request is a GET). */
export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } })
}
