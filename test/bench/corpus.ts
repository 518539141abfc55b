// The benchmark's data: every package version of the real-package corpus (.cache/corpus) turned into
// the publish document npm sends, published identically to each registry over HTTP, with a sample
// published by the real npm CLI instead to show that both registries accept npm's own documents.
import { readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { readTarball } from '@packr/scoring'
import { CORPUS_DIR, loadCorpus, type CorpusEntry } from '../corpus/build.ts'
import { npmrc, Workspace } from '../helpers/clients.ts'
import { escapeName, publishDocument, type Manifest } from '../helpers/packages.ts'
import { mapConcurrently } from './pool.ts'

export interface CorpusVersion {
  name: string
  version: string
  file: string
  /** The serialized `PUT /:name` body; the same bytes go to every registry. */
  body: string
  /** Published with `npm publish <tarball>` instead of a raw PUT. */
  viaCli: boolean
}

export interface PublishReport {
  published: number
  viaCli: number
  seconds: number
  failures: Array<{ name: string; version: string; status: number; error: string }>
}

/** A semver prerelease: a `-` before any build metadata. */
const isPrerelease = (version: string) => /^[^+]*-/.test(version)
const README = /^readme(\.(md|markdown|txt))?$/i
/** Versions published with the npm CLI: names with one stable version and no publishConfig (which could redirect npm). */
const CLI_SAMPLE_SIZE = 12

async function versionOf(entry: CorpusEntry): Promise<Omit<CorpusVersion, 'viaCli'>> {
  const tarball = new Uint8Array(readFileSync(join(CORPUS_DIR, entry.file)))
  const contents = await readTarball(tarball, { select: (path) => path === 'package.json' || README.test(path) })
  const manifest = JSON.parse(new TextDecoder().decode(contents.files.get('package.json'))) as Manifest
  const readmePath = [...contents.files.keys()].find((path) => README.test(path))
  // npm publishes the README text inside the version document (pacote's full manifest read).
  if (readmePath) manifest.readme = new TextDecoder().decode(contents.files.get(readmePath))
  const tag = isPrerelease(entry.version) ? 'next' : 'latest'
  const document = await publishDocument(manifest, { tarball, tag })
  return { name: entry.name, version: entry.version, file: entry.file, body: JSON.stringify(document) }
}

/** The corpus as publish documents, grouped by name with versions in ascending semver order. */
export async function corpusVersions(limit?: number): Promise<Map<string, CorpusVersion[]>> {
  const entries = (await loadCorpus()).slice(0, limit)
  const byName = new Map<string, CorpusVersion[]>()
  for (const entry of entries) {
    const version = await versionOf(entry)
    const list = byName.get(entry.name) ?? []
    list.push({ ...version, viaCli: false })
    byName.set(entry.name, list)
  }
  for (const list of byName.values()) list.sort((a, b) => Bun.semver.order(a.version, b.version))
  // Half the CLI sample scoped, half not: npm encodes the two differently in the publish URL.
  const eligible = [...byName].filter(([, list]) => {
    const only = list[0] as CorpusVersion
    return list.length === 1 && !isPrerelease(only.version) && JSON.parse(only.body).versions[only.version].publishConfig === undefined
  })
  const scoped = eligible.filter(([name]) => name.startsWith('@')).slice(0, CLI_SAMPLE_SIZE / 2)
  const unscoped = eligible.filter(([name]) => !name.startsWith('@')).slice(0, CLI_SAMPLE_SIZE - scoped.length)
  for (const [, list] of [...scoped, ...unscoped]) (list[0] as CorpusVersion).viaCli = true
  return byName
}

async function putDocument(url: string, token: string, version: CorpusVersion): Promise<{ status: number; text: string }> {
  const response = await fetch(`${url}/${escapeName(version.name)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: version.body,
  })
  return { status: response.status, text: response.ok ? '' : await response.text() }
}

async function publishWithCli(ws: Workspace, url: string, version: CorpusVersion): Promise<{ status: number; text: string }> {
  const result = await ws.run('npm', ['publish', join(CORPUS_DIR, version.file), '--registry', `${url}/`, '--ignore-scripts', '--tag', 'latest'], ws.root)
  return { status: result.exitCode === 0 ? 201 : 0, text: result.stderr.trim().split('\n').slice(-3).join(' ') }
}

/**
 * Publishes every version to `url`: names in parallel (`concurrency` at a time), the versions of one
 * name in order, as a client publishing a release line would.
 */
export async function publishCorpus(url: string, token: string, corpus: Map<string, CorpusVersion[]>, concurrency = 8): Promise<PublishReport> {
  const ws = new Workspace('packr-bench-publish-')
  ws.write('home/.npmrc', npmrc(url, token))
  const report: PublishReport = { published: 0, viaCli: 0, seconds: 0, failures: [] }
  const started = performance.now()
  try {
    await mapConcurrently(
      [...corpus.values()],
      async (list) => {
        for (const version of list) {
          const outcome = version.viaCli ? await publishWithCli(ws, url, version) : await putDocument(url, token, version)
          if (outcome.status >= 200 && outcome.status < 300) {
            report.published++
            if (version.viaCli) report.viaCli++
          } else {
            report.failures.push({ name: version.name, version: version.version, status: outcome.status, error: outcome.text.slice(0, 300) })
          }
        }
      },
      concurrency,
    )
  } finally {
    rmSync(ws.root, { recursive: true, force: true })
  }
  report.seconds = (performance.now() - started) / 1000
  return report
}

/** Per name: the versions and their integrity, as a registry's abbreviated packument lists them. */
export async function servedVersions(url: string, names: string[]): Promise<Map<string, string>> {
  const served = await mapConcurrently(names, async (name) => {
    const response = await fetch(`${url}/${escapeName(name)}`, { headers: { accept: 'application/vnd.npm.install-v1+json' } })
    if (!response.ok) return `HTTP ${response.status}`
    const doc = (await response.json()) as { versions: Record<string, { dist: { integrity?: string } }> }
    return Object.entries(doc.versions)
      .map(([version, manifest]) => `${version}:${manifest.dist.integrity ?? ''}`)
      .sort()
      .join(' ')
  })
  return new Map(names.map((name, index) => [name, served[index] as string]))
}
