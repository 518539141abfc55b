// Server time of the dashboard's pages with 10,000 packages (target: under 100 ms each). Seeds a
// fresh SQLite registry directly (test/bench/seed.ts: the real corpus packages with their README
// files and analyses, plus numbered copies), 30 days of download counts for 2,000 of them, 200
// tokens, an org of 30 members owning the largest scope (restricted), 20 webhooks and 20,000 audit
// events, then requests every page over loopback with a signed-in session and reports, per page,
// the first request and the p50/p95/max of the following ones (time to the last byte).
//
//   bun test/bench/dashboard.ts [packages=10000] [requests=40]
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../registry/src/config/index.ts'
import { openDatabase } from '../../registry/src/db/index.ts'
import { downloadCounts } from '../../registry/src/db/schema.ts'
import { SESSION_COOKIE } from '../../registry/src/sessions/service.ts'
import { startRegistry } from '../../registry/src/server.ts'
import { corpusSeeds, seededName, seedPackages, type Seed } from './seed.ts'

const TOTAL = Number(process.argv[2] ?? 10_000)
const REQUESTS = Number(process.argv[3] ?? 40)
const DAY_MS = 86_400_000

const seeds = await corpusSeeds()
const dataDir = mkdtempSync(join(tmpdir(), 'packr-bench-dashboard-'))
const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'error', ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'bench-password-1', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' })
const db = await openDatabase(config.database)
await seedPackages(db, seeds, TOTAL, (seed) => seed.readmeFile)
// Downloads: 30 days for 2,000 packages, up to 3 versions' worth of rows each day.
await db.transaction(async (tx) => {
  for (let i = 0; i < Math.min(2000, TOTAL); i++) {
    const name = seededName(seeds, i)
    const version = String((seeds[i % seeds.length] as Seed).manifest.version)
    for (let day = 0; day < 30; day++) {
      await tx.insert(downloadCounts).values({ packageName: name, version, day: new Date(Date.now() - day * DAY_MS).toISOString().slice(0, 10), count: 1 + ((i * 31 + day * 7) % 97) })
    }
  }
})
await db.close()

const registry = await startRegistry(config)
const { ctx } = registry
const admin = (await ctx.users.findByUsername('admin'))!
for (let i = 0; i < 200; i++) await ctx.tokens.issue({ user: admin, name: `ci-${i}`, role: 'ci-readonly', expiresInDays: 30 })
// Organization, webhook and audit pages: the corpus scope with the most packages becomes an org with
// its whole scope restricted and 30 members; 20,000 audit events; 20 webhooks.
const scopeCounts = new Map<string, number>()
for (const name of ctx.catalog.names()) if (name.startsWith('@')) scopeCounts.set(name.slice(1, name.indexOf('/')), (scopeCounts.get(name.slice(1, name.indexOf('/'))) ?? 0) + 1)
const [orgSlug, orgPackages] = [...scopeCounts].sort((a, b) => b[1] - a[1])[0] ?? ['bench', 0]
const adminToken = (await ctx.tokens.issue({ user: admin, name: 'bench-admin', role: 'admin', expiresInDays: 1 })).token
const api = async (method: string, path: string, body: unknown) => {
  const response = await fetch(`${registry.url}${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
}
await api('POST', '/api/v1/admin/orgs', { slug: orgSlug })
await api('PATCH', `/api/v1/admin/orgs/${orgSlug}`, { defaultAccess: 'restricted' })
for (let i = 0; i < 30; i++) {
  await ctx.users.create({ username: `member-${i}`, password: 'bench-password-1', email: `member-${i}@bench.test` })
  await api('POST', `/api/v1/admin/orgs/${orgSlug}/members`, { username: `member-${i}`, role: i < 3 ? 'admin' : i < 10 ? 'maintainer' : 'reader' })
}
for (let i = 0; i < 20; i++) await api('POST', '/api/v1/admin/webhooks', { url: `http://127.0.0.1:9/hook-${i}` })
await ctx.db.transaction(async (tx) => {
  for (let i = 0; i < 20_000; i++) await ctx.audit.record(tx, { username: `member-${i % 30}`, address: '127.0.0.1' }, { action: i % 2 ? 'package.publish' : 'token.create', target: seededName(seeds, i % TOTAL) })
})
const session = await ctx.sessions.create(admin)
const cookie = `${SESSION_COOKIE}=${session.cookie}`

// Packages to open: the ones with the longest READMEs, and a spread of others.
const byReadme = seeds
  .map((seed, i) => ({ name: seededName(seeds, i), length: seed.readmeFile?.length ?? 0 }))
  .sort((a, b) => b.length - a.length)
const heavy = byReadme.slice(0, REQUESTS + 1).map((item) => item.name)
const spread = Array.from({ length: 30 }, (_, i) => seededName(seeds, (i * 331) % TOTAL))
const words = seeds.flatMap((seed) => String(seed.manifest.description ?? '').toLowerCase().split(/\W+/).filter((word) => word.length > 3))
const query = (i: number) => encodeURIComponent(words.slice((i * 37) % words.length, ((i * 37) % words.length) + 1 + (i % 3)).join(' '))
const capability = ctx.catalog.entry(seededName(seeds, 0))?.capabilities[0] ?? 'http-client'

const scenarios: Array<[string, (i: number) => string]> = [
  ['start page /', () => '/'],
  ['packages list (no query)', () => '/-/web/packages'],
  ['packages search ?q=', (i) => `/-/web/packages?q=${query(i)}`],
  ['packages by capability', (i) => `/-/web/packages?capability=${capability}&page=${1 + (i % 5)}`],
  // Each request opens another of the longest READMEs: every one is rendered (a registry that received
  // them by publish would have rendered them already, right after each publish).
  ['package page, first view, longest READMEs', (i) => `/-/web/packages/${heavy[i]}`],
  ['package page, later views, longest READMEs', (i) => `/-/web/packages/${heavy[i % 10]}`],
  ['package page, spread of packages', (i) => `/-/web/packages/${spread[i % spread.length]}`],
  ['compare 3 packages', (i) => `/-/web/compare?packages=${spread[i % spread.length]},${spread[(i + 1) % spread.length]},${spread[(i + 2) % spread.length]}`],
  ['tokens (200 tokens)', () => '/-/web/tokens'],
  ['usage overview (30 days)', () => '/-/web/usage?days=30'],
  ['usage of one package (365 days)', (i) => `/-/web/usage?package=${encodeURIComponent(seededName(seeds, i % 2000))}&days=365`],
  ['usage CSV export (30 days, 60,000 rows)', () => '/-/web/usage/csv?days=30'],
  ['organizations', () => '/-/web/orgs'],
  [`org page (${orgPackages} restricted packages, 30 members)`, () => `/-/web/orgs/${orgSlug}`],
  [`org entitlements (${orgPackages} restricted packages)`, () => `/-/web/orgs/${orgSlug}/entitlements`],
  ['webhooks (20)', () => '/-/web/webhooks'],
  ['audit log (20,000 events), first page', () => '/-/web/audit'],
  ['audit log filtered by actor and action', (i) => `/-/web/audit?actor=member-${i % 30}&action=package.publish`],
]

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0
const round = (value: number) => Math.round(value * 10) / 10

async function time(path: string): Promise<number> {
  const started = performance.now()
  const response = await fetch(`${registry.url}${path}`, { headers: { accept: 'text/html', cookie } })
  await response.arrayBuffer()
  const elapsed = performance.now() - started
  if (response.status !== 200) throw new Error(`${path}: ${response.status}`)
  return elapsed
}

const results: Record<string, { firstMs: number; p50Ms: number; p95Ms: number; maxMs: number; pageKB: number }> = {}
for (const [label, path] of scenarios) {
  const first = await time(path(0))
  const times: number[] = []
  for (let i = 1; i <= REQUESTS; i++) times.push(await time(path(i)))
  times.sort((a, b) => a - b)
  const size = (await (await fetch(`${registry.url}${path(1)}`, { headers: { accept: 'text/html', cookie } })).arrayBuffer()).byteLength
  results[label] = { firstMs: round(first), p50Ms: round(percentile(times, 0.5)), p95Ms: round(percentile(times, 0.95)), maxMs: round(times.at(-1) ?? 0), pageKB: round(size / 1024) }
}
await registry.stop()
rmSync(dataDir, { recursive: true, force: true })
const [load] = (await Bun.file('/proc/loadavg').text()).split(' ')
console.log(JSON.stringify({ packages: ctx.catalog.size, requestsPerPage: REQUESTS, loadAverage: Number(load), results }, null, 2))
