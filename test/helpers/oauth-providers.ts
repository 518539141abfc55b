// Identity providers on loopback. GitHub and GitLab stand-ins implement the endpoints those providers
// document for OAuth apps (authorize, token, user API), including PKCE (S256); the OpenID provider is
// the real `oidc-provider` package.
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import Provider from 'oidc-provider'

export interface ProviderAccount {
  id: number
  login: string
  email: string | null
}

export interface StandInProvider {
  url: string
  clientId: string
  clientSecret: string
  /** Set to make the next authorization fail as if the user clicked "Cancel". */
  denyNext: boolean
  /** Token requests seen, for assertions on what the registry sent. */
  tokenRequests: URLSearchParams[]
  stop(): void
}

interface Grant {
  redirectUri: string
  challenge: string
  account: ProviderAccount
}

async function s256(verifier: string): Promise<string> {
  return Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier))).toString('base64url')
}

/**
 * GitHub (docs: "Authorizing OAuth apps"): GET /login/oauth/authorize, POST /login/oauth/access_token
 * (JSON when Accept says so; errors come back as 200 with an `error` field), GET /api/v3/user and
 * /api/v3/user/emails (the GitHub Enterprise API layout).
 * GitLab (docs: "OAuth 2.0 identity provider API"): GET /oauth/authorize, POST /oauth/token, GET /api/v4/user.
 */
export function startStandIn(kind: 'github' | 'gitlab', account: ProviderAccount): StandInProvider {
  const clientId = `${kind}-client-id`
  const clientSecret = `${kind}-client-secret`
  const grants = new Map<string, Grant>()
  const accessTokens = new Map<string, ProviderAccount>()
  const authorizePath = kind === 'github' ? '/login/oauth/authorize' : '/oauth/authorize'
  const tokenPath = kind === 'github' ? '/login/oauth/access_token' : '/oauth/token'
  const standIn: StandInProvider = { url: '', clientId, clientSecret, denyNext: false, tokenRequests: [], stop: () => server.stop(true) }

  const tokenError = (error: string, status: number) =>
    // GitHub answers token errors with 200; GitLab with 400/401.
    Response.json({ error, error_description: error.replaceAll('_', ' ') }, { status: kind === 'github' ? 200 : status })

  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(request) {
      const url = new URL(request.url)
      if (request.method === 'GET' && url.pathname === authorizePath) {
        const redirectUri = url.searchParams.get('redirect_uri') ?? ''
        const state = url.searchParams.get('state') ?? ''
        if (url.searchParams.get('client_id') !== clientId) return new Response('unknown client', { status: 400 })
        if (url.searchParams.get('code_challenge_method') !== 'S256' || !url.searchParams.get('code_challenge')) return new Response('PKCE required', { status: 400 })
        const back = new URL(redirectUri)
        back.searchParams.set('state', state)
        if (standIn.denyNext) {
          standIn.denyNext = false
          back.searchParams.set('error', 'access_denied')
        } else {
          const code = crypto.randomUUID()
          grants.set(code, { redirectUri, challenge: url.searchParams.get('code_challenge')!, account })
          back.searchParams.set('code', code)
        }
        return Response.redirect(back.href, 302)
      }
      if (request.method === 'POST' && url.pathname === tokenPath) {
        const form = new URLSearchParams(await request.text())
        standIn.tokenRequests.push(form)
        const basic = request.headers.get('authorization')?.replace(/^Basic\s+/i, '')
        const [basicId, basicSecret] = basic ? Buffer.from(basic, 'base64').toString().split(':').map(decodeURIComponent) : []
        if ((form.get('client_id') ?? basicId) !== clientId || (form.get('client_secret') ?? basicSecret) !== clientSecret) return tokenError('invalid_client', 401)
        const grant = grants.get(form.get('code') ?? '')
        grants.delete(form.get('code') ?? '')
        if (!grant || grant.redirectUri !== form.get('redirect_uri')) return tokenError(kind === 'github' ? 'bad_verification_code' : 'invalid_grant', 400)
        if ((await s256(form.get('code_verifier') ?? '')) !== grant.challenge) return tokenError('invalid_grant', 400)
        const accessToken = `${kind}-access-${crypto.randomUUID()}`
        accessTokens.set(accessToken, grant.account)
        return Response.json(kind === 'github' ? { access_token: accessToken, token_type: 'bearer', scope: 'read:user,user:email' } : { access_token: accessToken, token_type: 'Bearer', expires_in: 7200, scope: 'read_user', created_at: Math.floor(Date.now() / 1000) })
      }
      const bearer = request.headers.get('authorization')?.replace(/^Bearer\s+/i, '') ?? ''
      const user = accessTokens.get(bearer)
      if (kind === 'github' && url.pathname === '/api/v3/user') {
        return user ? Response.json({ id: user.id, login: user.login, email: null, name: user.login }) : Response.json({ message: 'Bad credentials' }, { status: 401 })
      }
      if (kind === 'github' && url.pathname === '/api/v3/user/emails') {
        return user ? Response.json([{ email: user.email, primary: true, verified: true, visibility: null }]) : Response.json({ message: 'Bad credentials' }, { status: 401 })
      }
      if (kind === 'gitlab' && url.pathname === '/api/v4/user') {
        return user ? Response.json({ id: user.id, username: user.login, email: user.email, name: user.login, state: 'active' }) : Response.json({ message: '401 Unauthorized' }, { status: 401 })
      }
      return new Response('not found', { status: 404 })
    },
  })
  standIn.url = `http://127.0.0.1:${server.port}`
  return standIn
}

export interface OpenIdProvider {
  issuer: string
  /** Registers a confidential client once the registry's callback URL is known. */
  start(clients: Array<{ clientId: string; clientSecret: string; redirectUri: string }>): void
  stop(): Promise<void>
}

/** The real `oidc-provider` on loopback; accounts sign in with any password and get corp.test emails. */
export async function listenOpenIdProvider(): Promise<OpenIdProvider> {
  const server: Server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    issuer,
    start(clients) {
      const provider = new Provider(issuer, {
        clients: clients.map((client) => ({
          client_id: client.clientId,
          client_secret: client.clientSecret,
          redirect_uris: [client.redirectUri],
          grant_types: ['authorization_code'],
          response_types: ['code'],
          token_endpoint_auth_method: 'client_secret_basic',
        })),
        cookies: { keys: ['oidc-test-cookie-key-0123456789'] },
        claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username'] },
        conformIdTokenClaims: false,
        findAccount: (_ctx, id) => ({
          accountId: id,
          claims: () => ({ sub: id, email: `${id}@corp.test`, email_verified: true, preferred_username: id }),
        }),
      })
      server.on('request', provider.callback())
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
