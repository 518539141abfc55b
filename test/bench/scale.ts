// Scale-out benchmark (`bun test/bench/scale.ts`), figures in docs/benchmarks.md:
//  1. packument GETs served from the instance cache, on SQLite and on PostgreSQL (target: PostgreSQL
//     keeps at least 80% of the SQLite figure);
//  2. two instances on one PostgreSQL database publishing concurrently (target: at least 100
//     publishes/s in total, no lost version).
// Every registry runs in its own process; rounds alternate between set-ups and medians are reported,
// with the machine's load average, because the machine is shared. Needs PACKR_TEST_DATABASE_URL.
import { loadavg } from 'node:os'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import postgres from 'postgres'
import { publishDocument } from '../helpers/packages.ts'
import { createTestDatabase, sharedSecrets, TEST_POSTGRES_URL } from '../helpers/postgres.ts'
import { ADMIN } from '../helpers/registry.ts'
import { spawnRegistry, type RegistryProcess } from '../helpers/registry-process.ts'

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const GET_SECONDS = Number(process.env.BENCH_GET_SECONDS ?? 5)
const GET_CONCURRENCY = 64
const PUBLISHES = Number(process.env.BENCH_PUBLISHES ?? 1000)
const PUBLISH_CONCURRENCY = 32

if (!TEST_POSTGRES_URL) {
  console.error('bench: set PACKR_TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)')
  process.exit(2)
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ')

async function adminToken(instance: RegistryProcess): Promise<string> {
  const response = await instance.request('/-/v1/login', { method: 'POST', json: { name: ADMIN.username, password: ADMIN.password } })
  return ((await response.json()) as { token: string }).token
}

/** Requests per second for `seconds` of packument GETs with `GET_CONCURRENCY` in flight. */
async function packumentRate(instance: RegistryProcess, name: string, seconds: number): Promise<number> {
  const url = `${instance.url}/${name}`
  const headers = { accept: 'application/vnd.npm.install-v1+json', 'accept-encoding': 'gzip' }
  const deadline = performance.now() + seconds * 1000
  let count = 0
  const worker = async () => {
    while (performance.now() < deadline) {
      const response = await fetch(url, { headers })
      await response.arrayBuffer()
      if (response.status !== 200) throw new Error(`GET ${name}: ${response.status}`)
      count++
    }
  }
  const started = performance.now()
  await Promise.all(Array.from({ length: GET_CONCURRENCY }, worker))
  return count / ((performance.now() - started) / 1000)
}

async function seed(instance: RegistryProcess, token: string, name: string): Promise<void> {
  for (let minor = 0; minor < 20; minor++) {
    const response = await instance.request(`/${name}`, { method: 'PUT', token, json: await publishDocument({ name, version: `1.${minor}.0`, description: 'a package with twenty versions' }) })
    if (response.status !== 201) throw new Error(`seed publish failed: ${response.status}`)
  }
}

async function packumentBench(): Promise<{ sqlite: number[]; postgres: number[] }> {
  const database = await createTestDatabase()
  const secrets = sharedSecrets()
  const admin = { ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password }
  const sqlite = await spawnRegistry({ ...admin })
  const pg = await spawnRegistry({ ...admin, DATABASE_URL: database.url, DATABASE_POOL_SIZE: '5', ...secrets })
  const results = { sqlite: [] as number[], postgres: [] as number[] }
  try {
    for (const instance of [sqlite, pg]) await seed(instance, await adminToken(instance), 'bench-packument')
    for (const instance of [sqlite, pg]) await packumentRate(instance, 'bench-packument', 1) // warm the cache and the JIT
    for (let round = 0; round < ROUNDS; round++) {
      results.sqlite.push(await packumentRate(sqlite, 'bench-packument', GET_SECONDS))
      results.postgres.push(await packumentRate(pg, 'bench-packument', GET_SECONDS))
      console.log(`round ${round + 1}: packument GETs/s sqlite ${results.sqlite.at(-1)?.toFixed(0)}, postgres ${results.postgres.at(-1)?.toFixed(0)} (load ${load()})`)
    }
  } finally {
    await sqlite.stop()
    await pg.stop()
    await database.drop()
  }
  return results
}

async function publishBench(): Promise<{ rates: number[]; lost: number }> {
  const rates: number[] = []
  let lost = 0
  for (let round = 0; round < ROUNDS; round++) {
    const database = await createTestDatabase()
    const dataDir = mkdtempSync(join(tmpdir(), 'packr-bench-store-'))
    // Two instances sharing one database and one tarball store (a shared directory stands in for
    // the bucket, so the figure measures the registry and PostgreSQL rather than s3rver).
    const env = { DATABASE_URL: database.url, DATABASE_POOL_SIZE: '10', DATA_DIR: dataDir, ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, ...sharedSecrets() }
    const [a, b] = await Promise.all([spawnRegistry(env), spawnRegistry(env)])
    try {
      const token = await adminToken(a as RegistryProcess)
      // 50 packages × 20 versions: writers contend on package rows as real CI fleets do.
      const documents = await Promise.all(
        Array.from({ length: PUBLISHES }, (_, index) => publishDocument({ name: `bench-${index % 50}`, version: `1.0.${Math.floor(index / 50)}` })),
      )
      let next = 0
      let created = 0
      const worker = async (instance: RegistryProcess) => {
        while (next < documents.length) {
          const document = documents[next++] as Awaited<ReturnType<typeof publishDocument>>
          const response = await instance.request(`/${document.name}`, { method: 'PUT', token, json: document })
          if (response.status !== 201) throw new Error(`publish ${document.name}: ${response.status} ${await response.text()}`)
          created++
        }
      }
      const started = performance.now()
      await Promise.all(Array.from({ length: PUBLISH_CONCURRENCY }, (_, index) => worker((index % 2 === 0 ? a : b) as RegistryProcess)))
      const rate = created / ((performance.now() - started) / 1000)
      const sql = postgres(database.url, { max: 1, onnotice: () => {} })
      const [row] = await sql`select count(*)::int as count from versions where unpublished_at is null`
      await sql.end()
      lost += created - (row?.count as number)
      rates.push(rate)
      console.log(`round ${round + 1}: ${created} publishes through 2 instances at ${rate.toFixed(0)}/s, ${row?.count} versions stored (load ${load()})`)
    } finally {
      await a?.stop()
      await b?.stop()
      await database.drop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  }
  return { rates, lost }
}

console.log(`load average at start: ${load()}`)
const gets = await packumentBench()
const publishes = await publishBench()
const ratio = median(gets.postgres) / median(gets.sqlite)
console.log('\nsummary (medians)')
console.log(`packument GETs/s from the instance cache: SQLite ${median(gets.sqlite).toFixed(0)}, PostgreSQL ${median(gets.postgres).toFixed(0)} → ${(ratio * 100).toFixed(0)}% (target ≥ 80%)`)
console.log(`publishes/s, two instances on PostgreSQL: ${median(publishes.rates).toFixed(0)} (target ≥ 100), lost versions: ${publishes.lost}`)
console.log(`load average at end: ${load()}`)
process.exit(ratio >= 0.8 && median(publishes.rates) >= 100 && publishes.lost === 0 ? 0 : 1)
