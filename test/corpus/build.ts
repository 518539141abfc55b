// Builds the corpus of real npm packages used by the scoring evaluation and the benchmarks: the
// full dependency trees of the packages in seeds.json, as the exact tarballs the npm registry
// serves (integrity-checked). Output in .cache/corpus/: tarballs/*.tgz and index.json.
//
//   bun test/corpus/build.ts            # resolve (first run only) and download what is missing
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import ssri from 'ssri'

const ROOT = resolve(import.meta.dir, '../..')
const HERE = import.meta.dir
export const CORPUS_DIR = join(ROOT, '.cache', 'corpus')
const TARBALLS = join(CORPUS_DIR, 'tarballs')
const RESOLVE_BEFORE = '2026-03-01'

export interface CorpusEntry {
  name: string
  version: string
  /** Path relative to CORPUS_DIR. */
  file: string
  integrity: string
  dependencies: Record<string, string>
}

interface LockPackage {
  /** Set for aliases (`npm:real-name@version`): the package's real name. */
  name?: string
  version?: string
  resolved?: string
  integrity?: string
  dependencies?: Record<string, string>
  link?: boolean
}

function fileFor(name: string, version: string): string {
  return `tarballs/${name.replace('/', '__')}-${version}.tgz`
}

/** Resolves the seeds' dependency trees into test/corpus/package-lock.json (kept in git for reproducibility). */
async function resolveLockfile(): Promise<void> {
  const lockPath = join(HERE, 'package-lock.json')
  if (existsSync(lockPath)) return
  const seeds = JSON.parse(readFileSync(join(HERE, 'seeds.json'), 'utf8')) as { packages: string[] }
  const work = join(CORPUS_DIR, 'resolve')
  mkdirSync(work, { recursive: true })
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'packr-corpus', private: true, dependencies: Object.fromEntries(seeds.packages.map((name) => [name, 'latest'])) }, null, 2))
  // A fixed resolution date makes the corpus reproducible (and avoids versions whose new
  // dependencies a registry mirror may not carry yet).
  const proc = Bun.spawn(['npm', 'install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--legacy-peer-deps', '--before', RESOLVE_BEFORE, '--registry', 'https://registry.npmjs.org/'], { cwd: work, stdout: 'inherit', stderr: 'inherit' })
  if ((await proc.exited) !== 0) throw new Error('npm could not resolve the corpus seeds')
  writeFileSync(lockPath, readFileSync(join(work, 'package-lock.json')))
}

async function download(url: string, integrity: string, target: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await fetch(url)
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`)
      const bytes = new Uint8Array(await response.arrayBuffer())
      if (!ssri.checkData(bytes, integrity)) throw new Error('integrity mismatch')
      writeFileSync(target, bytes)
      return
    } catch (error) {
      if (attempt >= 3) throw new Error(`${url}: ${(error as Error).message}`)
      await Bun.sleep(500 * attempt)
    }
  }
}

export async function buildCorpus(): Promise<CorpusEntry[]> {
  await resolveLockfile()
  mkdirSync(TARBALLS, { recursive: true })
  const lock = JSON.parse(readFileSync(join(HERE, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockPackage> }
  const entries = new Map<string, CorpusEntry & { resolved: string }>()
  for (const [path, info] of Object.entries(lock.packages)) {
    if (!path.includes('node_modules/') || info.link || !info.integrity || !info.version) continue
    const name = info.name ?? path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length)
    // Lockfiles written with omit-lockfile-registry-resolved carry no URL; the npmjs layout is fixed.
    const resolved = info.resolved ?? `https://registry.npmjs.org/${name}/-/${name.split('/').pop()}-${info.version}.tgz`
    const key = `${name}@${info.version}`
    if (entries.has(key)) continue
    entries.set(key, { name, version: info.version, file: fileFor(name, info.version), integrity: info.integrity, dependencies: info.dependencies ?? {}, resolved })
  }
  const missing = [...entries.values()].filter((entry) => !existsSync(join(CORPUS_DIR, entry.file)))
  let done = 0
  const queue = [...missing]
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let entry = queue.shift(); entry; entry = queue.shift()) {
        await download(entry.resolved, entry.integrity, join(CORPUS_DIR, entry.file))
        if (++done % 100 === 0) console.log(`corpus: downloaded ${done}/${missing.length}`)
      }
    }),
  )
  const index: CorpusEntry[] = [...entries.values()]
    .map(({ resolved: _resolved, ...entry }) => entry)
    .sort((a, b) => a.name.localeCompare(b.name) || a.version.localeCompare(b.version))
  writeFileSync(join(CORPUS_DIR, 'index.json'), JSON.stringify(index, null, 2))
  return index
}

/** Reads the corpus index, building the corpus first when it is not there yet. */
export async function loadCorpus(): Promise<CorpusEntry[]> {
  const indexPath = join(CORPUS_DIR, 'index.json')
  if (!existsSync(indexPath)) return buildCorpus()
  return JSON.parse(readFileSync(indexPath, 'utf8')) as CorpusEntry[]
}

if (import.meta.main) {
  const index = await buildCorpus()
  const bytes = index.reduce((sum, entry) => sum + Bun.file(join(CORPUS_DIR, entry.file)).size, 0)
  console.log(`corpus: ${index.length} package versions, ${(bytes / 1e6).toFixed(1)} MB of tarballs in ${CORPUS_DIR}`)
}
