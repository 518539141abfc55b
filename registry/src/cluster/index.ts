// Cache coherence between instances. Each instance keeps packuments, token identities and the search
// index in memory; after a local write it drops its own copy and broadcasts the same invalidation,
// and every other instance applies it. Only invalidations travel: domain events (webhooks, jobs)
// stay with the instance that wrote, so nothing downstream runs twice.
import type { DatabaseConfig } from '../config/index.ts'
import type { Logger } from '../logging/index.ts'
import type { ClusterMessage } from './model.ts'
import { PostgresCluster } from './postgres.ts'

export type { ClusterMessage } from './model.ts'

export interface ClusterHandlers {
  /** A message from another instance. */
  message(message: ClusterMessage): void | Promise<void>
  /** Messages may have been lost (a dropped connection): drop every cache. */
  resync(): void | Promise<void>
}

export interface Cluster {
  readonly kind: 'local' | 'postgres'
  /** Tells every other instance; the sender has already applied the change to itself. */
  broadcast(message: ClusterMessage): void
  /** Starts receiving other instances' messages. */
  start(handlers: ClusterHandlers): Promise<void>
  close(): Promise<void>
}

/** One instance (SQLite): there is nobody to tell. */
export class LocalCluster implements Cluster {
  readonly kind = 'local' as const
  broadcast(): void {}
  async start(): Promise<void> {}
  async close(): Promise<void> {}
}

export function createCluster(database: DatabaseConfig, log: Logger): Cluster {
  return database.kind === 'postgres' ? new PostgresCluster(database.url, log) : new LocalCluster()
}
