// The registry benchmark: Packr against Verdaccio 6 in one run, on this machine, with the real-package
// corpus. `bun run bench` (options: bun run bench --help). Installs what it needs (wrk, Verdaccio,
// the corpus), prints a table and writes the figures to .cache/bench/registry-<time>.json.
import { mkdirSync, writeFileSync } from 'node:fs'
import { availableParallelism, loadavg, totalmem } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { CORPUS_DIR } from '../corpus/build.ts'
import { run } from '../helpers/clients.ts'
import { corpusVersions, publishCorpus, servedVersions, type PublishReport } from './corpus.ts'
import { fixtureManifest, measureInstall, type InstallResult } from './install.ts'
import { measurePublish, publishFixtures, type PublishPhase } from './publish.ts'
import { READ_SCENARIOS, readRequests, shuffled, type ReadScenario } from './reads.ts'
import { CACHE_DIR, ensureVerdaccio, ensureWrk, loginToken, ROOT, startBaseline, startPackr, startVerdaccio, type ServerProcess } from './servers.ts'
import { runWrk, type WrkOptions, type WrkRequest, type WrkResult } from './wrk.ts'

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    threads: { type: 'string', default: '2' },
    repeat: { type: 'string', default: '3' },
    publishes: { type: 'string', default: '200' },
    'skip-install': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
})

if (args.help) {
  console.log(`bun run bench [--duration S] [--connections N] [--threads N] [--repeat N] [--publishes N] [--skip-install]
  --duration     seconds of load per wrk run (default 10)
  --connections  wrk connections (default 64)
  --threads      wrk threads (default 2)
  --repeat       rounds of every measurement; the table shows medians (default 3)
  --publishes    100 KB publishes per round, sequential; as many again concurrently (default 200)
  --skip-install leave out the cold npm installs`)
  process.exit(0)
}

const wrkOptions: WrkOptions = { durationSeconds: Number(args.duration), connections: Number(args.connections), threads: Number(args.threads) }
const rounds = Number(args.repeat)
const publishes = Number(args.publishes)
const CONCURRENT_PUBLISHERS = 8
const TARGET = { readRatio: 20, publishP50Ms: 20 }

type Target = 'packr' | 'verdaccio'
const TARGETS: Target[] = ['packr', 'verdaccio']
/** Which registry goes first alternates by round, so a load change on the shared machine does not always favour one. */
const inOrder = (round: number): Target[] => (round % 2 === 1 ? TARGETS : [...TARGETS].reverse())

interface ReadRun extends WrkResult {
  /** Server CPU time per request (user + system), in microseconds: steadier than req/s on a busy machine. */
  cpuMicrosPerRequest: number | null
  load1: number
}

interface ReadFigures {
  requestsPerSecond: number
  megabytesPerSecond: number
  p50Ms: number
  p99Ms: number
  cpuMicrosPerRequest: number | null
  errors: number
}

interface PublishFigures {
  publishesPerSecond: number
  p50Ms: number
  p95Ms: number
}

interface InstallFigures {
  withoutLockfileSeconds: number
  withLockfileSeconds: number
  /** Registry CPU seconds per install (medians). */
  withoutLockfileRegistryCpu: number | null
  withLockfileRegistryCpu: number | null
  packages: number
}

interface Summary {
  reads: Record<ReadScenario, { packr: ReadFigures; verdaccio: ReadFigures; ratio: number }>
  baseline: { json: ReadFigures; tarball: ReadFigures }
  publish: Record<Target, { sequential: PublishFigures; concurrent: PublishFigures }>
  install: Record<Target, InstallFigures | null>
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

const medianOrNull = (values: Array<number | null>): number | null => (values.every((value) => value !== null) ? median(values as number[]) : null)

const readMedian = (runs: ReadRun[]): ReadFigures => ({
  requestsPerSecond: median(runs.map((r) => r.requestsPerSecond)),
  megabytesPerSecond: median(runs.map((r) => r.megabytesPerSecond)),
  p50Ms: median(runs.map((r) => r.latencyMs.p50)),
  p99Ms: median(runs.map((r) => r.latencyMs.p99)),
  cpuMicrosPerRequest: medianOrNull(runs.map((r) => r.cpuMicrosPerRequest)),
  errors: runs.reduce((sum, r) => sum + r.errors, 0),
})

const publishMedian = (phases: PublishPhase[]): PublishFigures => ({
  publishesPerSecond: median(phases.map((p) => p.publishesPerSecond)),
  p50Ms: median(phases.map((p) => p.latencyMs.p50)),
  p95Ms: median(phases.map((p) => p.latencyMs.p95)),
})

const installMedian = (runs: InstallResult[]): InstallFigures | null =>
  runs.length === 0
    ? null
    : {
        withoutLockfileSeconds: median(runs.map((r) => r.withoutLockfile.seconds)),
        withLockfileSeconds: median(runs.map((r) => r.withLockfile.seconds)),
        withoutLockfileRegistryCpu: medianOrNull(runs.map((r) => r.withoutLockfile.registryCpuSeconds)),
        withLockfileRegistryCpu: medianOrNull(runs.map((r) => r.withLockfile.registryCpuSeconds)),
        packages: runs[0]?.withoutLockfile.packages ?? 0,
      }

async function commandVersion(command: string[]): Promise<string> {
  const result = await run(command, { cwd: ROOT, env: process.env as Record<string, string> })
  return result.stdout.trim()
}

async function measureReads(server: ServerProcess, requests: WrkRequest[], options: WrkOptions): Promise<ReadRun> {
  const load1 = loadavg()[0] as number
  const cpuBefore = server.cpuSeconds()
  const result = await runWrk(server.url, requests, options)
  const cpuAfter = server.cpuSeconds()
  const cpuMicrosPerRequest = cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1e6) / result.requests
  if (result.errors > 0) console.warn(`bench: ${server.name}: ${result.errors} errors during a wrk run; its figure is not valid`)
  return { ...result, cpuMicrosPerRequest, load1 }
}

function logStep(message: string): void {
  console.log(`bench [${new Date().toISOString().slice(11, 19)} load ${loadavg()[0]?.toFixed(2)}]: ${message}`)
}

// --- Set-up -------------------------------------------------------------------------------------
const startedAt = new Date()
const load1AtStart = loadavg()[0] as number
logStep('preparing wrk, Verdaccio and the corpus')
const wrkVersion = await ensureWrk()
const verdaccioVersion = await ensureVerdaccio()
const corpus = await corpusVersions()
const corpusVersionCount = [...corpus.values()].reduce((sum, list) => sum + list.length, 0)

const servers = { packr: await startPackr(), verdaccio: await startVerdaccio() }
const baseline = await startBaseline(join(CORPUS_DIR, 'tarballs'))
const tokens = { packr: await loginToken(servers.packr), verdaccio: await loginToken(servers.verdaccio) }

try {
  // --- 1. Publish the corpus to both ---------------------------------------------------------------
  const corpusPublish = {} as Record<Target, PublishReport>
  for (const target of TARGETS) {
    logStep(`publishing ${corpusVersionCount} versions of ${corpus.size} packages to ${target}`)
    corpusPublish[target] = await publishCorpus(servers[target].url, tokens[target], corpus)
    for (const failure of corpusPublish[target].failures) console.log(`  refused by ${target}: ${failure.name}@${failure.version}: ${failure.status} ${failure.error.slice(0, 160)}`)
  }
  const refused = new Set(TARGETS.flatMap((target) => corpusPublish[target].failures.map((failure) => failure.name)))
  const names = shuffled([...corpus.keys()].filter((name) => !refused.has(name)))
  const served = { packr: await servedVersions(servers.packr.url, names), verdaccio: await servedVersions(servers.verdaccio.url, names) }
  const disagreements = names.filter((name) => served.packr.get(name) !== served.verdaccio.get(name))
  if (disagreements.length > 0) throw new Error(`the registries disagree on the versions or integrity of ${disagreements.length} packages, e.g. ${disagreements.slice(0, 5).join(', ')}`)
  logStep(`both registries serve the same ${names.length} packages (same versions, same integrity)`)

  // --- 2. Reads with wrk ---------------------------------------------------------------------------
  const requests = { packr: await readRequests(servers.packr.url, names), verdaccio: await readRequests(servers.verdaccio.url, names) }
  const baselineRequests = {
    json: [{ path: '/' }],
    tarball: shuffled(names.flatMap((name) => (corpus.get(name) ?? []).map((version) => ({ path: `/${version.file}` })))),
  }
  const scenarios = Object.keys(READ_SCENARIOS) as ReadScenario[]
  logStep('warming up every read scenario (2 s each, not recorded)')
  for (const scenario of scenarios) for (const target of TARGETS) await runWrk(servers[target].url, requests[target][scenario], { ...wrkOptions, durationSeconds: 2 })

  const noRuns = (): Record<ReadScenario, ReadRun[]> => ({ full: [], abbreviated: [], revalidate: [], tarball: [] })
  const reads = { packr: noRuns(), verdaccio: noRuns(), baseline: { json: [] as ReadRun[], tarball: [] as ReadRun[] } }
  for (let round = 1; round <= rounds; round++) {
    logStep(`reads, round ${round}/${rounds}`)
    reads.baseline.json.push(await measureReads(baseline, baselineRequests.json, wrkOptions))
    reads.baseline.tarball.push(await measureReads(baseline, baselineRequests.tarball, wrkOptions))
    for (const scenario of scenarios) {
      for (const target of inOrder(round)) {
        reads[target][scenario].push(await measureReads(servers[target], requests[target][scenario], wrkOptions))
      }
    }
  }

  // --- 3. Publish rate and latency -----------------------------------------------------------------
  const publish = { packr: [], verdaccio: [] } as Record<Target, Array<{ sequential: PublishPhase; concurrent: PublishPhase }>>
  for (let round = 1; round <= rounds; round++) {
    logStep(`publishes, round ${round}/${rounds}`)
    const fixtures = await publishFixtures(`bench-publish-r${round}`, {
      sequential: publishes,
      concurrent: { workers: CONCURRENT_PUBLISHERS, perWorker: Math.ceil(publishes / CONCURRENT_PUBLISHERS) },
      tarballBytes: 100_000,
    })
    for (const target of inOrder(round)) publish[target].push(await measurePublish(servers[target].url, tokens[target], fixtures))
  }

  // --- 4. Cold npm install -------------------------------------------------------------------------
  const install = { packr: [], verdaccio: [] } as Record<Target, InstallResult[]>
  const manifest = fixtureManifest(join(ROOT, 'test/corpus/package-lock.json'))
  if (!args['skip-install']) {
    for (let round = 1; round <= rounds; round++) {
      logStep(`cold npm installs, round ${round}/${rounds}`)
      for (const target of inOrder(round)) install[target].push(await measureInstall(servers[target], manifest))
    }
  }

  // --- Results -------------------------------------------------------------------------------------
  const summary: Summary = {
    reads: Object.fromEntries(
      scenarios.map((scenario) => {
        const packr = readMedian(reads.packr[scenario])
        const verdaccio = readMedian(reads.verdaccio[scenario])
        return [scenario, { packr, verdaccio, ratio: packr.requestsPerSecond / verdaccio.requestsPerSecond }]
      }),
    ) as Summary['reads'],
    baseline: { json: readMedian(reads.baseline.json), tarball: readMedian(reads.baseline.tarball) },
    publish: Object.fromEntries(
      TARGETS.map((target) => [target, { sequential: publishMedian(publish[target].map((p) => p.sequential)), concurrent: publishMedian(publish[target].map((p) => p.concurrent)) }]),
    ) as Summary['publish'],
    install: { packr: installMedian(install.packr), verdaccio: installMedian(install.verdaccio) },
  }

  const result = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    command: `bun run bench ${process.argv.slice(2).join(' ')}`.trim(),
    machine: {
      cpus: availableParallelism(),
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      kernel: await commandVersion(['uname', '-r']),
      load1AtStart,
      load1AtEnd: loadavg()[0],
      bun: Bun.version,
      node: await commandVersion(['node', '--version']),
      npm: await commandVersion(['npm', '--version']),
      verdaccio: verdaccioVersion,
      wrk: wrkVersion,
    },
    method: {
      corpus: { packages: corpus.size, versions: corpusVersionCount, servedOnBoth: names.length, publishedViaNpmCli: corpusPublish.packr.viaCli },
      wrk: wrkOptions,
      rounds,
      publishes: { sequential: publishes, concurrentWorkers: CONCURRENT_PUBLISHERS, tarballBytes: publish.packr[0]?.sequential.tarballBytes },
      installFixture: manifest,
    },
    corpusPublish,
    summary,
    peakRssBytes: { packr: servers.packr.peakRss(), verdaccio: servers.verdaccio.peakRss() },
    rounds: { reads, publish, install },
  }
  mkdirSync(join(CACHE_DIR, 'bench'), { recursive: true })
  const output = join(CACHE_DIR, 'bench', `registry-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`)
  writeFileSync(output, `${JSON.stringify(result, null, 2)}\n`)
  printTable(summary, load1AtStart, result.machine.load1AtEnd ?? 0)
  console.log(`\nfull results: ${output}`)
} finally {
  await Promise.all([servers.packr.stop(), servers.verdaccio.stop(), baseline.stop()])
}

function printTable(summary: Summary, loadAtStart: number, loadAtEnd: number): void {
  const fixed = (value: number, digits = 0) => value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
  const cpu = (value: number | null) => (value === null ? '—' : fixed(value, 1))
  const mark = (met: boolean) => (met ? 'met' : 'MISSED')
  console.log(`\nMedians of ${rounds} rounds; wrk -t${wrkOptions.threads} -c${wrkOptions.connections} -d${wrkOptions.durationSeconds}s on the same 2 cores; 1-minute load average ${loadAtStart.toFixed(2)} at the start, ${loadAtEnd.toFixed(2)} at the end\n`)
  console.log('| Scenario | Packr req/s | Verdaccio req/s | Ratio | Target | Packr CPU µs/req | Verdaccio CPU µs/req | Packr p99 ms | Verdaccio p99 ms |')
  console.log('|---|---:|---:|---:|---|---:|---:|---:|---:|')
  for (const [scenario, row] of Object.entries(summary.reads)) {
    console.log(
      `| ${READ_SCENARIOS[scenario as ReadScenario]} | ${fixed(row.packr.requestsPerSecond)} | ${fixed(row.verdaccio.requestsPerSecond)} | ${fixed(row.ratio, 1)}× | ≥ ${TARGET.readRatio}×: ${mark(row.ratio >= TARGET.readRatio)} | ${cpu(row.packr.cpuMicrosPerRequest)} | ${cpu(row.verdaccio.cpuMicrosPerRequest)} | ${fixed(row.packr.p99Ms, 1)} | ${fixed(row.verdaccio.p99Ms, 1)} |`,
    )
  }
  console.log(`\nCeiling (bare Bun.serve, same wrk settings): 1 KiB JSON ${fixed(summary.baseline.json.requestsPerSecond)} req/s; the corpus tarballs from disk ${fixed(summary.baseline.tarball.requestsPerSecond)} req/s\n`)
  console.log('| Publish (100 KB tarball) | Packr | Verdaccio | Target |')
  console.log('|---|---:|---:|---|')
  const { packr, verdaccio } = summary.publish
  console.log(`| sequential: publishes/s | ${fixed(packr.sequential.publishesPerSecond)} | ${fixed(verdaccio.sequential.publishesPerSecond)} | |`)
  console.log(`| sequential: p50 / p95 ms | ${fixed(packr.sequential.p50Ms, 1)} / ${fixed(packr.sequential.p95Ms, 1)} | ${fixed(verdaccio.sequential.p50Ms, 1)} / ${fixed(verdaccio.sequential.p95Ms, 1)} | p50 < ${TARGET.publishP50Ms} ms: ${mark(packr.sequential.p50Ms < TARGET.publishP50Ms)} |`)
  console.log(`| ${CONCURRENT_PUBLISHERS} concurrent: publishes/s | ${fixed(packr.concurrent.publishesPerSecond)} | ${fixed(verdaccio.concurrent.publishesPerSecond)} | |`)
  console.log(`| ${CONCURRENT_PUBLISHERS} concurrent: p50 / p95 ms | ${fixed(packr.concurrent.p50Ms, 1)} / ${fixed(packr.concurrent.p95Ms, 1)} | ${fixed(verdaccio.concurrent.p50Ms, 1)} / ${fixed(verdaccio.concurrent.p95Ms, 1)} | |`)
  const installs = summary.install
  if (installs.packr && installs.verdaccio) {
    const seconds = (value: number | null) => (value === null ? '—' : fixed(value, 2))
    console.log('\n| Cold npm install (empty cache) | Packr s | Verdaccio s | Target | Packr CPU s | Verdaccio CPU s |')
    console.log('|---|---:|---:|---|---:|---:|')
    console.log(`| no lockfile (npm install) | ${fixed(installs.packr.withoutLockfileSeconds, 1)} | ${fixed(installs.verdaccio.withoutLockfileSeconds, 1)} | no slower: ${mark(installs.packr.withoutLockfileSeconds <= installs.verdaccio.withoutLockfileSeconds)} | ${seconds(installs.packr.withoutLockfileRegistryCpu)} | ${seconds(installs.verdaccio.withoutLockfileRegistryCpu)} |`)
    console.log(`| with lockfile (npm ci) | ${fixed(installs.packr.withLockfileSeconds, 1)} | ${fixed(installs.verdaccio.withLockfileSeconds, 1)} | no slower: ${mark(installs.packr.withLockfileSeconds <= installs.verdaccio.withLockfileSeconds)} | ${seconds(installs.packr.withLockfileRegistryCpu)} | ${seconds(installs.verdaccio.withLockfileRegistryCpu)} |`)
  }
}
