// Cluster messages over PostgreSQL LISTEN/NOTIFY on the primary: every instance already talks to it,
// a notification reaches all listeners in milliseconds, and postgres.js re-listens after a dropped
// connection (we resync then, since notifications sent meanwhile are gone).
import type { Sql } from 'postgres'
import { postgresClient } from '../db/postgres.ts'
import type { Logger } from '../logging/index.ts'
import type { Cluster, ClusterHandlers } from './index.ts'
import { ClusterMessageSchema, type ClusterMessage } from './model.ts'

const CHANNEL = 'packr_cluster'

export class PostgresCluster implements Cluster {
  readonly kind = 'postgres' as const
  /** Lets an instance skip its own notifications, which PostgreSQL delivers to it too. */
  private readonly instanceId = crypto.randomUUID()
  private readonly client: Sql
  private unlisten: (() => Promise<void>) | undefined
  private pending = new Set<Promise<unknown>>()

  constructor(
    url: string,
    private readonly log: Logger,
  ) {
    // One connection sends; postgres.js opens a dedicated one for LISTEN.
    this.client = postgresClient(url, { max: 1 })
  }

  broadcast(message: ClusterMessage): void {
    const sent = this.client
      .notify(CHANNEL, JSON.stringify({ from: this.instanceId, ...message }))
      .catch((error: unknown) => this.log.error('could not notify other instances; their caches may be stale until their next resync', { error: String(error) }))
      .finally(() => this.pending.delete(sent))
    this.pending.add(sent)
  }

  async start(handlers: ClusterHandlers): Promise<void> {
    let listening = false
    const run = (work: () => void | Promise<void>) => {
      Promise.resolve()
        .then(work)
        .catch((error: unknown) => this.log.error('applying a cluster message failed', { error: String(error) }))
    }
    const listener = await this.client.listen(
      CHANNEL,
      (payload) => {
        let data: unknown
        try {
          data = JSON.parse(payload)
        } catch {
          data = undefined
        }
        if ((data as { from?: unknown } | undefined)?.from === this.instanceId) return
        const parsed = ClusterMessageSchema.safeParse(data)
        if (parsed.success) {
          run(() => handlers.message(parsed.data))
        } else {
          // An instance of another version (during a rolling deploy) may speak differently: be safe.
          this.log.warn('unknown cluster message; dropping all caches', { payload: payload.slice(0, 200) })
          run(() => handlers.resync())
        }
      },
      () => {
        if (listening) {
          this.log.warn('cluster connection re-established; dropping all caches')
          run(() => handlers.resync())
        }
        listening = true
      },
    )
    this.unlisten = listener.unlisten
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.pending])
    await this.unlisten?.().catch(() => {})
    await this.client.end({ timeout: 5 })
  }
}
