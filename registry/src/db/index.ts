// The database seam. Services read through `db.read` (or `db.primary` when they must see every
// committed write) and write only inside `db.transaction`; SQLite and PostgreSQL implement it.
import type { BunSQLiteDatabase } from 'drizzle-orm/bun-sqlite'
import type { DatabaseConfig } from '../config/index.ts'
import { openPostgres } from './postgres.ts'
import { schema, type Schema } from './schema.ts'
import { openSqlite } from './sqlite.ts'

export type Db = BunSQLiteDatabase<Schema>

export interface Database {
  readonly dialect: 'sqlite' | 'postgres'
  /** For reads outside a transaction. Sees only committed data; on a replica it may lag the primary. */
  readonly read: Db
  /** For reads that must see every committed write: auth checks, reading one's own writes. */
  readonly primary: Db
  /** True when `read` is a replica, distinct from `primary`. */
  readonly replicated: boolean
  /** Runs `fn` in one write transaction: all of it commits, or none of it. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>
  close(): Promise<void>
}

/** Opens the configured database and applies pending migrations. */
export async function openDatabase(config: DatabaseConfig): Promise<Database> {
  return config.kind === 'sqlite' ? openSqlite(config.path) : openPostgres(config)
}

function* causes(error: unknown): Generator<Record<string, unknown>> {
  let current: unknown = error
  for (let depth = 0; depth < 5 && current && typeof current === 'object'; depth++) {
    yield current as Record<string, unknown>
    current = (current as { cause?: unknown }).cause
  }
}

/** True when `error` (or its cause) is a unique or primary-key violation, in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  for (const cause of causes(error)) {
    const code = cause.code
    if (code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true
    if (typeof cause.message === 'string' && /UNIQUE constraint failed/.test(cause.message)) return true
  }
  return false
}

export { openSqlite, schema }
