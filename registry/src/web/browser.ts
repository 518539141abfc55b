// What every browser page needs from a request, in one place: the signed-in person (the
// `packr_session` cookie), the CSRF token for its forms, starting and ending sessions, and sign-in
// through an identity provider. One CSRF mechanism for every form: a MAC (SESSION_SECRET) of a random
// value kept in an HttpOnly cookie, plus a same-origin check of `Origin`.
import { ANONYMOUS, type AuthResult } from '../auth/policy.ts'
import type { ProviderId } from '../config/index.ts'
import type { AppContext } from '../context.ts'
import { ForbiddenError, UnauthorizedError } from '../errors/index.ts'
import type { PendingAuthorization } from '../oauth/service.ts'
import { clearedCookie, SESSION_COOKIE, sessionCookie } from '../sessions/service.ts'
import type { Viewer } from '../access/service.ts'
import type { Identity } from '../tokens/service.ts'
import type { Chrome } from './layout.ts'

const CSRF_COOKIE = 'packr_csrf'
const OAUTH_COOKIE = 'packr_oauth'
const OAUTH_COOKIE_SECONDS = 600
/** Identity providers send the browser back here (the callback URL registered with them). */
const OAUTH_CALLBACK_PATH = '/cli/auth/callback'

export type Cookies = Record<string, { value: unknown; set(options: Record<string, unknown>): unknown }>

type BrowserDeps = Pick<AppContext, 'config' | 'urls' | 'sessions' | 'users' | 'oauth' | 'access'>

interface OAuthState extends PendingAuthorization {
  /** Local path to return to once signed in. */
  returnTo: string
  expiresAt: number
}

/** Browsers ask for HTML; npm and other programs do not. */
export const wantsHtml = (request: Request) => /\btext\/html\b/.test(request.headers.get('accept') ?? '')

export class BrowserRequest {
  private identity: Promise<Identity | null> | undefined

  constructor(
    private readonly ctx: BrowserDeps,
    private readonly cookies: Cookies,
    readonly request: Request,
  ) {}

  private get secure(): boolean {
    return this.ctx.config.publicUrl?.startsWith('https://') === true
  }

  private cookie(name: string): string | undefined {
    const value = this.cookies[name]?.value
    return typeof value === 'string' ? value : undefined
  }

  /** The CSRF token for this browser's forms; sets its cookie on first use. */
  csrf(): string {
    let nonce = this.cookie(CSRF_COOKIE)
    if (!nonce || !/^[A-Za-z0-9_-]{32}$/.test(nonce)) {
      nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')
      this.cookies[CSRF_COOKIE]!.set({ value: nonce, httpOnly: true, sameSite: 'lax', secure: this.secure, path: '/' })
    }
    return this.ctx.sessions.sign(`csrf:${nonce}`).split('.').pop() as string
  }

  /** Refuses a form post whose token does not match this browser's cookie or that came from another origin. */
  assertCsrf(token: string | undefined): void {
    const origin = this.request.headers.get('origin')
    const nonce = this.cookie(CSRF_COOKIE)
    const sameOrigin = origin === null || origin === new URL(this.ctx.urls.base).origin
    if (!sameOrigin || !nonce || !token || !this.ctx.sessions.verifyMac(`csrf:${nonce}`, token)) {
      throw new ForbiddenError('CSRF_CHECK_FAILED', 'this form has expired or did not come from this site; reload the page and try again')
    }
  }

  /** The signed-in person, or null. Bearer tokens play no part: pages are for browsers. */
  viewer(): Promise<Identity | null> {
    this.identity ??= this.ctx.sessions.resolve(this.cookie(SESSION_COOKIE))
    return this.identity
  }

  /** What the signed-in person (or an anonymous visitor) may see and do with packages. */
  async access(): Promise<Viewer> {
    return this.ctx.access.viewerFor(await this.viewer())
  }

  /** The viewer as the permission policy sees a caller (`authorize(await browser.auth(), 'read')`). */
  async auth(): Promise<AuthResult> {
    const identity = await this.viewer()
    return identity ? { identity } : ANONYMOUS
  }

  /** What the page shell shows: who is signed in, and the token for the sign-out form. */
  async chrome(active?: string): Promise<Chrome> {
    const identity = await this.viewer()
    return {
      viewer: identity ? { username: identity.username, admin: identity.permissions.has('admin') } : null,
      csrf: identity ? this.csrf() : undefined,
      active,
    }
  }

  async startSession(userId: string): Promise<void> {
    const user = await this.ctx.users.findById(userId)
    if (!user) throw new UnauthorizedError('USER_NOT_FOUND', 'this account no longer exists')
    const session = await this.ctx.sessions.create(user)
    this.cookies[SESSION_COOKIE]!.set(sessionCookie(this.ctx.config.publicUrl, session.cookie, session.expiresAt))
    this.identity = undefined
  }

  async endSession(): Promise<void> {
    await this.ctx.sessions.destroy(this.cookie(SESSION_COOKIE))
    this.cookies[SESSION_COOKIE]!.set(clearedCookie('/'))
    this.identity = Promise.resolve(null)
  }

  /** `next` when it is a path on this site, else `fallback`: sign-in must not become an open redirect. */
  localPath(next: string | undefined, fallback: string): string {
    if (!next) return fallback
    const base = new URL(this.ctx.urls.base)
    try {
      const url = new URL(next, base)
      return url.origin === base.origin && next.startsWith('/') ? `${url.pathname}${url.search}` : fallback
    } catch {
      return fallback
    }
  }

  private redirectUri(provider: string): string {
    return `${this.ctx.urls.base}${OAUTH_CALLBACK_PATH}/${provider}`
  }

  /** Sends the browser to the identity provider (PKCE, state, nonce); it comes back to `returnTo` signed in. */
  async beginProviderSignIn(provider: string, returnTo: string): Promise<Response> {
    const { url, pending } = await this.ctx.oauth.begin(provider, this.redirectUri(provider))
    const state: OAuthState = { ...pending, returnTo, expiresAt: Date.now() + OAUTH_COOKIE_SECONDS * 1000 }
    this.cookies[OAUTH_COOKIE]!.set({
      value: this.ctx.sessions.sign(Buffer.from(JSON.stringify(state)).toString('base64url')),
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secure,
      path: OAUTH_CALLBACK_PATH,
      maxAge: OAUTH_COOKIE_SECONDS,
    })
    return new Response(null, { status: 302, headers: { location: url, 'cache-control': 'no-store' } })
  }

  /** Completes the provider's callback: signs the person in and returns where they were going. */
  async completeProviderSignIn(provider: string): Promise<string> {
    const raw = this.ctx.sessions.unsign(this.cookie(OAUTH_COOKIE))
    this.cookies[OAUTH_COOKIE]!.set(clearedCookie(OAUTH_CALLBACK_PATH))
    const state = raw === null ? null : (JSON.parse(Buffer.from(raw, 'base64url').toString()) as OAuthState)
    if (!state || state.provider !== provider || state.expiresAt <= Date.now()) {
      throw new ForbiddenError('OAUTH_STATE_MISSING', 'this sign-in was not started here or took too long; start again')
    }
    const redirectUri = this.redirectUri(provider)
    const profile = await this.ctx.oauth.complete(state, new URL(this.request.url), redirectUri)
    const user = await this.ctx.oauth.userFor(state.provider as ProviderId, profile)
    await this.startSession(user.id)
    return this.localPath(state.returnTo, '/')
  }
}

export const browserRequest = (ctx: BrowserDeps, cookie: unknown, request: Request) => new BrowserRequest(ctx, cookie as Cookies, request)

/** The browser behind a form post, once its CSRF token has been checked (403 otherwise). */
export function formPost(ctx: BrowserDeps, cookie: unknown, request: Request, csrf: string | undefined): BrowserRequest {
  const browser = browserRequest(ctx, cookie, request)
  browser.assertCsrf(csrf)
  return browser
}
