// Seeds a registry database directly with N packages for benchmarks: the ~1,300 real corpus packages
// (their real manifests, READMEs and analyses) plus numbered copies of them up to N. Faster than
// publishing by orders of magnitude, and the data is what a registry of real packages holds.
import { analyzeVersion, readManifest, readTarball, type AnalysisResult } from '@packr/scoring'
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from '../../registry/src/db/index.ts'
import { packages, versionAnalyses, versions } from '../../registry/src/db/schema.ts'
import { CORPUS_DIR, loadCorpus } from '../corpus/build.ts'

export interface Seed {
  manifest: Record<string, unknown>
  /** The manifest's `readme` field, as the catalog benchmark has always seeded it. */
  readme: string | null
  /** The README file shipped in the tarball (what npm publish sends as `readme`). */
  readmeFile: string | null
  analysis: AnalysisResult
}

const CACHE = join(CORPUS_DIR, '..', 'bench', 'corpus-seeds-v2.json')
const README = /^readme(\.(md|markdown|txt))?$/i

/** Real manifests, READMEs and analyses of the corpus, computed once and cached. */
export async function corpusSeeds(): Promise<Seed[]> {
  if (existsSync(CACHE)) return JSON.parse(readFileSync(CACHE, 'utf8')) as Seed[]
  const corpus = await loadCorpus()
  const latest = new Map<string, (typeof corpus)[number]>()
  for (const entry of corpus) latest.set(entry.name, entry)
  const seeds: Seed[] = []
  for (const entry of latest.values()) {
    const tarball = new Uint8Array(readFileSync(join(CORPUS_DIR, entry.file)))
    const manifest = await readManifest(tarball).catch(() => null)
    if (!manifest) continue
    const analysis = await analyzeVersion(tarball, { manifest, checks: { publint: false } })
    const readme = analysis.status === 'ok' && typeof manifest.readme === 'string' ? manifest.readme : null
    const contents = await readTarball(tarball, { select: (path) => README.test(path) }).catch(() => null)
    const file = contents ? [...contents.files.values()][0] : undefined
    seeds.push({ manifest, readme, readmeFile: file ? new TextDecoder().decode(file) : null, analysis })
  }
  mkdirSync(join(CACHE, '..'), { recursive: true })
  writeFileSync(CACHE, JSON.stringify(seeds))
  return seeds
}

/** The name of the `i`-th seeded package. */
export const seededName = (seeds: readonly Seed[], i: number) => {
  const baseName = String((seeds[i % seeds.length] as Seed).manifest.name)
  return i < seeds.length ? baseName : `${baseName}-copy${Math.floor(i / seeds.length)}`
}

/** Inserts `total` packages (one version each, analysed), 500 per transaction. */
export async function seedPackages(db: Database, seeds: readonly Seed[], total: number, readmeOf: (seed: Seed) => string | null = (seed) => seed.readme): Promise<void> {
  const now = Date.now()
  let seeded = 0
  while (seeded < total) {
    const batch = Math.min(500, total - seeded)
    await db.transaction(async (tx) => {
      for (let i = seeded; i < seeded + batch; i++) {
        const seed = seeds[i % seeds.length] as Seed
        const name = seededName(seeds, i)
        const version = String(seed.manifest.version)
        const publishedAt = now - ((i * 7919) % 900) * 86_400_000
        await tx.insert(packages).values({ name, scope: name.startsWith('@') ? (name.split('/')[0] as string) : null, revision: 1, distTags: { latest: version }, maintainers: [{ name: 'bench' }], createdAt: publishedAt, modifiedAt: publishedAt })
        const manifest = { ...seed.manifest, name, readme: undefined, dist: { integrity: 'sha512-x', shasum: 'x' } }
        await tx.insert(versions).values({ packageName: name, version, manifest, readme: readmeOf(seed), integrity: 'sha512-x', shasum: 'x', sha256: 'x', size: 1, blobKey: `bench/${i}.tgz`, publishedAt, publishedBy: 'bench', deprecated: null })
        const analysis = { ...seed.analysis, name }
        await tx.insert(versionAnalyses).values({ packageName: name, version, analysisVersion: seed.analysis.analysisVersion, status: seed.analysis.status, result: analysis as unknown as Record<string, unknown>, analyzedAt: publishedAt })
      }
    })
    seeded += batch
  }
}
