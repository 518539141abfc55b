// Benchmark of the scoring library on the real-package corpus (test/corpus):
//   - analyzeVersion on ~100 KB and ~5 MB tarballs (publint on, attw off: the defaults), median of runs;
//   - search over 10,000 packages: index build time, memory, query latency p50/p95/p99;
//   - co-occurrence rebuild for 10,000 packages (with the search build: time to be ready at start).
// 10,000 documents are synthesised from the corpus's 1,294 real packages (see `synthesize`).
//
//   taskset -c 0 bun run bench:scoring          (one core, as the targets are stated)
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { dependentsCount, loadCorpusPackages, searchDocument, type CorpusPackage } from '../../scoring/eval/corpus-documents.ts'
import gold from '../../scoring/eval/gold-queries.json'
import { analyzeVersion, CoOccurrenceIndex, PackageSearchIndex, type SearchDocument } from '../../scoring/src/index.ts'

const DOCUMENTS = 10_000
const MB = 1024 * 1024

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] as number
}
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] as number
}
const fixed = (value: number, digits = 1) => value.toFixed(digits)

/** Median wall and CPU milliseconds of analyzeVersion with the default checks. */
async function timeAnalysis(item: CorpusPackage, runs: number): Promise<{ wall: number; cpu: number }> {
  await analyzeVersion(item.bytes) // warm-up
  const wall: number[] = []
  const cpu: number[] = []
  for (let run = 0; run < runs; run++) {
    const started = performance.now()
    const cpuStarted = process.cpuUsage()
    await analyzeVersion(item.bytes)
    wall.push(performance.now() - started)
    cpu.push(cpuMs(cpuStarted))
  }
  return { wall: median(wall), cpu: median(cpu) }
}

/**
 * 10,000 plausible documents: the real packages first, then variants of them (a renamed fork or
 * plugin of package k, with k's description, README and API, a keyword borrowed from another
 * package and a different quality/popularity). Term statistics stay those of real packages.
 */
function synthesize(real: SearchDocument[], count: number): SearchDocument[] {
  const suffixes = ['plus', 'lite', 'next', 'fork', 'core', 'utils', 'ts', 'node', 'pro', 'kit']
  const out = [...real]
  for (let i = real.length; i < count; i++) {
    const base = real[i % real.length] as SearchDocument
    const other = real[(i * 7) % real.length] as SearchDocument
    out.push({
      ...base,
      name: `${base.name.replace(/^@/, '').replace('/', '-')}-${suffixes[i % suffixes.length]}-${i}`,
      keywords: [...(base.keywords ?? []), ...(other.keywords ?? []).slice(0, 1)],
      quality: ((i * 37) % 100) / 100,
      popularity: ((i * 53) % 100) / 100,
    })
  }
  return out
}

function queries(packages: CorpusPackage[]): string[] {
  const descriptions = packages.filter((_, i) => i % 6 === 0).map((item) => item.analysis.metadata.description ?? '').filter((text) => text.length > 0)
  const names = packages.filter((_, i) => i % 13 === 0).map((item) => item.analysis.name)
  return [...gold.queries.map((query) => query.query), ...descriptions, ...names, 'http', 'json', 'parse', 'server', 'cli', 'test', 'stream', 'cache', 'logger', 'async']
}

/** Reads a JSON Lines file one document at a time (the registry, too, feeds rows one by one). */
async function* readLines(file: string): AsyncGenerator<string> {
  let buffered = ''
  for await (const chunk of Bun.file(file).stream().pipeThrough(new TextDecoderStream())) {
    buffered += chunk
    let newline = buffered.indexOf('\n')
    while (newline >= 0) {
      yield buffered.slice(0, newline)
      buffered = buffered.slice(newline + 1)
      newline = buffered.indexOf('\n')
    }
  }
  if (buffered.length > 0) yield buffered
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since)
  return (used.user + used.system) / 1000
}

/**
 * Child process: build the index from a JSON Lines file of documents, then restore it from its
 * snapshot; report wall and CPU time, the JS heap the index holds and the process RSS.
 */
async function indexOnly(file: string): Promise<void> {
  Bun.gc(true)
  const { heapUsed: baseline, rss: baselineRss } = process.memoryUsage()
  const started = performance.now()
  const cpuStarted = process.cpuUsage()
  const index = new PackageSearchIndex()
  for await (const line of readLines(file)) index.upsert(JSON.parse(line) as SearchDocument)
  const buildMs = performance.now() - started
  const buildCpuMs = cpuMs(cpuStarted)
  Bun.gc(true)
  const memory = process.memoryUsage()
  // Restoring a snapshot (the registry can keep one on disk) instead of rebuilding.
  const snapshot = JSON.stringify(index.toJSON())
  const restoreStarted = performance.now()
  const restoreCpuStarted = process.cpuUsage()
  const restored = PackageSearchIndex.fromJSON(JSON.parse(snapshot))
  const restoreMs = performance.now() - restoreStarted
  const restoreCpuMs = cpuMs(restoreCpuStarted)
  console.log(JSON.stringify({ buildMs, buildCpuMs, heap: memory.heapUsed - baseline, baselineRss, rss: memory.rss, size: restored.size, restoreMs, restoreCpuMs, snapshotBytes: snapshot.length }))
}

async function main(): Promise<void> {
  const load = loadavg().map((value) => fixed(value, 2)).join(' ')
  const { packages } = await loadCorpusPackages()
  const lines: string[] = []
  const say = (line: string) => {
    lines.push(line)
    console.log(line)
  }
  say(`load average at start: ${load}`)

  // Analysis
  const typical = packages.filter((item) => item.bytes.byteLength >= 80_000 && item.bytes.byteLength <= 120_000).slice(0, 15)
  const large = packages.filter((item) => item.bytes.byteLength >= 4 * MB && item.bytes.byteLength <= 6.5 * MB)
  const typicalTimes: Array<[string, { wall: number; cpu: number }]> = []
  for (const item of typical) typicalTimes.push([`${item.analysis.name}@${item.analysis.version}`, await timeAnalysis(item, 7)])
  const slowest = typicalTimes.reduce((a, b) => (b[1].wall > a[1].wall ? b : a))
  say(`analysis ~100 KB: ${typical.length} tarballs (80-120 KB), median of 7 runs each: median ${fixed(median(typicalTimes.map(([, t]) => t.wall)))} ms wall / ${fixed(median(typicalTimes.map(([, t]) => t.cpu)))} ms CPU; slowest ${slowest[0]} ${fixed(slowest[1].wall)} ms wall / ${fixed(slowest[1].cpu)} ms CPU`)
  for (const item of large) {
    const t = await timeAnalysis(item, 3)
    say(`analysis ${item.analysis.name}@${item.analysis.version} (${fixed(item.bytes.byteLength / MB, 2)} MB tarball, ${item.analysis.files.count} files, ${fixed(item.analysis.files.unpackedSize / MB)} MB unpacked, publint ${item.analysis.packaging.publint.ran ? 'run' : 'skipped'}): median of 3 runs ${fixed(t.wall)} ms wall / ${fixed(t.cpu)} ms CPU`)
  }

  // Search
  const dependents = dependentsCount(packages.map((item) => item.entry))
  const documents = synthesize(packages.map((item) => searchDocument(item, dependents)), DOCUMENTS)
  const work = mkdtempSync(join(tmpdir(), 'packr-bench-scoring-'))
  try {
    const file = join(work, 'documents.jsonl')
    writeFileSync(file, documents.map((document) => JSON.stringify(document)).join('\n'))
    const builds: Array<{ buildMs: number; buildCpuMs: number; heap: number; baselineRss: number; rss: number; restoreMs: number; restoreCpuMs: number; snapshotBytes: number }> = []
    for (let run = 0; run < 3; run++) {
      const child = Bun.spawnSync(['bun', import.meta.path, '--index-only', file], { stdout: 'pipe', stderr: 'inherit' })
      builds.push(JSON.parse(child.stdout.toString()))
    }
    const m = (pick: (build: (typeof builds)[number]) => number) => median(builds.map(pick))
    say(`search index, ${DOCUMENTS} packages (3 child processes, medians): build ${fixed(m((build) => build.buildMs), 0)} ms wall (runs ${builds.map((build) => fixed(build.buildMs, 0)).join(', ')}), ${fixed(m((build) => build.buildCpuMs), 0)} ms CPU; JS heap held by the index ${fixed(m((build) => build.heap) / MB)} MB; process RSS ${fixed(m((build) => build.baselineRss) / MB)} MB before (runtime and the library's dependencies, TypeScript included) and ${fixed(m((build) => build.rss) / MB)} MB after the build; restore from the ${fixed(m((build) => build.snapshotBytes) / MB)} MB snapshot ${fixed(m((build) => build.restoreMs), 0)} ms wall, ${fixed(m((build) => build.restoreCpuMs), 0)} ms CPU`)
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  const index = new PackageSearchIndex()
  for (const document of documents) index.upsert(document)
  const list = queries(packages)
  for (const query of list.slice(0, 30)) index.search(query) // warm-up
  // Wall time and this process's CPU time per query: on a shared machine the CPU time shows the
  // work itself, the wall time includes waiting for a core.
  const p95s: number[] = []
  let all: number[] = []
  const cpu: number[] = []
  for (let round = 0; round < 3; round++) {
    const times: number[] = []
    for (const query of list) {
      const started = performance.now()
      const cpuStarted = process.cpuUsage()
      index.search(query, { limit: 20 })
      const used = process.cpuUsage(cpuStarted)
      times.push(performance.now() - started)
      cpu.push((used.user + used.system) / 1000)
    }
    p95s.push(percentile(times, 0.95))
    all = all.concat(times)
  }
  say(`search latency, ${list.length} queries × 3 rounds over ${DOCUMENTS} packages: wall p50 ${fixed(percentile(all, 0.5), 2)} ms, p95 ${fixed(median(p95s), 2)} ms (rounds: ${p95s.map((value) => fixed(value, 2)).join(', ')}), p99 ${fixed(percentile(all, 0.99), 2)} ms; CPU p50 ${fixed(percentile(cpu, 0.5), 2)} ms, p95 ${fixed(percentile(cpu, 0.95), 2)} ms`)

  // Co-occurrence rebuild
  const baskets = documents.map((document, i) => [document.name, Object.keys((packages[i % packages.length] as CorpusPackage).entry.dependencies)] as const)
  const rebuilds: number[] = []
  for (let run = 0; run < 3; run++) {
    const started = performance.now()
    const cooccurrence = new CoOccurrenceIndex()
    for (const [name, dependencies] of baskets) cooccurrence.setDependencies(name, dependencies)
    rebuilds.push(performance.now() - started)
  }
  say(`co-occurrence rebuild, ${DOCUMENTS} dependency lists: median ${fixed(median(rebuilds))} ms`)
  say(`load average at end: ${loadavg().map((value) => fixed(value, 2)).join(' ')}`)
}

if (process.argv[2] === '--index-only') await indexOnly(process.argv[3] as string)
else await main()
