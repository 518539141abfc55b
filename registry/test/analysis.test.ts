// The scoring pipeline inside the registry: every publish is analysed by a durable background job
// (off the request path, retried on failure, never failing the publish), scores are served from the
// stored analysis, and search and "used together with" follow every change.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readdirSync, readFileSync } from 'node:fs'
import { packTar } from 'modern-tar'
import { eq } from 'drizzle-orm'
import { jobs } from '../src/db/schema.ts'
import { createLogger } from '../src/logging/index.ts'
import { JWT_README } from '../../test/helpers/agent-fixtures.ts'
import { escapeName, packTarball, publishDocument, type Manifest } from '../../test/helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../../test/helpers/registry.ts'

let registry: TestRegistry

beforeAll(async () => {
  registry = await startTestRegistry()
})
afterAll(() => registry.close())

async function publish(manifest: Manifest, files: Record<string, string> = {}, tarball?: Uint8Array) {
  const response = await registry.request(`/${escapeName(manifest.name)}`, {
    method: 'PUT',
    token: registry.adminToken,
    json: await publishDocument(manifest, { tarball: tarball ?? (await packTarball(manifest, files)) }),
  })
  expect(response.status).toBe(201)
}

/** Waits for the background job (the registry's own worker loop) to store an analysis. */
async function analysed(name: string, version: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const stored = await registry.ctx.analyses.get(name, version)
    if (stored) return stored
    if (Date.now() > deadline) throw new Error(`${name}@${version} was not analysed within ${timeoutMs} ms`)
    await Bun.sleep(50)
  }
}

describe('analysis after publish', () => {
  test.if(process.platform === 'linux')('analyses run on a thread of lower scheduling priority than requests', async () => {
    await publish({ name: 'nice-check', version: '1.0.0', description: 'checks the analysis thread priority' })
    await analysed('nice-check', '1.0.0')
    // Field 19 of /proc/<pid>/task/<tid>/stat is the nice value; the command name before it may hold spaces.
    const nice = (task: string) => Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]?.split(' ')[16])
    expect(nice(String(process.pid))).toBe(0)
    expect(readdirSync('/proc/self/task').map(nice)).toContain(10)
  })

  test('a published version is analysed in the background and scored with explained factors', async () => {
    await publish(
      {
        name: 'tiny-jwt',
        version: '1.0.0',
        description: 'Sign and verify JSON Web Tokens',
        keywords: ['jwt', 'token'],
        license: 'MIT',
        main: 'index.js',
        types: 'index.d.ts',
        scripts: { test: 'node --test' },
      },
      {
        'index.js': 'exports.sign = () => "t"\nexports.verify = () => true\n',
        'index.d.ts': 'export declare function sign(payload: object, secret: string): string\nexport declare function verify(token: string, secret: string): boolean\n',
        'README.md': JWT_README,
      },
    )
    const stored = await analysed('tiny-jwt', '1.0.0')
    expect(stored.result.status).toBe('ok')
    if (stored.result.status !== 'ok') return
    expect(stored.result.types.kind).toBe('bundled')
    expect(stored.result.api.names).toEqual(['sign', 'verify'])
    expect(stored.result.capabilities.map((capability) => capability.id)).toContain('jwt')
    await registry.ctx.catalog.refresh('tiny-jwt')
    const score = registry.ctx.catalog.entry('tiny-jwt')?.score
    expect(score?.final).toBeGreaterThan(40)
    expect(score?.factors.find((factor) => factor.id === 'types')?.points).toBe(score?.factors.find((factor) => factor.id === 'types')?.maxPoints)
    for (const factor of score?.factors ?? []) expect(factor.evidence.length).toBeGreaterThan(0)
  })

  test('npm search ranks by relevance and reports the real sub-scores', async () => {
    await publish({ name: 'kitchen-sink', version: '1.0.0', description: 'Utilities for arrays, strings and a jwt helper among many others', license: 'MIT' })
    await analysed('kitchen-sink', '1.0.0')
    await registry.ctx.catalog.refresh('kitchen-sink')
    const result = (await (await registry.request('/-/v1/search?text=verify%20json%20web%20tokens')).json()) as {
      objects: Array<{ package: { name: string }; score: { final: number; detail: { quality: number; maintenance: number } } }>
    }
    expect(result.objects[0]?.package.name).toBe('tiny-jwt')
    const top = result.objects[0]?.score
    expect(top?.final).toBeGreaterThan(0)
    expect(top?.detail.quality).toBeGreaterThan(0)
    expect(top?.detail.maintenance).toBeGreaterThan(0)
  })

  test('a hostile tarball is analysed safely and its score is capped, while the publish itself succeeded', async () => {
    const manifest = { name: 'sneaky', version: '1.0.0', description: 'Has a symlink', license: 'MIT' }
    const json = new TextEncoder().encode(JSON.stringify(manifest))
    const tar = await packTar([
      { header: { name: 'package/package.json', size: json.byteLength, type: 'file' }, body: json },
      { header: { name: 'package/escape', size: 0, type: 'symlink', linkname: '/etc/passwd' } },
    ])
    await publish(manifest, {}, Bun.gzipSync(tar))
    const stored = await analysed('sneaky', '1.0.0')
    expect(stored.result.status).toBe('ok')
    await registry.ctx.catalog.refresh('sneaky')
    const score = registry.ctx.catalog.entry('sneaky')?.score
    expect(score?.caps.map((cap) => cap.id)).toContain('unsafe-archive')
    expect(score?.final).toBeLessThanOrEqual(30)
  })
})

describe('durability', () => {
  test('a failed analysis is retried later and never affects the published version', async () => {
    await registry.ctx.jobs.stop()
    try {
      await publish({ name: 'lost-blob', version: '1.0.0', description: 'Its tarball vanishes', license: 'MIT' })
      const entry = await registry.ctx.packuments.fresh('lost-blob', registry.ctx.db.primary)
      await registry.ctx.blobs.delete(entry?.tarball('1.0.0')?.blobKey as string)
      expect(await registry.ctx.jobs.drain()).toBe(1)
      const [job] = await registry.ctx.db.read.select().from(jobs).where(eq(jobs.dedupeKey, 'analyze-version:lost-blob@1.0.0'))
      expect(job?.status).toBe('pending')
      expect(job?.attempts).toBe(1)
      expect(job?.lastError).toContain('missing from storage')
      expect(job?.runAt).toBeGreaterThan(Date.now())
      expect((await registry.request('/lost-blob')).status).toBe(200)
      expect(await registry.ctx.analyses.get('lost-blob', '1.0.0')).toBeUndefined()
    } finally {
      registry.ctx.jobs.start()
    }
  })

  test('a version published while no worker ran is analysed after a restart', async () => {
    await registry.ctx.jobs.stop()
    await publish({ name: 'queued', version: '2.0.0', description: 'Waits for the next start', license: 'MIT' })
    expect(await registry.ctx.analyses.get('queued', '2.0.0')).toBeUndefined()
    registry = await registry.restart()
    const stored = await analysed('queued', '2.0.0')
    expect(stored.result.status).toBe('ok')
  })
})

describe('used together with', () => {
  test('co-occurrence and dependents follow publishes', async () => {
    const deps = (names: string[]) => Object.fromEntries(names.map((name) => [name, '^1.0.0']))
    await publish({ name: 'app-one', version: '1.0.0', dependencies: deps(['tiny-jwt', 'kitchen-sink', 'sneaky']) })
    await publish({ name: 'app-two', version: '1.0.0', dependencies: deps(['tiny-jwt', 'kitchen-sink']) })
    await publish({ name: 'app-three', version: '1.0.0', dependencies: deps(['tiny-jwt', 'queued']) })
    await Promise.all(['app-one', 'app-two', 'app-three'].map((name) => registry.ctx.catalog.refresh(name)))
    expect(registry.ctx.catalog.dependents('tiny-jwt')).toBe(3)
    const related = registry.ctx.catalog.related('kitchen-sink', 10)
    const jwt = related.find((recommendation) => recommendation.name === 'tiny-jwt')
    expect(jwt?.together).toBe(2)
    // A new version dropping the dependency is reflected at once.
    await publish({ name: 'app-two', version: '1.1.0', dependencies: deps(['tiny-jwt']) })
    await registry.ctx.catalog.refresh('app-two')
    expect(registry.ctx.catalog.related('kitchen-sink', 10).find((recommendation) => recommendation.name === 'tiny-jwt')?.together ?? 0).toBeLessThan(2)
  })
})

describe('catalog snapshots', () => {
  test('a restored snapshot plus the packages changed since it equals the live catalog', async () => {
    await registry.ctx.catalog.saveSnapshot()
    await publish({ name: 'after-snapshot', version: '1.0.0', description: 'Published after the snapshot was taken', license: 'MIT' })
    await registry.ctx.catalog.refresh('after-snapshot')
    const live = registry.ctx.catalog.names()
    const age = await registry.ctx.catalog.restore()
    expect(age).not.toBeNull()
    expect(registry.ctx.catalog.names()).toEqual(live)
    expect(registry.ctx.catalog.search('published after the snapshot', { limit: 5, offset: 0 }).hits[0]?.name).toBe('after-snapshot')
    expect(registry.ctx.catalog.entry('tiny-jwt')?.score?.final).toBeGreaterThan(40)
  })

  test('a restart serves search from the snapshot it saved when stopping', async () => {
    const before = registry.ctx.catalog.names()
    const lines: string[] = []
    registry = await registry.restart({}, { log: createLogger('info', (line) => lines.push(line)) })
    expect(lines.some((line) => JSON.parse(line).message === 'catalog restored from a snapshot')).toBe(true)
    expect(registry.ctx.catalog.names()).toEqual(before)
    const result = (await (await registry.request('/-/v1/search?text=json%20web%20tokens')).json()) as { objects: Array<{ package: { name: string } }> }
    expect(result.objects[0]?.package.name).toBe('tiny-jwt')
  })
})
