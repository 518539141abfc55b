// The dashboard in a real browser: headless Chromium (Debian's package, driven by playwright-core)
// signs in, finds a package, reads its score, creates a token and uses it with the real npm CLI,
// revokes it and sees `npm whoami` fail, and approves a device login started by the `packr` CLI. An
// admin grants a user a restricted package on the org pages, and that user's `npm install` of it,
// refused before, succeeds; a webhook created on its page shows a real delivery; the audit log.
// Every page must raise no CSP violation; the layout must fit a phone; reading works without
// JavaScript. Screenshots of the main pages, at a phone and a desktop width, are written to
// test/.artifacts/dashboard/ (docs/dashboard.md shows committed copies).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { launchChromium } from '../helpers/browser.ts'
import { isolatedEnv, npmrc, OutputWatcher, Workspace } from '../helpers/clients.ts'
import { publish, publishSamplePackages } from '../helpers/dashboard.ts'
import { ADMIN, startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const PACKR = resolve(import.meta.dir, '../../node_modules/.bin/packr')
const SHOTS = resolve(import.meta.dir, '../.artifacts/dashboard')
const DESKTOP = { width: 1280, height: 900 }
const PHONE = { width: 390, height: 844 }

let registry: TestRegistry
let browser: Browser
let ws: Workspace
let patToken: string
let receiver: ReturnType<typeof Bun.serve>
const cspViolations: string[] = []
const SECRET_SDK = '@corp/secret-sdk'

async function newPage(context: BrowserContext): Promise<Page> {
  const page = await context.newPage()
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text())) cspViolations.push(`${page.url()}: ${message.text()}`)
  })
  // Nothing may leave loopback.
  await page.route('**/*', (route) => (/^http:\/\/127\.0\.0\.1[:/]/.test(route.request().url()) ? route.continue() : route.abort()))
  return page
}

async function shot(page: Page, name: string, options: { mask?: string[] } = {}): Promise<void> {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true, mask: (options.mask ?? []).map((selector) => page.locator(selector)) })
}

async function signIn(page: Page, username: string, password: string): Promise<void> {
  await page.goto(`${registry.url}/`)
  await page.click('#nav-sign-in')
  await page.fill('#username', username)
  await page.fill('#password', password)
  await page.click('#password-signin')
  await page.waitForSelector('#nav-username')
}

/** The page is no wider than the phone's screen: nothing to scroll sideways (wide tables scroll in their own box). */
async function expectFitsWidth(page: Page, width: number): Promise<void> {
  const scroll = (await page.evaluate('document.documentElement.scrollWidth')) as number
  expect({ url: page.url(), scroll }).toEqual({ url: page.url(), scroll: width })
}

const npm = (args: string[]) => ws.run('npm', [...args, '--registry', `${registry.url}/`], ws.dir('project'))

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  receiver = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => new Response('received', { status: 200 }) })
  registry = await startTestRegistry({ DEVICE_POLL_INTERVAL_SECONDS: '1', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' })
  patToken = await registry.createUser('pat')
  await publishSamplePackages(registry)
  // An org whose packages are restricted, with one package pat may not read (yet).
  const org = await registry.request('/api/v1/admin/orgs', { method: 'POST', token: registry.adminToken, json: { slug: 'corp', displayName: 'Corp Inc.', defaultAccess: 'restricted' } })
  expect(org.status).toBe(201)
  await publish(registry, { name: SECRET_SDK, version: '1.0.0', description: 'The internal SDK', license: 'UNLICENSED', main: 'index.js' }, { 'index.js': 'module.exports = { secret: true }\n' })
  // Some downloads for the usage page: today and the days before.
  for (let day = 0; day < 20; day++) {
    for (let i = 0; i < (day * 7) % 11; i++) registry.ctx.downloads.record('http-fetcher', i % 3 === 0 ? '1.0.0' : '1.1.0', { address: null }, Date.now() - day * 86_400_000)
    for (let i = 0; i < (day * 3) % 5; i++) registry.ctx.downloads.record('@acme/widget', '2.0.0', { address: null }, Date.now() - day * 86_400_000)
  }
  await registry.ctx.downloads.flush()
  ws = new Workspace('packr-dashboard-e2e-')
  browser = await launchChromium()
}, 120_000)

afterAll(async () => {
  await browser?.close()
  await registry?.close()
  receiver?.stop(true)
  ws?.remove()
})

describe('the dashboard in Chromium', () => {
  test('sign in, find a package, read its score; create a token, use it with npm, revoke it', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, permissions: ['clipboard-read', 'clipboard-write'] })
    const page = await newPage(context)
    await page.goto(`${registry.url}/`)
    await shot(page, 'desktop-start-signed-out')
    await signIn(page, 'pat', 'pat-password-1')
    expect(await page.textContent('#nav-username')).toBe('pat')
    await shot(page, 'desktop-start')

    // Find a package.
    await page.fill('#q', 'http client')
    await page.press('#q', 'Enter')
    await page.waitForSelector('#results')
    await shot(page, 'desktop-packages')
    await page.click('#results a[href="/-/web/packages/http-fetcher"]')
    await page.waitForSelector('#package-name')
    // Its score, as the catalog computes it, and every factor with its evidence.
    const score = registry.ctx.catalog.entry('http-fetcher')!.score!
    expect(await page.textContent('#score-final')).toBe(String(score.final))
    expect(await page.locator('#factors tr[id^="factor-"]').count()).toBe(score.factors.length)
    expect(await page.textContent('#factor-types td:last-child')).toBe(score.factors.find((factor) => factor.id === 'types')!.evidence)
    // The copy buttons appear with the script, and copy.
    await page.click('button[data-copy="install-npm"]')
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe('npm install http-fetcher')
    await shot(page, 'desktop-package')

    // Create a token and use it with the real npm CLI.
    await page.click('nav[aria-label="Main"] >> text=Tokens')
    await page.fill('#name', 'e2e-ci')
    await page.selectOption('#role', 'ci-publish')
    await page.fill('#expiresInDays', '7')
    await shot(page, 'desktop-tokens-form')
    await page.click('#create-submit')
    await page.waitForSelector('#token-secret')
    const secret = await page.inputValue('#token-secret')
    expect(secret).toStartWith('ey')
    await page.click('#copy-secret')
    expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret)
    await shot(page, 'desktop-token-created', { mask: ['#token-secret'] })
    writeFileSync(join(ws.home, '.npmrc'), npmrc(registry.url, secret))
    const whoami = await npm(['whoami'])
    expect(whoami.stderr).toBe('')
    expect(whoami.stdout.trim()).toBe('pat')

    // The list shows it, with its last use; revoke it, and npm is refused.
    await page.click('#back-to-tokens')
    const row = page.locator('#tokens tr', { hasText: 'e2e-ci' })
    await expect(row.locator('.last-used').textContent()).resolves.not.toBe('never')
    await shot(page, 'desktop-tokens')
    await row.locator('button.danger').click()
    await page.waitForSelector('#notice')
    expect(await page.locator('#tokens tr', { hasText: 'e2e-ci' }).count()).toBe(0)
    const refused = await npm(['whoami'])
    expect(refused.exitCode).not.toBe(0)
    expect(refused.stderr).toMatch(/E401|401/)

    await page.goto(`${registry.url}/-/web/compare?packages=http-fetcher,tiny-util`)
    await shot(page, 'desktop-compare')
    // pat is no admin: the registry's usage figures are not offered.
    expect(await page.locator('nav[aria-label="Main"] >> text=Usage').count()).toBe(0)
    await context.close()

    // Usage, as a chart and tables, for an admin.
    const adminContext = await browser.newContext({ viewport: DESKTOP })
    const adminPage = await newPage(adminContext)
    await signIn(adminPage, ADMIN.username, ADMIN.password)
    await adminPage.click('nav[aria-label="Main"] >> text=Usage')
    await adminPage.waitForSelector('#downloads-chart')
    await shot(adminPage, 'desktop-usage')
    await adminPage.goto(`${registry.url}/-/web/usage?package=http-fetcher`)
    await adminPage.waitForSelector('#versions-chart')
    expect(await adminPage.locator('#versions-chart g.series').count()).toBe(2)
    await shot(adminPage, 'desktop-usage-package')
    await adminContext.close()
  }, 120_000)

  test('an admin grants a restricted package to pat on the org pages; pat\'s npm install, refused before, then works', async () => {
    // pat's own token in the project's .npmrc.
    const project = ws.dir('pat-project')
    ws.write('pat-project/package.json', JSON.stringify({ name: 'pat-app', version: '1.0.0', private: true }))
    ws.write('pat-project/.npmrc', npmrc(registry.url, patToken))
    const install = () => ws.run('npm', ['install', SECRET_SDK, '--no-audit', '--no-fund'], project)
    const refused = await install()
    expect(refused.exitCode).not.toBe(0)
    expect(refused.stderr).toMatch(/E404|404 Not Found/)

    const context = await browser.newContext({ viewport: DESKTOP })
    const page = await newPage(context)
    await signIn(page, ADMIN.username, ADMIN.password)
    await page.click('nav[aria-label="Main"] >> text=Organizations')
    await page.waitForSelector('#orgs')
    await shot(page, 'desktop-orgs')
    await page.click('#org-corp a')
    await page.waitForSelector('#org-name')
    expect(await page.textContent('#org-name')).toBe('Corp Inc.')
    await shot(page, 'desktop-org')
    await page.click('#entitlements-link')
    await page.selectOption('#grant-package', SECRET_SDK)
    await page.fill('#grant-user', 'pat')
    await page.click('#grant-submit')
    await page.waitForSelector('#notice')
    expect(await page.textContent('#notice')).toContain('pat may now read the package')
    expect(await page.textContent(`table[data-package="${SECRET_SDK}"] tr[data-user="pat"] td`)).toContain('granted by admin')
    await shot(page, 'desktop-entitlements')

    const installed = await install()
    expect({ exitCode: installed.exitCode, stderr: installed.stderr }).toEqual({ exitCode: 0, stderr: expect.not.stringMatching(/ERR!/) })
    expect(JSON.parse(await Bun.file(join(project, 'node_modules', SECRET_SDK, 'package.json')).text())).toMatchObject({ name: SECRET_SDK, version: '1.0.0' })

    // A webhook for the org, created on its page; a publish shows up in its delivery log.
    await page.click('nav[aria-label="Main"] >> text=Webhooks')
    await page.fill('#url', `http://127.0.0.1:${receiver.port}/packr`)
    await page.check('#event-package\\.published')
    await page.selectOption('#org', 'corp')
    await page.click('#create-submit')
    await page.waitForSelector('#webhook-secret')
    expect(await page.inputValue('#webhook-secret')).toStartWith('whsec_')
    await page.click('#to-webhook')
    await publish(registry, { name: SECRET_SDK, version: '1.1.0', description: 'The internal SDK', license: 'UNLICENSED', main: 'index.js' }, { 'index.js': 'module.exports = { secret: 2 }\n' })
    for (let i = 0; i < 100 && (await page.locator('#deliveries tr[data-status="delivered"]').count()) === 0; i++) {
      await Bun.sleep(100)
      await page.reload()
    }
    expect(await page.textContent('#deliveries tr[data-status="delivered"] .response-status')).toBe('200')
    await page.locator('#deliveries tr[data-status="delivered"] button', { hasText: 'Redeliver' }).first().click()
    await page.waitForSelector('#notice')
    for (let i = 0; i < 100 && (await page.locator('#deliveries tr[data-status="delivered"]').count()) < 2; i++) {
      await Bun.sleep(100)
      await page.reload()
    }
    expect(await page.locator('#deliveries tr[data-status="delivered"]').count()).toBe(2)
    await shot(page, 'desktop-webhook')
    await page.click('nav[aria-label="Main"] >> text=Webhooks')
    await page.waitForSelector('#webhooks')
    await shot(page, 'desktop-webhooks')

    // The audit log shows the grant, and filters.
    await page.click('nav[aria-label="Main"] >> text=Audit log')
    await page.fill('#filter-action', 'entitlement.*')
    await page.click('#filter-submit')
    await page.waitForSelector('#audit-events')
    expect(await page.locator('#audit-events tbody tr').count()).toBe(1)
    expect(await page.textContent('#audit-events tbody tr .target')).toBe(SECRET_SDK)
    await page.click('#filter-clear')
    await page.waitForSelector('#audit-events')
    await shot(page, 'desktop-audit')
    await context.close()
  }, 180_000)

  test('approve a device login started by `packr login`', async () => {
    const context = await browser.newContext({ viewport: DESKTOP })
    const page = await newPage(context)
    await signIn(page, 'pat', 'pat-password-1')
    const home = join(ws.root, 'packr-home')
    mkdirSync(home, { recursive: true })
    const proc = Bun.spawn([PACKR, 'login', '--registry', registry.url, '--json'], { cwd: ws.dir('project'), env: isolatedEnv(home), stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
    const timer = setTimeout(() => proc.kill('SIGKILL'), 90_000)
    const stdout = new Response(proc.stdout).text()
    const stderr = new OutputWatcher(proc.stderr)
    const [, url] = await stderr.until(/go straight to (\S+?)\)/)
    await page.goto(url!)
    await page.waitForSelector('#approve')
    // Which CLI asked, and from where.
    expect(await page.textContent('#client-name')).toMatch(/packr/i)
    expect(await page.textContent('#client-address')).toBe('127.0.0.1')
    expect(await page.textContent('#signed-in-as')).toBe('pat')
    await shot(page, 'desktop-approve')
    await page.click('#approve')
    expect(await page.textContent('#result')).toBe('Approved')
    expect(await proc.exited).toBe(0)
    clearTimeout(timer)
    expect(JSON.parse(await stdout)).toMatchObject({ username: 'pat' })
    await context.close()
  }, 120_000)

  test('on a phone: every main page fits the width; screenshots', async () => {
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true })
    const page = await newPage(context)
    await signIn(page, 'pat', 'pat-password-1')
    const pages: Array<[string, string]> = [
      ['phone-start', '/'],
      ['phone-packages', '/-/web/packages?q=http'],
      ['phone-package', '/-/web/packages/http-fetcher'],
      ['phone-tokens', '/-/web/tokens'],
      ['phone-usage', '/-/web/usage?package=http-fetcher'],
      ['phone-compare', '/-/web/compare?packages=http-fetcher,tiny-util'],
      ['phone-orgs', '/-/web/orgs'],
      ['phone-webhooks', '/-/web/webhooks'],
      ['phone-connect-terminal', '/cli/auth'],
    ]
    for (const [name, path] of pages) {
      await page.goto(`${registry.url}${path}`)
      await expectFitsWidth(page, PHONE.width)
      await shot(page, name)
    }
    await context.close()
  }, 120_000)

  test('keyboard: the skip link comes first and focus is visible', async () => {
    const context = await browser.newContext({ viewport: DESKTOP })
    const page = await newPage(context)
    await page.goto(`${registry.url}/-/web/packages/http-fetcher`)
    await page.keyboard.press('Tab')
    // (Browser-side code is passed as text: the test's TypeScript has no DOM types.)
    const skip = await page.evaluate(`(() => {
      const active = document.activeElement
      const box = active.getBoundingClientRect()
      return { text: active.textContent, visible: box.left >= 0 && box.top >= 0 && box.width > 0, outline: getComputedStyle(active).outlineStyle }
    })()`)
    expect(skip).toEqual({ text: 'Skip to content', visible: true, outline: 'solid' })
    await page.keyboard.press('Enter')
    await page.keyboard.press('Tab')
    // After skipping, the next stop is inside the main content, not the navigation.
    expect(await page.evaluate("Boolean(document.activeElement?.closest('main'))")).toBe(true)
    // Every form field has a label.
    const expectLabelled = async (path: string) => {
      await page.goto(`${registry.url}${path}`)
      expect(page.url()).toBe(`${registry.url}${path}`)
      const unlabelled = await page.evaluate("[...document.querySelectorAll('input:not([type=hidden]), select')].filter((field) => !field.labels?.length).map((field) => field.id)")
      expect({ path, unlabelled }).toEqual({ path, unlabelled: [] })
    }
    for (const path of ['/-/web/packages', '/-/web/sign-in']) await expectLabelled(path)
    await signIn(page, ADMIN.username, ADMIN.password)
    for (const path of ['/-/web/orgs/corp', '/-/web/orgs/corp/entitlements', '/-/web/webhooks', '/-/web/audit']) await expectLabelled(path)
    await context.close()
  }, 60_000)

  test('without JavaScript: pages read the same, copy buttons stay hidden, the secret stays selectable', async () => {
    const context = await browser.newContext({ viewport: DESKTOP, javaScriptEnabled: false })
    const page = await newPage(context)
    await page.goto(`${registry.url}/-/web/packages/http-fetcher`)
    expect(await page.textContent('#package-name')).toBe('http-fetcher')
    expect(await page.locator('#readme h3', { hasText: 'Usage' }).count()).toBe(1)
    expect(await page.locator('button[data-copy="install-npm"]').isVisible()).toBe(false)
    await signIn(page, 'pat', 'pat-password-1')
    await page.goto(`${registry.url}/-/web/tokens`)
    await page.fill('#name', 'no-js')
    await page.click('#create-submit')
    await page.waitForSelector('#token-secret')
    expect(await page.inputValue('#token-secret')).toStartWith('ey')
    expect(await page.locator('#copy-secret').isVisible()).toBe(false)
    await context.close()
    expect(cspViolations).toEqual([])
  }, 60_000)
})
