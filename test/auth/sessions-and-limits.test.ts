// Dashboard sessions, brute-force limits, user enumeration, and secrets kept out of logs and responses.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import postgres from 'postgres'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../registry/src/config/index.ts'
import { describeUnexpected } from '../../registry/src/errors/index.ts'
import { createLogger } from '../../registry/src/logging/index.ts'
import { startRegistry } from '../../registry/src/server.ts'
import { approveWithPassword } from '../helpers/browser.ts'
import { ADMIN, startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

let registry: TestRegistry
const logLines: string[] = []

const signIn = (username: string, password: string) => registry.request('/api/v1/admin/sessions', { method: 'POST', json: { username, password } })
const sessionCookie = (response: Response) => response.headers.getSetCookie().find((cookie) => cookie.startsWith('packr_session='))!

beforeAll(async () => {
  registry = await startTestRegistry(
    { AUTH_FAILURES_PER_USER: '3', AUTH_FAILURES_PER_ADDRESS: '1000', LOG_LEVEL: 'debug', DEVICE_POLL_INTERVAL_SECONDS: '1' },
    { log: createLogger('debug', (line) => logLines.push(line)) },
  )
  await registry.createUser('erin')
})

afterAll(async () => {
  await registry.close()
})

describe('dashboard sessions', () => {
  test('sign-in sets an HttpOnly, SameSite=Lax packr_session cookie that the admin API accepts', async () => {
    const response = await signIn(ADMIN.username, ADMIN.password)
    expect(response.status).toBe(201)
    const cookie = sessionCookie(response)
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Lax')
    expect(cookie).not.toContain('Secure')
    const value = cookie.split(';')[0]!
    expect((await registry.request('/api/v1/admin/tokens', { headers: { cookie: value } })).status).toBe(200)

    // A tampered cookie is refused.
    const tampered = value.replace(/.$/, (last) => (last === 'A' ? 'B' : 'A'))
    const refused = await registry.request('/api/v1/admin/tokens', { headers: { cookie: tampered } })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toBe('Bearer')

    // Sign-out ends the session on the server, not just in the browser.
    expect((await registry.request('/api/v1/admin/sessions', { method: 'DELETE', headers: { cookie: value } })).status).toBe(204)
    expect((await registry.request('/api/v1/admin/tokens', { headers: { cookie: value } })).status).toBe(401)
  })

  test("a non-admin's session gets 403 from the admin API, and dies with the user", async () => {
    const frank = await registry.ctx.users.create({ username: 'frank', password: 'frank-password-1' })
    const value = sessionCookie(await signIn('frank', 'frank-password-1')).split(';')[0]!
    expect((await registry.request('/api/v1/admin/tokens', { headers: { cookie: value } })).status).toBe(403)
    await registry.ctx.users.delete(frank.id)
    expect((await registry.request('/api/v1/admin/tokens', { headers: { cookie: value } })).status).toBe(401)
  })

  test('the cookie is Secure when PUBLIC_URL is https', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'packr-secure-'))
    // Started directly: the test helper would send its own login to the (unreachable) public URL.
    const secure = await startRegistry(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'silent', ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, PUBLIC_URL: 'https://registry.example.test' }),
    )
    try {
      const response = await fetch(`http://127.0.0.1:${secure.port}/api/v1/admin/sessions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: ADMIN.username, password: ADMIN.password }),
      })
      expect(response.status).toBe(201)
      expect(sessionCookie(response)).toContain('Secure')
    } finally {
      await secure.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('rate limits and user enumeration', () => {
  test('a wrong password and an unknown user get the same answer', async () => {
    const wrong = await registry.request('/-/v1/login', { method: 'POST', json: { name: 'erin', password: 'not-erins-password' } })
    const unknown = await registry.request('/-/v1/login', { method: 'POST', json: { name: 'nobody-here', password: 'whatever-password' } })
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(await wrong.json()).toEqual(await unknown.json())
    expect(wrong.headers.get('www-authenticate')).toBe(unknown.headers.get('www-authenticate'))
  })

  test('failures per user are limited: 429 with Retry-After, even for the right password, for known and unknown names alike', async () => {
    await registry.ctx.users.create({ username: 'gina', password: 'gina-password-1' })
    for (const name of ['gina', 'ghost-user']) {
      for (let i = 0; i < 3; i++) {
        expect((await registry.request('/-/v1/login', { method: 'POST', json: { name, password: 'bad-password' } })).status).toBe(401)
      }
      const limited = await registry.request('/-/v1/login', { method: 'POST', json: { name, password: name === 'gina' ? 'gina-password-1' : 'bad-password' } })
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(await limited.json()).toMatchObject({ code: 'TOO_MANY_AUTH_FAILURES', status: 429 })
    }
  }, 30_000)

  test('refused tokens are limited per client address', async () => {
    const strict = await startTestRegistry({ AUTH_FAILURES_PER_ADDRESS: '5' })
    try {
      for (let i = 0; i < 5; i++) expect((await strict.request('/-/whoami', { token: `garbage-${i}` })).status).toBe(401)
      const limited = await strict.request('/-/whoami', { token: 'garbage-6' })
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0)
    } finally {
      await strict.close()
    }
  })

  test('starting logins is limited per client address', async () => {
    const strict = await startTestRegistry({ AUTH_FAILURES_PER_ADDRESS: '3' })
    try {
      for (let i = 0; i < 3; i++) expect((await strict.request('/-/v1/device/authorize', { method: 'POST', json: {} })).status).toBe(200)
      const device = await strict.request('/-/v1/device/authorize', { method: 'POST', json: {} })
      expect(device.status).toBe(429)
      expect(((await device.json()) as { code: string }).code).toBe('TOO_MANY_LOGINS')
      expect((await strict.request('/-/v1/login', { method: 'POST', json: {} })).status).toBe(429)
    } finally {
      await strict.close()
    }
  })
})

describe('secrets', () => {
  test('token secrets, passwords and password hashes never reach logs, listings or error messages', async () => {
    const issued: string[] = [registry.adminToken]
    const login = await registry.request('/-/v1/login', { method: 'POST', json: { name: 'erin', password: 'erin-password-1' } })
    issued.push(((await login.json()) as { token: string }).token)
    const created = await registry.request('/api/v1/admin/tokens', { method: 'POST', token: registry.adminToken, json: { name: 'ci', role: 'ci-publish' } })
    const createdToken = (await created.json()) as { token: string; id: string }
    issued.push(createdToken.token)
    const device = (await (await registry.request('/-/v1/device/authorize', { method: 'POST', json: {} })).json()) as { device_code: string; verification_uri_complete: string }
    await approveWithPassword(device.verification_uri_complete, 'erin', 'erin-password-1')
    const granted = (await (await registry.request('/-/v1/device/token', { method: 'POST', json: { device_code: device.device_code } })).json()) as { token: string }
    issued.push(granted.token, device.device_code)
    // Use, revoke and misuse them so that every code path logs what it logs.
    await registry.request(`/api/v1/admin/tokens/${createdToken.id}`, { method: 'DELETE', token: registry.adminToken })
    const outputs: string[] = []
    for (const token of issued) {
      outputs.push(await (await registry.request('/-/whoami', { token })).text())
      outputs.push(await (await registry.request('/-/whoami', { token: `${token}tampered` })).text())
    }
    outputs.push(await (await registry.request('/api/v1/admin/tokens', { token: registry.adminToken })).text())
    outputs.push(await (await registry.request('/api/v1/admin/users', { token: registry.adminToken })).text())
    outputs.push(await (await registry.request('/-/npm/v1/tokens', { token: registry.adminToken })).text())
    outputs.push(await (await registry.request('/-/user/org.couchdb.user:erin')).text())
    outputs.push(await (await registry.request('/-/v1/login', { method: 'POST', json: { name: 'erin', password: 'erin-password-wrong' } })).text())

    const hashes = (await registry.ctx.users.list()).map((user) => user.passwordHash).filter((hash): hash is string => hash !== null)
    const secrets = [...issued, ...hashes, 'erin-password-1', 'erin-password-wrong', ADMIN.password]
    const haystack = [...logLines, ...outputs].join('\n')
    expect(logLines.length).toBeGreaterThan(0)
    for (const secret of secrets) expect(haystack).not.toContain(secret)
    // And the signatures alone (the secret part of a JWT) do not appear either.
    for (const token of issued.filter((token) => token.split('.').length === 3)) expect(haystack).not.toContain(token.split('.')[2]!)
  }, 30_000)

  test('a failed query is logged without its parameters (the new password hash), and answered with a bare 500', async () => {
    const lines: string[] = []
    const signup = await startTestRegistry({ ALLOW_SIGNUP: 'true' }, { log: createLogger('error', (line) => lines.push(line)) })
    try {
      // Make the next account insert fail inside the database, after the password was hashed.
      const database = signup.ctx.config.database
      if (database.kind === 'sqlite') {
        const raw = new Database(database.path)
        raw.exec("CREATE TRIGGER refuse_users BEFORE INSERT ON users BEGIN SELECT RAISE(ABORT, 'storage refused the write'); END")
        raw.close()
      } else {
        const sql = postgres(database.url, { max: 1, onnotice: () => {} })
        await sql.unsafe(
          "CREATE FUNCTION refuse_users() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'storage refused the write'; END $$; CREATE TRIGGER refuse_users BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION refuse_users()",
        )
        await sql.end()
      }
      const response = await signup.request('/-/user/org.couchdb.user:newbie', { method: 'PUT', json: { name: 'newbie', password: 'newbie-password-1' } })
      expect(response.status).toBe(500)
      expect(await response.json()).toEqual({ error: 'internal server error', code: 'INTERNAL_ERROR', message: 'internal server error', status: 500 })
      const logged = lines.join('\n')
      expect(logged).toContain('storage refused the write')
      expect(logged).not.toContain('$argon2id$')
      expect(logged).not.toContain('newbie-password-1')
    } finally {
      await signup.close()
    }
  })

  test("drizzle's failed-query messages lose their bound parameters before logging", () => {
    // The shape of drizzle-orm's DrizzleQueryError message (drivers that wrap errors, e.g. PostgreSQL).
    const error = new Error('Failed query: insert into "users" ("id", "password_hash") values ($1, $2)\nparams: 1f0c,$argon2id$v=19$m=65536,t=2,p=1$c2FsdA$aGFzaA', {
      cause: new Error('deadlock detected'),
    })
    const described = describeUnexpected(error)
    expect(described).toContain('Failed query: insert into "users"')
    expect(described).toContain('params: [redacted]')
    expect(described).toContain('caused by: deadlock detected')
    expect(described).not.toContain('argon2id')
  })
})
