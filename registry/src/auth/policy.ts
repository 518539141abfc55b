// The one permission check. Routes state the permission they need; once a package name is known,
// the same function also applies the token's scope and package restrictions.
import type { Permission } from '../db/schema.ts'
import { ForbiddenError, UnauthorizedError } from '../errors/index.ts'
import { scopeOf } from '../npm/names.ts'
import type { Identity } from '../tokens/service.ts'

/** What the auth plugin knows about a request: a caller, nobody, or a token that was refused. */
export type AuthResult = { identity: Identity; error?: undefined } | { identity: null; error: UnauthorizedError | null }

export const ANONYMOUS: AuthResult = { identity: null, error: null }

/** Throws 401/403 unless the caller holds `permission` (for `packageName`, when given). */
export function authorize(auth: AuthResult, permission: Permission, packageName?: string): Identity {
  if (!auth.identity) {
    throw auth.error ?? new UnauthorizedError('AUTH_REQUIRED', 'authentication required: log in (npm login) or send a token')
  }
  assertPermission(auth.identity, permission, packageName)
  return auth.identity
}

/** Throws 403 unless `identity`'s token holds `permission` (and reaches `packageName`, when given). */
export function assertPermission(identity: Identity, permission: Permission, packageName?: string): void {
  if (permission !== 'read' && identity.readonly) {
    throw new ForbiddenError('TOKEN_READ_ONLY', `this token is read-only and cannot ${permission}`)
  }
  if (!identity.permissions.has(permission)) {
    throw new ForbiddenError('PERMISSION_DENIED', `this token does not have the ${permission} permission`)
  }
  if (packageName !== undefined) assertPackageInReach(identity, packageName)
}

/**
 * Throws 403 when the token is restricted and `packageName` is neither in one of its scopes nor in its
 * package list (as npm's granular tokens: the listed scopes and packages together form the reach).
 */
export function assertPackageInReach(identity: Identity, packageName: string): void {
  if (packageInReach(identity, packageName)) return
  const reach = [...identity.scopes, ...(identity.packages ?? [])]
  throw new ForbiddenError(
    identity.packages === null ? 'SCOPE_NOT_ALLOWED' : 'PACKAGE_NOT_ALLOWED',
    `this token is limited to ${reach.length > 0 ? reach.join(', ') : 'no packages'} and cannot access ${packageName}`,
  )
}

/** True when the token's scopes and package list (if any) include `packageName`. */
export function packageInReach(identity: Pick<Identity, 'scopes' | 'packages'>, packageName: string): boolean {
  if (identity.scopes.length === 0 && identity.packages === null) return true
  const scope = scopeOf(packageName)
  if (scope !== null && identity.scopes.includes(scope)) return true
  return identity.packages?.includes(packageName) === true
}

/** CI tokens (`ci-readonly`, `ci-publish`): issued for a job, never a person's session. */
export function isCiToken(identity: Pick<Identity, 'tokenRole'>): boolean {
  return identity.tokenRole === 'ci-readonly' || identity.tokenRole === 'ci-publish'
}

/**
 * Creating, listing and revoking tokens needs a session (npm login, packr login, the dashboard) or
 * an admin token, so a leaked CI token cannot mint itself successors.
 */
export function assertCanManageTokens(identity: Identity): void {
  if (isPersonal(identity)) return
  throw new ForbiddenError('TOKEN_MANAGEMENT_DENIED', `a ${identity.tokenRole} token cannot manage tokens; log in (npm login or packr login) first`)
}

/** A person's own session (npm login, packr login, the dashboard) or an admin token: not a CI token. */
export function isPersonal(identity: Identity): boolean {
  return identity.tokenRole === 'login' || identity.tokenRole === 'session' || isAdmin(identity)
}

/** Throws 403 for tokens made for jobs: account changes (orgs, webhooks) need a person. */
export function assertPersonal(identity: Identity, action: string): void {
  if (isPersonal(identity)) return
  throw new ForbiddenError('SESSION_REQUIRED', `a ${identity.tokenRole} token cannot ${action}; log in (npm login or packr login) first`)
}

export function isAdmin(identity: Identity): boolean {
  return identity.userRole === 'admin' && identity.permissions.has('admin')
}
