// npm's token API over HTTP: both create bodies, pagination, revoke by key or raw token.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { publishDocument } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

let registry: TestRegistry
let bobLogin: string

interface NpmToken {
  token: string
  key: string
  name: string
  created: string
  updated: string
  readonly: boolean
  cidr_whitelist: string[] | null
  expires: string | null
}

const create = (body: Record<string, unknown>, token = bobLogin) => registry.request('/-/npm/v1/tokens', { method: 'POST', token, json: body })
const publish = async (name: string, token: string) =>
  registry.request(`/${name.replace('/', '%2f')}`, { method: 'PUT', token, json: await publishDocument({ name, version: '1.0.0' }) })

beforeAll(async () => {
  registry = await startTestRegistry()
  bobLogin = await registry.createUser('bob')
})

afterAll(async () => {
  await registry.close()
})

describe('POST /-/npm/v1/tokens', () => {
  test('the old body {password, readonly, cidr_whitelist} makes a read-only token limited to those addresses', async () => {
    const response = await create({ password: 'bob-password-1', readonly: true, cidr_whitelist: ['127.0.0.1/32'] })
    expect(response.status).toBe(200)
    const created = (await response.json()) as NpmToken
    expect(created.readonly).toBe(true)
    expect(created.cidr_whitelist).toEqual(['127.0.0.1/32'])
    expect(created.key).toMatch(/^[0-9a-f]{128}$/)
    expect(created.expires).toBeNull()
    expect((await registry.request('/-/whoami', { token: created.token })).status).toBe(200)
    expect((await publish('bob-readonly', created.token)).status).toBe(403)
  })

  test('the granular body (npm ≥11.6.3) maps name, scopes, packages, permission and expiry onto the token', async () => {
    const response = await create({
      name: 'ci',
      password: 'bob-password-1',
      description: 'release job',
      packages: ['bob-tool'],
      scopes: ['@bob'],
      orgs: ['bob'],
      packages_and_scopes_permission: 'read-write',
      orgs_permission: 'read-only',
      expires: 7,
      bypass_2fa: true,
    })
    expect(response.status).toBe(200)
    const created = (await response.json()) as NpmToken
    expect(created.name).toBe('ci')
    expect(created.readonly).toBe(false)
    const days = (Date.parse(created.expires!) - Date.now()) / 86_400_000
    expect(days).toBeGreaterThan(6.9)
    expect(days).toBeLessThanOrEqual(7)
    expect((await publish('@bob/lib', created.token)).status).toBe(201)
    expect((await publish('bob-tool', created.token)).status).toBe(201)
    expect((await publish('not-bobs', created.token)).status).toBe(403)
  })

  test('read-only granular tokens, and refusals for no-access and stage-only', async () => {
    const readOnly = (await (await create({ password: 'bob-password-1', packages_and_scopes_permission: 'read-only' })).json()) as NpmToken
    expect(readOnly.readonly).toBe(true)
    for (const level of ['no-access', 'read-write-stage-only']) {
      const refused = await create({ password: 'bob-password-1', packages_and_scopes_permission: level })
      expect(refused.status).toBe(400)
    }
  })

  test('a wrong password is 401 and creates nothing; IPv6 ranges are accepted', async () => {
    const before = ((await (await registry.request('/-/npm/v1/tokens', { token: bobLogin })).json()) as { total: number }).total
    const wrong = await create({ password: 'not-bobs-password' })
    expect(wrong.status).toBe(401)
    const after = ((await (await registry.request('/-/npm/v1/tokens', { token: bobLogin })).json()) as { total: number }).total
    expect(after).toBe(before)
    const v6 = await create({ password: 'bob-password-1', cidr_whitelist: ['::1/128'] })
    expect(((await v6.json()) as NpmToken).cidr_whitelist).toEqual(['::1/128'])
  })

  test('a CI token cannot create, list or revoke tokens', async () => {
    const ci = (await (await create({ password: 'bob-password-1', packages_and_scopes_permission: 'read-write' })).json()) as NpmToken
    const response = await create({ password: 'bob-password-1' }, ci.token)
    expect(response.status).toBe(403)
    expect(((await response.json()) as { code: string }).code).toBe('TOKEN_MANAGEMENT_DENIED')
    expect((await registry.request('/-/npm/v1/tokens', { token: ci.token })).status).toBe(403)
  })
})

describe('GET and DELETE', () => {
  test('the list is paginated with urls.next and never shows a secret', async () => {
    const carol = await registry.createUser('carol')
    const secrets: string[] = []
    for (let i = 0; i < 4; i++) secrets.push(((await (await create({ password: 'carol-password-1', name: `t${i}` }, carol)).json()) as NpmToken).token)
    const seen: NpmToken[] = []
    let next: string | null = `${registry.url}/-/npm/v1/tokens?perPage=2`
    let pages = 0
    while (next) {
      const response: Response = await fetch(next, { headers: { authorization: `Bearer ${carol}` } })
      expect(response.status).toBe(200)
      const text = await response.text()
      for (const secret of [...secrets, carol]) expect(text).not.toContain(secret)
      const page = JSON.parse(text) as { objects: NpmToken[]; total: number; urls: { next: string | null } }
      expect(page.total).toBe(5)
      seen.push(...page.objects)
      next = page.urls.next
      pages++
    }
    expect(pages).toBe(3)
    expect(new Set(seen.map((token) => token.key)).size).toBe(5)
    expect(seen.every((token) => token.token.length < 20 && carol.startsWith(token.token))).toBe(true)
  })

  test('revoke by key, then by raw token; another user cannot revoke yours', async () => {
    const first = (await (await create({ password: 'bob-password-1', name: 'by-key' })).json()) as NpmToken
    const second = (await (await create({ password: 'bob-password-1', name: 'by-raw' })).json()) as NpmToken
    const dave = await registry.createUser('dave')
    expect((await registry.request(`/-/npm/v1/tokens/token/${first.key}`, { method: 'DELETE', token: dave })).status).toBe(404)
    expect((await registry.request('/-/whoami', { token: first.token })).status).toBe(200)

    expect((await registry.request(`/-/npm/v1/tokens/token/${first.key}`, { method: 'DELETE', token: bobLogin })).status).toBe(204)
    expect((await registry.request('/-/whoami', { token: first.token })).status).toBe(401)
    expect((await registry.request(`/-/npm/v1/tokens/token/${encodeURIComponent(second.token)}`, { method: 'DELETE', token: bobLogin })).status).toBe(204)
    expect((await registry.request('/-/whoami', { token: second.token })).status).toBe(401)
    expect((await registry.request(`/-/npm/v1/tokens/token/${first.key}`, { method: 'DELETE', token: bobLogin })).status).toBe(404)
  })
})
