// Resolves the caller from `Authorization: Bearer <token>` lazily: routes that never ask (open
// packument reads) pay nothing, and a stale token only matters where a route needs a caller.
import { Elysia } from 'elysia'
import type { AppContext } from '../context.ts'
import type { Permission } from '../db/schema.ts'
import { UnauthorizedError } from '../errors/index.ts'
import { SESSION_COOKIE } from '../sessions/service.ts'
import { clientAddress } from './network.ts'
import { ANONYMOUS, authorize, type AuthResult } from './policy.ts'

type AuthDeps = Pick<AppContext, 'tokens' | 'authLimiter' | 'config' | 'sessions'>

function bearerToken(header: string | null): string | null | undefined {
  if (header === null) return undefined
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header)
  return match ? (match[1] ?? null) : null
}

/**
 * The caller behind `header`. A refused token is counted against the client address; an address
 * past its failure limit gets 429 before its token is even looked at.
 */
export async function resolveAuth(deps: AuthDeps, header: string | null, address: string | null): Promise<AuthResult> {
  const token = bearerToken(header)
  if (token === undefined) return ANONYMOUS
  if (token === null) {
    return { identity: null, error: new UnauthorizedError('UNSUPPORTED_AUTH', 'send the token as "Authorization: Bearer <token>"') }
  }
  await deps.authLimiter.assertAllowed(address)
  try {
    return { identity: await deps.tokens.authenticate(token, address) }
  } catch (error) {
    if (!(error instanceof UnauthorizedError)) throw error
    await deps.authLimiter.recordFailure(address)
    return { identity: null, error }
  }
}

/** The address the request came from (see TRUST_PROXY). */
export function requestAddress(deps: Pick<AppContext, 'config'>, request: Request, server: { requestIP(request: Request): { address: string } | null } | null): string | null {
  return clientAddress(request, server?.requestIP(request)?.address, deps.config.trustProxyHops)
}

/** The `packr_session` cookie's value, read from the header only when a route asks for it. */
function sessionCookieValue(header: string | null): string | undefined {
  const match = header ? new RegExp(`(?:^|;\\s*)${SESSION_COOKIE}=([^;]*)`).exec(header) : null
  if (!match?.[1]) return undefined
  try {
    return decodeURIComponent(match[1])
  } catch {
    return undefined
  }
}

export const authPlugin = (deps: AuthDeps) =>
  new Elysia({ name: 'packr/auth' })
    .derive({ as: 'global' }, ({ request, server }) => {
      let pending: Promise<AuthResult> | undefined
      let pendingCaller: Promise<AuthResult> | undefined
      // Resolving the peer address is about a third of a cached packument read's CPU, so it waits until asked.
      let address: string | null | undefined
      const clientAddress = () => (address === undefined ? (address = requestAddress(deps, request, server)) : address)
      const auth = () => (pending ??= resolveAuth(deps, request.headers.get('authorization'), clientAddress()))
      /** Dashboard and API routes: the bearer token, or the session cookie when no Authorization header is sent. */
      const caller = () =>
        (pendingCaller ??= request.headers.has('authorization')
          ? auth()
          : deps.sessions.resolve(sessionCookieValue(request.headers.get('cookie'))).then((identity) => (identity ? { identity } : ANONYMOUS)))
      return {
        /** The client's address (see TRUST_PROXY), resolved on first call. */
        clientAddress,
        auth,
        caller,
        /** The caller, who must hold the admin permission. */
        admin: async () => authorize(await caller(), 'admin'),
      }
    })
    .macro({
      /** Route-level guard: `{ permission: 'publish' }` rejects callers without it before the handler runs. */
      permission: (permission: Permission) => ({
        async beforeHandle({ auth }) {
          authorize(await auth(), permission)
        },
      }),
    })
