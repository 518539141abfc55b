// Signing in on the approval page through identity providers: a real OpenID provider (oidc-provider)
// as generic OIDC and as Google, and stand-ins for GitHub and GitLab speaking their documented APIs.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { oauthAccounts } from '../../registry/src/db/schema.ts'
import type { DeviceAuthorization } from '../../sdk/src/client.ts'
import { FormBrowser, type PageResult } from '../helpers/browser.ts'
import { listenOpenIdProvider, startStandIn, type OpenIdProvider, type StandInProvider } from '../helpers/oauth-providers.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

let registry: TestRegistry
let oidc: OpenIdProvider
let github: StandInProvider
let gitlab: StandInProvider


async function startDevice(provider: string): Promise<DeviceAuthorization> {
  const response = await registry.request('/-/v1/device/authorize', { method: 'POST', json: { provider } })
  expect(response.status).toBe(200)
  return (await response.json()) as DeviceAuthorization
}

async function tokenFor(deviceCode: string): Promise<{ token: string; username: string }> {
  const response = await registry.request('/-/v1/device/token', { method: 'POST', json: { device_code: deviceCode } })
  expect(response.status).toBe(200)
  return (await response.json()) as { token: string; username: string }
}

/** Device login through `provider`: code page → provider → back → approve. Returns the approval page. */
async function signInWith(provider: string, signInAtProvider?: (browser: FormBrowser, page: PageResult) => Promise<PageResult>) {
  const started = await startDevice(provider)
  const browser = new FormBrowser()
  const codePage = await browser.open(started.verification_uri_complete)
  expect(codePage.html).toContain(`id="signin-${provider}"`)
  let page = await browser.follow(codePage, `signin-${provider}`)
  if (signInAtProvider) page = await signInAtProvider(browser, page)
  return { started, browser, page }
}

/** oidc-provider's development interactions: a login form, then a consent form. */
async function oidcInteraction(login: string) {
  return async (browser: FormBrowser, page: PageResult) => {
    expect(page.url).toStartWith(`${oidc.issuer}/interaction/`)
    const consent = await browser.submit(page, null, { login, password: 'any-password' })
    return consent.url.startsWith(oidc.issuer) ? browser.submit(consent, null) : consent
  }
}

beforeAll(async () => {
  oidc = await listenOpenIdProvider()
  github = startStandIn('github', { id: 583231, login: 'octocat', email: 'octocat@github.test' })
  gitlab = startStandIn('gitlab', { id: 42, login: 'tanuki', email: 'tanuki@gitlab.test' })
  registry = await startTestRegistry({
    DEVICE_POLL_INTERVAL_SECONDS: '1',
    OIDC_ISSUER: oidc.issuer,
    OIDC_CLIENT_ID: 'packr-oidc',
    OIDC_CLIENT_SECRET: 'packr-oidc-secret-0123456789',
    OIDC_NAME: 'Corp SSO',
    OIDC_DEFAULT_ROLE: 'admin',
    GOOGLE_ISSUER: oidc.issuer,
    GOOGLE_CLIENT_ID: 'packr-google',
    GOOGLE_CLIENT_SECRET: 'packr-google-secret-0123456789',
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    GITHUB_URL: github.url,
    GITHUB_API_URL: `${github.url}/api/v3`,
    GITLAB_CLIENT_ID: gitlab.clientId,
    GITLAB_CLIENT_SECRET: gitlab.clientSecret,
    GITLAB_URL: gitlab.url,
  })
  oidc.start([
    { clientId: 'packr-oidc', clientSecret: 'packr-oidc-secret-0123456789', redirectUri: `${registry.url}/cli/auth/callback/oidc` },
    { clientId: 'packr-google', clientSecret: 'packr-google-secret-0123456789', redirectUri: `${registry.url}/cli/auth/callback/google` },
  ])
})

afterAll(async () => {
  await registry.close()
  github.stop()
  gitlab.stop()
  await oidc.stop()
})

describe('generic OIDC (oidc-provider)', () => {
  test('first sign-in creates the user with the configured default role and links the account', async () => {
    const { started, browser, page } = await signInWith('oidc', await oidcInteraction('jane'))
    expect(page.url).toStartWith(`${registry.url}/cli/auth?code=`)
    expect(page.html).toContain('Signed in as <strong id="signed-in-as">jane</strong>')
    const decided = await browser.submit(page, '/cli/auth/decision', { decision: 'approve' })
    expect(decided.html).toContain('Approved')
    const { token, username } = await tokenFor(started.device_code)
    expect(username).toBe('jane')
    expect(await (await registry.request('/-/whoami', { token })).json()).toEqual({ username: 'jane' })
    const user = (await registry.ctx.users.findByUsername('jane'))!
    expect(user.role).toBe('admin')
    expect(user.email).toBe('jane@corp.test')
    expect(user.passwordHash).toBeNull()
    const links = (await registry.ctx.db.read.select().from(oauthAccounts)).filter((link) => link.provider === 'oidc' && link.subject === 'jane')
    expect(links.map((link) => link.userId)).toEqual([user.id])
  })

  test('signing in again reuses the linked user', async () => {
    const before = (await registry.ctx.users.list()).length
    const { page } = await signInWith('oidc', await oidcInteraction('jane'))
    expect(page.html).toContain('id="signed-in-as">jane<')
    expect((await registry.ctx.users.list()).length).toBe(before)
  })

  test('a callback whose state does not match the browser is refused and signs nobody in', async () => {
    const started = await startDevice('oidc')
    const browser = new FormBrowser()
    await browser.open(started.verification_uri_complete)
    const forged = await browser.open(`${registry.url}/cli/auth/callback/oidc?code=stolen&state=forged&iss=${encodeURIComponent(oidc.issuer)}`)
    expect(forged.status).toBe(403)
    expect(forged.html).toContain('start again')
    const after = await browser.open(started.verification_uri_complete)
    expect(after.html).not.toContain('id="approve"')
  })
})

describe('Google (OpenID discovery, here against oidc-provider)', () => {
  test('signs in through the google provider', async () => {
    const { page } = await signInWith('google', await oidcInteraction('gus'))
    expect(page.html).toContain('id="signed-in-as">gus<')
    expect((await registry.ctx.users.findByUsername('gus'))!.role).toBe('user')
  })
})

describe('GitHub stand-in', () => {
  test('authorize → access_token (PKCE) → /user and /user/emails; the account becomes octocat', async () => {
    const { started, browser, page } = await signInWith('github')
    expect(page.html).toContain('id="signed-in-as">octocat<')
    const request = github.tokenRequests.at(-1)!
    expect(request.get('code_verifier')).toMatch(/^[A-Za-z0-9_-]{43,}$/)
    expect(request.get('redirect_uri')).toBe(`${registry.url}/cli/auth/callback/github`)
    await browser.submit(page, '/cli/auth/decision', { decision: 'approve' })
    const { username } = await tokenFor(started.device_code)
    expect(username).toBe('octocat')
    expect((await registry.ctx.users.findByUsername('octocat'))!.email).toBe('octocat@github.test')
  })

  test('when the user cancels at the provider, the page says so and nobody is signed in', async () => {
    github.denyNext = true
    const { page } = await signInWith('github')
    expect(page.status).toBe(400)
    expect(page.html).toContain('did not authorize')
  })
})

describe('GitLab stand-in', () => {
  test('a provider account whose login is taken by a local user gets a distinct user name', async () => {
    await registry.ctx.users.create({ username: 'tanuki', password: 'local-tanuki-password' })
    const { page } = await signInWith('gitlab')
    expect(page.html).toContain('id="signed-in-as">tanuki-gitlab<')
  })

  test('authorize → token (client_secret_basic, PKCE) → /api/v4/user', async () => {
    const { started, browser, page } = await signInWith('gitlab')
    expect(page.html).toContain('id="signed-in-as">tanuki-gitlab<')
    await browser.submit(page, '/cli/auth/decision', { decision: 'approve' })
    expect((await tokenFor(started.device_code)).username).toBe('tanuki-gitlab')
  })
})
