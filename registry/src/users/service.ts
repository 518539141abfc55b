// Accounts: creation, lookup and password checks (argon2id through Bun.password). Lookups read the
// primary: an account created or changed a moment ago must be the one a login checks.
import { eq } from 'drizzle-orm'
import { SYSTEM, type Actor, type AuditLog } from '../audit/service.ts'
import type { Database } from '../db/index.ts'
import { isUniqueViolation } from '../db/index.ts'
import { users, type UserRole, type UserRow } from '../db/schema.ts'
import { BadRequestError, ConflictError } from '../errors/index.ts'
import type { TokenService } from '../tokens/service.ts'

const USERNAME = /^[a-z0-9][a-z0-9._-]{0,63}$/i

// Verified against when the user does not exist, so a wrong name costs as much time as a wrong password.
const DUMMY_HASH = Bun.password.hashSync('packr-timing-equaliser', { algorithm: 'argon2id' })

export interface NewUser {
  username: string
  password?: string | undefined
  email?: string | undefined
  role?: UserRole
  /** Who creates the account (the audit log's actor); the new user themself when not given. */
  actor?: Actor
}

export class UserService {
  constructor(
    private readonly db: Database,
    private readonly tokens: TokenService,
    private readonly audit: AuditLog,
  ) {}

  async findByUsername(username: string): Promise<UserRow | undefined> {
    const [row] = await this.db.primary.select().from(users).where(eq(users.username, username)).limit(1)
    return row
  }

  async findById(id: string): Promise<UserRow | undefined> {
    const [row] = await this.db.primary.select().from(users).where(eq(users.id, id)).limit(1)
    return row
  }

  async create(input: NewUser): Promise<UserRow> {
    if (!USERNAME.test(input.username)) {
      throw new BadRequestError('INVALID_USERNAME', 'username must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit')
    }
    if (input.password !== undefined && input.password.length < 8) {
      throw new BadRequestError('WEAK_PASSWORD', 'password must be at least 8 characters')
    }
    const now = Date.now()
    const row: UserRow = {
      id: crypto.randomUUID(),
      username: input.username,
      email: input.email ?? null,
      passwordHash: input.password === undefined ? null : await Bun.password.hash(input.password, { algorithm: 'argon2id' }),
      role: input.role ?? 'user',
      createdAt: now,
      updatedAt: now,
    }
    try {
      await this.db.transaction(async (tx) => {
        await tx.insert(users).values(row)
        await this.audit.record(tx, input.actor ?? { username: row.username, address: null }, { action: 'user.create', target: `user:${row.username}`, details: { role: row.role } })
      })
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError('USER_EXISTS', `user ${input.username} already exists`)
      throw error
    }
    return row
  }

  /** The user when `password` is right; undefined otherwise, in about the same time either way. */
  async verifyPassword(username: string, password: string): Promise<UserRow | undefined> {
    const user = await this.findByUsername(username)
    const ok = await Bun.password.verify(password, user?.passwordHash ?? DUMMY_HASH)
    return ok && user?.passwordHash ? user : undefined
  }

  /**
   * Deletes the account; its tokens, sessions and provider links go with it (foreign keys), and its
   * cached identities are dropped, so its tokens are refused from the very next request.
   */
  async delete(id: string, actor: Actor = SYSTEM): Promise<boolean> {
    const removed = await this.db.transaction(async (tx) => {
      const gone = await tx.delete(users).where(eq(users.id, id)).returning({ id: users.id, username: users.username })
      for (const user of gone) await this.audit.record(tx, actor, { action: 'user.delete', target: `user:${user.username}` })
      return gone
    })
    this.tokens.forgetUser(id)
    return removed.length > 0
  }

  async list(): Promise<UserRow[]> {
    return this.db.read.select().from(users).orderBy(users.username)
  }

  /** Creates the configured admin at start when it does not exist yet (an existing account is left alone). */
  async ensureAdmin(username: string, password: string): Promise<UserRow> {
    const existing = await this.findByUsername(username)
    if (existing) return existing
    try {
      return await this.create({ username, password, role: 'admin' })
    } catch (error) {
      // Another instance created it first.
      const created = await this.findByUsername(username)
      if (created) return created
      throw error
    }
  }
}
