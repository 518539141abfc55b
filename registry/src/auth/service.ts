// Login and logout for npm clients: credentials in, a login token out. Every password check is
// rate-limited per client address and per submitted name, and failures never say whether the
// user exists.
import type { AuditLog } from '../audit/service.ts'
import type { Config } from '../config/index.ts'
import type { UserRow } from '../db/schema.ts'
import { UnauthorizedError } from '../errors/index.ts'
import { tokenKey, type TokenService } from '../tokens/service.ts'
import type { UserService } from '../users/service.ts'
import type { AuthRateLimiter } from './rate-limit.ts'

export interface LoginResult {
  username: string
  token: string
  expires: string | null
}

const BAD_CREDENTIALS = 'invalid username or password'

export class AuthService {
  constructor(
    private readonly config: Config,
    private readonly users: UserService,
    private readonly tokens: TokenService,
    private readonly limiter: AuthRateLimiter,
    private readonly audit: AuditLog,
  ) {}

  private async issueLoginToken(user: UserRow, address: string | null): Promise<LoginResult> {
    const { token, record } = await this.tokens.issue({ user, name: 'npm login', role: 'login', expiresInDays: this.config.tokenTtlDays, actor: { username: user.username, address } })
    return { username: user.username, token, expires: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString() }
  }

  /** The user when `password` is right; 401 (or 429 past the failure limit) otherwise. */
  async verifyCredentials(username: string, password: string, address: string | null, scheme = 'Basic realm="packr"'): Promise<UserRow> {
    await this.limiter.assertAllowed(address, username)
    const user = await this.users.verifyPassword(username, password)
    if (!user) {
      await this.limiter.recordFailure(address, username)
      // The submitted name only (never the password), cut short: it may be anything.
      await this.audit.write({ username: null, address }, { action: 'login.failure', target: `user:${username.slice(0, 100)}` })
      throw new UnauthorizedError('INVALID_CREDENTIALS', BAD_CREDENTIALS, scheme)
    }
    await this.limiter.recordSuccess(username)
    return user
  }

  /** Username and password to a login token. */
  async login(username: string, password: string, address: string | null): Promise<LoginResult> {
    return this.issueLoginToken(await this.verifyCredentials(username, password, address), address)
  }

  /**
   * npm's couch login: a known user with the right password gets a token; an unknown name creates the
   * account only when sign-up is enabled. Never answers 409 (npm would then retry with a broken -rev PUT).
   */
  async couchLogin(username: string, password: string, email: string | undefined, address: string | null): Promise<LoginResult> {
    const existing = await this.users.findByUsername(username)
    if (!existing && this.config.allowSignup) {
      const user = await this.users.create({ username, password, email })
      return this.issueLoginToken(user, address)
    }
    return this.login(username, password, address)
  }

  /** Revokes the token given in the logout URL; unknown tokens are ignored (logout is idempotent). */
  async logout(token: string, address: string | null): Promise<void> {
    const row = await this.tokens.findByKey(tokenKey(token))
    if (row) await this.tokens.revoke(row.id, { username: null, address })
  }
}
