// Browser sessions for the dashboard and the approval page. The cookie carries a random session id
// and its HMAC (SESSION_SECRET), so a forged or altered cookie is refused without a lookup; the row
// lets logout and user deletion end a session at once.
import { timingSafeEqual } from 'node:crypto'
import { and, eq, gt, lt } from 'drizzle-orm'
import type { Database } from '../db/index.ts'
import { sessions, users, type UserRow } from '../db/schema.ts'
import { userIdentity, type Identity } from '../tokens/service.ts'

export const SESSION_COOKIE = 'packr_session'

/** Clears a cookie set on `path` (browsers keep a cookie unless the removal names the same path). */
export function clearedCookie(path: string) {
  return { value: '', path, expires: new Date(0), maxAge: 0 }
}

/** Attributes of the session cookie: script-proof, not sent on cross-site posts, https-only when served over https. */
export function sessionCookie(publicUrl: string | undefined, value: string, expiresAt: number) {
  return { value, httpOnly: true, sameSite: 'lax' as const, secure: publicUrl?.startsWith('https://') === true, path: '/', expires: new Date(expiresAt) }
}

export interface CreatedSession {
  id: string
  /** The cookie value: `<id>.<hmac>`. */
  cookie: string
  expiresAt: number
}

export class SessionService {
  constructor(
    private readonly db: Database,
    private readonly secret: string,
    private readonly ttlHours: number,
  ) {}

  /** HMAC-SHA256 of `value` under the session secret, base64url. Also signs CSRF and OAuth state cookies. */
  sign(value: string): string {
    return `${value}.${new Bun.CryptoHasher('sha256', this.secret).update(value).digest('base64url')}`
  }

  /** Constant-time check that `mac` is this secret's MAC of `value`. */
  verifyMac(value: string, mac: string): boolean {
    return this.unsign(`${value}.${mac}`) === value
  }

  /** The signed value, or null when the signature does not match. */
  unsign(signed: string | undefined | null): string | null {
    if (!signed) return null
    const dot = signed.lastIndexOf('.')
    if (dot <= 0) return null
    const value = signed.slice(0, dot)
    const expected = Buffer.from(this.sign(value))
    const given = Buffer.from(signed)
    return expected.length === given.length && timingSafeEqual(expected, given) ? value : null
  }

  async create(user: UserRow): Promise<CreatedSession> {
    const now = Date.now()
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')
    const expiresAt = now + this.ttlHours * 3600 * 1000
    await this.db.transaction(async (tx) => {
      await tx.delete(sessions).where(lt(sessions.expiresAt, now))
      await tx.insert(sessions).values({ id, userId: user.id, createdAt: now, expiresAt })
    })
    return { id, cookie: this.sign(id), expiresAt }
  }

  /** The identity behind a session cookie, or null for a missing, forged, expired or ended session. */
  async resolve(cookie: string | undefined | null): Promise<Identity | null> {
    const id = this.unsign(cookie)
    if (id === null) return null
    const [row] = await this.db.primary
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(sessions.userId, users.id))
      .where(and(eq(sessions.id, id), gt(sessions.expiresAt, Date.now())))
      .limit(1)
    if (!row) return null
    return userIdentity(row.user, { id: `session:${row.session.id}`, name: 'browser session', role: 'session' })
  }

  async destroy(cookie: string | undefined | null): Promise<void> {
    const id = this.unsign(cookie)
    if (id !== null) await this.db.transaction((tx) => tx.delete(sessions).where(eq(sessions.id, id)))
  }
}
