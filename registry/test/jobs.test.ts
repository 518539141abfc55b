import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { eq } from 'drizzle-orm'
import type { DatabaseConfig } from '../src/config/index.ts'
import { openDatabase, type Database } from '../src/db/index.ts'
import { jobs } from '../src/db/schema.ts'
import { JobQueue, type Clock } from '../src/jobs/service.ts'
import { createLogger } from '../src/logging/index.ts'
import { createTestDatabase, TEST_POSTGRES_URL, type TestDatabase } from '../../test/helpers/postgres.ts'

const log = createLogger('silent')
let dir: string
let pg: TestDatabase | undefined
let databaseConfig: DatabaseConfig
let db: Database
let time: number
const clock: Clock = { now: () => time }

// On SQLite, or on a fresh PostgreSQL database when the suite runs its PostgreSQL pass.
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'packr-jobs-'))
  pg = TEST_POSTGRES_URL ? await createTestDatabase() : undefined
  databaseConfig = pg ? { kind: 'postgres', url: pg.url, replicaUrl: undefined, poolSize: 4 } : { kind: 'sqlite', path: join(dir, 'jobs.db') }
  db = await openDatabase(databaseConfig)
  time = 1_000_000
})

afterEach(async () => {
  await db.close()
  await pg?.drop()
  rmSync(dir, { recursive: true, force: true })
})

const allJobs = () => db.read.select().from(jobs)

describe('JobQueue', () => {
  test('runs a due job once and deletes it', async () => {
    const queue = new JobQueue(db, log, { clock })
    const seen: unknown[] = []
    queue.register('echo', async (payload) => {
      seen.push(payload)
    })
    await queue.enqueue('echo', { n: 1 })
    expect(await queue.drain()).toBe(1)
    expect(seen).toEqual([{ n: 1 }])
    expect(await allJobs()).toHaveLength(0)
  })

  test('does not run a job before its time', async () => {
    const queue = new JobQueue(db, log, { clock })
    let runs = 0
    queue.register('later', async () => {
      runs++
    })
    await queue.enqueue('later', {}, { runAt: time + 60_000 })
    expect(await queue.drain()).toBe(0)
    time += 60_000
    expect(await queue.drain()).toBe(1)
    expect(runs).toBe(1)
  })

  test('retries with backoff, then marks the job failed', async () => {
    const queue = new JobQueue(db, log, { clock, backoff: (attempt) => attempt * 1000 })
    let runs = 0
    queue.register('flaky', async () => {
      runs++
      throw new Error(`boom ${runs}`)
    })
    await queue.enqueue('flaky', {}, { maxAttempts: 3 })
    expect(await queue.drain()).toBe(1)
    let [row] = await allJobs()
    expect(row?.status).toBe('pending')
    expect(row?.attempts).toBe(1)
    expect(row?.runAt).toBe(time + 1000)
    expect(row?.lastError).toBe('boom 1')
    expect(await queue.drain()).toBe(0)
    time += 1000
    expect(await queue.drain()).toBe(1)
    time += 2000
    expect(await queue.drain()).toBe(1)
    ;[row] = await allJobs()
    expect(row?.status).toBe('failed')
    expect(row?.attempts).toBe(3)
    time += 10_000_000
    expect(await queue.drain()).toBe(0)
    expect(runs).toBe(3)
  })

  test('a dedupe key keeps one waiting job, and revives a failed one', async () => {
    const queue = new JobQueue(db, log, { clock })
    let fail = true
    queue.register('analyse', async () => {
      if (fail) throw new Error('no')
    })
    await queue.enqueue('analyse', { v: 1 }, { dedupeKey: 'a@1', maxAttempts: 1 })
    await queue.enqueue('analyse', { v: 1 }, { dedupeKey: 'a@1', maxAttempts: 1 })
    expect(await allJobs()).toHaveLength(1)
    await queue.drain()
    expect((await allJobs())[0]?.status).toBe('failed')
    fail = false
    await queue.enqueue('analyse', { v: 2 }, { dedupeKey: 'a@1', maxAttempts: 1 })
    const [revived] = await allJobs()
    expect(revived?.status).toBe('pending')
    expect(revived?.payload).toEqual({ v: 2 })
    expect(await queue.drain()).toBe(1)
    expect(await allJobs()).toHaveLength(0)
  })

  test("a crashed worker's job is taken over once its lease expires", async () => {
    const crashed = new JobQueue(db, log, { clock, leaseMs: 30_000 })
    const survivor = new JobQueue(db, log, { clock, leaseMs: 30_000 })
    let ranBy = ''
    crashed.register('work', async () => {
      ranBy = 'crashed'
    })
    survivor.register('work', async () => {
      ranBy = 'survivor'
    })
    await crashed.enqueue('work', {})
    const claimed = await crashed.claim()
    expect(claimed?.status).toBe('running')
    // The crashed worker never finishes; within the lease nobody else may take the job.
    expect(await survivor.drain()).toBe(0)
    time += 30_000
    expect(await survivor.drain()).toBe(1)
    expect(ranBy).toBe('survivor')
    expect(await db.read.select().from(jobs).where(eq(jobs.id, claimed?.id as string))).toHaveLength(0)
  })

  test('two queues draining at once never run a job twice', async () => {
    // On PostgreSQL, a second connection pool, as a second instance has. SQLite serves one instance
    // per file (its writer is serialized in-process), so there both queues share the database.
    const other = databaseConfig.kind === 'postgres' ? await openDatabase(databaseConfig) : db
    const runs = new Map<number, number>()
    const make = (database: Database) => {
      const queue = new JobQueue(database, log, { clock })
      queue.register('count', async (payload) => {
        await Bun.sleep(1)
        runs.set(payload.n as number, (runs.get(payload.n as number) ?? 0) + 1)
      })
      return queue
    }
    const a = make(db)
    const b = make(other)
    for (let n = 0; n < 40; n++) await a.enqueue('count', { n })
    try {
      const [ranA, ranB] = await Promise.all([a.drain(), b.drain()])
      expect(ranA + ranB).toBe(40)
      expect(runs.size).toBe(40)
      expect([...runs.values()].every((count) => count === 1)).toBe(true)
    } finally {
      if (other !== db) await other.close()
    }
  })

  test('the worker loop picks up jobs enqueued while it runs', async () => {
    const queue = new JobQueue(db, log, { pollMs: 20 })
    const done = Promise.withResolvers<unknown>()
    queue.register('ping', async (payload) => done.resolve(payload))
    queue.start()
    await Bun.sleep(50)
    await queue.enqueue('ping', { hello: 'world' })
    expect(await done.promise).toEqual({ hello: 'world' })
    await queue.stop()
  })
})
