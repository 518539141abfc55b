// Benchmark of the agent API and the MCP server with 10,000 packages in the registry.
//
//   bun run bench:agent            # test/bench/agent.ts; needs the corpus (bun run corpus builds it)
//
// 1. Seeds a SQLite registry directly: 10,000 packages synthesised from the corpus's real packages
//    (the real ones, then renamed variants reusing a real package's manifest, README, dependencies and
//    stored analysis), one version each, with its analysis row, so no analysis job runs.
// 2. Starts the registry in its own process (`bun registry/src/main.ts`), touches every package once
//    (first-touch latency: packument built, analysis read), then measures sequential requests over one
//    keep-alive connection: /agent/:pkg, search, compare, recommendations (the targets), deps and docs.
// 3. Starts `packr-mcp` over stdio (the Node build and the Bun source) and compares each tool call with
//    the HTTP call it makes, interleaved, same arguments.
// Three rounds; medians reported with the load average seen.
import { mkdtempSync, rmSync } from 'node:fs'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { PackrClient } from '@packr/agent'
import { openDatabase } from '../../registry/src/db/index.ts'
import { packages as packagesTable, versionAnalyses, versions } from '../../registry/src/db/schema.ts'
import { loadCorpusPackages, type CorpusPackage } from '../../scoring/eval/corpus-documents.ts'
import gold from '../../scoring/eval/gold-queries.json'
import { ANALYSIS_VERSION, type VersionAnalysis } from '../../scoring/src/index.ts'
import { spawnRegistry } from '../helpers/registry-process.ts'

const ROOT = resolve(import.meta.dir, '../..')
const PACKAGES = 10_000
const REQUESTS = 1_000
const MCP_CALLS = 300
const ROUNDS = 3
const DAY = 86_400_000

interface Synthetic {
  name: string
  manifest: Record<string, unknown>
  readme: string
  analysis: VersionAnalysis
  publishedAt: number
  size: number
  integrity: string
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number
}
const fixed = (value: number, digits = 1) => value.toFixed(digits)
const load = () => loadavg().map((value) => fixed(value, 2)).join(' ')

/** A deterministic pseudo-random sequence (mulberry32), so every run asks the same things. */
function random(seed: number): () => number {
  let state = seed
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = Math.imul(state ^ (state >>> 15), 1 | state)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296
  }
}

/** The real packages, then renamed variants of them (as test/bench/scoring.ts synthesises search documents). */
function synthesize(real: CorpusPackage[], count: number, now: number): Synthetic[] {
  const suffixes = ['plus', 'lite', 'next', 'fork', 'core', 'utils', 'ts', 'node', 'pro', 'kit']
  const out: Synthetic[] = []
  for (let i = 0; i < count; i++) {
    const base = real[i % real.length] as CorpusPackage
    const name = i < real.length ? base.analysis.name : `${base.analysis.name.replace(/^@/, '').replace('/', '-')}-${suffixes[i % suffixes.length]}-${i}`
    const { metadata, license } = base.analysis
    out.push({
      name,
      manifest: {
        name,
        version: base.analysis.version,
        description: metadata.description ?? undefined,
        keywords: metadata.keywords,
        license: license.declared ?? undefined,
        dependencies: base.entry.dependencies,
        repository: metadata.repository ?? undefined,
        homepage: metadata.homepage ?? undefined,
        dist: { integrity: base.entry.integrity, shasum: '0'.repeat(40) },
      },
      readme: base.readme,
      analysis: { ...base.analysis, name },
      // Releases spread over the last two years, so freshness varies as in a real registry.
      publishedAt: now - ((i * 7919) % 730) * DAY,
      size: base.bytes.byteLength,
      integrity: base.entry.integrity,
    })
  }
  return out
}

async function seed(dataDir: string, items: Synthetic[]): Promise<number> {
  const started = performance.now()
  const db = await openDatabase({ kind: 'sqlite', path: join(dataDir, 'packr.db') })
  for (let at = 0; at < items.length; at += 500) {
    const batch = items.slice(at, at + 500)
    await db.transaction(async (tx) => {
      await tx.insert(packagesTable).values(
        batch.map((item) => ({ name: item.name, scope: item.name.startsWith('@') ? (item.name.split('/')[0] as string) : null, revision: 1, distTags: { latest: item.analysis.version }, maintainers: [{ name: 'bench' }], createdAt: item.publishedAt, modifiedAt: item.publishedAt })),
      )
      await tx.insert(versions).values(
        batch.map((item) => ({ packageName: item.name, version: item.analysis.version, manifest: item.manifest, readme: item.readme, integrity: item.integrity, shasum: '0'.repeat(40), sha256: '0'.repeat(64), size: item.size, blobKey: `bench/${item.name}.tgz`, publishedAt: item.publishedAt, publishedBy: 'bench', deprecated: null })),
      )
      await tx.insert(versionAnalyses).values(
        batch.map((item) => ({ packageName: item.name, version: item.analysis.version, analysisVersion: ANALYSIS_VERSION, status: 'ok' as const, result: item.analysis as unknown as Record<string, unknown>, analyzedAt: Date.now() })),
      )
    })
  }
  await db.close()
  return performance.now() - started
}

/** Sequential GETs over one keep-alive connection; milliseconds per request. Any non-200 aborts the run. */
async function timeRequests(base: string, paths: string[]): Promise<number[]> {
  const times: number[] = []
  for (const path of paths) {
    const started = performance.now()
    const response = await fetch(`${base}${path}`)
    await response.arrayBuffer()
    times.push(performance.now() - started)
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}`)
  }
  return times
}

async function main(): Promise<void> {
  const lines: string[] = []
  const say = (line: string) => {
    lines.push(line)
    console.log(line)
  }
  say(`machine: ${cpus().length} cores; load average at start ${load()}`)
  const { packages: real } = await loadCorpusPackages()
  const items = synthesize(real, PACKAGES, Date.now())
  const names = items.map((item) => item.name)
  const dataDir = mkdtempSync(join(tmpdir(), 'packr-bench-agent-'))
  say(`seeded ${items.length} packages (${real.length} real corpus packages + ${items.length - real.length} renamed variants) in ${fixed((await seed(dataDir, items)) / 1000)} s`)

  const started = performance.now()
  const registry = await spawnRegistry({ DATA_DIR: dataDir })
  say(`registry start with 10,000 packages (catalog rebuild: search index, co-occurrence, scores) ${fixed((performance.now() - started) / 1000)} s; load ${load()}`)
  try {
    const next = random(42)
    const pick = () => names[Math.floor(next() * names.length)] as string
    const encode = (name: string) => (name.startsWith('@') ? `@${encodeURIComponent(name.slice(1))}` : encodeURIComponent(name))
    const firstTouch = await timeRequests(registry.url, names.map((name) => `/agent/${encode(name)}`))
    say(`first touch of every package, /agent/:pkg (packument built, analysis read): p50 ${fixed(percentile(firstTouch, 0.5))} ms, p95 ${fixed(percentile(firstTouch, 0.95))} ms; load ${load()}`)

    const descriptions = items.filter((_, i) => i % 97 === 0).map((item) => item.analysis.metadata.description ?? '').filter((text) => text.length > 0 && text.length < 200)
    const queries = [...gold.queries.map((query) => query.query), ...descriptions, 'http', 'json', 'parse', 'cli', 'stream', 'logger']
    const workloads: Record<string, () => string> = {
      '/agent/:pkg': () => `/agent/${encode(pick())}`,
      '/agent/search?q=': (() => {
        let at = 0
        return () => `/agent/search?q=${encodeURIComponent(queries[at++ % queries.length] as string)}&limit=10`
      })(),
      '/agent/compare (3 packages)': () => `/agent/compare?packages=${[pick(), pick(), pick()].map(encodeURIComponent).join(',')}`,
      '/agent/:pkg/recommendations': () => `/agent/${encode(pick())}/recommendations`,
      '/agent/:pkg/deps (depth 2)': () => `/agent/${encode(pick())}/deps`,
      '/agent/:pkg/docs': () => `/agent/${encode(pick())}/docs`,
    }
    const rounds: Record<string, Array<{ p50: number; p95: number; p99: number; load: string }>> = {}
    for (let round = 0; round < ROUNDS; round++) {
      for (const [label, path] of Object.entries(workloads)) {
        const times = await timeRequests(registry.url, Array.from({ length: REQUESTS }, path))
        ;(rounds[label] ??= []).push({ p50: percentile(times, 0.5), p95: percentile(times, 0.95), p99: percentile(times, 0.99), load: load() })
      }
    }
    for (const [label, results] of Object.entries(rounds)) {
      say(`${label}: p95 ${fixed(median(results.map((r) => r.p95)))} ms [${results.map((r) => fixed(r.p95)).join(', ')}], p50 ${fixed(median(results.map((r) => r.p50)))} ms [${results.map((r) => fixed(r.p50)).join(', ')}], p99 ${fixed(median(results.map((r) => r.p99)))} ms; load ${results.map((r) => r.load.split(' ')[0]).join(', ')}`)
    }

    // MCP over stdio versus the HTTP call it makes.
    const http = new PackrClient({ registryUrl: registry.url, token: null, maxRetries: 0 })
    const servers: Record<string, StdioClientTransport> = {
      'node dist/packr-mcp.js': new StdioClientTransport({ command: 'node', args: [join(ROOT, 'mcp-server/dist/packr-mcp.js')], env: { PATH: process.env.PATH ?? '', PACKR_REGISTRY_URL: registry.url }, stderr: 'ignore' }),
      'bun mcp-server/src/main.ts': new StdioClientTransport({ command: process.execPath, args: [join(ROOT, 'mcp-server/src/main.ts')], env: { PATH: process.env.PATH ?? '', PACKR_REGISTRY_URL: registry.url }, stderr: 'ignore' }),
    }
    for (const [label, transport] of Object.entries(servers)) {
      const mcp = new Client({ name: 'bench', version: '0' })
      await mcp.connect(transport)
      const calls: Record<string, [(name: string, query: string) => Promise<unknown>, (name: string, query: string) => Promise<unknown>]> = {
        get_package: [(name) => http.packages.retrieve(name, { format: 'concise' }).then((data) => data), (name) => mcp.callTool({ name: 'get_package', arguments: { name } })],
        search_packages: [(_, query) => http.packages.search(query, { limit: 8, format: 'concise' }).then((page) => page.response), (_, query) => mcp.callTool({ name: 'search_packages', arguments: { query } })],
      }
      for (const [tool, [direct, viaMcp]] of Object.entries(calls)) {
        const overheads: Array<{ p50: number; p95: number; http: number; mcp: number; load: string }> = []
        for (let round = 0; round < ROUNDS; round++) {
          const direct_: number[] = []
          const mcp_: number[] = []
          for (let i = 0; i < MCP_CALLS; i++) {
            const name = pick()
            const query = queries[i % queries.length] as string
            let t = performance.now()
            await direct(name, query)
            direct_.push(performance.now() - t)
            t = performance.now()
            await viaMcp(name, query)
            mcp_.push(performance.now() - t)
          }
          overheads.push({ p50: median(mcp_) - median(direct_), p95: percentile(mcp_, 0.95) - percentile(direct_, 0.95), http: median(direct_), mcp: median(mcp_), load: load() })
        }
        say(`MCP ${tool} over stdio (${label}): added p50 ${fixed(median(overheads.map((o) => o.p50)), 2)} ms [${overheads.map((o) => fixed(o.p50, 2)).join(', ')}], added p95 ${fixed(median(overheads.map((o) => o.p95)), 2)} ms [${overheads.map((o) => fixed(o.p95, 2)).join(', ')}] (HTTP call p50 ${fixed(median(overheads.map((o) => o.http)), 2)} ms, via MCP ${fixed(median(overheads.map((o) => o.mcp)), 2)} ms); load ${overheads.map((o) => o.load.split(' ')[0]).join(', ')}`)
      }
      await mcp.close()
    }
  } finally {
    await registry.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
  say(`load average at end ${load()}`)
}

await main()
