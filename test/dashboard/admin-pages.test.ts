// The organization, entitlement, webhook and audit log pages over HTTP against a real registry, and
// org vanity hosts: who may see and change what (the services' rules), CSRF refusal of every new form,
// that each change shows through the real API, that bad input returns to its form and changes
// nothing, real webhook deliveries to a loopback receiver, audit filters, and Host matching.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../registry/src/config/index.ts'
import { orgFromHost } from '../../registry/src/web/org-host.ts'
import { FormBrowser, type PageResult } from '../helpers/browser.ts'
import { signIn } from '../helpers/dashboard.ts'
import { publishDocument } from '../helpers/packages.ts'
import { ADMIN, startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const SECRET = '@acme/secret'
const OPEN = '@acme/public-kit'
const BASE_DOMAIN = 'packr.example.test'
const esc = (name: string) => name.replace('/', '%2f')

let registry: TestRegistry
let receiver: ReturnType<typeof Bun.serve>
const received: Array<{ event: string | null; body: string }> = []
/** Login tokens (npm's), to check effects through the npm protocol. */
let tokens: Record<'olga' | 'mark' | 'nina' | 'uma', string>

const host = () => new URL(registry.url).host
const csrfOf = (page: PageResult) => /name="csrf" value="([^"]+)"/.exec(page.html)?.[1] as string
const html = (path: string, init: RequestInit = {}) => registry.request(path, { ...init, headers: { accept: 'text/html', ...(init.headers as Record<string, string>) }, redirect: 'manual' })

async function browserFor(username: string, password = `${username}-password-1`): Promise<FormBrowser> {
  const browser = new FormBrowser()
  const landed = await signIn(browser, registry, username, password)
  expect(landed.html).toContain(`id="nav-username">${username}<`)
  return browser
}

async function members(): Promise<Record<string, string>> {
  const response = await registry.request('/api/v1/admin/orgs/acme/members', { token: registry.adminToken })
  const { members: list } = (await response.json()) as { members: Array<{ username: string; role: string }> }
  return Object.fromEntries(list.map((member) => [member.username, member.role]))
}

const webhookCount = async () => ((await (await registry.request('/api/v1/admin/webhooks', { token: registry.adminToken })).json()) as { webhooks: unknown[] }).webhooks.length

async function deliveries(id: string): Promise<Array<{ id: string; status: string; responseStatus: number | null; attempts: number; eventId: string; redeliveryOf: string | null }>> {
  const response = await registry.request(`/api/v1/admin/webhooks/${id}/deliveries`, { token: registry.adminToken })
  return ((await response.json()) as { deliveries: never[] }).deliveries
}

async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (done(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(value).slice(0, 300)}`)
    await Bun.sleep(50)
  }
}

async function publish(name: string, version: string) {
  const response = await registry.request(`/${esc(name)}`, { method: 'PUT', token: registry.adminToken, json: await publishDocument({ name, version, description: `${name} for the dashboard` }) })
  expect(response.status).toBe(201)
}

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      received.push({ event: request.headers.get('x-packr-event'), body: await request.text() })
      return new Response('thanks', { status: 202 })
    },
  })
  registry = await startTestRegistry({ AUTH_FAILURES_PER_ADDRESS: '100000', AUTH_FAILURES_PER_USER: '100000', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', ORG_BASE_DOMAIN: BASE_DOMAIN })
  tokens = { olga: await registry.createUser('olga'), mark: await registry.createUser('mark'), nina: await registry.createUser('nina'), uma: await registry.createUser('uma') }
  const org = await registry.request('/api/v1/admin/orgs', { method: 'POST', token: registry.adminToken, json: { slug: 'acme', displayName: 'Acme Corp', defaultAccess: 'restricted' } })
  expect(org.status).toBe(201)
  for (const [username, role] of [['olga', 'admin'], ['mark', 'reader']]) {
    expect((await registry.request('/api/v1/admin/orgs/acme/members', { method: 'POST', token: registry.adminToken, json: { username, role } })).status).toBe(200)
  }
  // The creator (admin) steps out: olga is the org's only admin.
  expect((await registry.request('/api/v1/admin/orgs/acme/members', { method: 'DELETE', token: registry.adminToken, json: { username: ADMIN.username } })).status).toBe(204)
  await publish(SECRET, '1.0.0')
  await publish(OPEN, '1.0.0')
  // A team with mark in it, granted the restricted package (npm team / npm access grant).
  expect((await registry.request('/-/org/acme/team', { method: 'PUT', token: registry.adminToken, json: { name: 'devs' } })).status).toBe(201)
  expect((await registry.request('/-/team/acme/devs/user', { method: 'PUT', token: registry.adminToken, json: { user: 'mark' } })).status).toBe(201)
  expect((await registry.request('/-/team/acme/devs/package', { method: 'PUT', token: registry.adminToken, json: { package: SECRET, permissions: 'read-only' } })).status).toBe(201)
  expect((await registry.request(`/-/package/${esc(OPEN)}/access`, { method: 'POST', token: registry.adminToken, json: { access: 'public' } })).status).toBe(200)
}, 120_000)

afterAll(async () => {
  await registry?.close()
  receiver?.stop(true)
})

describe('access rules', () => {
  test('anonymous browsers are sent to sign in, programs get 401; the menu shows each section to who may use it', async () => {
    for (const path of ['/-/web/orgs', '/-/web/orgs/acme', '/-/web/orgs/acme/entitlements', '/-/web/webhooks', '/-/web/webhooks/some-id', '/-/web/audit']) {
      const response = await html(path)
      expect({ path, status: response.status, location: response.headers.get('location') }).toEqual({ path, status: 303, location: `/-/web/sign-in?next=${encodeURIComponent(path)}` })
      const program = await registry.request(path, { headers: { accept: 'application/json' }, token: registry.adminToken })
      expect({ path, status: program.status }).toEqual({ path, status: 401 })
      expect((await program.json()) as Record<string, unknown>).toMatchObject({ status: 401 })
    }
    const uma = await browserFor('uma')
    const start = await uma.open(`${registry.url}/`)
    expect(start.html).toContain('href="/-/web/orgs"')
    expect(start.html).toContain('href="/-/web/webhooks"')
    expect(start.html).not.toContain('href="/-/web/audit"')
    const admin = await browserFor(ADMIN.username, ADMIN.password)
    expect((await admin.open(`${registry.url}/`)).html).toContain('href="/-/web/audit"')
  })

  test('a non-member cannot see an org; a member sees it but only org admins get the member forms', async () => {
    const nina = await browserFor('nina')
    const list = await nina.open(`${registry.url}/-/web/orgs`)
    expect(list.html).toContain('id="no-orgs"')
    for (const path of ['/-/web/orgs/acme', '/-/web/orgs/acme/entitlements']) {
      const refused = await nina.open(`${registry.url}${path}`)
      expect({ path, status: refused.status }).toEqual({ path, status: 403 })
      expect(refused.html).toContain('only members of the org acme can see this')
      expect(refused.html).not.toContain(SECRET)
    }
    expect((await nina.open(`${registry.url}/-/web/orgs/nope`)).status).toBe(404)

    const mark = await browserFor('mark')
    const orgs = await mark.open(`${registry.url}/-/web/orgs`)
    expect(orgs.html).toMatch(/<tr id="org-acme"><th scope="row"><a href="\/-\/web\/orgs\/acme">Acme Corp<\/a><\/th>.*<td>reader<\/td>/)
    const page = await mark.open(`${registry.url}/-/web/orgs/acme`)
    expect(page.status).toBe(200)
    expect(page.html).toContain('<tr id="member-olga"><th scope="row">olga</th><td class="role">admin</td>')
    expect(page.html).toContain('<tr id="member-mark"><th scope="row">mark</th><td class="role">reader</td>')
    expect(page.html).toContain(`href="/-/web/packages/${SECRET}"`)
    expect(page.html).toContain('<ul id="teams"><li><strong>acme:devs</strong> <span class="muted small">mark</span></li></ul>')
    expect(page.html).toContain('id="members-read-only"')
    expect(page.html).not.toContain('id="member-form"')
    // Posting the form anyway: the org service refuses, nothing changes.
    const before = await members()
    const forged = await mark.open(`${registry.url}/-/web/orgs/acme/members`, { method: 'POST', form: { csrf: csrfOf(page), username: 'nina', role: 'admin' } })
    expect(forged.status).toBe(403)
    expect(forged.html).toContain('this needs the admin role in the org acme')
    const removal = await mark.open(`${registry.url}/-/web/orgs/acme/members/remove`, { method: 'POST', form: { csrf: csrfOf(page), username: 'olga' } })
    expect(removal.status).toBe(403)
    expect(await members()).toEqual(before)
  })

  test('the audit log is for registry admins only (not org admins)', async () => {
    for (const who of ['nina', 'olga']) {
      const page = await (await browserFor(who)).open(`${registry.url}/-/web/audit`)
      expect({ who, status: page.status }).toEqual({ who, status: 403 })
      expect(page.html).toContain('the audit log is for registry admins')
      expect(page.html).not.toContain('id="audit-events"')
    }
  })
})

describe('organizations', () => {
  test('an org admin adds a member, changes the role and removes them; the API sees each change', async () => {
    const olga = await browserFor('olga')
    const page = await olga.open(`${registry.url}/-/web/orgs/acme`)
    expect(page.html).toContain('id="member-form"')
    const added = await olga.submit(page, '/-/web/orgs/acme/members', { username: 'nina', role: 'maintainer' })
    expect(added.url).toBe(`${registry.url}/-/web/orgs/acme?done=member-set&user=nina`)
    expect(added.html).toContain('nina now has the role shown below')
    expect(added.html).toContain('<tr id="member-nina"><th scope="row">nina</th><td class="role">maintainer</td>')
    expect((await members()).nina).toBe('maintainer')
    // nina may now publish in the scope: the membership is real.
    const published = await registry.request(`/${esc('@acme/by-nina')}`, { method: 'PUT', token: tokens.nina, json: await publishDocument({ name: '@acme/by-nina', version: '1.0.0' }) })
    expect(published.status).toBe(201)

    const changed = await olga.submit(added, '/-/web/orgs/acme/members', { username: 'nina', role: 'reader' })
    expect(changed.html).toContain('<tr id="member-nina"><th scope="row">nina</th><td class="role">reader</td>')
    expect((await members()).nina).toBe('reader')
    const removed = await olga.submit(changed, '/-/web/orgs/acme/members/remove', { username: 'nina' })
    expect(removed.url).toBe(`${registry.url}/-/web/orgs/acme?done=member-removed&user=nina`)
    expect(removed.html).not.toContain('id="member-nina"')
    expect((await members()).nina).toBeUndefined()
  })

  test('bad input comes back to the form with the reason, keeps the values, and changes nothing', async () => {
    const olga = await browserFor('olga')
    const page = await olga.open(`${registry.url}/-/web/orgs/acme`)
    const before = await members()
    const unknown = await olga.submit(page, '/-/web/orgs/acme/members', { username: 'ghost-user', role: 'maintainer' })
    expect(unknown.status).toBe(404)
    expect(unknown.html).toContain('<p class="error" role="alert" id="member-error">no user named ghost-user</p>')
    expect(unknown.html).toContain('value="ghost-user"')
    const badRole = await olga.submit(page, '/-/web/orgs/acme/members', { username: 'uma', role: 'overlord' })
    expect(badRole.status).toBe(400)
    expect(badRole.html).toContain('invalid role &quot;overlord&quot;')
    // olga is the only admin: she can neither step down nor be removed.
    const demoted = await olga.submit(page, '/-/web/orgs/acme/members', { username: 'olga', role: 'reader' })
    expect(demoted.status).toBe(409)
    expect(demoted.html).toContain('acme must keep at least one admin')
    const lastAdmin = await olga.submit(page, '/-/web/orgs/acme/members/remove', { username: 'olga' })
    expect(lastAdmin.status).toBe(409)
    expect(lastAdmin.html).toContain('id="member-error">acme must keep at least one admin')
    const notMember = await olga.submit(page, '/-/web/orgs/acme/members/remove', { username: 'uma' })
    expect(notMember.status).toBe(404)
    expect(notMember.html).toContain('uma is not a member of acme')
    expect(await members()).toEqual(before)
  })

  test('a registry admin sees every org with its member count', async () => {
    const admin = await browserFor(ADMIN.username, ADMIN.password)
    const list = await admin.open(`${registry.url}/-/web/orgs`)
    expect(list.html).toContain('Every org of the registry')
    expect(list.html).toMatch(/<tr id="org-acme">.*<td class="num">2<\/td>/)
  })
})

describe('entitlements', () => {
  test('each restricted package lists who may read it and why; grant and revoke take effect on the npm protocol', async () => {
    const olga = await browserFor('olga')
    const page = await olga.open(`${registry.url}/-/web/orgs/acme/entitlements`)
    expect(page.status).toBe(200)
    const table = page.html.slice(page.html.indexOf(`data-package="${SECRET}"`))
    const readers = table.slice(0, table.indexOf('</table>'))
    expect(readers).toContain('<tr data-user="admin"><th scope="row">admin</th><td>maintainer of the package</td>')
    expect(readers).toContain('<tr data-user="mark"><th scope="row">mark</th><td>org reader; team acme:devs (read)</td>')
    // Who reads only by an org role (olga, an admin of acme) is said once for all packages, not per package.
    expect(readers).not.toContain('data-user="olga"')
    expect(page.html).toMatch(/<p id="org-readers">Every member of the org \(\d+\) reads all of them by their org role/)
    expect(readers).not.toContain('data-user="uma"')
    // The public package is not listed: anyone reads it.
    expect(page.html).not.toContain(`data-package="${OPEN}"`)

    expect((await registry.request(`/${esc(SECRET)}`, { token: tokens.uma })).status).toBe(404)
    const granted = await olga.submit(page, '/-/web/orgs/acme/entitlements/grant', { package: SECRET, user: 'uma' })
    expect(granted.url).toBe(`${registry.url}/-/web/orgs/acme/entitlements?done=granted&user=uma`)
    expect(granted.html).toMatch(/<tr data-user="uma"><th scope="row">uma<\/th><td>granted by olga <span class="muted small">\(<time/)
    expect((await registry.request(`/${esc(SECRET)}`, { token: tokens.uma })).status).toBe(200)
    const mine = await (await registry.request('/api/packages/my-entitlements', { token: tokens.uma })).json()
    expect(mine).toEqual({ entitlements: [{ package: SECRET, via: 'grant' }] })

    const revoked = await olga.submit(granted, '/-/web/orgs/acme/entitlements/revoke', { package: SECRET, user: 'uma' })
    expect(revoked.url).toBe(`${registry.url}/-/web/orgs/acme/entitlements?done=revoked&user=uma`)
    expect(revoked.html).not.toContain('data-user="uma"')
    expect((await registry.request(`/${esc(SECRET)}`, { token: tokens.uma })).status).toBe(404)
  })

  test('bad input returns to the form; those who may not write the package get no form and are refused', async () => {
    const olga = await browserFor('olga')
    const page = await olga.open(`${registry.url}/-/web/orgs/acme/entitlements`)
    const unknown = await olga.submit(page, '/-/web/orgs/acme/entitlements/grant', { package: SECRET, user: 'ghost-user' })
    expect(unknown.status).toBe(404)
    expect(unknown.html).toContain('id="grant-error">no user named ghost-user</p>')
    expect(unknown.html).toContain('value="ghost-user"')
    const noPackage = await olga.submit(page, '/-/web/orgs/acme/entitlements/grant', { package: '@acme/ghost', user: 'uma' })
    expect(noPackage.status).toBe(404)
    expect(noPackage.html).toContain('package @acme/ghost not found')
    const notGranted = await olga.open(`${registry.url}/-/web/orgs/acme/entitlements/revoke`, { method: 'POST', form: { csrf: csrfOf(page), package: SECRET, user: 'nina' } })
    expect(notGranted.status).toBe(404)
    expect(notGranted.html).toContain('nina has no entitlement to @acme/secret')

    // mark is a reader: he sees the readers but may not grant (as the entitlements API).
    const mark = await browserFor('mark')
    const readOnly = await mark.open(`${registry.url}/-/web/orgs/acme/entitlements`)
    expect(readOnly.html).toContain('id="grant-read-only"')
    expect(readOnly.html).not.toContain('id="grant-form"')
    const forged = await mark.open(`${registry.url}/-/web/orgs/acme/entitlements/grant`, { method: 'POST', form: { csrf: csrfOf(readOnly), package: SECRET, user: 'uma' } })
    expect(forged.status).toBe(403)
    expect(forged.html).toContain('mark cannot write @acme/secret')
    expect((await registry.request(`/${esc(SECRET)}`, { token: tokens.uma })).status).toBe(404)
    expect(await (await registry.request('/api/packages/my-entitlements', { token: tokens.uma })).json()).toEqual({ entitlements: [] })
  })
})

describe('webhooks', () => {
  test('create for an org (secret shown once), a real delivery in the log, redeliver, delete', async () => {
    const olga = await browserFor('olga')
    const form = await olga.open(`${registry.url}/-/web/webhooks`)
    expect(form.html).toContain('<option value="acme">the org acme</option>')
    const url = `http://127.0.0.1:${receiver.port}/hook`
    const created = await olga.submit(form, '/-/web/webhooks', { url, events: 'package.published', org: 'acme' })
    expect(created.status).toBe(201)
    const secret = /id="webhook-secret"[^>]*value="([^"]+)"/.exec(created.html)?.[1] as string
    expect(secret).toMatch(/^whsec_/)
    const id = /href="\/-\/web\/webhooks\/([^"]+)" id="to-webhook"/.exec(created.html)?.[1] as string
    const api = await (await registry.request(`/api/v1/admin/webhooks/${id}`, { token: registry.adminToken })).json()
    expect(api).toMatchObject({ url, events: ['package.published'], owner: { org: 'acme' }, createdBy: 'olga' })

    await publish(SECRET, '1.1.0')
    const [delivery] = await until('the delivery', () => deliveries(id), (list) => list[0]?.status === 'delivered')
    expect(delivery).toMatchObject({ status: 'delivered', responseStatus: 202, attempts: 1 })
    expect(received.some((item) => item.event === 'package.published' && item.body.includes('"version":"1.1.0"'))).toBe(true)

    const page = await olga.open(`${registry.url}/-/web/webhooks/${id}`)
    expect(page.html).toContain(`<h1 id="webhook-url">${url}</h1>`)
    expect(page.html).toMatch(new RegExp(`<tr id="delivery-${delivery!.id}" data-status="delivered"><td>package.published</td><td class="status">delivered</td><td class="num response-status">202</td><td class="num attempts">1</td><td><time`))
    expect(page.html).toContain('<td class="small">thanks</td>')
    // The secret is never shown again.
    expect(page.html).not.toContain(secret)
    expect((await olga.open(`${registry.url}/-/web/webhooks`)).html).not.toContain(secret)

    const redelivered = await olga.submit(page, `/-/web/webhooks/${id}/deliveries/${delivery!.id}/redeliver`)
    expect(redelivered.url).toBe(`${registry.url}/-/web/webhooks/${id}?done=redelivered`)
    const both = await until('the redelivery', () => deliveries(id), (list) => list.length === 2 && list.every((item) => item.status === 'delivered'))
    const copy = both.find((item) => item.id !== delivery!.id)!
    expect(copy).toMatchObject({ redeliveryOf: delivery!.id, eventId: delivery!.eventId, responseStatus: 202 })
    const after = await olga.open(`${registry.url}/-/web/webhooks/${id}`)
    expect(after.html).toContain(`<tr id="delivery-${copy.id}" data-status="delivered"><td>package.published<br><span class="muted small">redelivery</span>`)

    // Someone else's webhook does not exist for them, on every page and form.
    const nina = await browserFor('nina')
    expect((await nina.open(`${registry.url}/-/web/webhooks/${id}`)).status).toBe(404)
    const ninaList = await nina.open(`${registry.url}/-/web/webhooks`)
    expect(ninaList.html).not.toContain(id)
    expect((await nina.open(`${registry.url}/-/web/webhooks/${id}/delete`, { method: 'POST', form: { csrf: csrfOf(ninaList) } })).status).toBe(404)
    expect((await nina.open(`${registry.url}/-/web/webhooks/${id}/deliveries/${delivery!.id}/redeliver`, { method: 'POST', form: { csrf: csrfOf(ninaList) } })).status).toBe(404)
    expect(await deliveries(id)).toHaveLength(2)

    const deleted = await olga.submit(after, `/-/web/webhooks/${id}/delete`)
    expect(deleted.url).toBe(`${registry.url}/-/web/webhooks?done=deleted`)
    expect(deleted.html).not.toContain(id)
    expect((await registry.request(`/api/v1/admin/webhooks/${id}`, { token: registry.adminToken })).status).toBe(404)
  }, 60_000)

  test('the URL is checked as in the API; bad input returns to the form and creates nothing', async () => {
    const nina = await browserFor('nina')
    const form = await nina.open(`${registry.url}/-/web/webhooks`)
    expect(form.html).not.toContain('<select id="org"')
    const before = await webhookCount()
    const privateUrl = await nina.submit(form, '/-/web/webhooks', { url: 'http://10.1.2.3/hook' })
    expect(privateUrl.status).toBe(400)
    expect(privateUrl.html).toContain('webhook URL http://10.1.2.3/hook is refused: 10.1.2.3 resolves to 10.1.2.3, a private address')
    expect(privateUrl.html).toContain('value="http://10.1.2.3/hook"')
    const scheme = await nina.submit(form, '/-/web/webhooks', { url: 'ftp://127.0.0.1/hook' })
    expect(scheme.status).toBe(400)
    expect(scheme.html).toContain('only http and https are supported')
    const credentials = await nina.submit(form, '/-/web/webhooks', { url: `http://user:pw@127.0.0.1:${receiver.port}/hook` })
    expect(credentials.status).toBe(400)
    // An org she does not administer.
    const foreign = await nina.submit(form, '/-/web/webhooks', { url: `http://127.0.0.1:${receiver.port}/hook`, org: 'acme' })
    expect(foreign.status).toBe(403)
    expect(foreign.html).toContain('webhooks of the org acme are managed by its admins')
    const badEvent = await nina.submit(form, '/-/web/webhooks', { url: `http://127.0.0.1:${receiver.port}/hook`, events: 'package.exploded' })
    expect(badEvent.status).toBe(400)
    expect(await webhookCount()).toBe(before)
    // Her own, for every event (no box ticked), works and is listed.
    const own = await nina.submit(form, '/-/web/webhooks', { url: `http://127.0.0.1:${receiver.port}/own` })
    expect(own.status).toBe(201)
    const list = await nina.open(`${registry.url}/-/web/webhooks`)
    expect(list.html).toContain(`>http://127.0.0.1:${receiver.port}/own</a></th><td>nina</td><td>every event</td>`)
  })
})

describe('CSRF: every new form is refused without its token or from another origin, and nothing changes', () => {
  test('members, entitlements, webhooks, deliveries', async () => {
    const olga = await browserFor('olga')
    const page = await olga.open(`${registry.url}/-/web/orgs/acme`)
    const session = olga.cookie(host(), 'packr_session') as string
    const csrfCookie = olga.cookie(host(), 'packr_csrf') as string
    const created = await olga.submit(await olga.open(`${registry.url}/-/web/webhooks`), '/-/web/webhooks', { url: `http://127.0.0.1:${receiver.port}/csrf`, org: 'acme' })
    const hookId = /href="\/-\/web\/webhooks\/([^"]+)" id="to-webhook"/.exec(created.html)?.[1] as string
    const state = async () => ({
      members: await members(),
      entitlements: await (await registry.request('/api/packages/my-entitlements', { token: tokens.uma })).json(),
      webhooks: await webhookCount(),
      deliveries: (await deliveries(hookId)).length,
    })
    const before = await state()
    const forms: Array<[string, Record<string, string>]> = [
      ['/-/web/orgs/acme/members', { username: 'uma', role: 'admin' }],
      ['/-/web/orgs/acme/members/remove', { username: 'mark' }],
      ['/-/web/orgs/acme/entitlements/grant', { user: 'uma', package: SECRET }],
      ['/-/web/orgs/acme/entitlements/revoke', { user: 'uma', package: SECRET }],
      ['/-/web/webhooks', { url: `http://127.0.0.1:${receiver.port}/sneaky` }],
      [`/-/web/webhooks/${hookId}/delete`, {}],
      [`/-/web/webhooks/${hookId}/deliveries/no-such-delivery/redeliver`, {}],
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
    expect(await state()).toEqual(before)
  })
})

describe('audit log', () => {
  test('filters by actor, action, target and dates really filter; pages go back in time; nothing secret is shown', async () => {
    const admin = await browserFor(ADMIN.username, ADMIN.password)
    const all = await admin.open(`${registry.url}/-/web/audit`)
    expect(all.status).toBe(200)
    expect(all.html).toContain('<tr data-action="entitlement.grant">')
    expect(all.html).toContain('<tr data-action="org.member.set">')
    const column = (page: PageResult, name: string) => [...page.html.matchAll(new RegExp(`<td class="${name}">(.*?)</td>`, 'g'))].map((match) => match[1])

    const byActor = await admin.open(`${registry.url}/-/web/audit?actor=olga`)
    expect(column(byActor, 'actor').length).toBeGreaterThan(3)
    expect(new Set(column(byActor, 'actor'))).toEqual(new Set(['olga']))
    expect(byActor.html).toContain('value="olga"')

    const byAction = await admin.open(`${registry.url}/-/web/audit?action=entitlement.*`)
    expect(new Set(column(byAction, 'action'))).toEqual(new Set(['<code>entitlement.grant</code>', '<code>entitlement.revoke</code>']))
    const byTarget = await admin.open(`${registry.url}/-/web/audit?target=${encodeURIComponent(SECRET)}&action=entitlement.grant`)
    expect(column(byTarget, 'target').every((target) => target === SECRET)).toBe(true)
    expect(column(byTarget, 'target').length).toBeGreaterThanOrEqual(1)

    const today = new Date().toISOString().slice(0, 10)
    const inRange = await admin.open(`${registry.url}/-/web/audit?from=${today}&to=${today}&actor=olga`)
    expect(column(inRange, 'actor').length).toBe(column(byActor, 'actor').length)
    const future = await admin.open(`${registry.url}/-/web/audit?from=2099-01-01`)
    expect(future.html).toContain('id="no-events">No events match.')
    const past = await admin.open(`${registry.url}/-/web/audit?to=2000-01-01`)
    expect(past.html).toContain('id="no-events"')
    expect((await admin.open(`${registry.url}/-/web/audit?from=yesterday`)).status).toBe(400)

    // 60 events of one kind: 50 on the first page, the other 10 behind "Older events", filters kept.
    for (let i = 0; i < 60; i++) await registry.ctx.audit.write({ username: 'pager', address: '192.0.2.1' }, { action: 'test.paging', target: `item:${i}` })
    const first = await admin.open(`${registry.url}/-/web/audit?action=test.paging`)
    expect(column(first, 'target')).toHaveLength(50)
    const second = await admin.follow(first, 'page-next')
    expect(second.url).toContain('action=test.paging')
    expect(column(second, 'target')).toHaveLength(10)
    // Together, every event exactly once (events of the same millisecond are ordered by id).
    expect(new Set([...column(first, 'target'), ...column(second, 'target')]).size).toBe(60)
    expect(second.html).not.toContain('id="page-next"')
    expect(second.html).toContain('id="page-newest"')

    // Token and webhook secrets never reach the log, so never the page.
    const everything = await admin.open(`${registry.url}/-/web/audit?action=webhook.*`)
    expect(everything.html).toContain('webhook.create')
    expect(everything.html).not.toMatch(/whsec_/)
    for (const token of Object.values(tokens)) expect(all.html).not.toContain(token)
  })
})

describe('org vanity hosts', () => {
  const onHost = (hostHeader: string, init: { cookie?: string; path?: string; accept?: string; forwarded?: string } = {}) =>
    registry.request(init.path ?? '/', {
      headers: { host: hostHeader, accept: init.accept ?? 'text/html', ...(init.cookie ? { cookie: init.cookie } : {}), ...(init.forwarded ? { 'x-forwarded-host': init.forwarded } : {}) },
      redirect: 'manual',
    })

  test('<org>.ORG_BASE_DOMAIN shows the org: public packages to everyone, restricted ones to those who may read them', async () => {
    const anonymous = await onHost(`acme.${BASE_DOMAIN}`)
    expect(anonymous.status).toBe(200)
    expect(anonymous.headers.get('content-security-policy')).toContain("default-src 'none'")
    const page = await anonymous.text()
    expect(page).toContain('<h1 id="org-name">Acme Corp</h1>')
    expect(page).toContain(`<a href="/-/web/packages/${OPEN}">${OPEN}</a>`)
    expect(page).not.toContain(SECRET)
    const mark = await browserFor('mark')
    const member = await (await onHost(`acme.${BASE_DOMAIN}`, { cookie: `packr_session=${mark.cookie(host(), 'packr_session')}` })).text()
    expect(member).toContain(`<a href="/-/web/packages/${SECRET}">${SECRET}</a>`)
    // Case does not matter, nor a port.
    expect(await (await onHost(`ACME.Packr.Example.TEST:4873`)).text()).toContain('<h1 id="org-name">Acme Corp</h1>')
  })

  test('an unknown org is the 404 page; other hosts get the start page; npm keeps working on the vanity host', async () => {
    const unknown = await onHost(`nope.${BASE_DOMAIN}`)
    expect(unknown.status).toBe(404)
    expect(await unknown.text()).toContain('<h1>Not found</h1>')
    for (const other of [`x.acme.${BASE_DOMAIN}`, `acme.${BASE_DOMAIN}.evil.test`, `acme${BASE_DOMAIN}`, BASE_DOMAIN, 'acme.example.test']) {
      const page = await (await onHost(other)).text()
      expect({ other, start: page.includes('id="package-count"') }).toEqual({ other, start: true })
    }
    // X-Forwarded-Host is not trusted without TRUST_PROXY.
    expect(await (await onHost(host(), { forwarded: `acme.${BASE_DOMAIN}` })).text()).toContain('id="package-count"')
    // npm protocol routes answer the same on the vanity host.
    const packument = await registry.request(`/${esc(OPEN)}`, { headers: { host: `acme.${BASE_DOMAIN}` } })
    expect(packument.status).toBe(200)
    expect(((await packument.json()) as { name: string }).name).toBe(OPEN)
    expect((await registry.request(`/${esc(SECRET)}`, { headers: { host: `acme.${BASE_DOMAIN}` }, token: tokens.mark })).status).toBe(200)
    expect((await registry.request(`/${esc(SECRET)}`, { headers: { host: `acme.${BASE_DOMAIN}` }, token: tokens.uma })).status).toBe(404)
  })

  test('host matching: exact label, case-insensitive; X-Forwarded-Host only behind trusted proxies', () => {
    const request = (hostHeader: string, forwarded?: string) => new Request('http://127.0.0.1/', { headers: { host: hostHeader, ...(forwarded ? { 'x-forwarded-host': forwarded } : {}) } })
    expect(orgFromHost(request('Acme.Packr.Example.Test.'), BASE_DOMAIN, 0)).toBe('acme')
    expect(orgFromHost(request('acme.packr.example.test'), undefined, 0)).toBeNull()
    expect(orgFromHost(request('a.b.packr.example.test'), BASE_DOMAIN, 0)).toBeNull()
    expect(orgFromHost(request('evilpackr.example.test'), BASE_DOMAIN, 0)).toBeNull()
    expect(orgFromHost(request('127.0.0.1', 'acme.packr.example.test'), BASE_DOMAIN, 0)).toBeNull()
    expect(orgFromHost(request('127.0.0.1', 'acme.packr.example.test'), BASE_DOMAIN, 1)).toBe('acme')
    // Behind one proxy, only the entry it wrote counts (the client's own is further left).
    expect(orgFromHost(request('127.0.0.1', 'acme.packr.example.test, other.packr.example.test'), BASE_DOMAIN, 1)).toBe('other')
  })

  test('ORG_BASE_DOMAIN is validated like the other settings', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'packr-org-domain-'))
    try {
      expect(loadConfig({ DATA_DIR: dataDir, ORG_BASE_DOMAIN: 'Packr.Example.COM.' }).orgBaseDomain).toBe('packr.example.com')
      expect(loadConfig({ DATA_DIR: dataDir }).orgBaseDomain).toBeUndefined()
      for (const bad of ['https://packr.example.com', 'packr.example.com:443', 'localhost', 'packr.example.com/x', '-bad.example.com']) {
        expect(() => loadConfig({ DATA_DIR: dataDir, ORG_BASE_DOMAIN: bad })).toThrow(/ORG_BASE_DOMAIN/)
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
