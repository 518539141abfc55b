// Sign-in through identity providers with oauth4webapi: authorization code flow with PKCE, state and
// (for OpenID providers) nonce and ID-token validation. GitHub and GitLab are plain OAuth 2 with a user
// API; Google and generic OIDC issuers are discovered from their issuer URL. A provider account is
// linked to one Packr user; the first sign-in creates that user with the provider's default role.
import { and, eq } from 'drizzle-orm'
import * as oauth from 'oauth4webapi'
import type { ProviderConfig, ProviderId } from '../config/index.ts'
import { isUniqueViolation, type Database } from '../db/index.ts'
import { oauthAccounts, users, type UserRow } from '../db/schema.ts'
import { BadRequestError, RegistryError } from '../errors/index.ts'
import type { Logger } from '../logging/index.ts'
import type { UserService } from '../users/service.ts'

/** What the browser must bring back to the callback; kept in a signed, short-lived cookie. */
export interface PendingAuthorization {
  provider: ProviderId
  state: string
  nonce: string
  verifier: string
}

export interface ProviderProfile {
  subject: string
  /** Preferred user name at the provider (GitHub/GitLab login, OIDC preferred_username). */
  login: string | null
  email: string | null
}

const OPENID: ReadonlySet<ProviderId> = new Set(['google', 'oidc'])
const USERNAME_UNSAFE = /[^a-z0-9._-]+/gi

/** Plain http is allowed only for loopback issuers (development and tests). */
function insecureAllowed(url: string): boolean {
  const { protocol, hostname } = new URL(url)
  return protocol === 'http:' && (hostname === 'localhost' || hostname === '[::1]' || hostname.startsWith('127.'))
}

export class ProviderError extends RegistryError {
  override readonly name = 'ProviderError'
  constructor(message: string) {
    super(502, 'PROVIDER_ERROR', message)
  }
}

export class OAuthService {
  private readonly servers = new Map<ProviderId, Promise<oauth.AuthorizationServer>>()

  constructor(
    readonly providers: readonly ProviderConfig[],
    private readonly db: Database,
    private readonly users: UserService,
    private readonly log: Logger,
  ) {}

  provider(id: string): ProviderConfig {
    const provider = this.providers.find((candidate) => candidate.id === id)
    if (!provider) {
      const known = this.providers.map((candidate) => candidate.id).join(', ') || 'none'
      throw new BadRequestError('UNKNOWN_PROVIDER', `identity provider ${JSON.stringify(id)} is not configured on this registry (configured: ${known})`)
    }
    return provider
  }

  private options(url: string) {
    return insecureAllowed(url) ? { [oauth.allowInsecureRequests]: true } : {}
  }

  /** The provider's authorization server metadata: fixed endpoints for GitHub/GitLab, discovery otherwise. */
  private server(provider: ProviderConfig): Promise<oauth.AuthorizationServer> {
    let server = this.servers.get(provider.id)
    if (!server) {
      server = this.loadServer(provider)
      // A failed discovery is retried on the next sign-in rather than cached.
      server.catch(() => this.servers.delete(provider.id))
      this.servers.set(provider.id, server)
    }
    return server
  }

  private async loadServer(provider: ProviderConfig): Promise<oauth.AuthorizationServer> {
    switch (provider.id) {
      case 'github':
        return { issuer: provider.issuer, authorization_endpoint: `${provider.issuer}/login/oauth/authorize`, token_endpoint: `${provider.issuer}/login/oauth/access_token` }
      case 'gitlab':
        return { issuer: provider.issuer, authorization_endpoint: `${provider.issuer}/oauth/authorize`, token_endpoint: `${provider.issuer}/oauth/token` }
      default: {
        const issuer = new URL(provider.issuer)
        const response = await oauth.discoveryRequest(issuer, { algorithm: 'oidc', ...this.options(provider.issuer) })
        return oauth.processDiscoveryResponse(issuer, response)
      }
    }
  }

  /** Where to send the browser, and what to remember until it comes back. */
  async begin(id: string, redirectUri: string): Promise<{ url: string; pending: PendingAuthorization }> {
    const provider = this.provider(id)
    const server = await this.server(provider).catch((error) => {
      this.log.warn('identity provider discovery failed', { provider: provider.id, error: (error as Error).message })
      throw new ProviderError(`${provider.displayName} is not reachable right now; try again later`)
    })
    const pending: PendingAuthorization = {
      provider: provider.id,
      state: oauth.generateRandomState(),
      nonce: oauth.generateRandomNonce(),
      verifier: oauth.generateRandomCodeVerifier(),
    }
    const url = new URL(server.authorization_endpoint as string)
    url.searchParams.set('client_id', provider.clientId)
    url.searchParams.set('redirect_uri', redirectUri)
    url.searchParams.set('response_type', 'code')
    url.searchParams.set('scope', provider.scopes)
    url.searchParams.set('state', pending.state)
    url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(pending.verifier))
    url.searchParams.set('code_challenge_method', 'S256')
    if (OPENID.has(provider.id)) url.searchParams.set('nonce', pending.nonce)
    return { url: url.href, pending }
  }

  /** Completes the code flow for the browser's callback URL; returns the provider account. */
  async complete(pending: PendingAuthorization, callbackUrl: URL, redirectUri: string): Promise<ProviderProfile> {
    const provider = this.provider(pending.provider)
    const server = await this.server(provider)
    const client: oauth.Client = { client_id: provider.clientId }
    const auth = provider.id === 'github' ? oauth.ClientSecretPost(provider.clientSecret) : oauth.ClientSecretBasic(provider.clientSecret)
    const options = this.options(server.token_endpoint as string)
    try {
      const params = oauth.validateAuthResponse(server, client, callbackUrl, pending.state)
      const response = await oauth.authorizationCodeGrantRequest(server, client, auth, params, redirectUri, pending.verifier, options)
      if (OPENID.has(provider.id)) {
        const result = await oauth.processAuthorizationCodeResponse(server, client, response, { expectedNonce: pending.nonce, requireIdToken: true })
        // Checks the ID token's signature against the issuer's JWKS as well as its claims.
        await oauth.validateApplicationLevelSignature(server, response, this.options(server.jwks_uri ?? provider.issuer))
        const claims = oauth.getValidatedIdTokenClaims(result)
        if (!claims) throw new ProviderError(`${provider.displayName} returned no ID token`)
        const email = typeof claims.email === 'string' && claims.email_verified !== false ? claims.email : null
        const login = typeof claims.preferred_username === 'string' ? claims.preferred_username : email
        return { subject: claims.sub, login, email }
      }
      const result = await oauth.processAuthorizationCodeResponse(server, client, response)
      return provider.id === 'github' ? await this.githubProfile(provider, result.access_token) : await this.gitlabProfile(provider, result.access_token)
    } catch (error) {
      if (error instanceof RegistryError) throw error
      this.log.warn('identity provider sign-in failed', { provider: provider.id, error: (error as Error).message })
      if (error instanceof oauth.AuthorizationResponseError) {
        throw new BadRequestError('PROVIDER_DENIED', `${provider.displayName} did not authorize the sign-in (${error.error})`)
      }
      throw new ProviderError(`sign-in with ${provider.displayName} failed; start again`)
    }
  }

  private async userApi(provider: ProviderConfig, accessToken: string, url: string): Promise<unknown> {
    const headers = new Headers({ accept: provider.id === 'github' ? 'application/vnd.github+json' : 'application/json' })
    const response = await oauth.protectedResourceRequest(accessToken, 'GET', new URL(url), headers, null, this.options(url))
    if (!response.ok) throw new ProviderError(`${provider.displayName} user API answered ${response.status}`)
    return response.json()
  }

  /** GitHub REST: `GET /user`, and `GET /user/emails` when the public email is hidden. */
  private async githubProfile(provider: ProviderConfig, accessToken: string): Promise<ProviderProfile> {
    const api = provider.apiUrl as string
    const user = (await this.userApi(provider, accessToken, `${api}/user`)) as { id?: unknown; login?: unknown; email?: unknown }
    if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new ProviderError('GitHub returned a user without an id')
    let email = typeof user.email === 'string' ? user.email : null
    if (email === null) {
      const emails = (await this.userApi(provider, accessToken, `${api}/user/emails`)) as Array<{ email?: unknown; primary?: unknown; verified?: unknown }>
      const primary = Array.isArray(emails) ? emails.find((entry) => entry.primary === true && entry.verified === true) : undefined
      email = typeof primary?.email === 'string' ? primary.email : null
    }
    return { subject: String(user.id), login: typeof user.login === 'string' ? user.login : null, email }
  }

  /** GitLab REST: `GET /api/v4/user`. */
  private async gitlabProfile(provider: ProviderConfig, accessToken: string): Promise<ProviderProfile> {
    const user = (await this.userApi(provider, accessToken, `${provider.issuer}/api/v4/user`)) as { id?: unknown; username?: unknown; email?: unknown }
    if (typeof user.id !== 'number' && typeof user.id !== 'string') throw new ProviderError('GitLab returned a user without an id')
    return { subject: String(user.id), login: typeof user.username === 'string' ? user.username : null, email: typeof user.email === 'string' ? user.email : null }
  }

  /** The Packr user linked to this provider account, created (with the provider's default role) on first sign-in. */
  async userFor(id: ProviderId, profile: ProviderProfile): Promise<UserRow> {
    const provider = this.provider(id)
    const now = Date.now()
    const [linked] = await this.db.primary
      .select({ user: users })
      .from(oauthAccounts)
      .innerJoin(users, eq(oauthAccounts.userId, users.id))
      .where(and(eq(oauthAccounts.provider, id), eq(oauthAccounts.subject, profile.subject)))
      .limit(1)
    if (linked) {
      await this.db.transaction((tx) =>
        tx.update(oauthAccounts).set({ lastLoginAt: now, login: profile.login }).where(and(eq(oauthAccounts.provider, id), eq(oauthAccounts.subject, profile.subject))),
      )
      return linked.user
    }
    const user = await this.createUser(provider, profile)
    try {
      await this.db.transaction((tx) =>
        tx.insert(oauthAccounts).values({ id: crypto.randomUUID(), provider: id, subject: profile.subject, userId: user.id, login: profile.login, createdAt: now, lastLoginAt: now }),
      )
    } catch (error) {
      if (!isUniqueViolation(error)) throw error
      // A concurrent first sign-in linked the account first; use that user.
      await this.users.delete(user.id)
      return this.userFor(id, profile)
    }
    this.log.info('user created by first sign-in', { provider: id, username: user.username })
    return user
  }

  /** A free user name from the provider login (`octocat`, then `octocat-github`, `octocat-github-2`, ...). */
  private async createUser(provider: ProviderConfig, profile: ProviderProfile): Promise<UserRow> {
    const base = (profile.login ?? profile.email?.split('@')[0] ?? `${provider.id}-user`).replace(USERNAME_UNSAFE, '-').replace(/^[-._]+/, '').slice(0, 48) || `${provider.id}-user`
    const candidates = [base, `${base}-${provider.id}`, ...Array.from({ length: 8 }, (_, index) => `${base}-${provider.id}-${index + 2}`)]
    for (const username of candidates) {
      if (await this.users.findByUsername(username)) continue
      try {
        return await this.users.create({ username, email: profile.email ?? undefined, role: provider.defaultRole })
      } catch (error) {
        if (!(error instanceof RegistryError && error.code === 'USER_EXISTS')) throw error
      }
    }
    throw new ProviderError(`could not find a free user name for ${profile.login ?? profile.subject}`)
  }
}
