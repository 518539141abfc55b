// Starting and stopping a registry: start-up housekeeping, listening, graceful shutdown.
import { isNull } from 'drizzle-orm'
import { createApp } from './app.ts'
import type { Config } from './config/index.ts'
import { createContext, type AppContext, type ContextOptions } from './context.ts'
import { versions } from './db/schema.ts'

/** A restored catalog older than this is recomputed in the background after start. */
const CATALOG_STALE_MS = 3600_000

export interface RunningRegistry {
  url: string
  port: number
  ctx: AppContext
  stop(): Promise<void>
}

/** How old an unreferenced tarball must be before a shared store's sweep removes it. */
export const SHARED_STORE_GRACE_MS = 60 * 60 * 1000

/**
 * Removes tarballs that no live version references (a crash between storing a tarball and committing
 * its version, or an unpublish whose delete failed). `olderThanMs` protects uploads still in flight
 * on other instances sharing the store.
 */
export async function sweepOrphanBlobs(ctx: AppContext, olderThanMs: number): Promise<number> {
  await ctx.blobs.cleanup(olderThanMs)
  const referenced = new Set(
    (await ctx.db.primary.select({ key: versions.blobKey }).from(versions).where(isNull(versions.unpublishedAt))).map((row) => row.key),
  )
  let removed = 0
  const cutoff = Date.now() - olderThanMs
  for await (const blob of ctx.blobs.list()) {
    if (referenced.has(blob.key) || blob.modifiedAt > cutoff) continue
    await ctx.blobs.delete(blob.key)
    removed++
  }
  return removed
}

export interface RegistryOptions extends ContextOptions {
  /** False leaves background jobs to explicit `ctx.jobs.drain()` calls (tests driving a clock). */
  runJobs?: boolean
}

export async function startRegistry(config: Config, options: RegistryOptions = {}): Promise<RunningRegistry> {
  const ctx = await createContext(config, options)
  // Other instances may be between storing a tarball and committing its version right now.
  const removed = await sweepOrphanBlobs(ctx, ctx.db.dialect === 'sqlite' ? 0 : SHARED_STORE_GRACE_MS)
  if (removed > 0) ctx.log.info('removed tarballs left by an interrupted write', { count: removed })
  // Listen before the search index is built, so no write between the two goes unnoticed.
  await ctx.cluster.start({
    message: (message) => {
      if (message.type === 'identities') return ctx.tokens.forgetAll()
      if (message.type === 'access') return ctx.access.forgetLocal()
      if (message.type === 'package') ctx.packuments.evict(message.name, message.revision)
      return ctx.catalog.refresh(message.name)
    },
    resync: () => {
      ctx.tokens.forgetAll()
      ctx.access.forgetLocal()
      ctx.packuments.clear()
      return ctx.catalog.rebuild()
    },
  })
  if (config.admin) await ctx.users.ensureAdmin(config.admin.username, config.admin.password)
  await ctx.signing.ensureKey()
  const app = createApp(ctx).listen({ port: config.port, hostname: config.host })
  const server = app.server
  if (!server) throw new Error('server did not start')
  const port = server.port as number
  const localHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host
  ctx.urls.base = config.publicUrl ?? `http://${localHost.includes(':') ? `[${localHost}]` : localHost}:${port}`
  // A snapshot serves search within seconds of a restart; time-based signals catch up in the background.
  const snapshotAge = await ctx.catalog.restore()
  if (snapshotAge === null) await ctx.catalog.rebuild()
  else {
    ctx.log.info('catalog restored from a snapshot', { ageMs: snapshotAge, packages: ctx.catalog.size })
    if (snapshotAge > CATALOG_STALE_MS) void ctx.catalog.rebuild().catch((error) => ctx.log.warn('catalog rebuild failed', { error: String(error) }))
  }
  const queued = await ctx.analyses.reconcile()
  if (queued > 0) ctx.log.info('queued analyses of versions not analysed yet', { count: queued })
  ctx.catalog.start()
  ctx.downloads.start()
  if (options.runJobs !== false) ctx.jobs.start()
  ctx.log.info('packr registry listening', {
    url: ctx.urls.base,
    port,
    database: ctx.db.dialect,
    readReplica: ctx.db.replicated,
    storage: ctx.blobs.kind,
    region: config.region,
  })
  return {
    url: ctx.urls.base,
    port,
    ctx,
    async stop() {
      await app.stop()
      ctx.readmes.stop()
      await ctx.catalog.stop()
      await ctx.jobs.stop()
      ctx.analysisRunner.stop()
      await ctx.downloads.stop()
      await ctx.cluster.close()
      ctx.blobs.close()
      await ctx.db.close()
    },
  }
}
