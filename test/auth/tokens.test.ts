// The token model: roles, claims, scopes and package lists, read-only, expiry, CIDR allow-lists,
// key rotation, revocation, rotation of a secret, user deletion, last-used tracking.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { decodeJwt, decodeProtectedHeader, foreignKeyToken, unsignedToken } from '../helpers/auth.ts'
import { publishDocument } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

let registry: TestRegistry

interface CreatedToken {
  id: string
  token: string
  role: string
  permissions: string[]
  scopes: string[]
  packages: string[] | null
  cidr: string[] | null
  expiresAt: string | null
  lastUsedAt: string | null
}

async function createToken(body: Record<string, unknown>, token = registry.adminToken): Promise<CreatedToken> {
  const response = await registry.request('/api/v1/admin/tokens', { method: 'POST', token, json: { name: 'test', ...body } })
  expect(response.status).toBe(201)
  return (await response.json()) as CreatedToken
}

const publish = async (name: string, version: string, token: string) =>
  registry.request(`/${name.replace('/', '%2f')}`, { method: 'PUT', token, json: await publishDocument({ name, version }) })

const whoami = (token: string, headers: Record<string, string> = {}) => registry.request('/-/whoami', { token, headers })

beforeAll(async () => {
  registry = await startTestRegistry({ TRUST_PROXY: '1' })
})

afterAll(async () => {
  await registry.close()
})

describe('roles and claims', () => {
  test('a token carries org_id, user_id, permissions, scopes, jti, iat, exp and a kid', async () => {
    const created = await createToken({ role: 'ci-publish', scopes: ['@acme'], expiresInDays: 30 })
    const claims = decodeJwt(created.token)
    const header = decodeProtectedHeader(created.token)
    expect(header.alg).toBe('HS256')
    expect(header.kid).toMatch(/^k[0-9a-f]{12}$/)
    expect(claims.org_id).toBe('default')
    expect(claims.user_id).toBe((await registry.ctx.users.findByUsername('admin'))!.id)
    expect(claims.permissions).toEqual(['read', 'publish'])
    expect(claims.scopes).toEqual(['@acme'])
    expect(claims.jti).toBe(created.id)
    expect(typeof claims.iat).toBe('number')
    expect((claims.exp as number) - (claims.iat as number)).toBe(30 * 24 * 3600)
  })

  test('preset roles grant exactly their permissions', async () => {
    const expected: Record<string, string[]> = {
      'ci-readonly': ['read'],
      'ci-publish': ['read', 'publish'],
      maintainer: ['read', 'publish', 'unpublish'],
      admin: ['read', 'publish', 'unpublish', 'admin'],
    }
    for (const [role, permissions] of Object.entries(expected)) {
      expect((await createToken({ role })).permissions).toEqual(permissions)
    }
    const readonly = await createToken({ role: 'ci-readonly' })
    const refused = await publish('roles-pkg', '1.0.0', readonly.token)
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { code: string }).code).toBe('PERMISSION_DENIED')
    const publisher = await createToken({ role: 'ci-publish' })
    expect((await publish('roles-pkg', '1.0.0', publisher.token)).status).toBe(201)
  })

  test('an unknown role is refused with a clear error and creates nothing', async () => {
    const before = ((await (await registry.request('/api/v1/admin/tokens', { token: registry.adminToken })).json()) as { total: number }).total
    const response = await registry.request('/api/v1/admin/tokens', { method: 'POST', token: registry.adminToken, json: { name: 'x', role: 'root' } })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { error: string }).error).toContain('role')
    const after = ((await (await registry.request('/api/v1/admin/tokens', { token: registry.adminToken })).json()) as { total: number }).total
    expect(after).toBe(before)
  })

  test('a user cannot get a token above their own rights', async () => {
    await registry.createUser('plain-user')
    const response = await registry.request('/api/v1/admin/tokens', { method: 'POST', token: registry.adminToken, json: { name: 'x', role: 'admin', username: 'plain-user' } })
    expect(response.status).toBe(403)
    expect(((await response.json()) as { code: string }).code).toBe('ROLE_NOT_ALLOWED')
  })
})

describe('reach: scopes, package lists, read-only', () => {
  test('a token scoped to @acme publishes @acme/* and gets 403 on @other/*', async () => {
    const scoped = await createToken({ role: 'ci-publish', scopes: ['@acme'] })
    expect((await publish('@acme/reach', '1.0.0', scoped.token)).status).toBe(201)
    const other = await publish('@other/reach', '1.0.0', scoped.token)
    expect(other.status).toBe(403)
    expect(((await other.json()) as { code: string }).code).toBe('SCOPE_NOT_ALLOWED')
    expect((await publish('unscoped-reach', '1.0.0', scoped.token)).status).toBe(403)
  })

  test('a package list limits writes to those packages; scopes and packages add up', async () => {
    const listed = await createToken({ role: 'ci-publish', packages: ['listed-pkg'], scopes: ['@team'] })
    expect((await publish('listed-pkg', '1.0.0', listed.token)).status).toBe(201)
    expect((await publish('@team/anything', '1.0.0', listed.token)).status).toBe(201)
    const refused = await publish('unlisted-pkg', '1.0.0', listed.token)
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { code: string }).code).toBe('PACKAGE_NOT_ALLOWED')
  })

  test('a read-only token reads but never writes, whatever its role', async () => {
    const readonly = await createToken({ role: 'maintainer', readonly: true })
    expect((await whoami(readonly.token)).status).toBe(200)
    const refused = await publish('readonly-pkg', '1.0.0', readonly.token)
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { code: string }).code).toBe('TOKEN_READ_ONLY')
  })

  test('invalid scopes and CIDR ranges are refused with 400', async () => {
    for (const body of [{ scopes: ['acme'] }, { cidr: ['10.0.0.0/33'] }, { cidr: ['not-an-address'] }]) {
      const response = await registry.request('/api/v1/admin/tokens', { method: 'POST', token: registry.adminToken, json: { name: 'x', role: 'ci-readonly', ...body } })
      expect(response.status).toBe(400)
      const error = (await response.json()) as { error: string; code: string; status: number }
      expect(error.status).toBe(400)
      expect(error.error.length).toBeGreaterThan(10)
    }
  })
})

describe('CIDR allow-lists', () => {
  test('IPv4: inside the range works, outside gets 401 with WWW-Authenticate: ipaddress', async () => {
    const local = await createToken({ role: 'ci-readonly', cidr: ['127.0.0.0/8'] })
    expect(local.cidr).toEqual(['127.0.0.0/8'])
    expect((await whoami(local.token)).status).toBe(200)
    const remote = await createToken({ role: 'ci-readonly', cidr: ['10.0.0.0/8'] })
    const refused = await whoami(remote.token)
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toBe('ipaddress')
    expect(((await refused.json()) as { code: string }).code).toBe('IP_NOT_ALLOWED')
  })

  test('IPv6 ranges, with the client address taken from X-Forwarded-For behind a trusted proxy', async () => {
    const v6 = await createToken({ role: 'ci-readonly', cidr: ['2001:db8::/32', '192.0.2.7'] })
    expect(v6.cidr).toEqual(['2001:db8::/32', '192.0.2.7/32'])
    expect((await whoami(v6.token, { 'x-forwarded-for': '2001:db8::42' })).status).toBe(200)
    expect((await whoami(v6.token, { 'x-forwarded-for': '192.0.2.7' })).status).toBe(200)
    expect((await whoami(v6.token, { 'x-forwarded-for': '2001:db9::1' })).status).toBe(401)
    // With one trusted proxy only the last entry counts: a client cannot prepend a fake address.
    expect((await whoami(v6.token, { 'x-forwarded-for': '2001:db8::42, 198.51.100.1' })).status).toBe(401)
  })

  test('without TRUST_PROXY, X-Forwarded-For is ignored', async () => {
    const direct = await startTestRegistry()
    try {
      const created = await direct.request('/api/v1/admin/tokens', { method: 'POST', token: direct.adminToken, json: { name: 'x', role: 'ci-readonly', cidr: ['10.0.0.0/8'] } })
      const { token } = (await created.json()) as { token: string }
      const response = await direct.request('/-/whoami', { token, headers: { 'x-forwarded-for': '10.1.2.3' } })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('ipaddress')
    } finally {
      await direct.close()
    }
  })
})

describe('refused tokens', () => {
  test('another key, alg none, garbage: 401 with WWW-Authenticate: Bearer', async () => {
    const genuine = (await createToken({ role: 'admin' })).token
    for (const token of [await foreignKeyToken(genuine), unsignedToken(genuine), 'not-a-jwt', `${genuine}x`]) {
      const response = await whoami(token)
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toBe('Bearer')
      expect(((await response.json()) as { code: string }).code).toBe('INVALID_TOKEN')
    }
  })

  test('expiry applies on the next request, also to a token already cached', async () => {
    const shortLived = await createToken({ role: 'ci-readonly', expiresInDays: 1 / (24 * 3600) })
    expect((await whoami(shortLived.token)).status).toBe(200)
    await Bun.sleep(1100)
    const response = await whoami(shortLived.token)
    expect(response.status).toBe(401)
    expect(((await response.json()) as { code: string }).code).toBe('TOKEN_EXPIRED')
  })

  test('revocation applies on the very next request', async () => {
    const created = await createToken({ role: 'ci-publish' })
    expect((await whoami(created.token)).status).toBe(200)
    const revoked = await registry.request(`/api/v1/admin/tokens/${created.id}`, { method: 'DELETE', token: registry.adminToken })
    expect(revoked.status).toBe(204)
    const response = await whoami(created.token)
    expect(response.status).toBe(401)
    expect(((await response.json()) as { code: string }).code).toBe('TOKEN_REVOKED')
    const listed = (await (await registry.request('/api/v1/admin/tokens', { token: registry.adminToken })).json()) as { tokens: Array<{ id: string }> }
    expect(listed.tokens.some((token) => token.id === created.id)).toBe(false)
  })

  test('rotation: the new secret works at once, the old one dies, rights are kept', async () => {
    const created = await createToken({ role: 'ci-publish', scopes: ['@rot'] })
    expect((await whoami(created.token)).status).toBe(200)
    const rotated = await registry.request(`/api/v1/admin/tokens/${created.id}/rotate`, { method: 'POST', token: registry.adminToken })
    expect(rotated.status).toBe(200)
    const next = (await rotated.json()) as CreatedToken
    expect(next.token).not.toBe(created.token)
    expect(next.scopes).toEqual(['@rot'])
    expect(next.permissions).toEqual(['read', 'publish'])
    expect((await whoami(created.token)).status).toBe(401)
    expect((await whoami(next.token)).status).toBe(200)
    expect((await registry.request(`/api/v1/admin/tokens/${created.id}/rotate`, { method: 'POST', token: registry.adminToken })).status).toBe(404)
  })

  test("deleting a user kills that user's tokens on the next request", async () => {
    const token = await registry.createUser('leaver')
    expect((await whoami(token)).status).toBe(200)
    const deleted = await registry.request('/api/v1/admin/users/leaver', { method: 'DELETE', token: registry.adminToken })
    expect(deleted.status).toBe(204)
    const response = await whoami(token)
    expect(response.status).toBe(401)
    expect((await registry.request('/api/v1/admin/users/leaver', { method: 'DELETE', token: registry.adminToken })).status).toBe(404)
  })

  test('cached identities are served without reading the database', async () => {
    const created = await createToken({ role: 'ci-readonly' })
    expect((await whoami(created.token)).status).toBe(200)
    const read = registry.ctx.db.read
    let reads = 0
    const original = read.select.bind(read)
    read.select = ((...args: Parameters<typeof read.select>) => {
      reads++
      return original(...args)
    }) as typeof read.select
    try {
      for (let i = 0; i < 20; i++) expect((await whoami(created.token)).status).toBe(200)
    } finally {
      read.select = original
    }
    expect(reads).toBe(0)
  })

  test('last use is recorded', async () => {
    const created = await createToken({ role: 'ci-readonly' })
    expect(created.lastUsedAt).toBeNull()
    expect((await whoami(created.token)).status).toBe(200)
    await Bun.sleep(50)
    const listed = (await (await registry.request('/api/v1/admin/tokens', { token: registry.adminToken })).json()) as { tokens: CreatedToken[] }
    const row = listed.tokens.find((token) => token.id === created.id)
    expect(row?.lastUsedAt).not.toBeNull()
  })
})

describe('signing key rotation', () => {
  test('tokens signed with a previous key keep working; without it they are refused', async () => {
    const oldKey = 'old-signing-key-old-signing-key-old-signing-key'
    const newKey = 'new-signing-key-new-signing-key-new-signing-key'
    const first = await startTestRegistry({ JWT_SECRET: oldKey })
    const oldToken = first.adminToken
    const rotated = await first.restart({ JWT_SECRET: newKey, JWT_PREVIOUS_SECRETS: oldKey })
    expect((await rotated.request('/-/whoami', { token: oldToken })).status).toBe(200)
    expect(decodeProtectedHeader(rotated.adminToken).kid).not.toBe(decodeProtectedHeader(oldToken).kid)
    expect((await rotated.request('/-/whoami', { token: rotated.adminToken })).status).toBe(200)
    const dropped = await rotated.restart({ JWT_SECRET: newKey, JWT_PREVIOUS_SECRETS: '' })
    try {
      expect((await dropped.request('/-/whoami', { token: oldToken })).status).toBe(401)
    } finally {
      await dropped.close()
    }
  })
})
