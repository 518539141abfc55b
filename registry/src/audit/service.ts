// The audit log: who changed what, from which address, when. Writers record inside the transaction
// that makes the change, so a change and its record commit together; failures that change nothing
// else (a wrong password) get a transaction of their own. Details pass through the log's redaction,
// so a secret handed over by mistake is stored as `[redacted]`.
import { and, desc, eq, gte, like, lt, lte, or, type SQL } from 'drizzle-orm'
import type { Database, Db } from '../db/index.ts'
import { auditEvents, type AuditEventRow } from '../db/schema.ts'
import type { Clock } from '../jobs/service.ts'
import { redact } from '../logging/index.ts'
import type { Identity } from '../tokens/service.ts'

/** Who made a change: a user name (null for anonymous callers and the registry itself) and an address. */
export interface Actor {
  username: string | null
  address: string | null
}

export const SYSTEM: Actor = { username: null, address: null }

export function actorOf(identity: Pick<Identity, 'username'>, address: string | null): Actor {
  return { username: identity.username, address }
}

export interface AuditEntry {
  /** `package.publish`, `token.create`, `org.member.set`, ... */
  action: string
  /** What changed: `@acme/widget@1.0.0`, `token:<id>`, `org:acme`, `user:alice`. */
  target: string
  details?: Record<string, unknown>
}

export interface AuditFilter {
  actor?: string | undefined
  /** Exact, or a prefix ending in `*` (`package.*`). */
  action?: string | undefined
  target?: string | undefined
  from?: number | undefined
  to?: number | undefined
}

/** An ISO time, or a date (`2026-11-22`: from its first or to its last millisecond, UTC). */
const filterTime = (value: string | undefined, endOfDay: boolean) =>
  value === undefined ? undefined : Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : value)

/** The filter from a query's fields (the admin API and the audit page take the same ones). */
export function auditFilter(query: { actor?: string | undefined; action?: string | undefined; target?: string | undefined; from?: string | undefined; to?: string | undefined }): AuditFilter {
  return { actor: query.actor, action: query.action, target: query.target, from: filterTime(query.from, false), to: filterTime(query.to, true) }
}

export interface AuditPage {
  events: AuditEventRow[]
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  next: string | null
}

function matches(column: typeof auditEvents.action | typeof auditEvents.target, value: string | undefined): SQL | undefined {
  if (value === undefined) return undefined
  if (!value.endsWith('*')) return eq(column, value)
  const prefix = value.slice(0, -1).replace(/[\\%_]/g, (char) => `\\${char}`)
  return like(column, `${prefix}%`)
}

/** Keyset cursor: the `at` and `id` of the last event of a page. */
function encodeCursor(row: AuditEventRow): string {
  return Buffer.from(`${row.at}:${row.id}`).toString('base64url')
}

function decodeCursor(cursor: string): { at: number; id: string } | null {
  const [at, id] = Buffer.from(cursor, 'base64url').toString().split(':', 2)
  return at && id && /^\d+$/.test(at) ? { at: Number(at), id } : null
}

export class AuditLog {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Records `entry` in the caller's transaction `tx`. */
  async record(tx: Db, actor: Actor, entry: AuditEntry): Promise<void> {
    await tx.insert(auditEvents).values({
      id: crypto.randomUUID(),
      at: this.clock.now(),
      actor: actor.username,
      action: entry.action,
      target: entry.target,
      clientAddress: actor.address,
      details: entry.details ? redact(entry.details) : null,
    })
  }

  /** Records `entry` on its own, for events that change nothing else. */
  write(actor: Actor, entry: AuditEntry): Promise<void> {
    return this.db.transaction((tx) => this.record(tx, actor, entry))
  }

  /** Newest first, `limit` at a time. An unreadable cursor starts from the newest. */
  async query(filter: AuditFilter, limit: number, cursor?: string): Promise<AuditPage> {
    const after = cursor ? decodeCursor(cursor) : null
    const rows = await this.db.read
      .select()
      .from(auditEvents)
      .where(
        and(
          filter.actor === undefined ? undefined : eq(auditEvents.actor, filter.actor),
          matches(auditEvents.action, filter.action),
          matches(auditEvents.target, filter.target),
          filter.from === undefined ? undefined : gte(auditEvents.at, filter.from),
          filter.to === undefined ? undefined : lte(auditEvents.at, filter.to),
          after ? or(lt(auditEvents.at, after.at), and(eq(auditEvents.at, after.at), lt(auditEvents.id, after.id))) : undefined,
        ),
      )
      .orderBy(desc(auditEvents.at), desc(auditEvents.id))
      .limit(limit + 1)
    const events = rows.slice(0, limit)
    const last = events.at(-1)
    return { events, next: rows.length > limit && last ? encodeCursor(last) : null }
  }
}
