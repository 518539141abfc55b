// Orgs, teams, restricted packages and entitlements over HTTP, on one registry: who may publish in an
// org's scope, who may read a restricted package, and that everyone else finds nothing, through every
// route the app registers.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createApp } from '../../registry/src/app.ts'
import { publishDocument } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const SECRET = '@acme/secret'
const GHOST = '@acme/ghost'
const esc = (name: string) => name.replace('/', '%2f')

let registry: TestRegistry
let tokens: Record<'alice' | 'bob' | 'carol' | 'dave', string>

const json = async (response: Response) => ({ status: response.status, body: (await response.json()) as Record<string, unknown> })

async function publish(name: string, version: string, token: string) {
  return registry.request(`/${esc(name)}`, { method: 'PUT', token, json: await publishDocument({ name, version, description: `${name} for the access tests` }) })
}

beforeAll(async () => {
  registry = await startTestRegistry({ AUTH_FAILURES_PER_ADDRESS: '100000' })
  tokens = {
    alice: await registry.createUser('alice'), // acme reader
    bob: await registry.createUser('bob'), // granted @acme/secret
    carol: await registry.createUser('carol'), // nobody to acme
    dave: await registry.createUser('dave'), // acme maintainer
  }
  const org = await registry.request('/api/v1/admin/orgs', { method: 'POST', token: registry.adminToken, json: { slug: 'acme', displayName: 'Acme', defaultAccess: 'restricted' } })
  expect(org.status).toBe(201)
  for (const [username, role] of [['alice', 'reader'], ['dave', 'maintainer']]) {
    expect((await registry.request('/api/v1/admin/orgs/acme/members', { method: 'POST', token: registry.adminToken, json: { username, role } })).status).toBe(200)
  }
  expect((await publish(SECRET, '1.0.0', registry.adminToken)).status).toBe(201)
  expect((await publish('open-pkg', '1.0.0', registry.adminToken)).status).toBe(201)
  const grant = await registry.request('/api/entitlements/grant', { method: 'POST', token: registry.adminToken, json: { user: 'bob', package: SECRET } })
  expect(grant.status).toBe(201)
  await registry.ctx.catalog.refresh(SECRET)
})

afterAll(() => registry.close())

describe('publishing in an org scope', () => {
  test('a non-member gets 403, the same for a name that exists and one that does not', async () => {
    for (const name of [SECRET, GHOST]) {
      const { status, body } = await json(await publish(name, '9.0.0', tokens.carol))
      expect(status).toBe(403)
      expect(body.code).toBe('ORG_MEMBERSHIP_REQUIRED')
      expect(String(body.error)).not.toContain(name)
    }
  })

  test('a reader cannot publish; a maintainer creates packages; an org admin creates CI tokens for the scope, others cannot', async () => {
    expect((await json(await publish('@acme/by-reader', '1.0.0', tokens.alice))).status).toBe(403)
    expect((await publish('@acme/by-dave', '1.0.0', tokens.dave)).status).toBe(201)
    // dave does not own @acme/secret: maintainers write only what they own (or a team may write).
    expect((await json(await publish(SECRET, '1.1.0', tokens.dave))).body.code).toBe('NOT_A_MAINTAINER')
    const refused = await registry.request('/api/v1/tokens', { method: 'POST', token: tokens.dave, json: { name: 'ci', role: 'ci-publish', scopes: ['@acme'] } })
    expect((await json(refused)).body.code).toBe('ORG_ADMIN_REQUIRED')
    const ci = await registry.request('/api/v1/admin/tokens', { method: 'POST', token: registry.adminToken, json: { name: 'acme ci', role: 'ci-publish', scopes: ['@acme'], username: 'carol' } })
    expect(ci.status).toBe(201)
    const ciToken = ((await ci.json()) as { token: string }).token
    // Issued for the scope: publishes there although its owner is no member.
    expect((await publish('@acme/from-ci', '1.0.0', ciToken)).status).toBe(201)
    expect((await publish(SECRET, '1.2.0', ciToken)).status).toBe(201)
  })

  test('packages first published to a restricted org scope are restricted; a publish access field does not change it', async () => {
    const visibility = await registry.request(`/-/package/${esc('@acme/by-dave')}/visibility`, { token: tokens.dave })
    expect(await visibility.json()).toEqual({ public: false })
    const response = await registry.request(`/${esc('plain-restricted-hint')}`, {
      method: 'PUT',
      token: tokens.carol,
      json: { ...(await publishDocument({ name: 'plain-restricted-hint', version: '1.0.0' })), access: 'restricted' },
    })
    expect(response.status).toBe(201)
    expect(response.headers.get('npm-notice')).toContain('npm access set status=private')
    expect((await registry.request('/plain-restricted-hint')).status).toBe(200)
  })
})

describe('reading a restricted package', () => {
  test('org members, granted users, the maintainer and admins read it; others get 404', async () => {
    for (const token of [tokens.alice, tokens.bob, registry.adminToken]) {
      const response = await registry.request(`/${esc(SECRET)}`, { token })
      expect(response.status).toBe(200)
      expect(((await response.json()) as { name: string }).name).toBe(SECRET)
      expect((await registry.request(`/${SECRET}/-/secret-1.0.0.tgz`, { token })).status).toBe(200)
    }
    for (const token of [tokens.carol, undefined]) {
      expect((await registry.request(`/${esc(SECRET)}`, { token })).status).toBe(404)
      expect((await registry.request(`/${SECRET}/-/secret-1.0.0.tgz`, { token })).status).toBe(404)
    }
  })

  test('a cached packument and its ETag are never served to someone not entitled', async () => {
    const entitled = await registry.request(`/${esc(SECRET)}`, { token: tokens.alice })
    const etag = entitled.headers.get('etag') as string
    expect((await registry.request(`/${esc(SECRET)}`, { token: tokens.alice, headers: { 'if-none-match': etag } })).status).toBe(304)
    const probe = await registry.request(`/${esc(SECRET)}`, { token: tokens.carol, headers: { 'if-none-match': etag } })
    expect(probe.status).toBe(404)
    expect(probe.headers.get('etag')).toBeNull()
  })

  test('revoking an entitlement applies to the very next request', async () => {
    await registry.request('/api/entitlements/grant', { method: 'POST', token: registry.adminToken, json: { user: 'carol', package: SECRET } })
    expect((await registry.request(`/${esc(SECRET)}`, { token: tokens.carol })).status).toBe(200)
    const mine = (await (await registry.request('/api/packages/my-entitlements', { token: tokens.carol })).json()) as { entitlements: Array<{ package: string; via: string }> }
    expect(mine.entitlements).toContainEqual({ package: SECRET, via: 'grant' })
    // carol's CI token created @acme/from-ci, so carol maintains it.
    expect(mine.entitlements).toContainEqual({ package: '@acme/from-ci', via: 'maintainer' })
    const revoke = await registry.request('/api/entitlements/revoke', { method: 'DELETE', token: registry.adminToken, json: { user: 'carol', package: SECRET } })
    expect(revoke.status).toBe(204)
    expect((await registry.request(`/${esc(SECRET)}`, { token: tokens.carol })).status).toBe(404)
    expect((await registry.request('/api/entitlements/revoke', { method: 'DELETE', token: registry.adminToken, json: { user: 'carol', package: SECRET } })).status).toBe(404)
  })

  test('only those who may write a package grant it; a stranger cannot even learn it exists', async () => {
    const byReader = await registry.request('/api/entitlements/grant', { method: 'POST', token: tokens.alice, json: { user: 'carol', package: SECRET } })
    expect(byReader.status).toBe(403)
    const byStranger = await registry.request('/api/entitlements/grant', { method: 'POST', token: tokens.carol, json: { user: 'carol', package: SECRET } })
    expect(byStranger.status).toBe(404)
  })

  test('search shows restricted packages only to those entitled', async () => {
    const names = async (token?: string) =>
      ((await (await registry.request('/-/v1/search?text=access%20tests', { token })).json()) as { objects: Array<{ package: { name: string } }>; total: number }).objects.map((hit) => hit.package.name)
    expect(await names(tokens.alice)).toContain(SECRET)
    expect(await names(tokens.carol)).not.toContain(SECRET)
    expect(await names()).toEqual(['open-pkg'])
  })

  test('removing a member from the org takes their access away at once', async () => {
    await registry.request('/api/v1/admin/orgs/acme/members', { method: 'POST', token: registry.adminToken, json: { username: 'carol', role: 'reader' } })
    expect((await registry.request(`/${esc(SECRET)}`, { token: tokens.carol })).status).toBe(200)
    expect((await registry.request('/api/v1/admin/orgs/acme/members', { method: 'DELETE', token: registry.adminToken, json: { username: 'carol' } })).status).toBe(204)
    expect((await registry.request(`/${esc(SECRET)}`, { token: tokens.carol })).status).toBe(404)
  })
})

/**
 * A request for every route the app registers, naming `name` where the route takes a package. The
 * same request for a restricted package and for a name never published must get the same answer.
 */
function probes(name: string): Record<string, { url: string; body?: unknown } | 'unrelated'> {
  const base = name.slice(name.indexOf('/') + 1)
  const doc = { versions: { '1.0.0': { deprecated: 'probe' } } }
  return {
    'GET /:name': { url: `/${esc(name)}` },
    'GET /:name/:sub': { url: `/${name}` },
    'GET /:name/:sub/:spec': { url: `/${name}/1.0.0` },
    'GET /:name/-/:file': { url: `/${esc(name)}/-/${base}-1.0.0.tgz` },
    'GET /:name/:sub/-/:file': { url: `/${name}/-/${base}-1.0.0.tgz` },
    'PUT /:name': { url: `/${esc(name)}`, body: doc },
    'PUT /:name/:sub': { url: `/${name}`, body: doc },
    'PUT /:name/-rev/:rev': { url: `/${esc(name)}/-rev/1-x`, body: { maintainers: [{ name: 'carol' }] } },
    'PUT /:name/:sub/-rev/:rev': { url: `/${name}/-rev/1-x`, body: { maintainers: [{ name: 'carol' }] } },
    'DELETE /:name/-rev/:rev': { url: `/${esc(name)}/-rev/1-x` },
    'DELETE /:name/:sub/-rev/:rev': { url: `/${name}/-rev/1-x` },
    'DELETE /:name/-/:file/-rev/:rev': { url: `/${esc(name)}/-/${base}-1.0.0.tgz/-rev/1-x` },
    'DELETE /:name/:sub/-/:file/-rev/:rev': { url: `/${name}/-/${base}-1.0.0.tgz/-rev/1-x` },
    'GET /-/package/:name/dist-tags': { url: `/-/package/${esc(name)}/dist-tags` },
    'GET /-/package/:name/:sub/dist-tags': { url: `/-/package/${name}/dist-tags` },
    'PUT /-/package/:name/dist-tags/:tag': { url: `/-/package/${esc(name)}/dist-tags/probe`, body: '1.0.0' },
    'PUT /-/package/:name/:sub/dist-tags/:tag': { url: `/-/package/${name}/dist-tags/probe`, body: '1.0.0' },
    'DELETE /-/package/:name/dist-tags/:tag': { url: `/-/package/${esc(name)}/dist-tags/probe` },
    'DELETE /-/package/:name/:sub/dist-tags/:tag': { url: `/-/package/${name}/dist-tags/probe` },
    'GET /-/npm/v1/attestations/:spec': { url: `/-/npm/v1/attestations/${esc(name)}@1.0.0` },
    'GET /-/npm/v1/attestations/:spec/:rest': { url: `/-/npm/v1/attestations/${name}@1.0.0` },
    'GET /-/package/:name/visibility': { url: `/-/package/${esc(name)}/visibility` },
    'GET /-/package/:name/:sub/visibility': { url: `/-/package/${name}/visibility` },
    'POST /-/package/:name/access': { url: `/-/package/${esc(name)}/access`, body: { access: 'public' } },
    'POST /-/package/:name/:sub/access': { url: `/-/package/${name}/access`, body: { access: 'public' } },
    'GET /-/package/:name/collaborators': { url: `/-/package/${esc(name)}/collaborators` },
    'GET /-/package/:name/:sub/collaborators': { url: `/-/package/${name}/collaborators` },
    'POST /api/entitlements/grant': { url: '/api/entitlements/grant', body: { user: 'carol', package: name } },
    'DELETE /api/entitlements/revoke': { url: '/api/entitlements/revoke', body: { user: 'carol', package: name } },
    'PUT /-/team/:org/:team/package': { url: '/-/team/acme/devs/package', body: { package: name, permissions: 'read-only' } },
    'DELETE /-/team/:org/:team/package': { url: '/-/team/acme/devs/package', body: { package: name } },
    'GET /-/team/:org/:team/package': { url: '/-/team/acme/devs/package' },
    'GET /api/v1/admin/usage': { url: `/api/v1/admin/usage?package=${encodeURIComponent(name)}` },
    'GET /-/v1/search': { url: `/-/v1/search?text=${encodeURIComponent(base)}` },
    'GET /api/v1/orgs/:slug/packages': { url: '/api/v1/orgs/acme/packages' },
    'GET /-/org/:org/package': { url: '/-/org/acme/package' },
    'GET /-/user/:couchId/package': { url: '/-/user/admin/package' },
    'GET /api/v1/users/:username/profile': { url: '/api/v1/users/admin/profile' },
    'GET /api/packages/my-entitlements': { url: '/api/packages/my-entitlements' },
    'GET /agent/:name': { url: `/agent/${esc(name)}` },
    'GET /agent/:name/:sub': { url: `/agent/${name}` },
    'GET /agent/:name/deps': { url: `/agent/${esc(name)}/deps` },
    'GET /agent/:name/:sub/deps': { url: `/agent/${name}/deps` },
    'GET /agent/:name/recommendations': { url: `/agent/${esc(name)}/recommendations` },
    'GET /agent/:name/:sub/recommendations': { url: `/agent/${name}/recommendations` },
    'GET /agent/:name/docs': { url: `/agent/${esc(name)}/docs` },
    'GET /agent/:name/:sub/docs': { url: `/agent/${name}/docs` },
    'GET /agent/search': { url: `/agent/search?q=${encodeURIComponent(base)}` },
    'GET /agent/compare': { url: `/agent/compare?packages=${encodeURIComponent(`${name},open-pkg`)}` },
    'GET /-/web/packages': { url: `/-/web/packages?q=${encodeURIComponent(base)}` },
    'GET /-/web/packages/*': { url: `/-/web/packages/${name}` },
    'GET /-/web/compare': { url: `/-/web/compare?packages=${encodeURIComponent(`${name},open-pkg`)}` },
    'POST /-/web/orgs/:slug/entitlements/:change': { url: '/-/web/orgs/acme/entitlements/grant', body: { csrf: 'x', user: 'carol', package: name } },
    'GET /api/packages': { url: `/api/packages?scope=@acme&q=${base}` },
    'POST /api/packages': { url: '/api/packages', body: { name } },
    'GET /api/packages/:name': { url: `/api/packages/${esc(name)}` },
    'GET /api/packages/:name/:sub': { url: `/api/packages/${name}` },
    'GET /api/packages/:name/download': { url: `/api/packages/${esc(name)}/download` },
    'GET /api/packages/:name/:sub/download': { url: `/api/packages/${name}/download?version=1.0.0` },
    'PUT /api/packages/:name': { url: `/api/packages/${esc(name)}`, body: { description: 'probe' } },
    'PUT /api/packages/:name/:sub': { url: `/api/packages/${name}`, body: { access: 'public' } },
    'DELETE /api/packages/:name': { url: `/api/packages/${esc(name)}` },
    'DELETE /api/packages/:name/:sub': { url: `/api/packages/${name}` },
    'POST /api/packages/:name/versions': { url: `/api/packages/${esc(name)}/versions`, body: {} },
    'POST /api/packages/:name/:sub/versions': { url: `/api/packages/${name}/versions`, body: {} },
    'GET /-/search/:scope': { url: `/-/search/@acme?q=${base}` },
  }
}

describe('a restricted package does not exist for those not entitled', () => {
  test('every route answers exactly as for a name nobody published, and no answer names it', async () => {
    const routes = createApp(registry.ctx).routes.map((route) => `${route.method} ${route.path.length > 1 ? route.path.replace(/\/$/, '') : route.path}`)
    const secret = probes(SECRET)
    const ghost = probes(GHOST)
    const differences: string[] = []
    let compared = 0
    for (const key of routes) {
      const method = key.split(' ')[0] as string
      for (const [who, token] of [['anonymous', undefined], ['carol', tokens.carol]] as const) {
        const send = (spec: { url: string; body?: unknown }) =>
          registry.request(spec.url, { method, token, ...(spec.body !== undefined ? { json: spec.body } : method === 'GET' || method === 'DELETE' ? {} : { json: {} }), redirect: 'manual' })
        const target = secret[key] ?? 'unrelated'
        if (target === 'unrelated') {
          // Routes that take no package: whatever they answer must not name it.
          const path = key.split(' ')[1]?.replace(/:[a-zA-Z]+/g, 'probe') ?? '/'
          const text = await (await send({ url: path })).text()
          if (text.includes('secret-') || text.includes(SECRET)) differences.push(`${key} as ${who} names the package: ${text.slice(0, 160)}`)
          continue
        }
        const [a, b] = await Promise.all([send(target), send(ghost[key] as { url: string; body?: unknown })])
        const [textA, textB] = [await a.text(), await b.text()]
        compared++
        // Reads of the package itself: 404, as for any unknown name.
        if (/^GET \/(:name|-\/package|-\/npm\/v1\/attestations|agent\/:name|-\/web\/packages\/\*|api\/packages\/:name(\/:sub)?$)/.test(key) && a.status !== 404) differences.push(`${key} as ${who}: ${a.status}, not 404`)
        // Search routes echo the query (the name's last part): that is the caller's own text, not a
        // leak, so both last parts are blanked in both answers (the full name is checked below).
        const blank = (text: string) => text.replaceAll('secret', '…').replaceAll('ghost', '…')
        const normalized = blank(textA.replaceAll(SECRET, GHOST).replaceAll('secret-1.0.0', 'ghost-1.0.0'))
        if (a.status !== b.status || normalized !== blank(textB)) differences.push(`${key} as ${who}: ${a.status} ${textA.slice(0, 120)} vs ${b.status} ${textB.slice(0, 120)}`)
        if (textA.includes(SECRET) && !textB.includes(GHOST)) differences.push(`${key} as ${who} names the package`)
      }
    }
    expect(differences).toEqual([])
    // Every package-taking route was compared, for both callers.
    expect(compared).toBe(2 * Object.values(secret).filter((spec) => spec !== 'unrelated').length)
  }, 60_000)
})

describe('owners in an org scope', () => {
  test('new owners must be org maintainers; the last owner cannot be removed', async () => {
    const rev = async () => ((await (await registry.request(`/${esc(SECRET)}?write=true`, { token: registry.adminToken })).json()) as { _rev: string })._rev
    const put = async (maintainers: Array<{ name: string }>) =>
      json(await registry.request(`/${esc(SECRET)}/-rev/${await rev()}`, { method: 'PUT', token: registry.adminToken, json: { maintainers } }))
    expect((await put([{ name: 'admin' }, { name: 'alice' }])).body.code).toBe('NOT_AN_ORG_MAINTAINER')
    expect((await put([{ name: 'admin' }, { name: 'dave' }])).status).toBe(200)
    expect((await publish(SECRET, '1.3.0', tokens.dave)).status).toBe(201)
    expect((await put([])).body.code).toBe('LAST_OWNER')
  })
})

describe('the audit log', () => {
  test('records changes with actor, target and address, filters and pages them, and holds no secret', async () => {
    await registry.request('/-/v1/login', { method: 'POST', json: { name: 'carol', password: 'a-wrong-password-123' } })
    const all: Array<Record<string, unknown>> = []
    let cursor: string | null = ''
    while (cursor !== null) {
      const page = (await (await registry.request(`/api/v1/admin/audit?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { token: registry.adminToken })).json()) as { events: Array<Record<string, unknown>>; next: string | null }
      all.push(...page.events)
      cursor = page.next
    }
    const actions = new Set(all.map((event) => event.action))
    for (const action of ['org.create', 'org.member.set', 'org.member.remove', 'package.publish', 'entitlement.grant', 'entitlement.revoke', 'token.create', 'login.failure', 'package.owners', 'user.create']) {
      expect(actions).toContain(action)
    }
    const publishEvent = all.find((event) => event.action === 'package.publish' && event.target === '@acme/by-dave@1.0.0')
    expect(publishEvent).toMatchObject({ actor: 'dave', clientAddress: '127.0.0.1' })
    const filtered = (await (await registry.request('/api/v1/admin/audit?action=entitlement.*&actor=admin', { token: registry.adminToken })).json()) as { events: Array<{ action: string }> }
    expect(filtered.events.length).toBeGreaterThanOrEqual(3)
    expect(filtered.events.every((event) => event.action.startsWith('entitlement.'))).toBe(true)
    const dump = JSON.stringify(all)
    for (const secret of [...Object.values(tokens), registry.adminToken, 'a-wrong-password-123', 'carol-password-1', 'eyJ']) expect(dump).not.toContain(secret)
    expect((await registry.request('/api/v1/admin/audit', { token: tokens.alice })).status).toBe(403)
  })
})
