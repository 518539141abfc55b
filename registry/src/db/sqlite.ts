// SQLite: the embedded default. One writer connection and one reader connection (WAL): readers never
// see a half-applied transaction, and writers are queued in-process because SQLite has one write lock.
import { Database as SqliteConnection } from 'bun:sqlite'
import { join } from 'node:path'
import { drizzle } from 'drizzle-orm/bun-sqlite'
import { migrate } from 'drizzle-orm/bun-sqlite/migrator'
import type { Database, Db } from './index.ts'
import { schema } from './schema.ts'

const MIGRATIONS = join(import.meta.dir, 'migrations', 'sqlite')

function configure(connection: SqliteConnection): void {
  connection.exec('PRAGMA journal_mode = WAL')
  connection.exec('PRAGMA synchronous = NORMAL')
  connection.exec('PRAGMA foreign_keys = ON')
  connection.exec('PRAGMA busy_timeout = 10000')
}

class SqliteDatabase implements Database {
  readonly dialect = 'sqlite' as const
  readonly read: Db
  /** The WAL reader sees every committed write, so it is the primary too. */
  readonly primary: Db
  readonly replicated = false
  private readonly write: Db
  private queue: Promise<unknown> = Promise.resolve()

  constructor(
    private readonly writer: SqliteConnection,
    private readonly reader: SqliteConnection,
  ) {
    this.write = drizzle({ client: writer, schema })
    this.read = drizzle({ client: reader, schema })
    this.primary = this.read
  }

  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const run = async () => {
      this.writer.exec('BEGIN IMMEDIATE')
      try {
        const result = await fn(this.write)
        this.writer.exec('COMMIT')
        return result
      } catch (error) {
        if (this.writer.inTransaction) this.writer.exec('ROLLBACK')
        throw error
      }
    }
    const result = this.queue.then(run, run)
    this.queue = result.catch(() => {})
    return result
  }

  async close(): Promise<void> {
    await this.queue
    this.reader.close()
    this.writer.close()
  }
}

/** Opens (creating when absent) the SQLite database at `path` and applies pending migrations. */
export function openSqlite(path: string): Database {
  const writer = new SqliteConnection(path, { create: true, readwrite: true })
  configure(writer)
  migrate(drizzle({ client: writer, schema }), { migrationsFolder: MIGRATIONS })
  const reader = new SqliteConnection(path, { readwrite: true })
  configure(reader)
  return new SqliteDatabase(writer, reader)
}
