// Logins: credentials (CI), npm's web login and the RFC 8628 device flow, with the browser step
// driven over HTTP through the page's own forms.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { DeviceAuthorization } from '../../sdk/src/client.ts'
import { approveWithPassword, FormBrowser } from '../helpers/browser.ts'
import { ADMIN, startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

let registry: TestRegistry

const json = async <T = Record<string, unknown>>(response: Response) => (await response.json()) as T


const startDevice = async (body: Record<string, unknown> = {}) => {
  const response = await registry.request('/-/v1/device/authorize', { method: 'POST', json: body, headers: { 'user-agent': 'packr-test/1.0 (ci-host-7)' } })
  expect(response.status).toBe(200)
  return json<DeviceAuthorization>(response)
}
const pollDevice = (deviceCode: string) => registry.request('/-/v1/device/token', { method: 'POST', json: { device_code: deviceCode } })

beforeAll(async () => {
  registry = await startTestRegistry({ DEVICE_POLL_INTERVAL_SECONDS: '1' })
  await registry.createUser('alice')
})

afterAll(async () => {
  await registry.close()
})

describe('credential login', () => {
  test('POST /-/v1/login {name,password} answers {token, expires} with a 30-day token and no cookie', async () => {
    const response = await registry.request('/-/v1/login', { method: 'POST', json: { name: 'alice', password: 'alice-password-1' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('set-cookie')).toBeNull()
    const body = await json<{ token: string; expires: string }>(response)
    const days = (Date.parse(body.expires) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(29.9)
    expect(days).toBeLessThanOrEqual(30)
    expect(await json(await registry.request('/-/whoami', { token: body.token }))).toEqual({ username: 'alice' })
  })

  test('a stale Bearer token sent along does not break login (web, credential or couch)', async () => {
    const stale = 'eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJnb25lIn0.c3RhbGU'
    const login = await registry.request('/-/v1/login', { method: 'POST', token: stale, json: { name: 'alice', password: 'alice-password-1' } })
    expect(login.status).toBe(200)
    const couch = await registry.request('/-/user/org.couchdb.user:alice', {
      method: 'PUT',
      token: stale,
      json: { _id: 'org.couchdb.user:alice', name: 'alice', password: 'alice-password-1', type: 'user', roles: [], date: new Date().toISOString() },
    })
    expect(couch.status).toBe(201)
    expect((await json<{ token: string }>(couch)).token).toBeString()
    const web = await registry.request('/-/v1/login', { method: 'POST', token: stale, json: {} })
    expect(web.status).toBe(200)
  })

  test('logout revokes the token in the path at once', async () => {
    const { token } = await json<{ token: string }>(await registry.request('/-/v1/login', { method: 'POST', json: { name: 'alice', password: 'alice-password-1' } }))
    expect((await registry.request('/-/whoami', { token })).status).toBe(200)
    const logout = await registry.request(`/-/user/token/${encodeURIComponent(token)}`, { method: 'DELETE', token })
    expect(logout.status).toBe(200)
    const after = await registry.request('/-/whoami', { token })
    expect(after.status).toBe(401)
    expect((await json<{ code: string }>(after)).code).toBe('TOKEN_REVOKED')
  })
})

describe('npm web login', () => {
  test('{} starts a web login; the done URL answers 202 + Retry-After + JSON until approved, then the token once', async () => {
    const started = await json<{ loginUrl: string; doneUrl: string }>(await registry.request('/-/v1/login', { method: 'POST', json: {} }))
    expect(started.loginUrl).toStartWith(`${registry.url}/cli/auth?code=`)
    expect(started.doneUrl).toStartWith(`${registry.url}/-/v1/login/done/`)
    const pending = await fetch(started.doneUrl)
    expect(pending.status).toBe(202)
    expect(pending.headers.get('retry-after')).toBe('1')
    expect(await pending.json()).toEqual({ status: 'pending' })

    const decided = await approveWithPassword(started.loginUrl, 'alice', 'alice-password-1')
    expect(decided.status).toBe(200)
    expect(decided.html).toContain('Approved')

    const done = await fetch(started.doneUrl)
    expect(done.status).toBe(200)
    const { token } = (await done.json()) as { token: string }
    expect(await json(await registry.request('/-/whoami', { token }))).toEqual({ username: 'alice' })
    // Single use: the token is handed out once.
    expect((await fetch(started.doneUrl)).status).toBe(404)
  })

  test('a denied web login fails the done URL with 403', async () => {
    const started = await json<{ loginUrl: string; doneUrl: string }>(await registry.request('/-/v1/login', { method: 'POST', json: {} }))
    const decided = await approveWithPassword(started.loginUrl, 'alice', 'alice-password-1', 'deny')
    expect(decided.html).toContain('Denied')
    const done = await fetch(started.doneUrl)
    expect(done.status).toBe(403)
    expect(((await done.json()) as { code: string }).code).toBe('LOGIN_DENIED')
  })
})

describe('device flow (RFC 8628)', () => {
  test('authorize answers the RFC fields with a short unambiguous user code', async () => {
    const started = await startDevice()
    expect(started.user_code).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/)
    expect(started.verification_uri).toBe(`${registry.url}/cli/auth`)
    expect(started.verification_uri_complete).toBe(`${registry.url}/cli/auth?code=${started.user_code}`)
    expect(started.expires_in).toBe(900)
    expect(started.interval).toBe(1)
    expect(started.device_code.length).toBeGreaterThanOrEqual(40)
  })

  test('pending, slow_down, approval, then the token once', async () => {
    const started = await startDevice()
    const first = await pollDevice(started.device_code)
    expect(first.status).toBe(400)
    expect(await json(first)).toMatchObject({ error: 'authorization_pending', code: 'authorization_pending', status: 400 })
    const tooFast = await pollDevice(started.device_code)
    expect((await json(tooFast)).error).toBe('slow_down')

    // The code works typed in lower case without its dash.
    const browser = new FormBrowser()
    const page = await browser.open(`${registry.url}/cli/auth?code=${started.user_code.replace('-', '').toLowerCase()}`)
    expect(page.status).toBe(200)
    expect(page.html).toContain('packr-test/1.0 (ci-host-7)')
    expect(page.html).toContain(started.user_code)
    const approval = await browser.submit(page, '/cli/auth/login', { username: 'alice', password: 'alice-password-1' })
    expect(approval.html).toContain('Signed in as <strong id="signed-in-as">alice</strong>')
    const decided = await browser.submit(approval, '/cli/auth/decision', { decision: 'approve' })
    expect(decided.html).toContain('Approved')

    await Bun.sleep(6100) // slow_down raised the interval to 6 seconds
    const granted = await pollDevice(started.device_code)
    expect(granted.status).toBe(200)
    const body = await json<{ access_token: string; token_type: string; token: string; username: string; expires_in: number }>(granted)
    expect(body.token_type).toBe('Bearer')
    expect(body.access_token).toBe(body.token)
    expect(body.username).toBe('alice')
    expect(body.expires_in).toBeGreaterThan(29 * 86400)
    expect(await json(await registry.request('/-/whoami', { token: body.token }))).toEqual({ username: 'alice' })

    expect((await json(await pollDevice(started.device_code))).error).toBe('invalid_grant')
    // The user code is single use too.
    const reused = await browser.open(`${registry.url}/cli/auth?code=${started.user_code}`)
    expect(reused.status).toBe(404)
  }, 30_000)

  test('a denied device login answers access_denied', async () => {
    const started = await startDevice()
    await approveWithPassword(started.verification_uri_complete, 'alice', 'alice-password-1', 'deny')
    expect((await json(await pollDevice(started.device_code))).error).toBe('access_denied')
  })

  test('an expired device code answers expired_token and can no longer be approved', async () => {
    const shortLived = await startTestRegistry({ DEVICE_CODE_TTL_SECONDS: '1', DEVICE_POLL_INTERVAL_SECONDS: '1' })
    try {
      const started = (await (await shortLived.request('/-/v1/device/authorize', { method: 'POST', json: {} })).json()) as DeviceAuthorization
      await Bun.sleep(1200)
      const response = await shortLived.request('/-/v1/device/token', { method: 'POST', json: { device_code: started.device_code } })
      expect(((await response.json()) as { error: string }).error).toBe('expired_token')
      expect((await new FormBrowser().open(started.verification_uri_complete)).status).toBe(404)
    } finally {
      await shortLived.close()
    }
  })

  test('an unknown provider is refused when the flow starts', async () => {
    const response = await registry.request('/-/v1/device/authorize', { method: 'POST', json: { provider: 'myspace' } })
    expect(response.status).toBe(400)
    expect((await json(response)).code).toBe('UNKNOWN_PROVIDER')
  })

  test('form-encoded token requests with the RFC grant type work; other grant types are refused', async () => {
    const started = await startDevice()
    const form = await fetch(`${registry.url}/-/v1/device/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:device_code', device_code: started.device_code, client_id: 'packr' }),
    })
    expect(((await form.json()) as { error: string }).error).toBe('authorization_pending')
    const wrong = await registry.request('/-/v1/device/token', { method: 'POST', json: { device_code: started.device_code, grant_type: 'password' } })
    expect(((await wrong.json()) as { error: string }).error).toBe('unsupported_grant_type')
  })
})

describe('the approval page', () => {
  test('is served with a strict CSP, no scripts, and never cached or framed', async () => {
    const started = await startDevice()
    const response = await fetch(started.verification_uri_complete, { headers: { accept: 'text/html' } })
    const csp = response.headers.get('content-security-policy') ?? ''
    expect(csp).toContain("default-src 'none'")
    expect(csp).toContain("form-action 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toContain('unsafe-inline')
    expect(response.headers.get('x-frame-options')).toBe('DENY')
    expect(response.headers.get('cache-control')).toBe('no-store')
    const html = await response.text()
    expect(html).not.toContain('<script')
    expect(html).toContain('name="csrf"')
  })

  test('forms without a valid CSRF token, or from another origin, are refused and change nothing', async () => {
    const started = await startDevice()
    const browser = new FormBrowser()
    const page = await browser.open(started.verification_uri_complete)
    const approval = await browser.submit(page, '/cli/auth/login', { username: 'alice', password: 'alice-password-1' })
    expect(approval.html).toContain('id="approve"')
    const forged = await browser.submit(approval, '/cli/auth/decision', { decision: 'approve', csrf: 'forged' })
    expect(forged.status).toBe(403)
    const crossSite = await fetch(`${registry.url}/cli/auth/decision`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: 'https://evil.example',
        cookie: `packr_csrf=${browser.cookie(new URL(registry.url).host, 'packr_csrf')}; packr_session=${browser.cookie(new URL(registry.url).host, 'packr_session')}`,
      },
      body: new URLSearchParams({ csrf: /name="csrf" value="([^"]+)"/.exec(approval.html)![1]!, code: started.user_code, decision: 'approve' }),
    })
    expect(crossSite.status).toBe(403)
    expect((await json(await pollDevice(started.device_code))).error).toBe('authorization_pending')
  })

  test('a wrong password on the page shows an error and does not sign in', async () => {
    const started = await startDevice()
    const browser = new FormBrowser()
    const page = await browser.open(started.verification_uri_complete)
    const failed = await browser.submit(page, '/cli/auth/login', { username: 'alice', password: 'wrong-password' })
    expect(failed.html).toContain('invalid username or password')
    expect(failed.html).not.toContain('id="approve"')
  })

  test('an unknown code: an HTML page for browsers, the JSON error for other clients', async () => {
    const page = await fetch(`${registry.url}/cli/auth?code=ZZZZ-ZZZZ`, { headers: { accept: 'text/html' } })
    expect(page.status).toBe(404)
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(await page.text()).toContain('this code is unknown, already used or expired')
    const api = await fetch(`${registry.url}/cli/auth?code=ZZZZ-ZZZZ`, { headers: { accept: 'application/json' } })
    expect(api.status).toBe(404)
    expect(await api.json()).toMatchObject({ code: 'UNKNOWN_USER_CODE', status: 404 })
  })

  test('values shown on the page are escaped', async () => {
    const response = await registry.request('/-/v1/device/authorize', { method: 'POST', json: { client_name: '<img src=x onerror=alert(1)>' } })
    const started = (await response.json()) as DeviceAuthorization
    const html = await (await fetch(started.verification_uri_complete)).text()
    expect(html).not.toContain('<img src=x')
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;')
  })

  test('an admin signs in with the bootstrap password too', async () => {
    const started = await startDevice()
    const decided = await approveWithPassword(started.verification_uri_complete, ADMIN.username, ADMIN.password)
    expect(decided.html).toContain('Approved')
  })
})
