// Checks shared by the client end-to-end tests: what a publish must have left in the registry, and
// that an installed package really runs.
import { expect } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import ssri from 'ssri'
import type { Workspace } from './clients.ts'
import type { Manifest } from './packages.ts'
import type { TestRegistry } from './registry.ts'

/** Writes a package folder (`package.json`, `index.js`, README) under the workspace and returns its path. */
export function writePackage(ws: Workspace, dir: string, manifest: Manifest, indexJs: string): string {
  const path = ws.dir(dir)
  writeFileSync(join(path, 'package.json'), JSON.stringify({ main: 'index.js', license: 'MIT', ...manifest }, null, 2))
  writeFileSync(join(path, 'index.js'), indexJs)
  writeFileSync(join(path, 'README.md'), `# ${manifest.name}\n`)
  return path
}

/** A private project folder (the consumer side) depending on `dependencies`; returns its path. */
export function writeProject(ws: Workspace, dir: string, dependencies: Record<string, string> = {}): string {
  const path = ws.dir(dir)
  writeFileSync(join(path, 'package.json'), JSON.stringify({ name: dir, version: '1.0.0', private: true, dependencies }))
  return path
}

/** Changes the version in a package folder's package.json (for publishing the next one). */
export function setVersion(path: string, version: string): void {
  const manifest = JSON.parse(readFileSync(join(path, 'package.json'), 'utf8')) as Manifest
  writeFileSync(join(path, 'package.json'), JSON.stringify({ ...manifest, version }, null, 2))
}

/**
 * Asserts that name@version is in the packument with registry-minted fields (publisher, tarball URL)
 * and that its tarball downloads with the advertised integrity. Returns the version document.
 */
export async function expectPublished(registry: TestRegistry, name: string, version: string, publisher: string): Promise<Record<string, unknown>> {
  const packument = (await (await registry.request(`/${name.replace('/', '%2f')}`)).json()) as {
    versions: Record<string, Record<string, unknown> & { dist: { tarball: string; integrity: string; shasum: string } }>
    maintainers: Array<{ name: string }>
    time: Record<string, string>
  }
  const doc = packument.versions[version]
  expect(doc).toBeDefined()
  if (!doc) throw new Error(`${name}@${version} missing`)
  expect(doc._npmUser).toMatchObject({ name: publisher })
  expect(packument.time[version]).toBeString()
  const basename = name.startsWith('@') ? name.slice(name.indexOf('/') + 1) : name
  expect(doc.dist.tarball).toBe(`${registry.url}/${name}/-/${basename}-${version}.tgz`)
  const tarball = await fetch(doc.dist.tarball)
  expect(tarball.status).toBe(200)
  const bytes = new Uint8Array(await tarball.arrayBuffer())
  expect(ssri.checkData(bytes, doc.dist.integrity)).toBeTruthy()
  expect(new Bun.CryptoHasher('sha1').update(bytes).digest('hex')).toBe(doc.dist.shasum)
  return doc
}

/** Runs `require(name)()` for each package in the installed project and compares what it returns. */
export async function expectRunnable(ws: Workspace, app: string, expected: Record<string, string>): Promise<void> {
  for (const [name, output] of Object.entries(expected)) {
    const run = await ws.exec(['node', '-e', `process.stdout.write(require(${JSON.stringify(name)})())`], app)
    expect(run.stderr).toBe('')
    expect(run.stdout).toBe(output)
  }
}
