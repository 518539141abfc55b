// Download counting and records off the hot path: the tarball route only bumps an in-memory counter
// and a record; counts are folded into the database every few seconds (and at shutdown) with one
// upsert per key, records (one per caller, address and version per flush) with multi-row inserts. Public tarballs never resolve their caller on
// the request path: the bearer token is kept in memory until the flush, and resolved there (cached).
// A flush writes in small transactions and yields between them: at 10,000 downloads a second one big
// transaction held the event loop for over a second (bun:sqlite is synchronous), stalling every
// request behind it.
import { and, asc, desc, eq, gte, lte, sql, sum } from 'drizzle-orm'
import type { Database } from '../db/index.ts'
import { downloadCounts, packageDownloads } from '../db/schema.ts'
import type { Logger } from '../logging/index.ts'

/** Who downloaded: a known user id, or the raw Authorization header to resolve at flush time. */
export interface Downloader {
  address: string | null
  userId?: string | null | undefined
  authorization?: string | null | undefined
}

/** The user id behind an Authorization header, or null (anonymous, or a token no longer valid). */
export type DownloaderResolver = (authorization: string, address: string | null) => Promise<string | null>

/** Downloads of one version by one caller from one address since the last flush. */
interface PendingRecord {
  packageName: string
  version: string
  /** The first of them. */
  at: number
  count: number
  downloader: Downloader
}

/** Rows per transaction (6 columns each, well under SQLite's bound-parameter limit): a few milliseconds of work. */
const WRITE_CHUNK = 500
/** A flush is started early when this many distinct records wait, so memory stays bounded under load. */
const EARLY_FLUSH_RECORDS = 50_000

export interface DailyDownloads {
  day: string
  count: number
}

export const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export interface VersionDownloads extends DailyDownloads {
  version: string
}

export class DownloadService {
  private pending = new Map<string, number>()
  private records = new Map<string, PendingRecord>()
  private timer: ReturnType<typeof setInterval> | undefined
  private flushing: Promise<void> | undefined

  constructor(
    private readonly db: Database,
    private readonly log: Logger,
    private readonly resolveDownloader: DownloaderResolver,
    private readonly flushEveryMs = 5000,
  ) {}

  record(name: string, version: string, downloader: Downloader, at = Date.now()): void {
    const key = `${name}\0${version}\0${utcDay(at)}`
    this.pending.set(key, (this.pending.get(key) ?? 0) + 1)
    // A CI fleet behind one address, or a load test, downloads the same tarballs over and over: one
    // row per caller, address and version per flush keeps the table from growing by a row per request.
    const caller = downloader.userId !== undefined ? `user:${downloader.userId}` : `bearer:${downloader.authorization ?? ''}`
    const recordKey = `${key}\0${downloader.address ?? ''}\0${caller}`
    const record = this.records.get(recordKey)
    if (record) record.count++
    else this.records.set(recordKey, { packageName: name, version, at, count: 1, downloader })
    if (this.records.size >= EARLY_FLUSH_RECORDS && !this.flushing) void this.flush()
  }

  /** Writes the counts and records gathered so far. On failure they are kept for the next attempt. */
  flush(): Promise<void> {
    // One flush at a time: a second waits for the first, then writes what arrived meanwhile.
    const run = (this.flushing ?? Promise.resolve()).then(() => this.flushOnce())
    this.flushing = run
    void run.finally(() => {
      if (this.flushing === run) this.flushing = undefined
    })
    return run
  }

  private async flushOnce(): Promise<void> {
    if (this.pending.size === 0 && this.records.size === 0) return
    const counts = [...this.pending]
    const records = [...this.records]
    this.pending = new Map()
    this.records = new Map()
    const users = new Map<string, Promise<string | null>>()
    let countsDone = 0
    let recordsDone = 0
    try {
      for (; countsDone < counts.length; countsDone += WRITE_CHUNK) {
        const chunk = counts.slice(countsDone, countsDone + WRITE_CHUNK)
        await this.db.transaction(async (tx) => {
          for (const [key, count] of chunk) {
            const [packageName, version, day] = key.split('\0') as [string, string, string]
            await tx
              .insert(downloadCounts)
              .values({ packageName, version, day, count })
              .onConflictDoUpdate({
                target: [downloadCounts.packageName, downloadCounts.version, downloadCounts.day],
                set: { count: sql`${downloadCounts.count} + ${count}` },
              })
          }
        })
        await Bun.sleep(0)
      }
      for (; recordsDone < records.length; recordsDone += WRITE_CHUNK) {
        const rows = await this.resolveRecords(
          records.slice(recordsDone, recordsDone + WRITE_CHUNK).map(([, record]) => record),
          users,
        )
        await this.db.transaction(async (tx) => {
          await tx.insert(packageDownloads).values(rows)
        })
        await Bun.sleep(0)
      }
    } catch (error) {
      // What committed stays committed; the rest waits for the next flush, so nothing counts twice.
      for (const [key, count] of counts.slice(countsDone)) this.pending.set(key, (this.pending.get(key) ?? 0) + count)
      for (const [key, record] of records.slice(recordsDone)) {
        const newer = this.records.get(key)
        this.records.set(key, newer ? { ...record, count: record.count + newer.count } : record)
      }
      this.log.warn('could not record download counts; will retry', { error: error instanceof Error ? error.message : String(error) })
    }
  }

  /** Each distinct Authorization header is resolved once per flush (`users` lives as long as the flush). */
  private async resolveRecords(records: PendingRecord[], users: Map<string, Promise<string | null>>) {
    const userOf = (downloader: Downloader): Promise<string | null> => {
      if (downloader.userId !== undefined) return Promise.resolve(downloader.userId)
      const header = downloader.authorization
      if (!header) return Promise.resolve(null)
      let user = users.get(header)
      if (!user) {
        user = this.resolveDownloader(header, downloader.address).catch(() => null)
        users.set(header, user)
      }
      return user
    }
    return Promise.all(
      records.map(async (record) => ({
        // Time-ordered ids append to the primary key's index instead of landing on random pages.
        id: Bun.randomUUIDv7(),
        packageName: record.packageName,
        version: record.version,
        userId: await userOf(record.downloader),
        clientAddress: record.downloader.address,
        at: record.at,
        count: record.count,
      })),
    )
  }

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.flushEveryMs)
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer)
    this.timer = undefined
    await this.flush()
  }

  /** Downloads of `name` per day in [from, to] (inclusive, `YYYY-MM-DD`), optionally of one version. */
  async daily(name: string, from: string, to: string, version?: string): Promise<DailyDownloads[]> {
    const rows = await this.db.read
      .select({ day: downloadCounts.day, count: sum(downloadCounts.count).mapWith(Number) })
      .from(downloadCounts)
      .where(
        and(
          eq(downloadCounts.packageName, name),
          gte(downloadCounts.day, from),
          lte(downloadCounts.day, to),
          version === undefined ? undefined : eq(downloadCounts.version, version),
        ),
      )
      .groupBy(downloadCounts.day)
      .orderBy(downloadCounts.day)
    return rows
  }

  /** Total downloads of `name` over the last `days` days up to `now`. */
  async total(name: string, days: number, now = Date.now()): Promise<number> {
    const series = await this.daily(name, utcDay(now - (days - 1) * 86_400_000), utcDay(now))
    return series.reduce((total, day) => total + day.count, 0)
  }

  /** Downloads per package since `since` (epoch ms, by UTC day), for every package at once. */
  async totalsSince(since: number): Promise<Map<string, number>> {
    const rows = await this.db.read
      .select({ name: downloadCounts.packageName, count: sum(downloadCounts.count).mapWith(Number) })
      .from(downloadCounts)
      .where(gte(downloadCounts.day, utcDay(since)))
      .groupBy(downloadCounts.packageName)
    return new Map(rows.map((row) => [row.name, row.count]))
  }

  /** Downloads of every package together, per day in [from, to]. */
  async dailyTotals(from: string, to: string): Promise<DailyDownloads[]> {
    return this.db.read
      .select({ day: downloadCounts.day, count: sum(downloadCounts.count).mapWith(Number) })
      .from(downloadCounts)
      .where(and(gte(downloadCounts.day, from), lte(downloadCounts.day, to)))
      .groupBy(downloadCounts.day)
      .orderBy(downloadCounts.day)
  }

  /** Downloads of `name` per day and version in [from, to]. */
  async dailyByVersion(name: string, from: string, to: string): Promise<VersionDownloads[]> {
    return this.db.read
      .select({ day: downloadCounts.day, version: downloadCounts.version, count: downloadCounts.count })
      .from(downloadCounts)
      .where(and(eq(downloadCounts.packageName, name), gte(downloadCounts.day, from), lte(downloadCounts.day, to)))
      .orderBy(asc(downloadCounts.day), asc(downloadCounts.version))
  }

  /** The most downloaded packages in [from, to]. */
  async top(from: string, to: string, limit: number): Promise<Array<{ name: string; count: number }>> {
    const total = sum(downloadCounts.count).mapWith(Number)
    return this.db.read
      .select({ name: downloadCounts.packageName, count: total })
      .from(downloadCounts)
      .where(and(gte(downloadCounts.day, from), lte(downloadCounts.day, to)))
      .groupBy(downloadCounts.packageName)
      .orderBy(desc(total), asc(downloadCounts.packageName))
      .limit(limit)
  }

  /** Every stored count in [from, to] (of `name` only, when given), for export. */
  async rows(from: string, to: string, name?: string): Promise<Array<VersionDownloads & { name: string }>> {
    return this.db.read
      .select({ day: downloadCounts.day, name: downloadCounts.packageName, version: downloadCounts.version, count: downloadCounts.count })
      .from(downloadCounts)
      .where(and(gte(downloadCounts.day, from), lte(downloadCounts.day, to), name === undefined ? undefined : eq(downloadCounts.packageName, name)))
      .orderBy(asc(downloadCounts.day), asc(downloadCounts.packageName), asc(downloadCounts.version))
  }
}
