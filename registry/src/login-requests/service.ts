// Terminals that wait for a person to approve them in a browser: RFC 8628 device authorization
// (`packr login`) and npm's web login. Both hand out a short user code for the browser and keep a long
// polling secret for the terminal; only the secret's hash is stored. A request is approved or denied
// once, and its token is handed out once.
import { and, eq, lt } from 'drizzle-orm'
import type { AuthRateLimiter } from '../auth/rate-limit.ts'
import type { Config } from '../config/index.ts'
import type { Database } from '../db/index.ts'
import { isUniqueViolation } from '../db/index.ts'
import { loginRequests, type LoginRequestKind, type LoginRequestRow, type UserRow } from '../db/schema.ts'
import { NotFoundError, OAuthProtocolError, RegistryError } from '../errors/index.ts'
import type { TokenService } from '../tokens/service.ts'
import type { UserService } from '../users/service.ts'

/** RFC 8628 §6.1: consonants only (no vowels, so no words), without look-alikes such as 0/O or 1/I. */
const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ'
const USER_CODE_LENGTH = 8
/** RFC 8628 §3.5: each slow_down adds five seconds to the interval. */
const SLOW_DOWN_STEP = 5
/** Finished and expired requests are kept a day, so late polls still get `expired_token`. */
const RETENTION_MS = 24 * 3600 * 1000

export interface StartedLogin {
  /** The terminal's polling secret (device_code, or the id in npm's done URL). */
  secret: string
  userCode: string
  expiresIn: number
  interval: number
}

export interface LoginClient {
  name: string
  address: string | null
  provider?: string | null
}

export type WebLoginPoll = { status: 'pending'; retryAfter: number } | { status: 'done'; token: string }

function randomUserCode(): string {
  let letters = ''
  while (letters.length < USER_CODE_LENGTH) {
    for (const byte of crypto.getRandomValues(new Uint8Array(USER_CODE_LENGTH))) {
      // Bytes from 240 up would favour the first letters (256 is not a multiple of 20): drawn again.
      if (byte < 240 && letters.length < USER_CODE_LENGTH) letters += USER_CODE_ALPHABET[byte % USER_CODE_ALPHABET.length]
    }
  }
  return `${letters.slice(0, 4)}-${letters.slice(4)}`
}

/** `bcdf ghjk`, `BCDFGHJK` and `BCDF-GHJK` are the same code; anything else is not a code. */
export function normalizeUserCode(input: string): string | null {
  const letters = input.toUpperCase().replace(/[\s-]/g, '')
  if (letters.length !== USER_CODE_LENGTH || [...letters].some((letter) => !USER_CODE_ALPHABET.includes(letter))) return null
  return `${letters.slice(0, 4)}-${letters.slice(4)}`
}

const hashSecret = (secret: string) => new Bun.CryptoHasher('sha256').update(secret).digest('hex')

export class LoginRequestService {
  constructor(
    private readonly config: Config,
    private readonly db: Database,
    private readonly users: UserService,
    private readonly tokens: TokenService,
    private readonly limiter: AuthRateLimiter,
  ) {}

  async start(kind: LoginRequestKind, client: LoginClient): Promise<StartedLogin> {
    await this.limiter.consumeLoginStart(client.address)
    const now = Date.now()
    await this.db.transaction((tx) => tx.delete(loginRequests).where(lt(loginRequests.expiresAt, now - RETENTION_MS)))
    const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
    const interval = this.config.devicePollIntervalSeconds
    for (let attempt = 0; ; attempt++) {
      const userCode = randomUserCode()
      try {
        await this.db.transaction((tx) =>
          tx.insert(loginRequests).values({
            id: crypto.randomUUID(),
            kind,
            secretHash: hashSecret(secret),
            userCode,
            provider: client.provider ?? null,
            clientName: client.name.slice(0, 200),
            clientAddress: client.address,
            createdAt: now,
            expiresAt: now + this.config.deviceCodeTtlSeconds * 1000,
            interval,
          }),
        )
        return { secret, userCode, expiresIn: this.config.deviceCodeTtlSeconds, interval }
      } catch (error) {
        // A live request already holds this user code: draw another.
        if (!isUniqueViolation(error) || attempt >= 5) throw error
      }
    }
  }

  /** The pending, unexpired request a person typed or followed the code of; 404 otherwise. */
  async pendingByUserCode(input: string): Promise<LoginRequestRow> {
    const code = normalizeUserCode(input)
    const [row] = code === null ? [] : await this.db.primary.select().from(loginRequests).where(eq(loginRequests.userCode, code)).limit(1)
    if (!row || row.status !== 'pending' || row.expiresAt <= Date.now()) {
      throw new NotFoundError('UNKNOWN_USER_CODE', 'this code is unknown, already used or expired; start the login again in your terminal')
    }
    return row
  }

  /** Approves or denies the request behind `userCode` as `user`; a code is decided once. */
  async decide(userCode: string, user: UserRow, approve: boolean): Promise<LoginRequestRow> {
    const pending = await this.pendingByUserCode(userCode)
    const [decided] = await this.db.transaction((tx) =>
      tx
        .update(loginRequests)
        .set({ status: approve ? 'approved' : 'denied', userId: user.id })
        .where(and(eq(loginRequests.id, pending.id), eq(loginRequests.status, 'pending')))
        .returning(),
    )
    if (!decided) throw new NotFoundError('UNKNOWN_USER_CODE', 'this code was decided already')
    return decided
  }

  private async bySecret(kind: LoginRequestKind, secret: string): Promise<LoginRequestRow | undefined> {
    const [row] = await this.db.primary.select().from(loginRequests).where(eq(loginRequests.secretHash, hashSecret(secret))).limit(1)
    return row?.kind === kind ? row : undefined
  }

  /** Marks an approved request consumed and issues its login token, exactly once. */
  private async redeem(row: LoginRequestRow, name: string): Promise<{ token: string; expiresAt: number | null; username: string } | null> {
    const [claimed] = await this.db.transaction((tx) =>
      tx
        .update(loginRequests)
        .set({ status: 'consumed' })
        .where(and(eq(loginRequests.id, row.id), eq(loginRequests.status, 'approved')))
        .returning(),
    )
    if (!claimed?.userId) return null
    const user = await this.users.findById(claimed.userId)
    if (!user) return null
    const { token, record } = await this.tokens.issue({ user, name, description: `${claimed.clientName}`, role: 'login', expiresInDays: this.config.tokenTtlDays, actor: { username: user.username, address: claimed.clientAddress } })
    return { token, expiresAt: record.expiresAt, username: user.username }
  }

  /** RFC 8628 §3.4–3.5 device access token request. */
  async pollDevice(deviceCode: string): Promise<{ token: string; expiresAt: number | null; username: string }> {
    const row = await this.bySecret('device', deviceCode)
    if (!row || row.status === 'consumed') throw new OAuthProtocolError('invalid_grant', 'device code is unknown or already used')
    const now = Date.now()
    if (row.expiresAt <= now) throw new OAuthProtocolError('expired_token', 'the device code has expired; run the login again')
    if (row.status === 'denied') throw new OAuthProtocolError('access_denied', 'the login was denied in the browser')
    if (row.status === 'pending') {
      const tooSoon = row.lastPolledAt !== null && now - row.lastPolledAt < row.interval * 1000
      await this.db.transaction((tx) =>
        tx
          .update(loginRequests)
          .set({ lastPolledAt: now, interval: tooSoon ? row.interval + SLOW_DOWN_STEP : row.interval })
          .where(eq(loginRequests.id, row.id)),
      )
      if (tooSoon) throw new OAuthProtocolError('slow_down', `polling too fast; wait ${row.interval + SLOW_DOWN_STEP} seconds between requests`)
      throw new OAuthProtocolError('authorization_pending', 'waiting for the login to be approved in the browser')
    }
    const redeemed = await this.redeem(row, 'packr login')
    if (!redeemed) throw new OAuthProtocolError('invalid_grant', 'device code is unknown or already used')
    return redeemed
  }

  /** npm's done URL: pending until the browser step finishes, then the token once. */
  async pollWeb(secret: string): Promise<WebLoginPoll> {
    const row = await this.bySecret('web', secret)
    if (!row || row.status === 'consumed') throw new NotFoundError('UNKNOWN_LOGIN', 'this login is unknown or already completed; run npm login again')
    if (row.expiresAt <= Date.now()) throw new LoginExpiredError()
    if (row.status === 'denied') throw new RegistryError(403, 'LOGIN_DENIED', 'the login was denied in the browser')
    if (row.status === 'pending') return { status: 'pending', retryAfter: row.interval }
    const redeemed = await this.redeem(row, 'npm login')
    if (!redeemed) throw new NotFoundError('UNKNOWN_LOGIN', 'this login is unknown or already completed; run npm login again')
    return { status: 'done', token: redeemed.token }
  }
}

class LoginExpiredError extends RegistryError {
  override readonly name = 'LoginExpiredError'
  constructor() {
    super(410, 'LOGIN_EXPIRED', 'this login has expired; run npm login again')
  }
}
