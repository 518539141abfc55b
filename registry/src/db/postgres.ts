// PostgreSQL: several instances share one primary, optionally with a read replica. The services keep
// their SQLite-typed drizzle API: drizzle's PostgreSQL driver builds the same queries from the same
// table objects, and their column mappers (JSON text, 0/1 booleans) fit the twin columns of
// schema.pg.ts. Only plain query-builder calls are portable; `.get()`, `.all()` and `.run()` are
// SQLite-only and fail here (the PostgreSQL pass of the test suite catches them).
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/postgres-js'
import { migrate } from 'drizzle-orm/postgres-js/migrator'
import postgres, { type Options, type Sql } from 'postgres'
import type { Database, Db } from './index.ts'
import { schema } from './schema.ts'

const MIGRATIONS = join(import.meta.dir, 'migrations', 'pg')
/** Serializes migrations when several instances start at once (an arbitrary, fixed advisory-lock key). */
const MIGRATION_LOCK = 0x7061636b72

/**
 * A postgres.js client as Packr uses it: int8 (our epoch-millisecond columns, `count(*)`) parsed to
 * a number, which is exact up to 2^53; server notices kept out of the log.
 */
export function postgresClient(url: string, options: Options<Record<string, never>> = {}): Sql {
  return postgres(url, {
    connect_timeout: 10,
    idle_timeout: 60,
    onnotice: () => {},
    types: { bigint: { to: 20, from: [20], parse: (value: string) => Number(value), serialize: (value: number) => String(value) } },
    ...options,
  } as Options<Record<string, never>>)
}

/** Applies pending migrations to the primary; concurrent callers wait for each other. */
export async function migratePostgres(url: string): Promise<void> {
  const client = postgresClient(url, { max: 1 })
  try {
    await client`select pg_advisory_lock(${MIGRATION_LOCK})`
    try {
      await migrate(drizzle({ client }), { migrationsFolder: MIGRATIONS })
    } finally {
      await client`select pg_advisory_unlock(${MIGRATION_LOCK})`
    }
  } finally {
    await client.end()
  }
}

class PostgresDatabase implements Database {
  readonly dialect = 'postgres' as const
  readonly read: Db
  readonly primary: Db
  readonly replicated: boolean

  constructor(
    private readonly primaryClient: Sql,
    private readonly replicaClient: Sql | undefined,
  ) {
    this.primary = drizzle({ client: primaryClient, schema }) as unknown as Db
    this.read = replicaClient ? (drizzle({ client: replicaClient, schema }) as unknown as Db) : this.primary
    this.replicated = replicaClient !== undefined
  }

  /**
   * READ COMMITTED on purpose: every write transaction starts by updating the package row, which takes
   * its row lock, and each later statement then sees what earlier writers committed. Stricter levels
   * would turn that queueing into serialization failures.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    return (this.primary as unknown as ReturnType<typeof drizzle>).transaction((tx) => fn(tx as unknown as Db))
  }

  async close(): Promise<void> {
    await Promise.all([this.primaryClient.end({ timeout: 5 }), this.replicaClient?.end({ timeout: 5 })])
  }
}

export interface PostgresOptions {
  url: string
  replicaUrl: string | undefined
  poolSize: number
}

/** Migrates the primary, then opens pools to it and to the replica (when configured). */
export async function openPostgres(options: PostgresOptions): Promise<Database> {
  await migratePostgres(options.url)
  // READ COMMITTED as the session default (see `transaction`), set once per connection at start-up
  // rather than by an extra statement in every transaction.
  const primary = postgresClient(options.url, { max: options.poolSize, connection: { default_transaction_isolation: 'read committed' } })
  const replica = options.replicaUrl ? postgresClient(options.replicaUrl, { max: options.poolSize }) : undefined
  return new PostgresDatabase(primary, replica)
}
