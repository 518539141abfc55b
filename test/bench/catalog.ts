// How fast a registry holding many packages is ready to serve search, and how fast search is.
// Seeds a database directly with N packages (the ~1,300 real corpus packages, their real analyses,
// and numbered copies of them up to N), then starts the registry on it and measures: time until it
// listens with its catalog built (cold, then restarted from the snapshot it saved), memory, and npm
// search latency over HTTP and in-process.
//
//   bun test/bench/catalog.ts [packages=10000] [queries=300]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../registry/src/config/index.ts'
import { openDatabase } from '../../registry/src/db/index.ts'
import { startRegistry } from '../../registry/src/server.ts'
import { corpusSeeds, seedPackages } from './seed.ts'

const TOTAL = Number(process.argv[2] ?? 10_000)
const QUERIES = Number(process.argv[3] ?? 300)

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
}

const seeds = await corpusSeeds()
const dataDir = mkdtempSync(join(tmpdir(), 'packr-bench-catalog-'))
const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error', ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}) })

const db = await openDatabase(config.database)
await seedPackages(db, seeds, TOTAL)
await db.close()

const rssBefore = process.memoryUsage().rss
const startedAt = performance.now()
const registry = await startRegistry(config)
const readyMs = performance.now() - startedAt
const rssAfter = process.memoryUsage().rss

// Queries: words from the seeds' descriptions, one to three words each.
const words = seeds.flatMap((seed) => String(seed.manifest.description ?? '').toLowerCase().split(/\W+/).filter((word) => word.length > 3))
const queries = Array.from({ length: QUERIES }, (_, i) => words.slice((i * 37) % words.length, ((i * 37) % words.length) + 1 + (i % 3)).join(' '))
const latencies: number[] = []
for (const query of queries) {
  const t = performance.now()
  const response = await fetch(`${registry.url}/-/v1/search?text=${encodeURIComponent(query)}&size=20`)
  await response.arrayBuffer()
  latencies.push(performance.now() - t)
}
latencies.sort((a, b) => a - b)
const inProcess: number[] = []
for (const query of queries) {
  const t = performance.now()
  registry.ctx.search.search(query, 20, 0)
  inProcess.push(performance.now() - t)
}
inProcess.sort((a, b) => a - b)

// A restart: stopping saves a catalog snapshot, the next start restores it.
await registry.stop()
const restartedAt = performance.now()
const restarted = await startRegistry(config)
const restartReadyMs = performance.now() - restartedAt
const restoredPackages = restarted.ctx.catalog.size
await restarted.stop()
const [load] = (await Bun.file('/proc/loadavg').text()).split(' ')
console.log(
  JSON.stringify(
    {
      packages: registry.ctx.catalog.size,
      coldStartReadyMs: Math.round(readyMs),
      restartFromSnapshotReadyMs: Math.round(restartReadyMs),
      restoredPackages,
      rssGrowthMB: Math.round((rssAfter - rssBefore) / 1e6),
      rssMB: Math.round(rssAfter / 1e6),
      searchHttpMs: { p50: +percentile(latencies, 0.5).toFixed(2), p95: +percentile(latencies, 0.95).toFixed(2), max: +(latencies.at(-1) ?? 0).toFixed(2) },
      searchInProcessMs: { p50: +percentile(inProcess, 0.5).toFixed(2), p95: +percentile(inProcess, 0.95).toFixed(2) },
      loadAverage: Number(load),
    },
    null,
    2,
  ),
)
rmSync(dataDir, { recursive: true, force: true })
