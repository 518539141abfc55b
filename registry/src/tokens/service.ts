// Tokens are JWTs (HS256, `kid` in the header) backed by a row, so that revocation and expiry apply
// on the very next request. Verified tokens and their rows are cached in memory; every change to a
// row goes through this service, and `forget*` are the only places cached identities are dropped,
// here and (through the cluster) on every other instance. Token rows are always read from the
// primary: a replica could still show a revoked token as live.
import { and, count, desc, eq, isNull } from 'drizzle-orm'
import { decodeProtectedHeader, errors as joseErrors, jwtVerify, SignJWT } from 'jose'
import { SYSTEM, type Actor, type AuditLog } from '../audit/service.ts'
import { addressInRanges, normalizeCidrList, parseCidrList } from '../auth/network.ts'
import type { Cluster } from '../cluster/index.ts'
import type { Database } from '../db/index.ts'
import { tokens, users, type Permission, type TokenRow, type UserRow } from '../db/schema.ts'
import { BadRequestError, ForbiddenError, NotFoundError, UnauthorizedError } from '../errors/index.ts'
import type { EventBus, TokenEventData } from '../events/index.ts'

export type TokenRole = 'ci-readonly' | 'ci-publish' | 'maintainer' | 'admin'

export const TOKEN_ROLES = ['ci-readonly', 'ci-publish', 'maintainer', 'admin'] as const satisfies readonly TokenRole[]

export const ROLE_PERMISSIONS: Record<TokenRole, Permission[]> = {
  'ci-readonly': ['read'],
  'ci-publish': ['read', 'publish'],
  maintainer: ['read', 'publish', 'unpublish'],
  admin: ['read', 'publish', 'unpublish', 'admin'],
}

/** The most a user's tokens can do: a token never exceeds its owner's rights at the time of use. */
export function userPermissions(role: UserRow['role']): Permission[] {
  return role === 'admin' ? ROLE_PERMISSIONS.admin : ROLE_PERMISSIONS.maintainer
}

/** Who is calling, as established from a valid token. */
export interface Identity {
  userId: string
  username: string
  email: string | null
  userRole: UserRow['role']
  tokenId: string
  tokenName: string
  /** `login` for session tokens (npm login, packr login), otherwise the preset role. */
  tokenRole: string
  permissions: ReadonlySet<Permission>
  scopes: readonly string[]
  packages: readonly string[] | null
  cidr: readonly string[] | null
  readonly: boolean
}

/** The identity of `user` acting through `token` with all of the user's own rights (sessions, access checks). */
export function userIdentity(user: UserRow, token: { id: string; name: string; role: string }): Identity {
  return {
    userId: user.id,
    username: user.username,
    email: user.email,
    userRole: user.role,
    tokenId: token.id,
    tokenName: token.name,
    tokenRole: token.role,
    permissions: new Set(userPermissions(user.role)),
    scopes: [],
    packages: null,
    cidr: null,
    readonly: false,
  }
}

export interface IssueTokenOptions {
  user: UserRow
  name: string
  description?: string | null
  /** A preset role, or `login` for a session token carrying all of the user's own rights. */
  role: TokenRole | 'login'
  scopes?: string[]
  packages?: string[] | null
  cidr?: string[] | null
  readonly?: boolean
  /** Days until expiry; null for a token that does not expire. */
  expiresInDays: number | null
  /** Who creates it, for the audit log; the owner (address unknown) when not given. */
  actor?: Actor
}

export interface IssuedToken {
  token: string
  record: TokenRow
}

/** A token as listed to its owner or an admin: never the secret. */
export interface TokenSummary {
  id: string
  key: string
  userId: string
  username: string
  name: string
  description: string | null
  role: string
  permissions: Permission[]
  scopes: string[]
  packages: string[] | null
  cidr: string[] | null
  readonly: boolean
  createdAt: number
  lastUsedAt: number | null
  expiresAt: number | null
  revokedAt: number | null
}

interface CachedToken {
  identity: Identity
  expiresAt: number | null
  ranges: ReturnType<typeof parseCidrList> | null
  lastTouchedAt: number
}

interface SigningKey {
  kid: string
  secret: Uint8Array
}

const CACHE_LIMIT = 10_000
const LAST_USED_RESOLUTION_MS = 60_000
const DAY_MS = 24 * 60 * 60 * 1000
const SCOPE = /^@[a-z0-9][a-z0-9._~-]*$/
const MAX_RESTRICTIONS = 50

export function tokenKey(token: string): string {
  return new Bun.CryptoHasher('sha512').update(token).digest('hex')
}

function signingKey(secret: string): SigningKey {
  return { kid: `k${new Bun.CryptoHasher('sha256').update(secret).digest('hex').slice(0, 12)}`, secret: new TextEncoder().encode(secret) }
}

const expired = () => new UnauthorizedError('TOKEN_EXPIRED', 'token has expired; log in again or create a new token')
const invalid = () => new UnauthorizedError('INVALID_TOKEN', 'token is invalid; log in again')

/** Validates the scope and package lists of a new token (npm scopes are lower case, `@` first). */
function checkRestrictions(scopes: string[], packages: string[] | null): void {
  for (const scope of scopes) {
    if (!SCOPE.test(scope)) throw new BadRequestError('INVALID_SCOPE', `invalid scope ${JSON.stringify(scope)}: write it as @name`)
  }
  if (scopes.length + (packages?.length ?? 0) > MAX_RESTRICTIONS) {
    throw new BadRequestError('TOO_MANY_RESTRICTIONS', `a token may name at most ${MAX_RESTRICTIONS} scopes and packages together`)
  }
  for (const name of packages ?? []) {
    if (!name || name.length > 214 || /\s/.test(name)) throw new BadRequestError('INVALID_PACKAGE_NAME', `invalid package name ${JSON.stringify(name)}`)
  }
}

export class TokenService {
  private readonly current: SigningKey
  /** Current and previous keys by `kid`: tokens signed before a rotation keep working. */
  private readonly verifying = new Map<string, SigningKey>()
  /** Raw token → identity; bounded, oldest dropped first. */
  private readonly cache = new Map<string, CachedToken>()
  /** Bumped by every forget: a lookup that started before one must not cache what it read. */
  private epoch = 0

  constructor(
    private readonly db: Database,
    jwtSecret: string,
    previousSecrets: readonly string[],
    private readonly orgId: string,
    private readonly cluster: Cluster,
    private readonly events: EventBus,
    private readonly audit: AuditLog,
  ) {
    this.current = signingKey(jwtSecret)
    for (const key of [this.current, ...previousSecrets.map(signingKey)]) this.verifying.set(key.kid, key)
  }

  /** What token lists show instead of a secret: the start every token shares (its JWT header). */
  get redactedPrefix(): string {
    return Buffer.from(JSON.stringify({ alg: 'HS256', kid: this.current.kid, typ: 'JWT' })).toString('base64url').slice(0, 12)
  }

  async issue(options: IssueTokenOptions): Promise<IssuedToken> {
    const { user } = options
    const ceiling = userPermissions(user.role)
    const permissions: Permission[] = options.role === 'login' ? ceiling : ROLE_PERMISSIONS[options.role]
    if (permissions.some((permission) => !ceiling.includes(permission))) {
      throw new ForbiddenError('ROLE_NOT_ALLOWED', `${user.username} cannot create a token with the ${options.role} role`)
    }
    if (options.expiresInDays !== null && !(options.expiresInDays > 0)) {
      throw new BadRequestError('INVALID_EXPIRY', 'expiry must be a positive number of days')
    }
    const scopes = [...new Set(options.scopes ?? [])]
    const packages = options.packages ? [...new Set(options.packages)] : null
    checkRestrictions(scopes, packages)
    const cidr = options.cidr && options.cidr.length > 0 ? normalizeCidrList(options.cidr) : null
    const now = Date.now()
    const id = crypto.randomUUID()
    const expiresAt = options.expiresInDays === null ? null : now + Math.round(options.expiresInDays * DAY_MS)
    const token = await this.sign(user, id, permissions, scopes, now, expiresAt)
    const record: TokenRow = {
      id,
      userId: user.id,
      name: options.name,
      role: options.role,
      description: options.description ?? null,
      permissions,
      scopes,
      packages,
      cidr,
      readonly: options.readonly ?? false,
      key: tokenKey(token),
      createdAt: now,
      lastUsedAt: null,
      expiresAt,
      revokedAt: null,
    }
    const actor = options.actor ?? { username: user.username, address: null }
    await this.db.transaction(async (tx) => {
      await tx.insert(tokens).values(record)
      await this.audit.record(tx, actor, { action: 'token.create', target: `token:${id}`, details: tokenDetails(record, user.username) })
    })
    this.events.emit({ type: 'token.created', token: tokenEvent(record, user.username), actor: actor.username })
    return { token, record }
  }

  private sign(user: UserRow, jti: string, permissions: Permission[], scopes: string[], now: number, expiresAt: number | null): Promise<string> {
    let jwt = new SignJWT({ org_id: this.orgId, user_id: user.id, permissions, scopes })
      .setProtectedHeader({ alg: 'HS256', kid: this.current.kid, typ: 'JWT' })
      .setJti(jti)
      .setSubject(user.username)
      .setIssuedAt(Math.floor(now / 1000))
    if (expiresAt !== null) jwt = jwt.setExpirationTime(Math.floor(expiresAt / 1000))
    return jwt.sign(this.current.secret)
  }

  /**
   * The identity behind `token` for a client at `address`. Throws 401 for a bad signature, an unknown
   * key, an expired, revoked or orphaned token, and (with `WWW-Authenticate: ipaddress`) for an address
   * outside the token's allow-list. Cached: only the first use of a token reads the database.
   */
  async authenticate(token: string, address: string | null): Promise<Identity> {
    const entry = this.cache.get(token) ?? (await this.load(token))
    const now = Date.now()
    if (entry.expiresAt !== null && entry.expiresAt <= now) {
      this.cache.delete(token)
      throw expired()
    }
    if (entry.ranges !== null && !addressInRanges(address, entry.ranges)) {
      throw new UnauthorizedError('IP_NOT_ALLOWED', `this token cannot be used from ${address ?? 'an unknown address'}`, 'ipaddress')
    }
    if (now - entry.lastTouchedAt >= LAST_USED_RESOLUTION_MS) {
      entry.lastTouchedAt = now
      this.touch(entry.identity.tokenId, now)
    }
    return entry.identity
  }

  private async load(token: string): Promise<CachedToken> {
    const epoch = this.epoch
    let jti: string
    try {
      const kid = decodeProtectedHeader(token).kid
      const key = typeof kid === 'string' ? this.verifying.get(kid) : undefined
      if (!key) throw invalid()
      const { payload } = await jwtVerify(token, key.secret, { algorithms: ['HS256'] })
      if (typeof payload.jti !== 'string') throw invalid()
      jti = payload.jti
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw expired()
      throw invalid()
    }
    const [row] = await this.db.primary
      .select({ token: tokens, user: users })
      .from(tokens)
      .innerJoin(users, eq(tokens.userId, users.id))
      .where(eq(tokens.id, jti))
      .limit(1)
    if (!row || row.token.key !== tokenKey(token)) throw invalid()
    if (row.token.revokedAt !== null) throw new UnauthorizedError('TOKEN_REVOKED', 'token has been revoked')
    if (row.token.expiresAt !== null && row.token.expiresAt <= Date.now()) throw expired()
    const ceiling = userPermissions(row.user.role)
    const identity: Identity = {
      userId: row.user.id,
      username: row.user.username,
      email: row.user.email,
      userRole: row.user.role,
      tokenId: row.token.id,
      tokenName: row.token.name,
      tokenRole: row.token.role,
      permissions: new Set(row.token.permissions.filter((permission) => ceiling.includes(permission))),
      scopes: row.token.scopes,
      packages: row.token.packages,
      cidr: row.token.cidr,
      readonly: row.token.readonly,
    }
    const entry: CachedToken = {
      identity,
      expiresAt: row.token.expiresAt,
      ranges: row.token.cidr ? parseCidrList(row.token.cidr) : null,
      // Forces a last-used write on this first use unless one happened within the resolution.
      lastTouchedAt: row.token.lastUsedAt ?? 0,
    }
    if (this.epoch === epoch) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.delete(this.cache.keys().next().value as string)
      this.cache.set(token, entry)
    }
    return entry
  }

  /** Records use at most once a minute per token, off the request path. */
  private touch(id: string, now: number): void {
    this.db.transaction((tx) => tx.update(tokens).set({ lastUsedAt: now }).where(eq(tokens.id, id))).catch(() => {})
  }

  async findByKey(key: string): Promise<TokenRow | undefined> {
    const [row] = await this.db.primary.select().from(tokens).where(eq(tokens.key, key)).limit(1)
    return row
  }

  async findById(id: string): Promise<TokenRow | undefined> {
    const [row] = await this.db.primary.select().from(tokens).where(eq(tokens.id, id)).limit(1)
    return row
  }

  /** Live (unrevoked) tokens, newest first; all users' when `userId` is undefined. */
  async list(userId: string | undefined, page: { offset: number; limit: number }): Promise<{ total: number; items: TokenSummary[] }> {
    const where = userId === undefined ? isNull(tokens.revokedAt) : and(eq(tokens.userId, userId), isNull(tokens.revokedAt))
    const [rows, [totals]] = await Promise.all([
      this.db.primary
        .select({ token: tokens, username: users.username })
        .from(tokens)
        .innerJoin(users, eq(tokens.userId, users.id))
        .where(where)
        .orderBy(desc(tokens.createdAt), desc(tokens.id))
        .limit(page.limit)
        .offset(page.offset),
      this.db.primary.select({ total: count() }).from(tokens).where(where),
    ])
    return {
      total: totals?.total ?? 0,
      items: rows.map(({ token, username }) => ({ ...token, username })),
    }
  }

  /** Revokes the token with id `id`; true when a live token was revoked. */
  async revoke(id: string, actor: Actor = SYSTEM): Promise<boolean> {
    const revoked = await this.db.transaction(async (tx) => {
      const [row] = await tx
        .update(tokens)
        .set({ revokedAt: Date.now() })
        .where(and(eq(tokens.id, id), isNull(tokens.revokedAt)))
        .returning()
      if (!row) return undefined
      const [owner] = await tx.select({ username: users.username }).from(users).where(eq(users.id, row.userId))
      const username = owner?.username ?? ''
      await this.audit.record(tx, actor, { action: 'token.revoke', target: `token:${id}`, details: tokenDetails(row, username) })
      return { row, username }
    })
    this.forgetToken(id)
    if (revoked) this.events.emit({ type: 'token.revoked', token: tokenEvent(revoked.row, revoked.username), actor: actor.username })
    return revoked !== undefined
  }

  /** A new secret for the live token `id` with the same rights and expiry; the old secret dies at once. */
  async rotate(id: string, actor: Actor = SYSTEM): Promise<IssuedToken> {
    const [found] = await this.db.primary.select({ token: tokens, user: users }).from(tokens).innerJoin(users, eq(tokens.userId, users.id)).where(eq(tokens.id, id)).limit(1)
    if (!found || found.token.revokedAt !== null) throw new NotFoundError('TOKEN_NOT_FOUND', `no live token with id ${id}`)
    const { token: row, user: owner } = found
    const now = Date.now()
    if (row.expiresAt !== null && row.expiresAt <= now) throw new BadRequestError('TOKEN_EXPIRED', 'an expired token cannot be rotated; create a new one')
    const newId = crypto.randomUUID()
    const token = await this.sign(owner, newId, row.permissions, row.scopes, now, row.expiresAt)
    const record: TokenRow = { ...row, id: newId, key: tokenKey(token), createdAt: now, lastUsedAt: null }
    await this.db.transaction(async (tx) => {
      const revoked = await tx
        .update(tokens)
        .set({ revokedAt: now })
        .where(and(eq(tokens.id, id), isNull(tokens.revokedAt)))
        .returning({ id: tokens.id })
      if (revoked.length === 0) throw new NotFoundError('TOKEN_NOT_FOUND', `no live token with id ${id}`)
      await tx.insert(tokens).values(record)
      await this.audit.record(tx, actor, { action: 'token.rotate', target: `token:${id}`, details: { ...tokenDetails(record, owner.username), replacedBy: newId } })
    })
    this.forgetToken(id)
    this.events.emit({ type: 'token.revoked', token: tokenEvent(row, owner.username), actor: actor.username })
    this.events.emit({ type: 'token.created', token: tokenEvent(record, owner.username), actor: actor.username })
    return { token, record }
  }

  /**
   * Drops cached identities matching `predicate` (after a revocation, a user change or deletion).
   * Other instances cannot evaluate the predicate, so they drop all of theirs.
   */
  forget(predicate: (identity: Identity) => boolean): void {
    this.epoch++
    for (const [token, cached] of this.cache) {
      if (predicate(cached.identity)) this.cache.delete(token)
    }
    this.cluster.broadcast({ type: 'identities' })
  }

  /** Drops every cached identity of this instance (another instance changed tokens or users). */
  forgetAll(): void {
    this.epoch++
    this.cache.clear()
  }

  /** After a token was revoked or rotated (here or on another instance). */
  forgetToken(tokenId: string): void {
    this.forget((identity) => identity.tokenId === tokenId)
  }

  /** After a user was deleted or their role changed (here or on another instance). */
  forgetUser(userId: string): void {
    this.forget((identity) => identity.userId === userId)
  }
}

/** What the audit log keeps about a token: its rights, never its secret or key. */
function tokenDetails(row: TokenRow, username: string): Record<string, unknown> {
  return { name: row.name, role: row.role, username, scopes: row.scopes, packages: row.packages, readonly: row.readonly, expiresAt: row.expiresAt }
}

function tokenEvent(row: TokenRow, username: string): TokenEventData {
  return { id: row.id, name: row.name, role: row.role, username, userId: row.userId, scopes: row.scopes, expiresAt: row.expiresAt === null ? null : new Date(row.expiresAt).toISOString() }
}

/** Packr's own token-create body (`POST /api/v1/tokens`, `POST /api/v1/admin/tokens`). */
export interface RoleTokenRequest {
  name: string
  role: TokenRole
  description?: string | undefined
  scopes?: string[] | undefined
  packages?: string[] | undefined
  expiresInDays?: number | undefined
  cidr?: string[] | undefined
  readonly?: boolean | undefined
}

export function roleTokenOptions(body: RoleTokenRequest, user: UserRow, actor: Actor): IssueTokenOptions {
  return {
    user,
    actor,
    name: body.name,
    description: body.description ?? null,
    role: body.role,
    scopes: body.scopes ?? [],
    packages: body.packages ?? null,
    cidr: body.cidr ?? null,
    readonly: body.readonly ?? false,
    expiresInDays: body.expiresInDays ?? null,
  }
}

/** The npm token-create body (old or granular) as an issue request, capped by the owner's rights. */
export interface NpmTokenRequest {
  readonly?: boolean | undefined
  cidr_whitelist?: string[] | undefined
  name?: string | undefined
  description?: string | undefined
  packages?: string[] | undefined
  packages_all?: boolean | undefined
  scopes?: string[] | undefined
  packages_and_scopes_permission?: 'read-only' | 'read-write' | 'read-write-stage-only' | 'no-access' | undefined
  expires?: number | undefined
}

export function npmTokenOptions(body: NpmTokenRequest, user: UserRow, actor: Actor): IssueTokenOptions {
  const level = body.packages_and_scopes_permission ?? (body.readonly ? 'read-only' : 'read-write')
  if (level === 'no-access') throw new BadRequestError('INVALID_PERMISSION', 'a token with no-access to packages would be useless; choose read-only or read-write')
  if (level === 'read-write-stage-only') throw new BadRequestError('UNSUPPORTED_PERMISSION', 'staged publishing is not supported by this registry; use read-write or read-only')
  const everything = body.packages_all === true
  return {
    user,
    actor,
    name: body.name ?? (level === 'read-only' ? 'npm token (read-only)' : 'npm token'),
    description: body.description ?? null,
    role: level === 'read-only' ? 'ci-readonly' : 'maintainer',
    readonly: level === 'read-only',
    scopes: everything ? [] : (body.scopes ?? []).map((scope) => (scope.startsWith('@') ? scope : `@${scope}`)),
    packages: everything || !body.packages?.length ? null : body.packages,
    cidr: body.cidr_whitelist ?? null,
    expiresInDays: body.expires ?? null,
  }
}

const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString())

/** A token in `GET /-/npm/v1/tokens` (npm shows `token` as a redacted prefix and `key` prefixes as ids). */
export function npmTokenView(token: Pick<TokenSummary, 'key' | 'name' | 'createdAt' | 'lastUsedAt' | 'readonly' | 'cidr' | 'expiresAt'>, secretPrefix: string) {
  return {
    token: secretPrefix,
    key: token.key,
    name: token.name,
    created: new Date(token.createdAt).toISOString(),
    updated: new Date(token.lastUsedAt ?? token.createdAt).toISOString(),
    readonly: token.readonly,
    cidr_whitelist: token.cidr,
    expires: iso(token.expiresAt),
  }
}

export function adminTokenView(token: TokenSummary) {
  return {
    id: token.id,
    key: token.key,
    username: token.username,
    name: token.name,
    description: token.description,
    role: token.role,
    permissions: token.permissions,
    scopes: token.scopes,
    packages: token.packages,
    cidr: token.cidr,
    readonly: token.readonly,
    createdAt: new Date(token.createdAt).toISOString(),
    lastUsedAt: iso(token.lastUsedAt),
    expiresAt: iso(token.expiresAt),
  }
}
