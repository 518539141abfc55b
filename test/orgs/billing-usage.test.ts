// Plans (limits at publish, never for CI tokens), Stripe's webhook signed with Stripe's own test
// helper, per-download records, the download rate limit and the usage series.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import Stripe from 'stripe'
import { packageDownloads } from '../../registry/src/db/schema.ts'
import { publishDocument } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const STRIPE_SECRET = 'whsec_billing_test_secret_0123456789'
const stripe = new Stripe('sk_test_unused')
let registry: TestRegistry
let erin: string

const publish = async (name: string, token: string, version = '1.0.0') =>
  registry.request(`/${name.replace('/', '%2f')}`, { method: 'PUT', token, json: await publishDocument({ name, version }) })

async function stripeEvent(id: string, type: string, object: Record<string, unknown>, created = Math.floor(Date.now() / 1000)) {
  const payload = JSON.stringify({ id, object: 'event', type, created, data: { object } })
  const header = await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: STRIPE_SECRET })
  return registry.request('/api/billing/webhook', { method: 'POST', body: payload, headers: { 'stripe-signature': header, 'content-type': 'application/json' } })
}

const plan = async (token: string) => (await (await registry.request('/api/v1/admin/users/me/plan', { token })).json()) as { plan: string; status: string; limits: { packages: number | null; scopes: number | null } }

beforeAll(async () => {
  registry = await startTestRegistry({ DEFAULT_PLAN: 'free', STRIPE_WEBHOOK_SECRET: STRIPE_SECRET, DOWNLOAD_RATE_LIMIT: '3', DOWNLOAD_BURST_LIMIT: '0' })
  erin = await registry.createUser('erin')
})

afterAll(() => registry.close())

describe('plans', () => {
  test('Free allows 3 packages and 1 scope: the 4th package and a 2nd scope get 402; new versions never do', async () => {
    expect((await plan(erin)).limits).toEqual({ packages: 3, scopes: 1 })
    expect((await publish('@erin/one', erin)).status).toBe(201)
    expect((await publish('erin-two', erin)).status).toBe(201)
    const otherScope = await publish('@elsewhere/three', erin)
    expect(otherScope.status).toBe(402)
    expect(((await otherScope.json()) as { code: string }).code).toBe('PLAN_SCOPE_LIMIT')
    expect((await publish('erin-three', erin)).status).toBe(201)
    const fourth = await publish('erin-four', erin)
    expect(fourth.status).toBe(402)
    expect((await fourth.json()) as Record<string, unknown>).toMatchObject({ code: 'PLAN_PACKAGE_LIMIT', status: 402 })
    expect((await publish('erin-two', erin, '1.1.0')).status).toBe(201)
    const org = await registry.request('/api/v1/admin/orgs', { method: 'POST', token: erin, json: { slug: 'erinco' } })
    expect(((await org.json()) as { code: string }).code).toBe('PLAN_SCOPE_LIMIT')
  })

  test('CI tokens are never limited', async () => {
    const response = await registry.request('/api/v1/tokens', { method: 'POST', token: erin, json: { name: 'ci', role: 'ci-publish' } })
    const { token } = (await response.json()) as { token: string }
    expect((await publish('erin-from-ci', token)).status).toBe(201)
  })

  test("Stripe events change the plan once each, in order, and only with Stripe's signature", async () => {
    const checkout = await stripeEvent('evt_checkout', 'checkout.session.completed', { object: 'checkout.session', client_reference_id: 'erin', customer: 'cus_erin', subscription: 'sub_erin', metadata: { plan: 'solo' } })
    expect(await checkout.json()).toEqual({ received: true, handled: true })
    expect(await plan(erin)).toMatchObject({ plan: 'solo', status: 'active', limits: { packages: 20, scopes: 5 } })
    expect((await publish('erin-four', erin)).status).toBe(201)
    // Delivered again: nothing happens twice.
    expect(await (await stripeEvent('evt_checkout', 'checkout.session.completed', { client_reference_id: 'erin', customer: 'cus_erin', metadata: { plan: 'solo' } })).json()).toEqual({ received: true, handled: false })
    await stripeEvent('evt_upgrade', 'customer.subscription.updated', { object: 'subscription', id: 'sub_erin', customer: 'cus_erin', status: 'active', metadata: {}, items: { data: [{ price: { lookup_key: 'team' } }] } })
    expect((await plan(erin)).plan).toBe('team')
    // An older event arriving late is ignored.
    await stripeEvent('evt_stale', 'customer.subscription.updated', { id: 'sub_erin', customer: 'cus_erin', status: 'active', metadata: { plan: 'solo' } }, 1)
    expect((await plan(erin)).plan).toBe('team')
    await stripeEvent('evt_failed', 'invoice.payment_failed', { object: 'invoice', customer: 'cus_erin' })
    expect((await plan(erin)).status).toBe('past_due')
    const refused = await publish('erin-five', erin)
    expect(refused.status).toBe(402)
    expect(((await refused.json()) as { code: string }).code).toBe('PAYMENT_FAILED')
    await stripeEvent('evt_deleted', 'customer.subscription.deleted', { object: 'subscription', id: 'sub_erin', customer: 'cus_erin', status: 'canceled' })
    expect(await plan(erin)).toMatchObject({ plan: 'free', status: 'canceled' })

    const payload = JSON.stringify({ id: 'evt_forged', object: 'event', type: 'checkout.session.completed', created: 1, data: { object: { client_reference_id: 'erin', metadata: { plan: 'team' } } } })
    const forged = await registry.request('/api/billing/webhook', { method: 'POST', body: payload, headers: { 'stripe-signature': await stripe.webhooks.generateTestHeaderStringAsync({ payload, secret: 'whsec_someone_else_0123456789' }) } })
    expect(forged.status).toBe(400)
    expect(((await forged.json()) as { code: string }).code).toBe('INVALID_SIGNATURE')
    expect((await plan(erin)).plan).toBe('free')
  })

  test('registry admins set Enterprise limits by hand', async () => {
    const set = await registry.request('/api/v1/admin/users/erin/plan', { method: 'PUT', token: registry.adminToken, json: { plan: 'enterprise', packageLimit: 500, scopeLimit: 7 } })
    expect(await set.json()).toEqual({ plan: 'enterprise', status: 'manual', limits: { packages: 500, scopes: 7 } })
    expect((await registry.request('/api/v1/admin/users/erin/plan', { method: 'PUT', token: registry.adminToken, json: { plan: 'solo', packageLimit: 5 } })).status).toBe(400)
  })
})

describe('downloads', () => {
  test('every download is recorded with user, version and address; restricted downloads are rate limited per user', async () => {
    expect((await publish('counted-pub', registry.adminToken)).status).toBe(201)
    expect((await publish('@erin/one', erin, '1.1.0')).status).toBe(201)
    await registry.request('/-/package/@erin%2fone/access', { method: 'POST', token: erin, json: { access: 'restricted' } })
    expect((await registry.request('/counted-pub/-/counted-pub-1.0.0.tgz', { token: erin })).status).toBe(200)
    expect((await registry.request('/counted-pub/-/counted-pub-1.0.0.tgz')).status).toBe(200)
    for (let i = 0; i < 3; i++) expect((await registry.request('/@erin/one/-/one-1.0.0.tgz', { token: erin })).status).toBe(200)
    const limited = await registry.request('/@erin/one/-/one-1.1.0.tgz', { token: erin })
    expect(limited.status).toBe(429)
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(((await limited.json()) as { code: string }).code).toBe('DOWNLOAD_RATE_LIMITED')
    // Public downloads are not limited.
    for (let i = 0; i < 5; i++) expect((await registry.request('/counted-pub/-/counted-pub-1.0.0.tgz', { token: erin })).status).toBe(200)

    await registry.ctx.downloads.flush()
    const erinId = (await registry.ctx.users.findByUsername('erin'))?.id ?? null
    const records = await registry.ctx.db.read.select().from(packageDownloads).where(eq(packageDownloads.packageName, 'counted-pub'))
    // Repeated downloads by one caller from one address between two flushes share a row with a count
    // (a periodic flush may fall between them, so the test adds the counts up per user).
    const downloadsBy = (rows: typeof records) => {
      const byUser = new Map<string | null, number>()
      for (const row of rows) byUser.set(row.userId, (byUser.get(row.userId) ?? 0) + row.count)
      return byUser
    }
    expect(downloadsBy(records)).toEqual(new Map([[erinId, 6], [null, 1]]))
    expect(records.length).toBeLessThan(7)
    expect(records.every((record) => record.version === '1.0.0' && record.clientAddress === '127.0.0.1')).toBe(true)
    const restricted = await registry.ctx.db.read.select().from(packageDownloads).where(eq(packageDownloads.packageName, '@erin/one'))
    expect(downloadsBy(restricted)).toEqual(new Map([[erinId, 3]]))
  })

  test('usage: per-day series with every day present, per version for one package, top packages; others see only their own', async () => {
    const today = new Date().toISOString().slice(0, 10)
    const response = await registry.request(`/api/v1/admin/usage?from=${today}&to=${today}`, { token: registry.adminToken })
    const usage = (await response.json()) as { total: number; top: Array<{ package: string; downloads: number }>; series: Array<{ package: string; version: string | null; points: unknown[] }> }
    expect(usage.top[0]).toEqual({ package: 'counted-pub', downloads: 7 })
    expect(usage.total).toBe(10)
    const one = (await (await registry.request('/api/v1/admin/usage?package=counted-pub', { token: registry.adminToken })).json()) as typeof usage
    expect(one.series.map((series) => [series.version, series.points.length])).toEqual([
      [null, 30],
      ['1.0.0', 30],
    ])
    expect(one.series[0]?.points.at(-1)).toEqual({ day: today, count: 7 })
    expect((await registry.request('/api/v1/admin/usage?package=counted-pub', { token: erin })).status).toBe(403)
    expect((await registry.request('/api/v1/admin/usage', { token: erin })).status).toBe(403)
    expect((await registry.request('/api/v1/admin/usage?package=%40erin%2Fone', { token: erin })).status).toBe(200)
  })
})
