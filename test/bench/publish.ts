// Publish rate and latency for a 100 KB tarball: sequential publishes of new versions of one package,
// then concurrent publishes (one package per worker). Documents are built and serialized before the
// clock starts, and the same bytes go to every registry.
import { escapeName, packTarball, publishDocument } from '../helpers/packages.ts'
import { mapConcurrently } from './pool.ts'

export interface PublishOptions {
  sequential: number
  concurrent: { workers: number; perWorker: number }
  tarballBytes: number
}

export interface PublishPhase {
  publishes: number
  publishesPerSecond: number
  latencyMs: { p50: number; p95: number; p99: number; max: number }
  tarballBytes: number
}

export interface PublishFixtures {
  sequential: Array<{ name: string; body: string }>
  concurrent: Array<Array<{ name: string; body: string }>>
  tarballBytes: number
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0
}

async function fixture(name: string, version: string, payload: Uint8Array): Promise<{ name: string; body: string; size: number }> {
  const manifest = { name, version, description: 'Publish benchmark package', main: 'index.js', license: 'MIT' }
  const tarball = await packTarball(manifest, { 'index.js': 'module.exports = require("./payload.bin")\n', 'payload.bin': payload, 'README.md': `# ${name}\n` })
  return { name, body: JSON.stringify(await publishDocument(manifest, { tarball })), size: tarball.byteLength }
}

/** Publish documents whose tarballs are about `tarballBytes` (incompressible payload, so gzip keeps the size). */
export async function publishFixtures(prefix: string, options: PublishOptions): Promise<PublishFixtures> {
  const payload = crypto.getRandomValues(new Uint8Array(options.tarballBytes - 1024))
  const sizes: number[] = []
  const build = async (name: string, version: string) => {
    const built = await fixture(name, version, payload)
    sizes.push(built.size)
    return { name: built.name, body: built.body }
  }
  const sequential = []
  for (let i = 0; i < options.sequential; i++) sequential.push(await build(`${prefix}-sequential`, `1.0.${i}`))
  const concurrent = []
  for (let worker = 0; worker < options.concurrent.workers; worker++) {
    const list = []
    for (let i = 0; i < options.concurrent.perWorker; i++) list.push(await build(`${prefix}-concurrent-${worker}`, `1.0.${i}`))
    concurrent.push(list)
  }
  return { sequential, concurrent, tarballBytes: Math.round(sizes.reduce((a, b) => a + b, 0) / sizes.length) }
}

async function timedPut(url: string, token: string, document: { name: string; body: string }): Promise<number> {
  const started = performance.now()
  const response = await fetch(`${url}/${escapeName(document.name)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: document.body,
  })
  const text = await response.text()
  const elapsed = performance.now() - started
  if (response.status !== 200 && response.status !== 201) throw new Error(`publish of ${document.name} to ${url} answered ${response.status}: ${text.slice(0, 300)}`)
  return elapsed
}

function phase(latencies: number[], seconds: number, tarballBytes: number): PublishPhase {
  const sorted = [...latencies].sort((a, b) => a - b)
  return {
    publishes: latencies.length,
    publishesPerSecond: latencies.length / seconds,
    latencyMs: { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? 0 },
    tarballBytes,
  }
}

export async function measurePublish(url: string, token: string, fixtures: PublishFixtures): Promise<{ sequential: PublishPhase; concurrent: PublishPhase }> {
  const sequentialLatencies: number[] = []
  let started = performance.now()
  for (const document of fixtures.sequential) sequentialLatencies.push(await timedPut(url, token, document))
  const sequential = phase(sequentialLatencies, (performance.now() - started) / 1000, fixtures.tarballBytes)

  const concurrentLatencies: number[] = []
  started = performance.now()
  await mapConcurrently(
    fixtures.concurrent,
    async (list) => {
      for (const document of list) concurrentLatencies.push(await timedPut(url, token, document))
    },
    fixtures.concurrent.length,
  )
  const concurrent = phase(concurrentLatencies, (performance.now() - started) / 1000, fixtures.tarballBytes)
  return { sequential, concurrent }
}
