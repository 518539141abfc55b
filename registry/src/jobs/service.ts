// A durable job queue in the database. A job is claimed with a lease (so a crashed worker's job is
// picked up again once the lease runs out), retried with exponential backoff and jitter, and
// deleted when done. Claiming is one atomic UPDATE, so several instances never run a job twice.
import { and, asc, eq, inArray, lte, or, sql } from 'drizzle-orm'
import type { Database } from '../db/index.ts'
import { jobs, type JobRow } from '../db/schema.ts'
import type { Logger } from '../logging/index.ts'

export interface Clock {
  now(): number
}

export const systemClock: Clock = { now: () => Date.now() }

export interface EnqueueOptions {
  /** Not before this time (epoch ms). Default: now. */
  runAt?: number
  /** At most one waiting job per key; enqueueing again while it waits changes nothing. */
  dedupeKey?: string
  maxAttempts?: number
}

export interface JobContext {
  job: JobRow
  /** Aborted when the job runs past its lease or the queue stops. */
  signal: AbortSignal
}

export type JobHandler = (payload: Record<string, unknown>, context: JobContext) => Promise<void>

export interface JobQueueOptions {
  clock?: Clock
  /** How long a claimed job is reserved for its worker. */
  leaseMs?: number
  /** Jobs run at the same time by this instance. */
  concurrency?: number
  /** How often an idle worker looks for due jobs. */
  pollMs?: number
  /** Delay before retry number `attempt` (1-based). */
  backoff?: (attempt: number) => number
}

/** 10 s, 40 s, 2.7 min, ... capped at one hour, each ±20 % so retries of many jobs spread out. */
export function defaultBackoff(attempt: number): number {
  const base = Math.min(3600_000, 10_000 * 4 ** (attempt - 1))
  return Math.round(base * (0.8 + Math.random() * 0.4))
}

export interface HandlerOptions {
  /** Delay before retry number `attempt` of this kind, instead of the queue's. */
  backoff?: (attempt: number) => number
}

export class JobQueue {
  private readonly handlers = new Map<string, JobHandler>()
  private readonly backoffs = new Map<string, (attempt: number) => number>()
  private readonly clock: Clock
  private readonly leaseMs: number
  private readonly concurrency: number
  private readonly pollMs: number
  private readonly backoff: (attempt: number) => number
  private readonly workerId = crypto.randomUUID()
  private running = 0
  private timer: ReturnType<typeof setTimeout> | undefined
  private stopped = true
  private readonly active = new Set<Promise<void>>()
  private readonly controller = new AbortController()

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    options: JobQueueOptions = {},
  ) {
    this.clock = options.clock ?? systemClock
    this.leaseMs = options.leaseMs ?? 5 * 60_000
    this.concurrency = options.concurrency ?? 1
    this.pollMs = options.pollMs ?? 1000
    this.backoff = options.backoff ?? defaultBackoff
  }

  register(kind: string, handler: JobHandler, options: HandlerOptions = {}): void {
    this.handlers.set(kind, handler)
    if (options.backoff) this.backoffs.set(kind, options.backoff)
  }

  async enqueue(kind: string, payload: Record<string, unknown>, options: EnqueueOptions = {}): Promise<void> {
    const now = this.clock.now()
    const row = {
      id: crypto.randomUUID(),
      kind,
      payload,
      dedupeKey: options.dedupeKey ?? null,
      status: 'pending' as const,
      attempts: 0,
      maxAttempts: options.maxAttempts ?? 8,
      runAt: options.runAt ?? now,
      createdAt: now,
      updatedAt: now,
    }
    await this.db.transaction(async (tx) => {
      const insert = tx.insert(jobs).values(row)
      if (options.dedupeKey === undefined) {
        await insert
        return
      }
      // A job that failed for good under this key is given a fresh start; a waiting one is left alone.
      await insert.onConflictDoUpdate({
        target: jobs.dedupeKey,
        set: { status: 'pending', attempts: 0, runAt: row.runAt, payload, lastError: null, updatedAt: now },
        setWhere: eq(jobs.status, 'failed'),
      })
    })
    this.wake()
  }

  /** Claims the next due job (or one whose lease expired) for this worker, atomically. */
  async claim(): Promise<JobRow | undefined> {
    const now = this.clock.now()
    const kinds = [...this.handlers.keys()]
    if (kinds.length === 0) return undefined
    const isDue = and(
      inArray(jobs.kind, kinds),
      or(and(eq(jobs.status, 'pending'), lte(jobs.runAt, now)), and(eq(jobs.status, 'running'), lte(jobs.lockedUntil, now))),
    )
    // Idle polls stay read-only: only take the write path when something is due. They ask the
    // primary: a replica would hide (or delay) jobs enqueued moments ago.
    const [anyDue] = await this.db.primary.select({ id: jobs.id }).from(jobs).where(isDue).limit(1)
    if (!anyDue) return undefined
    return this.db.transaction(async (tx) => {
      const due = tx.select({ id: jobs.id }).from(jobs).where(isDue).orderBy(asc(jobs.runAt)).limit(1)
      // On PostgreSQL, concurrent claimers skip each other's rows instead of queueing behind them.
      const candidate = this.db.dialect === 'postgres' ? (due as unknown as { for(strength: 'update', config: { skipLocked: boolean }): typeof due }).for('update', { skipLocked: true }) : due
      const [claimed] = await tx
        .update(jobs)
        .set({ status: 'running', lockedBy: this.workerId, lockedUntil: now + this.leaseMs, attempts: sql`${jobs.attempts} + 1`, updatedAt: now })
        .where(inArray(jobs.id, candidate))
        .returning()
      return claimed
    })
  }

  /** Runs one claimed job to completion, recording success, retry or failure. */
  async runJob(job: JobRow): Promise<void> {
    const handler = this.handlers.get(job.kind)
    const lease = AbortSignal.any([this.controller.signal, AbortSignal.timeout(this.leaseMs)])
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`)
      await handler(job.payload, { job, signal: lease })
      await this.db.transaction((tx) => tx.delete(jobs).where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, this.workerId))))
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      const failed = job.attempts >= job.maxAttempts
      const now = this.clock.now()
      await this.db.transaction((tx) =>
        tx
          .update(jobs)
          .set({
            status: failed ? 'failed' : 'pending',
            runAt: failed ? job.runAt : now + (this.backoffs.get(job.kind) ?? this.backoff)(job.attempts),
            lockedBy: null,
            lockedUntil: null,
            lastError: message.slice(0, 2000),
            updatedAt: now,
          })
          .where(and(eq(jobs.id, job.id), eq(jobs.lockedBy, this.workerId))),
      )
      const fields = { kind: job.kind, id: job.id, attempt: job.attempts, error: message }
      if (failed) this.log.error('job failed for good', fields)
      else this.log.warn('job failed; will retry', fields)
    }
  }

  /** Claims and runs due jobs until none is due; returns how many ran. For tests and the worker loop. */
  async drain(): Promise<number> {
    let ran = 0
    for (let job = await this.claim(); job; job = await this.claim()) {
      await this.runJob(job)
      ran++
    }
    return ran
  }

  start(): void {
    if (!this.stopped) return
    this.stopped = false
    this.wake()
  }

  async stop(): Promise<void> {
    this.stopped = true
    if (this.timer) clearTimeout(this.timer)
    this.controller.abort()
    await Promise.allSettled([...this.active])
  }

  /** Fills free worker slots now instead of at the next poll. */
  private wake(): void {
    if (this.stopped) return
    while (this.running < this.concurrency) {
      this.running++
      const work = this.work().finally(() => {
        this.running--
        this.active.delete(work)
      })
      this.active.add(work)
    }
  }

  private async work(): Promise<void> {
    while (!this.stopped) {
      let job: JobRow | undefined
      try {
        job = await this.claim()
      } catch (error) {
        this.log.error('could not claim a job', { error: error instanceof Error ? error.message : String(error) })
      }
      if (!job) break
      await this.runJob(job)
    }
    if (!this.stopped && this.running === 1) {
      if (this.timer) clearTimeout(this.timer)
      this.timer = setTimeout(() => this.wake(), this.pollMs)
    }
  }
}
