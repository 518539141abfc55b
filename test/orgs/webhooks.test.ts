// Webhooks against a real receiver on loopback that checks the HMAC signature. Time is an injected
// clock and the job queue runs only when the test drains it, so the retry schedule is walked through
// without waiting.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../registry/src/jobs/service.ts'
import { OutboundGuard } from '../../registry/src/webhooks/outbound.ts'
import { publishDocument } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

interface Received {
  headers: Headers
  body: string
  valid: boolean
}

let registry: TestRegistry
let now = Date.parse('2026-11-23T10:00:00Z')
const clock: Clock = { now: () => now }
const received: Received[] = []
let answer = 500
let secret = ''
let receiver: ReturnType<typeof Bun.serve>

/** The verification documented in docs/webhooks.md. */
function verify(header: string | null, body: string, key: string, toleranceSeconds: number, atSeconds: number): boolean {
  const parts = Object.fromEntries((header ?? '').split(',').map((part) => part.split('=', 2) as [string, string]))
  const t = Number(parts.t)
  if (!parts.v1 || !Number.isInteger(t) || Math.abs(atSeconds - t) > toleranceSeconds) return false
  const expected = createHmac('sha256', key).update(`${t}.${body}`).digest()
  const given = Buffer.from(parts.v1, 'hex')
  return given.length === expected.length && timingSafeEqual(given, expected)
}

async function deliveries(hookId: string) {
  const response = await registry.request(`/api/v1/admin/webhooks/${hookId}/deliveries`, { token: registry.adminToken })
  return ((await response.json()) as { deliveries: Array<Record<string, unknown>> }).deliveries
}

/** Event listeners run after the writer's response; wait until the deliveries are in the table. */
async function waitForDeliveries(hookId: string, count: number) {
  for (let i = 0; i < 200 && (await deliveries(hookId)).length < count; i++) await Bun.sleep(10)
  return deliveries(hookId)
}

beforeAll(async () => {
  receiver = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const url = new URL(request.url)
      if (url.pathname === '/moved') return new Response(null, { status: 307, headers: { location: 'http://10.0.0.1/hook' } })
      const body = await request.text()
      received.push({ headers: request.headers, body, valid: verify(request.headers.get('x-packr-signature'), body, secret, 300, Math.floor(now / 1000)) })
      return new Response(answer < 400 ? 'ok' : 'receiver is down', { status: answer })
    },
  })
  registry = await startTestRegistry({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' }, { clock, runJobs: false })
})

afterAll(async () => {
  await registry.close()
  receiver.stop(true)
})

describe('webhook deliveries', () => {
  let hookId = ''

  test('a delivery is signed, and retried after 1 min, 5 min, 30 min, 2 h and 24 h, then marked failed', async () => {
    const created = await registry.request('/api/v1/admin/webhooks', { method: 'POST', token: registry.adminToken, json: { url: `http://127.0.0.1:${receiver.port}/hook`, events: ['package.published'] } })
    expect(created.status).toBe(201)
    const hook = (await created.json()) as { id: string; secret: string; events: string[] }
    hookId = hook.id
    secret = hook.secret
    expect(secret).toMatch(/^whsec_/)
    expect((await registry.request('/hooked', { method: 'PUT', token: registry.adminToken, json: await publishDocument({ name: 'hooked', version: '1.0.0' }) })).status).toBe(201)
    const [pending] = await waitForDeliveries(hookId, 1)
    expect(pending).toMatchObject({ event: 'package.published', status: 'pending', attempts: 0 })

    // The delivery, and the analysis the same publish queued.
    expect(await registry.ctx.jobs.drain()).toBe(2)
    expect(received).toHaveLength(1)
    const first = received[0] as Received
    expect(first.valid).toBe(true)
    expect(first.headers.get('x-packr-event')).toBe('package.published')
    expect(first.headers.get('x-packr-delivery')).toBe(pending?.id as string)
    const payload = JSON.parse(first.body)
    expect(payload).toMatchObject({ event: 'package.published', actor: 'admin', data: { name: 'hooked', version: '1.0.0' } })
    expect(verify(first.headers.get('x-packr-signature'), first.body, 'another-secret-0123456789', 300, Math.floor(now / 1000))).toBe(false)
    expect(verify(first.headers.get('x-packr-signature'), first.body, secret, 300, Math.floor(now / 1000) + 3600)).toBe(false)

    let [state] = await deliveries(hookId)
    expect(state).toMatchObject({ status: 'pending', attempts: 1, responseStatus: 500, responseExcerpt: 'receiver is down', nextAttemptAt: new Date(now + 60_000).toISOString() })
    for (const [wait, attempts] of [
      [60_000, 2],
      [5 * 60_000, 3],
      [30 * 60_000, 4],
      [2 * 3600_000, 5],
      [24 * 3600_000, 6],
    ] as const) {
      now += wait - 1000
      expect(await registry.ctx.jobs.drain()).toBe(0)
      now += 1000
      expect(await registry.ctx.jobs.drain()).toBe(1)
      expect(received).toHaveLength(attempts)
      expect(received.at(-1)?.valid).toBe(true)
    }
    ;[state] = await deliveries(hookId)
    expect(state).toMatchObject({ status: 'failed', attempts: 6, nextAttemptAt: null })
    now += 7 * 24 * 3600_000
    expect(await registry.ctx.jobs.drain()).toBe(0)
  })

  test('manual redelivery sends the same event again as a new delivery', async () => {
    const [failed] = await deliveries(hookId)
    answer = 200
    const response = await registry.request(`/api/v1/admin/webhooks/${hookId}/deliveries/${failed?.id}/redeliver`, { method: 'POST', token: registry.adminToken })
    expect(response.status).toBe(202)
    expect(await registry.ctx.jobs.drain()).toBe(1)
    const [redelivered] = await deliveries(hookId)
    expect(redelivered).toMatchObject({ status: 'delivered', attempts: 1, responseStatus: 200, redeliveryOf: failed?.id, eventId: failed?.eventId })
    expect(JSON.parse(received.at(-1)?.body ?? '{}').id).toBe(failed?.eventId)
  })

  test('token events carry no secret; a redirect to a private address is refused', async () => {
    const patch = await registry.request(`/api/v1/admin/webhooks/${hookId}`, { method: 'PATCH', token: registry.adminToken, json: { events: ['token.created', 'token.revoked'] } })
    expect(patch.status).toBe(200)
    const before = received.length
    const created = await registry.request('/api/v1/tokens', { method: 'POST', token: registry.adminToken, json: { name: 'hooked', role: 'ci-readonly' } })
    const { token, id } = (await created.json()) as { token: string; id: string }
    await waitForDeliveries(hookId, 3)
    await registry.ctx.jobs.drain()
    const delivered = received.slice(before)
    expect(delivered).toHaveLength(1)
    expect(JSON.parse(delivered[0]?.body ?? '{}')).toMatchObject({ event: 'token.created', data: { token: { id, name: 'hooked', role: 'ci-readonly', username: 'admin' } } })
    expect(delivered[0]?.body).not.toContain(token)

    await registry.request(`/api/v1/admin/webhooks/${hookId}`, { method: 'PATCH', token: registry.adminToken, json: { url: `http://127.0.0.1:${receiver.port}/moved` } })
    await registry.request(`/api/v1/tokens/${id}`, { method: 'DELETE', token: registry.adminToken })
    await waitForDeliveries(hookId, 4)
    await registry.ctx.jobs.drain()
    const [refused] = await deliveries(hookId)
    expect(refused).toMatchObject({ event: 'token.revoked', status: 'pending', attempts: 1, responseStatus: null })
    expect(String(refused?.responseExcerpt)).toContain('10.0.0.1')
  })

  test("a stranger cannot see or change someone else's webhook", async () => {
    const stranger = await registry.createUser('stranger')
    expect((await registry.request(`/api/v1/admin/webhooks/${hookId}`, { token: stranger })).status).toBe(404)
    expect(((await (await registry.request('/api/v1/admin/webhooks', { token: stranger })).json()) as { webhooks: unknown[] }).webhooks).toEqual([])
    expect((await registry.request(`/api/v1/admin/webhooks/${hookId}`, { method: 'DELETE', token: stranger })).status).toBe(404)
  })
})

describe('outbound address checks', () => {
  const guard = new OutboundGuard([])
  test('loopback, private, link-local and unique-local addresses are refused, IPv4 and IPv6, names resolved first', async () => {
    for (const url of ['http://127.0.0.1/', 'http://10.1.2.3/', 'http://192.168.0.1/', 'http://169.254.169.254/latest', 'http://[::1]/', 'http://[fc00::1]/', 'http://[fe80::1]/', 'http://[::ffff:127.0.0.1]/', 'http://localhost:8080/', 'http://0.0.0.0/', 'ftp://example.com/', 'http://user:pass@93.184.216.34/']) {
      await expect(guard.check(url)).rejects.toMatchObject({ code: 'WEBHOOK_URL_REFUSED' })
    }
    expect((await guard.check('https://93.184.216.34/hook')).hostname).toBe('93.184.216.34')
    expect((await guard.check('https://[2606:4700::1111]/hook')).hostname).toBe('[2606:4700::1111]')
  })

  test('the allow-list admits host names, addresses and ranges', async () => {
    const allowing = new OutboundGuard(['localhost', '10.0.0.0/8', '::1'])
    await allowing.check('http://localhost:9/')
    await allowing.check('http://10.9.8.7/')
    await allowing.check('http://[::1]:9/')
    await expect(allowing.check('http://192.168.1.1/')).rejects.toMatchObject({ code: 'WEBHOOK_URL_REFUSED' })
  })
})
