// Every route the app registers × every kind of caller. The route list is read from the Elysia app,
// so a route added without a row here fails the first test; each row states, per caller, the status
// the one permission check must produce.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createApp } from '../../registry/src/app.ts'
import type { Permission } from '../../registry/src/db/schema.ts'
import { foreignKeyToken, unsignedToken } from '../helpers/auth.ts'
import { packTarball, publishDocument } from '../helpers/packages.ts'
import { ADMIN, startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const VARIANTS = [
  'anonymous',
  'ci-readonly',
  'ci-publish',
  'maintainer',
  'admin',
  'login',
  'scoped',
  'scoped-other',
  'package-listed',
  'read-only',
  'expired',
  'revoked',
  'foreign-key',
  'alg-none',
] as const
type Variant = (typeof VARIANTS)[number]

const INVALID: ReadonlySet<Variant> = new Set(['anonymous', 'expired', 'revoked', 'foreign-key', 'alg-none'])
const PERMISSIONS: Record<Exclude<Variant, 'anonymous' | 'expired' | 'revoked' | 'foreign-key' | 'alg-none'>, Permission[]> = {
  'ci-readonly': ['read'],
  'ci-publish': ['read', 'publish'],
  maintainer: ['read', 'publish', 'unpublish'],
  admin: ['read', 'publish', 'unpublish', 'admin'],
  // A login token of `dev`, a user who maintains none of the test packages.
  login: ['read', 'publish', 'unpublish'],
  scoped: ['read', 'publish'],
  'scoped-other': ['read', 'publish', 'unpublish'],
  'package-listed': ['read', 'publish', 'unpublish'],
  'read-only': ['read'],
}
const PLAIN = 'matrix-plain'
const SCOPED = '@acme/matrix'

function inReach(variant: Variant, name: string): boolean {
  if (variant === 'scoped') return name.startsWith('@acme/')
  if (variant === 'scoped-other') return name.startsWith('@other/')
  if (variant === 'package-listed') return name === PLAIN
  return true
}

type Expect = (variant: Variant) => number

/** Routes that never consult the caller. */
const open = (status: number): Expect => () => status
/** Any valid caller. */
const authenticated = (status: number): Expect => (variant) => (INVALID.has(variant) ? 401 : status)
/** Needs `permission` on `name`; `ok` is what an allowed caller gets (the service's own checks decide). */
const needs =
  (permission: Permission, name: string, ok: number | ((variant: Variant) => number)): Expect =>
  (variant) => {
    if (INVALID.has(variant)) return 401
    const granted = PERMISSIONS[variant as keyof typeof PERMISSIONS]
    if (!granted.includes(permission) || !inReach(variant, name)) return 403
    return typeof ok === 'number' ? ok : ok(variant)
  }
/** Admin API: admin tokens only. */
const adminOnly = (status: number): Expect => (variant) => (INVALID.has(variant) ? 401 : variant === 'admin' ? status : 403)
/** Token management: login sessions and admin tokens only. */
const tokenManagers = (status: number): Expect => (variant) => (INVALID.has(variant) ? 401 : variant === 'admin' || variant === 'login' ? status : 403)
/**
 * Agent reads: open to anonymous callers like npm reads, 401 for a refused token, and a package
 * outside a restricted token's reach answers 404 exactly like a missing one.
 */
const agentRead =
  (name: string | null, ok = 200): Expect =>
  (variant) => {
    if (variant === 'anonymous') return ok
    if (INVALID.has(variant)) return 401
    return name === null || inReach(variant, name) ? ok : 404
  }
/** Maintainer checks inside the services: `dev` (login) maintains nothing. */
const maintainerOnly = (status: number) => (variant: Variant) => (variant === 'login' ? 403 : status)

interface Row {
  url: string
  body?: unknown
  headers?: Record<string, string>
  expect: Expect
}

let registry: TestRegistry
let tokens: Record<Variant, string | undefined>
let plainDoc: unknown
let scopedDoc: unknown
let uploads: { plain: Uint8Array; scoped: Uint8Array }

const ROWS: Record<string, () => Row> = {
  'GET /openapi.json': () => ({ url: '/openapi.json', expect: open(200) }),
  'GET /health': () => ({ url: '/health', expect: open(200) }),
  'GET /-/ping': () => ({ url: '/-/ping', expect: open(200) }),
  'POST /-/npm/v1/security/advisories/bulk': () => ({ url: '/-/npm/v1/security/advisories/bulk', body: {}, expect: open(200) }),
  'POST /-/v1/login': () => ({ url: '/-/v1/login', body: { name: ADMIN.username, password: 'wrong-password' }, expect: open(401) }),
  'GET /-/v1/login/done/:secret': () => ({ url: '/-/v1/login/done/not-a-login', expect: open(404) }),
  'PUT /-/user/:couchId': () => ({ url: '/-/user/org.couchdb.user:admin', body: { name: 'admin', password: 'wrong-password' }, expect: open(401) }),
  'GET /-/user/:couchId': () => ({ url: '/-/user/org.couchdb.user:admin', expect: open(200) }),
  'DELETE /-/user/token/:token': () => ({ url: '/-/user/token/not-a-token', expect: open(200) }),
  'GET /-/whoami': () => ({ url: '/-/whoami', expect: authenticated(200) }),
  'GET /-/npm/v1/tokens': () => ({ url: '/-/npm/v1/tokens', expect: tokenManagers(200) }),
  'POST /-/npm/v1/tokens': () => ({ url: '/-/npm/v1/tokens', body: { password: ADMIN.password, name: 'matrix', expires: 1 }, expect: tokenManagers(200) }),
  'DELETE /-/npm/v1/tokens/token/:key': () => ({ url: '/-/npm/v1/tokens/token/0123456789abcdef', expect: tokenManagers(404) }),
  'POST /api/v1/tokens': () => ({ url: '/api/v1/tokens', body: { name: 'matrix', role: 'ci-readonly', expiresInDays: 1 }, expect: tokenManagers(201) }),
  'GET /api/v1/tokens': () => ({ url: '/api/v1/tokens', expect: tokenManagers(200) }),
  'DELETE /api/v1/tokens/:id': () => ({ url: '/api/v1/tokens/no-such-token', expect: tokenManagers(404) }),
  'POST /-/v1/device/authorize': () => ({ url: '/-/v1/device/authorize', body: {}, expect: open(200) }),
  'POST /-/v1/device/token': () => ({ url: '/-/v1/device/token', body: { device_code: 'not-a-device-code' }, expect: open(400) }),
  'GET /cli/auth': () => ({ url: '/cli/auth', expect: open(200) }),
  'POST /cli/auth/login': () => ({ url: '/cli/auth/login', body: { csrf: 'x', code: 'BCDF-GHJK', username: 'admin', password: 'x' }, expect: open(403) }),
  'POST /cli/auth/decision': () => ({ url: '/cli/auth/decision', body: { csrf: 'x', code: 'BCDF-GHJK', decision: 'approve' }, expect: open(403) }),
  'POST /cli/auth/logout': () => ({ url: '/cli/auth/logout', body: { csrf: 'x' }, expect: open(403) }),
  'GET /cli/auth/signin/:provider': () => ({ url: '/cli/auth/signin/github?code=BCDF-GHJK', expect: open(404) }),
  'GET /cli/auth/callback/:provider': () => ({ url: '/cli/auth/callback/github?code=x&state=y', expect: open(403) }),
  'POST /api/v1/admin/sessions': () => ({ url: '/api/v1/admin/sessions', body: { username: 'admin', password: 'wrong-password' }, expect: open(401) }),
  'DELETE /api/v1/admin/sessions': () => ({ url: '/api/v1/admin/sessions', expect: open(204) }),
  'POST /api/v1/admin/tokens': () => ({ url: '/api/v1/admin/tokens', body: { name: 'matrix', role: 'ci-readonly', expiresInDays: 1 }, expect: adminOnly(201) }),
  'GET /api/v1/admin/tokens': () => ({ url: '/api/v1/admin/tokens', expect: adminOnly(200) }),
  'DELETE /api/v1/admin/tokens/:id': () => ({ url: '/api/v1/admin/tokens/no-such-token', expect: adminOnly(404) }),
  'POST /api/v1/admin/tokens/:id/rotate': () => ({ url: '/api/v1/admin/tokens/no-such-token/rotate', expect: adminOnly(404) }),
  'GET /api/v1/admin/users': () => ({ url: '/api/v1/admin/users', expect: adminOnly(200) }),
  'DELETE /api/v1/admin/users/:username': () => ({ url: '/api/v1/admin/users/no-such-user', expect: adminOnly(404) }),
  'POST /api/v1/admin/signing-keys/rotate': () => ({ url: '/api/v1/admin/signing-keys/rotate', expect: adminOnly(201) }),
  // Dashboard pages read the packr_session cookie only; bearer tokens play no part (so every caller
  // here is anonymous to them), and forms without a valid CSRF token are refused before anything else.
  'GET /': () => ({ url: '/', expect: open(200) }),
  'GET /-/web/sign-in': () => ({ url: '/-/web/sign-in', expect: open(200) }),
  'POST /-/web/sign-in': () => ({ url: '/-/web/sign-in', body: { csrf: 'x', username: 'admin', password: ADMIN.password }, expect: open(403) }),
  'GET /-/web/sign-in/:provider': () => ({ url: '/-/web/sign-in/github', expect: open(400) }),
  'POST /-/web/sign-out': () => ({ url: '/-/web/sign-out', body: { csrf: 'x' }, expect: open(403) }),
  'GET /-/web/packages': () => ({ url: '/-/web/packages?q=matrix', expect: open(200) }),
  'GET /-/web/packages/*': () => ({ url: `/-/web/packages/${SCOPED}`, expect: open(200) }),
  'GET /-/web/compare': () => ({ url: `/-/web/compare?packages=${PLAIN},${SCOPED}`, expect: open(200) }),
  'GET /-/web/tokens': () => ({ url: '/-/web/tokens', expect: open(401) }),
  'POST /-/web/tokens': () => ({ url: '/-/web/tokens', body: { csrf: 'x', name: 'matrix', role: 'ci-readonly' }, expect: open(403) }),
  'POST /-/web/tokens/:id/revoke': () => ({ url: '/-/web/tokens/no-such-token/revoke', body: { csrf: 'x' }, expect: open(403) }),
  'POST /-/web/tokens/:id/rotate': () => ({ url: '/-/web/tokens/no-such-token/rotate', body: { csrf: 'x' }, expect: open(403) }),
  'GET /-/web/usage': () => ({ url: '/-/web/usage', expect: open(401) }),
  'GET /-/web/usage/csv': () => ({ url: '/-/web/usage/csv', expect: open(401) }),
  'GET /-/web/orgs': () => ({ url: '/-/web/orgs', expect: open(401) }),
  'GET /-/web/orgs/:slug': () => ({ url: '/-/web/orgs/acme', expect: open(401) }),
  'POST /-/web/orgs/:slug/members': () => ({ url: '/-/web/orgs/acme/members', body: { csrf: 'x', username: 'dev', role: 'admin' }, expect: open(403) }),
  'POST /-/web/orgs/:slug/members/remove': () => ({ url: '/-/web/orgs/acme/members/remove', body: { csrf: 'x', username: 'dev' }, expect: open(403) }),
  'GET /-/web/orgs/:slug/entitlements': () => ({ url: '/-/web/orgs/acme/entitlements', expect: open(401) }),
  'POST /-/web/orgs/:slug/entitlements/:change': () => ({ url: '/-/web/orgs/acme/entitlements/grant', body: { csrf: 'x', user: 'dev', package: SCOPED }, expect: open(403) }),
  'GET /-/web/webhooks': () => ({ url: '/-/web/webhooks', expect: open(401) }),
  'POST /-/web/webhooks': () => ({ url: '/-/web/webhooks', body: { csrf: 'x', url: 'http://127.0.0.1:9/hook' }, expect: open(403) }),
  'GET /-/web/webhooks/:id': () => ({ url: '/-/web/webhooks/no-such-hook', expect: open(401) }),
  'POST /-/web/webhooks/:id/delete': () => ({ url: '/-/web/webhooks/no-such-hook/delete', body: { csrf: 'x' }, expect: open(403) }),
  'POST /-/web/webhooks/:id/deliveries/:deliveryId/redeliver': () => ({ url: '/-/web/webhooks/no-such-hook/deliveries/x/redeliver', body: { csrf: 'x' }, expect: open(403) }),
  'GET /-/web/audit': () => ({ url: '/-/web/audit', expect: open(401) }),
  'GET /-/web/assets/:file': () => ({ url: '/-/web/assets/dashboard.js', expect: open(200) }),
  'GET /-/web/*': () => ({ url: '/-/web/no-such-page', expect: open(404) }),
  'GET /-/npm/v1/keys': () => ({ url: '/-/npm/v1/keys', expect: open(200) }),
  'GET /-/npm/v1/attestations/:spec': () => ({ url: `/-/npm/v1/attestations/${PLAIN}@1.0.0`, expect: open(404) }),
  'GET /-/npm/v1/attestations/:spec/:rest': () => ({ url: `/-/npm/v1/attestations/${SCOPED}@1.0.0`, expect: open(404) }),
  'GET /-/v1/search': () => ({ url: '/-/v1/search?text=matrix', expect: open(200) }),
  'GET /-/package/:name/dist-tags': () => ({ url: `/-/package/${PLAIN}/dist-tags`, expect: open(200) }),
  'GET /-/package/:name/:sub/dist-tags': () => ({ url: `/-/package/${SCOPED}/dist-tags`, expect: open(200) }),
  'PUT /-/package/:name/dist-tags/:tag': () => ({ url: `/-/package/${PLAIN}/dist-tags/beta`, body: '1.0.0', expect: needs('publish', PLAIN, maintainerOnly(200)) }),
  'PUT /-/package/:name/:sub/dist-tags/:tag': () => ({ url: `/-/package/${SCOPED}/dist-tags/beta`, body: '1.0.0', expect: needs('publish', SCOPED, maintainerOnly(200)) }),
  'DELETE /-/package/:name/dist-tags/:tag': () => ({ url: `/-/package/${PLAIN}/dist-tags/absent`, expect: needs('publish', PLAIN, maintainerOnly(404)) }),
  'DELETE /-/package/:name/:sub/dist-tags/:tag': () => ({ url: `/-/package/${SCOPED}/dist-tags/absent`, expect: needs('publish', SCOPED, maintainerOnly(404)) }),
  'PUT /:name': () => ({ url: `/${PLAIN}`, body: plainDoc, expect: needs('publish', PLAIN, maintainerOnly(200)) }),
  'PUT /:name/:sub': () => ({ url: `/${SCOPED}`, body: scopedDoc, expect: needs('publish', SCOPED, maintainerOnly(200)) }),
  'PUT /:name/-rev/:rev': () => ({ url: `/${PLAIN}/-rev/0-stale`, body: {}, expect: needs('read', PLAIN, 409) }),
  'PUT /:name/:sub/-rev/:rev': () => ({ url: `/${SCOPED}/-rev/0-stale`, body: {}, expect: needs('read', SCOPED, 409) }),
  'DELETE /:name/-rev/:rev': () => ({ url: `/${PLAIN}/-rev/0-stale`, expect: needs('unpublish', PLAIN, 409) }),
  'DELETE /:name/:sub/-rev/:rev': () => ({ url: `/${SCOPED}/-rev/0-stale`, expect: needs('unpublish', SCOPED, 409) }),
  'DELETE /:name/-/:file/-rev/:rev': () => ({ url: `/${PLAIN}/-/${PLAIN}-9.9.9.tgz/-rev/1-x`, expect: needs('unpublish', PLAIN, 404) }),
  'DELETE /:name/:sub/-/:file/-rev/:rev': () => ({ url: `/${SCOPED}/-/matrix-9.9.9.tgz/-rev/1-x`, expect: needs('unpublish', SCOPED, 404) }),
  'GET /api/v1/admin/orgs': () => ({ url: '/api/v1/admin/orgs', expect: adminOnly(200) }),
  // Personal callers get as far as the slug check; CI and role tokens are refused before it.
  'POST /api/v1/admin/orgs': () => ({ url: '/api/v1/admin/orgs', body: { slug: 'Not A Slug!' }, expect: tokenManagers(400) }),
  'PATCH /api/v1/admin/orgs/:slug': () => ({ url: '/api/v1/admin/orgs/no-such-org', body: { displayName: 'x' }, expect: authenticated(404) }),
  'GET /api/v1/admin/orgs/:slug/members': () => ({ url: '/api/v1/admin/orgs/no-such-org/members', expect: authenticated(404) }),
  'POST /api/v1/admin/orgs/:slug/members': () => ({ url: '/api/v1/admin/orgs/no-such-org/members', body: { username: 'dev', role: 'reader' }, expect: authenticated(404) }),
  'DELETE /api/v1/admin/orgs/:slug/members': () => ({ url: '/api/v1/admin/orgs/no-such-org/members', body: { username: 'dev' }, expect: authenticated(404) }),
  'GET /api/v1/admin/users/me/orgs': () => ({ url: '/api/v1/admin/users/me/orgs', expect: authenticated(200) }),
  'GET /api/v1/orgs/:slug/packages': () => ({ url: '/api/v1/orgs/no-such-org/packages', expect: open(404) }),
  'GET /api/v1/users/:username/profile': () => ({ url: '/api/v1/users/admin/profile', expect: open(200) }),
  'PUT /-/org/:org/user': () => ({ url: '/-/org/no-such-org/user', body: { user: 'dev', role: 'developer' }, expect: authenticated(404) }),
  'DELETE /-/org/:org/user': () => ({ url: '/-/org/no-such-org/user', body: { user: 'dev' }, expect: authenticated(404) }),
  'GET /-/org/:org/user': () => ({ url: '/-/org/no-such-org/user', expect: authenticated(404) }),
  'PUT /-/org/:org/team': () => ({ url: '/-/org/no-such-org/team', body: { name: 'devs' }, expect: authenticated(404) }),
  'GET /-/org/:org/team': () => ({ url: '/-/org/no-such-org/team', expect: authenticated(404) }),
  'DELETE /-/team/:org/:team': () => ({ url: '/-/team/no-such-org/devs', expect: authenticated(404) }),
  'PUT /-/team/:org/:team/user': () => ({ url: '/-/team/no-such-org/devs/user', body: { user: 'dev' }, expect: authenticated(404) }),
  'DELETE /-/team/:org/:team/user': () => ({ url: '/-/team/no-such-org/devs/user', body: { user: 'dev' }, expect: authenticated(404) }),
  'GET /-/team/:org/:team/user': () => ({ url: '/-/team/no-such-org/devs/user', expect: authenticated(404) }),
  'POST /api/entitlements/grant': () => ({ url: '/api/entitlements/grant', body: { user: 'dev', package: 'no-such-package' }, expect: authenticated(404) }),
  'DELETE /api/entitlements/revoke': () => ({ url: '/api/entitlements/revoke', body: { user: 'dev', package: 'no-such-package' }, expect: authenticated(404) }),
  'GET /api/packages/my-entitlements': () => ({ url: '/api/packages/my-entitlements', expect: authenticated(200) }),
  'GET /-/package/:name/visibility': () => ({ url: `/-/package/${PLAIN}/visibility`, expect: open(200) }),
  'GET /-/package/:name/:sub/visibility': () => ({ url: `/-/package/${SCOPED}/visibility`, expect: open(200) }),
  'POST /-/package/:name/access': () => ({ url: `/-/package/${PLAIN}/access`, body: { access: 'public' }, expect: needs('publish', PLAIN, maintainerOnly(200)) }),
  'POST /-/package/:name/:sub/access': () => ({ url: `/-/package/${SCOPED}/access`, body: { access: 'public' }, expect: needs('publish', SCOPED, maintainerOnly(200)) }),
  'GET /-/package/:name/collaborators': () => ({ url: `/-/package/${PLAIN}/collaborators`, expect: open(200) }),
  'GET /-/package/:name/:sub/collaborators': () => ({ url: `/-/package/${SCOPED}/collaborators`, expect: open(200) }),
  'GET /-/org/:org/package': () => ({ url: '/-/org/no-such-org/package', expect: authenticated(404) }),
  'GET /-/user/:couchId/package': () => ({ url: '/-/user/admin/package', expect: authenticated(200) }),
  'GET /-/team/:org/:team/package': () => ({ url: '/-/team/no-such-org/devs/package', expect: authenticated(404) }),
  'PUT /-/team/:org/:team/package': () => ({ url: '/-/team/no-such-org/devs/package', body: { package: PLAIN, permissions: 'read-only' }, expect: authenticated(404) }),
  'DELETE /-/team/:org/:team/package': () => ({ url: '/-/team/no-such-org/devs/package', body: { package: PLAIN }, expect: authenticated(404) }),
  'GET /api/v1/admin/audit': () => ({ url: '/api/v1/admin/audit', expect: adminOnly(200) }),
  'GET /api/v1/admin/usage': () => ({ url: '/api/v1/admin/usage', expect: adminOnly(200) }),
  // Loopback receivers are refused without WEBHOOK_ALLOWED_HOSTS.
  'POST /api/v1/admin/webhooks': () => ({ url: '/api/v1/admin/webhooks', body: { url: 'http://127.0.0.1:9/hook' }, expect: tokenManagers(400) }),
  'GET /api/v1/admin/webhooks': () => ({ url: '/api/v1/admin/webhooks', expect: tokenManagers(200) }),
  'GET /api/v1/admin/webhooks/:id': () => ({ url: '/api/v1/admin/webhooks/no-such-hook', expect: tokenManagers(404) }),
  'PATCH /api/v1/admin/webhooks/:id': () => ({ url: '/api/v1/admin/webhooks/no-such-hook', body: { active: false }, expect: tokenManagers(404) }),
  'DELETE /api/v1/admin/webhooks/:id': () => ({ url: '/api/v1/admin/webhooks/no-such-hook', expect: tokenManagers(404) }),
  'GET /api/v1/admin/webhooks/:id/deliveries': () => ({ url: '/api/v1/admin/webhooks/no-such-hook/deliveries', expect: tokenManagers(404) }),
  'POST /api/v1/admin/webhooks/:id/deliveries/:deliveryId/redeliver': () => ({ url: '/api/v1/admin/webhooks/no-such-hook/deliveries/x/redeliver', expect: tokenManagers(404) }),
  // Verified by Stripe's signature, never by a token: no signature, 400.
  'POST /api/billing/webhook': () => ({ url: '/api/billing/webhook', body: {}, expect: open(400) }),
  'PUT /api/v1/admin/users/:username/plan': () => ({ url: '/api/v1/admin/users/no-such-user/plan', body: { plan: 'team' }, expect: adminOnly(404) }),
  'GET /api/v1/admin/users/me/plan': () => ({ url: '/api/v1/admin/users/me/plan', expect: authenticated(200) }),
  'GET /agent/search': () => ({ url: '/agent/search?q=matrix', expect: agentRead(null) }),
  'GET /agent/compare': () => ({ url: '/agent/compare?packages=matrix-nope-a,matrix-nope-b', expect: agentRead(null, 404) }),
  'GET /agent/:name': () => ({ url: `/agent/${PLAIN}`, expect: agentRead(PLAIN) }),
  'GET /agent/:name/:sub': () => ({ url: `/agent/${SCOPED}`, expect: agentRead(SCOPED) }),
  'GET /agent/:name/deps': () => ({ url: `/agent/${PLAIN}/deps`, expect: agentRead(PLAIN) }),
  'GET /agent/:name/:sub/deps': () => ({ url: `/agent/${SCOPED}/deps`, expect: agentRead(SCOPED) }),
  'GET /agent/:name/recommendations': () => ({ url: `/agent/${PLAIN}/recommendations`, expect: agentRead(PLAIN) }),
  'GET /agent/:name/:sub/recommendations': () => ({ url: `/agent/${SCOPED}/recommendations`, expect: agentRead(SCOPED) }),
  'GET /agent/:name/docs': () => ({ url: `/agent/${PLAIN}/docs`, expect: agentRead(PLAIN) }),
  'GET /agent/:name/:sub/docs': () => ({ url: `/agent/${SCOPED}/docs`, expect: agentRead(SCOPED) }),
  'POST /mcp': () => ({
    url: '/mcp',
    body: { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'matrix', version: '0' } } },
    headers: { accept: 'application/json, text/event-stream' },
    expect: agentRead(null),
  }),
  'GET /mcp': () => ({ url: '/mcp', expect: open(405) }),
  'DELETE /mcp': () => ({ url: '/mcp', expect: open(405) }),
  'GET /api/packages': () => ({ url: '/api/packages?scope=@acme', expect: open(200) }),
  'POST /api/packages': () => ({ url: '/api/packages', body: { name: 'matrix-created', description: 'reserved' }, expect: adminOnly(201) }),
  'GET /api/packages/:name': () => ({ url: `/api/packages/${PLAIN}`, expect: open(200) }),
  'GET /api/packages/:name/:sub': () => ({ url: `/api/packages/${SCOPED}`, expect: open(200) }),
  'GET /api/packages/:name/download': () => ({ url: `/api/packages/${PLAIN}/download`, expect: authenticated(200) }),
  'GET /api/packages/:name/:sub/download': () => ({ url: `/api/packages/${SCOPED}/download?version=1.0.0`, expect: authenticated(200) }),
  'PUT /api/packages/:name': () => ({ url: `/api/packages/${PLAIN}`, body: { description: 'edited' }, expect: adminOnly(200) }),
  'PUT /api/packages/:name/:sub': () => ({ url: `/api/packages/${SCOPED}`, body: { keywords: ['edited'] }, expect: adminOnly(200) }),
  'DELETE /api/packages/:name': () => ({ url: '/api/packages/no-such-package', expect: adminOnly(404) }),
  'DELETE /api/packages/:name/:sub': () => ({ url: '/api/packages/@acme/no-such-package', expect: adminOnly(404) }),
  'POST /api/packages/:name/versions': () => ({ url: '/api/packages/matrix-upload/versions', body: tarballForm(uploads.plain), expect: adminOnly(201) }),
  'POST /api/packages/:name/:sub/versions': () => ({ url: '/api/packages/@acme/matrix-upload/versions', body: tarballForm(uploads.scoped), expect: adminOnly(201) }),
  'GET /-/search/:scope': () => ({ url: '/-/search/@acme?q=matrix', expect: open(200) }),
  'GET /:name': () => ({ url: `/${PLAIN}`, expect: open(200) }),
  'GET /:name/:sub': () => ({ url: `/${SCOPED}`, expect: open(200) }),
  'GET /:name/:sub/:spec': () => ({ url: `/${SCOPED}/1.0.0`, expect: open(200) }),
  'GET /:name/-/:file': () => ({ url: `/${PLAIN}/-/${PLAIN}-1.0.0.tgz`, expect: open(200) }),
  'GET /:name/:sub/-/:file': () => ({ url: `/${SCOPED}/-/matrix-1.0.0.tgz`, expect: open(200) }),
}

/** A multipart upload of `tarball` as the package API takes it. */
function tarballForm(tarball: Uint8Array): FormData {
  const form = new FormData()
  form.set('tarball', new File([tarball], 'package.tgz'))
  return form
}

const routeKey = (method: string, path: string) => `${method} ${path.length > 1 ? path.replace(/\/$/, '') : path}`

beforeAll(async () => {
  registry = await startTestRegistry({ AUTH_FAILURES_PER_ADDRESS: '100000', AUTH_FAILURES_PER_USER: '100000', STRIPE_WEBHOOK_SECRET: 'whsec_route_matrix_secret' })
  const { ctx } = registry
  const admin = (await ctx.users.findByUsername(ADMIN.username))!
  const dev = await ctx.users.create({ username: 'dev', password: ADMIN.password })
  const issue = async (options: Omit<Parameters<typeof ctx.tokens.issue>[0], 'user' | 'name' | 'expiresInDays'>, days: number | null = 1, user = admin) =>
    (await ctx.tokens.issue({ user, name: 'matrix', expiresInDays: days, ...options })).token
  const expired = await issue({ role: 'maintainer' }, 1 / (24 * 3600))
  const revoked = await ctx.tokens.issue({ user: admin, name: 'matrix', role: 'admin', expiresInDays: 1 })
  await ctx.tokens.revoke(revoked.record.id)
  const genuine = await issue({ role: 'admin' })
  tokens = {
    anonymous: undefined,
    'ci-readonly': await issue({ role: 'ci-readonly' }),
    'ci-publish': await issue({ role: 'ci-publish' }),
    maintainer: await issue({ role: 'maintainer' }),
    admin: genuine,
    login: await issue({ role: 'login' }, 1, dev),
    scoped: await issue({ role: 'ci-publish', scopes: ['@acme'] }),
    'scoped-other': await issue({ role: 'maintainer', scopes: ['@other'] }),
    'package-listed': await issue({ role: 'maintainer', packages: [PLAIN] }),
    'read-only': await issue({ role: 'maintainer', readonly: true }),
    expired,
    revoked: revoked.token,
    'foreign-key': await foreignKeyToken(genuine),
    'alg-none': unsignedToken(genuine),
  }
  uploads = { plain: await packTarball({ name: 'matrix-upload', version: '1.0.0' }), scoped: await packTarball({ name: '@acme/matrix-upload', version: '1.0.0' }) }
  plainDoc = await publishDocument({ name: PLAIN, version: '1.0.0' })
  scopedDoc = await publishDocument({ name: SCOPED, version: '1.0.0' })
  for (const doc of [plainDoc, scopedDoc] as Array<{ name: string }>) {
    const response = await registry.request(`/${doc.name.replace('/', '%2f')}`, { method: 'PUT', token: registry.adminToken, json: doc })
    expect(response.status).toBe(201)
  }
  // Let the short-lived token expire.
  await Bun.sleep(1100)
})

afterAll(async () => {
  await registry.close()
})

describe('route × caller matrix', () => {
  test('every registered route has a row', () => {
    const registered = createApp(registry.ctx).routes.map((route) => routeKey(route.method, route.path))
    const missing = registered.filter((key) => !(key in ROWS))
    expect(missing).toEqual([])
    expect(Object.keys(ROWS).filter((key) => !registered.includes(key))).toEqual([])
  })

  test('each route answers each caller with the expected status', async () => {
    const mismatches: string[] = []
    for (const [key, build] of Object.entries(ROWS)) {
      const method = key.split(' ')[0] as string
      for (const variant of VARIANTS) {
        const row = build()
        const headers: Record<string, string> = { accept: 'application/json', ...row.headers }
        const form = row.body instanceof FormData ? row.body : undefined
        if (row.body !== undefined && !form) headers['content-type'] = 'application/json'
        const response = await registry.request(row.url, {
          method,
          headers,
          token: tokens[variant],
          ...(row.body !== undefined ? { body: form ?? JSON.stringify(row.body) } : {}),
          redirect: 'manual',
        })
        const expected = row.expect(variant)
        const text = await response.text()
        if (response.status !== expected) mismatches.push(`${key} as ${variant}: expected ${expected}, got ${response.status} ${text.slice(0, 160)}`)
        if (response.status === 401 && !response.headers.get('www-authenticate')) mismatches.push(`${key} as ${variant}: 401 without WWW-Authenticate`)
        if (response.status >= 400) {
          const body = JSON.parse(text) as Record<string, unknown>
          if (typeof body.error !== 'string' || typeof body.code !== 'string' || typeof body.message !== 'string' || body.status !== response.status) {
            mismatches.push(`${key} as ${variant}: error body is not {error, code, message, status}: ${text.slice(0, 160)}`)
          }
        }
      }
    }
    expect(mismatches).toEqual([])
  }, 120_000)
})
