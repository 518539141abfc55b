// `packr publish [dir|tarball]`: packs a directory with the npm CLI itself (`npm pack`, so `files`,
// `.npmignore`, bundled dependencies and the prepack/prepare scripts behave exactly as for `npm
// publish`), or takes a tarball built elsewhere; shows what will be published; uploads it as
// multipart/form-data with a progress bar; then waits for the registry's quality score.
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { unpackTar } from 'modern-tar'
import yoctoSpinner from 'yocto-spinner'
import type { PackrClient } from '../client.ts'
import { CliError, UsageError } from './errors.ts'

export interface PublishOptions {
  tag: string
  dryRun: boolean
  wait: boolean
  json: boolean
  /** How long to wait for the score before giving up (it is printed later by the registry anyway). */
  scoreTimeoutMs: number
}

export interface Packed {
  name: string
  version: string
  manifest: Record<string, unknown>
  tarball: Uint8Array
  files: Array<{ path: string; size: number }>
  unpackedSize: number
  integrity: string
  shasum: string
  sha256: string
}

/** Tarballs at least this big get a progress bar on a terminal. */
const PROGRESS_FROM_BYTES = 1024 * 1024

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`
  const units = ['kB', 'MB', 'GB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/** Runs `npm pack` into a fresh directory and returns the tarball it wrote. */
async function npmPack(dir: string): Promise<Uint8Array<ArrayBuffer>> {
  const destination = mkdtempSync(join(tmpdir(), 'packr-pack-'))
  try {
    let proc: ReturnType<typeof Bun.spawn<'ignore', 'pipe', 'pipe'>>
    try {
      proc = Bun.spawn(['npm', 'pack', '--pack-destination', destination], { cwd: dir, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
    } catch {
      throw new CliError('NPM_MISSING', 'packing a directory needs npm on PATH; or pass a .tgz built elsewhere')
    }
    const [stderr, exitCode] = await Promise.all([new Response(proc.stderr).text(), proc.exited, new Response(proc.stdout).text()])
    if (exitCode !== 0) {
      const reason = stderr.split('\n').find((line) => /^npm error (?!code|A complete log)/.test(line)) ?? stderr.trim().split('\n').at(-1) ?? ''
      throw new CliError('PACK_FAILED', `npm pack failed in ${dir}: ${reason.replace(/^npm error /, '')}`)
    }
    const [file] = readdirSync(destination).filter((entry) => entry.endsWith('.tgz'))
    if (!file) throw new CliError('PACK_FAILED', `npm pack wrote no tarball in ${dir}`)
    return new Uint8Array(await Bun.file(join(destination, file)).arrayBuffer())
  } finally {
    rmSync(destination, { recursive: true, force: true })
  }
}

/** What a tarball holds: its package.json, its files and their sizes, and its digests. */
export async function describeTarball(tarball: Uint8Array<ArrayBuffer>, source: string): Promise<Packed> {
  let entries: Awaited<ReturnType<typeof unpackTar>>
  try {
    entries = await unpackTar(Bun.gunzipSync(tarball))
  } catch (error) {
    throw new CliError('INVALID_TARBALL', `${source} is not a gzipped tarball: ${(error as Error).message}`)
  }
  // npm puts everything under one top-level folder (`package/`).
  const files = entries.filter((entry) => entry.header.type === 'file').map((entry) => ({ path: entry.header.name.replace(/^[^/]+\//, ''), size: entry.header.size, data: entry.data }))
  const packageJson = files.find((file) => file.path === 'package.json')
  if (!packageJson?.data) throw new CliError('INVALID_TARBALL', `${source} has no package.json`)
  let manifest: Record<string, unknown>
  try {
    manifest = JSON.parse(new TextDecoder().decode(packageJson.data)) as Record<string, unknown>
  } catch {
    throw new CliError('INVALID_TARBALL', `package.json in ${source} is not valid JSON`)
  }
  const { name, version } = manifest
  if (typeof name !== 'string' || typeof version !== 'string') throw new CliError('INVALID_TARBALL', `package.json in ${source} needs a name and a version`)
  const hash = (algorithm: 'sha512' | 'sha1' | 'sha256', encoding: 'base64' | 'hex') => new Bun.CryptoHasher(algorithm).update(tarball).digest(encoding)
  return {
    name,
    version,
    manifest,
    tarball,
    files: files.map(({ path, size }) => ({ path, size })).sort((a, b) => a.path.localeCompare(b.path)),
    unpackedSize: files.reduce((total, file) => total + file.size, 0),
    integrity: `sha512-${hash('sha512', 'base64')}`,
    shasum: hash('sha1', 'hex'),
    sha256: hash('sha256', 'hex'),
  }
}

/** The directory packed by npm, or the tarball as given. */
export async function loadTarget(target: string): Promise<Packed> {
  const path = resolve(target)
  let stats: ReturnType<typeof statSync>
  try {
    stats = statSync(path)
  } catch {
    throw new UsageError(`${target} does not exist: give a package directory or a .tgz`)
  }
  if (stats.isDirectory()) return describeTarball(await npmPack(path), target)
  return describeTarball(new Uint8Array(await Bun.file(path).arrayBuffer()), target)
}

function summary(packed: Packed, registry: string, tag: string): string {
  const width = Math.max(...packed.files.map((file) => formatBytes(file.size).length))
  return [
    `${packed.name}@${packed.version} → ${registry}/ (tag ${tag})`,
    ...packed.files.map((file) => `  ${formatBytes(file.size).padStart(width)}  ${file.path}`),
    `  ${packed.files.length} files, ${formatBytes(packed.unpackedSize)} unpacked, tarball ${formatBytes(packed.tarball.byteLength)}`,
    `  integrity  ${packed.integrity}`,
    `  shasum     ${packed.shasum}`,
    `  sha256     ${packed.sha256}`,
  ].join('\n')
}

function progressBar(sent: number, total: number): string {
  const width = 30
  const done = Math.round((sent / total) * width)
  return `Uploading [${'#'.repeat(done)}${'-'.repeat(width - done)}] ${Math.floor((sent / total) * 100)}% ${formatBytes(sent)} / ${formatBytes(total)}`
}

/** Polls the registry until the version's analysis has run; null when it has no score (or none came in time). */
async function waitForScore(client: PackrClient, name: string, version: string, timeoutMs: number): Promise<{ analyzed: boolean; score: number | null }> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const found = (await client.packages.details(name)).versions.find((candidate) => candidate.version === version)
    if (found?.analyzed) return { analyzed: true, score: found.score }
    if (Date.now() >= deadline) return { analyzed: false, score: null }
    await Bun.sleep(1000)
  }
}

export async function publishCommand(client: PackrClient, target: string, options: PublishOptions, out: (text: string) => void): Promise<unknown> {
  const packed = await loadTarget(target)
  const report = {
    registry: `${client.registryUrl}/`,
    name: packed.name,
    version: packed.version,
    tag: options.tag,
    files: packed.files,
    size: packed.tarball.byteLength,
    unpackedSize: packed.unpackedSize,
    integrity: packed.integrity,
    shasum: packed.shasum,
    sha256: packed.sha256,
    dryRun: options.dryRun,
  }
  if (!options.json) out(summary(packed, client.registryUrl, options.tag))
  if (options.dryRun) {
    if (!options.json) out('dry run: nothing was published')
    return report
  }
  const interactive = process.stderr.isTTY && !options.json
  const bar = interactive && packed.tarball.byteLength >= PROGRESS_FROM_BYTES ? yoctoSpinner({ text: progressBar(0, 1), stream: process.stderr }).start() : null
  let published: { created: boolean; message: string }
  try {
    published = await client.packages.publish({
      manifest: { ...packed.manifest, name: packed.name, version: packed.version, dist: { integrity: packed.integrity, shasum: packed.shasum } },
      tarball: packed.tarball,
      tag: options.tag,
      onProgress: bar ? (sent, total) => (bar.text = progressBar(sent, total)) : undefined,
    })
    bar?.success(`Uploaded ${formatBytes(packed.tarball.byteLength)}`)
  } catch (error) {
    bar?.error('Upload failed')
    throw error
  }
  if (!options.json) out(published.created ? `+ ${packed.name}@${packed.version} (${packed.integrity})` : `${packed.name}@${packed.version} was already published with this content`)
  if (!options.wait) return { ...report, published: published.created, score: null }
  const spinner = interactive ? yoctoSpinner({ text: 'Waiting for the quality score…', stream: process.stderr }).start() : null
  const { analyzed, score } = await waitForScore(client, packed.name, packed.version, options.scoreTimeoutMs)
  spinner?.stop()
  if (!options.json) out(score !== null ? `quality score: ${score}/100` : analyzed ? 'quality score: none (the registry could not analyse this tarball)' : 'quality score: not ready yet; see GET /api/packages/<name> later')
  return { ...report, published: published.created, score }
}
