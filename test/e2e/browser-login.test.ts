// The browser step in a real browser: headless Chromium (Debian's package, driven by playwright-core)
// follows a device login from the code page through the GitHub stand-in and back, and approves it.
// Chromium missing is a failure, not a skip: `scripts/test-setup.ts` installs it. Playwright gives
// the browser a fresh profile; the temporary directory holds the screenshot.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { launchChromium } from '../helpers/browser.ts'
import { startStandIn, type StandInProvider } from '../helpers/oauth-providers.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

let registry: TestRegistry
let github: StandInProvider
let browser: Browser
let profileDir: string

beforeAll(async () => {
  github = startStandIn('github', { id: 9001, login: 'browser-octocat', email: 'octo@github.test' })
  registry = await startTestRegistry({
    DEVICE_POLL_INTERVAL_SECONDS: '1',
    GITHUB_CLIENT_ID: github.clientId,
    GITHUB_CLIENT_SECRET: github.clientSecret,
    GITHUB_URL: github.url,
    GITHUB_API_URL: `${github.url}/api/v3`,
  })
  profileDir = mkdtempSync(join(tmpdir(), 'packr-chromium-'))
  browser = await launchChromium()
}, 60_000)

afterAll(async () => {
  await browser?.close()
  await registry?.close()
  github?.stop()
  if (profileDir) rmSync(profileDir, { recursive: true, force: true })
})

describe('approval page in Chromium', () => {
  test('enter the code, sign in with GitHub, approve: the terminal gets its token', async () => {
    const started = (await (await registry.request('/-/v1/device/authorize', { method: 'POST', json: { provider: 'github', client_name: 'packr CLI on build-7' } })).json()) as {
      device_code: string
      user_code: string
      verification_uri: string
    }
    const page = await browser.newPage()
    const problems: string[] = []
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(message.text())
    })
    // Nothing may leave loopback.
    await page.route('**/*', (route) => (/^http:\/\/127\.0\.0\.1[:/]/.test(route.request().url()) ? route.continue() : route.abort()))

    await page.goto(started.verification_uri)
    await page.fill('#code', started.user_code.toLowerCase())
    await page.click('button[type=submit]')
    // On failure, say what the page showed instead of only that an element never appeared.
    await page.waitForSelector('#user-code', { timeout: 20_000 }).catch(async (error) => {
      throw new Error(`the code page did not confirm the code (${page.url()}): ${(await page.locator('main').innerText().catch(() => '')).slice(0, 500)}`, { cause: error })
    })
    await expect(page.locator('#user-code').textContent()).resolves.toBe(started.user_code)
    await expect(page.locator('#client-name').textContent()).resolves.toBe('packr CLI on build-7')

    await page.click('#signin-github')
    await page.waitForSelector('#approve')
    expect(await page.locator('#signed-in-as').textContent()).toBe('browser-octocat')
    await page.screenshot({ path: join(profileDir, 'approve.png') })
    await page.click('#approve')
    expect(await page.locator('#result').textContent()).toBe('Approved')
    // The page's own stylesheet is allowed by the CSP: no violation was reported.
    expect(problems.filter((problem) => /Content Security Policy/i.test(problem))).toEqual([])
    const cookies = await page.context().cookies()
    const session = cookies.find((cookie) => cookie.name === 'packr_session')
    expect(session?.httpOnly).toBe(true)
    expect(session?.sameSite).toBe('Lax')
    // The one-time OAuth state cookie is gone once the provider sent the browser back.
    expect(cookies.some((cookie) => cookie.name === 'packr_oauth')).toBe(false)

    const granted = await registry.request('/-/v1/device/token', { method: 'POST', json: { device_code: started.device_code } })
    expect(granted.status).toBe(200)
    const { token } = (await granted.json()) as { token: string }
    expect(await (await registry.request('/-/whoami', { token })).json()).toEqual({ username: 'browser-octocat' })
  }, 60_000)
})
