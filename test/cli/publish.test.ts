// `packr publish` as a subprocess against a running registry: a directory packed the way npm packs
// it, a tarball built elsewhere, --tag, --dry-run, --json, the progress bar on a terminal, the
// quality score, and one-line errors with a non-zero exit code.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { isolatedEnv, npmrc, Workspace } from '../helpers/clients.ts'
import { packTarball } from '../helpers/packages.ts'
import { setVersion, writePackage } from '../helpers/published.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const PACKR = resolve(import.meta.dir, '../../node_modules/.bin/packr')

let registry: TestRegistry
let ws: Workspace
let pkg: string

const packr = (args: string[], env: Record<string, string> = {}) => ws.exec([PACKR, ...args], ws.root, env)

interface Packument {
  'dist-tags': Record<string, string>
  versions: Record<string, { dist: { integrity: string } }>
}
const packument = async (name: string) => (await (await registry.request(`/${name.replace('/', '%2f')}`, { token: registry.adminToken })).json()) as Packument

beforeAll(async () => {
  registry = await startTestRegistry()
  ws = new Workspace('packr-publish-')
  // The token `packr login` would have saved.
  ws.write('home/.npmrc', npmrc(registry.url, registry.adminToken))
  pkg = writePackage(ws, 'widget', { name: '@acme/cli-widget', version: '1.0.0', description: 'published by packr', files: ['index.js', 'lib'] }, 'module.exports = () => "widget"\n')
  mkdirSync(join(pkg, 'lib'))
  writeFileSync(join(pkg, 'lib/helper.js'), 'module.exports = 1\n')
  writeFileSync(join(pkg, 'lib/helper.test.js'), 'test()\n')
  writeFileSync(join(pkg, 'lib/.npmignore'), '*.test.js\n')
  writeFileSync(join(pkg, 'notes.txt'), 'not in files\n')
})

afterAll(async () => {
  await registry.close()
  ws.remove()
})

describe('packr publish', () => {
  test('packs a directory as npm does, shows it, publishes it and prints the version, integrity and quality score', async () => {
    const result = await packr(['publish', pkg, '--registry', registry.url])
    expect(result.stderr).toBe('')
    expect(result.exitCode).toBe(0)
    const lines = result.stdout.trim().split('\n')
    expect(lines[0]).toBe(`@acme/cli-widget@1.0.0 → ${registry.url}/ (tag latest)`)
    const listed = lines.filter((line) => /^\s+[\d.]+ (B|kB)\s{2}\S/.test(line)).map((line) => line.trim().split(/\s+/).at(-1))
    expect(listed).toEqual(['index.js', 'lib/helper.js', 'package.json', 'README.md'])
    const integrity = (await packument('@acme/cli-widget')).versions['1.0.0']?.dist.integrity as string
    expect(result.stdout).toContain(`  integrity  ${integrity}`)
    expect(result.stdout).toContain(`+ @acme/cli-widget@1.0.0 (${integrity})`)
    expect(lines.at(-1)).toMatch(/^quality score: \d+\/100$/)
  }, 150_000)

  test('publishes a tarball built elsewhere under --tag, honouring PACKR_REGISTRY_URL, with --json and --no-wait', async () => {
    setVersion(pkg, '1.1.0-rc.1')
    const packed = await ws.exec(['npm', 'pack', '--pack-destination', ws.dir('dist')], pkg)
    expect(packed.exitCode).toBe(0)
    const tarball = join(ws.root, 'dist', 'acme-cli-widget-1.1.0-rc.1.tgz')
    const result = await packr(['publish', tarball, '--tag', 'next', '--no-wait', '--json'], { PACKR_REGISTRY_URL: registry.url })
    expect(result.exitCode).toBe(0)
    const report = JSON.parse(result.stdout) as Record<string, unknown>
    expect(report).toMatchObject({ name: '@acme/cli-widget', version: '1.1.0-rc.1', tag: 'next', published: true, score: null, dryRun: false, registry: `${registry.url}/` })
    const doc = await packument('@acme/cli-widget')
    expect(doc['dist-tags']).toEqual({ latest: '1.0.0', next: '1.1.0-rc.1' })
    expect(report.integrity).toBe(doc.versions['1.1.0-rc.1']?.dist.integrity)
  })

  test('--dry-run shows the same summary and uploads nothing', async () => {
    setVersion(pkg, '1.2.0')
    const result = await packr(['publish', pkg, '--dry-run', '--registry', registry.url])
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('@acme/cli-widget@1.2.0 →')
    expect(result.stdout.trim().split('\n').at(-1)).toBe('dry run: nothing was published')
    expect(Object.keys((await packument('@acme/cli-widget')).versions)).not.toContain('1.2.0')
  })

  test('a large tarball uploads with a progress bar on a terminal', async () => {
    const big = join(ws.root, 'big.tgz')
    writeFileSync(big, await packTarball({ name: 'big-cli-package', version: '1.0.0' }, { 'blob.bin': crypto.getRandomValues(new Uint8Array(65536 * 24)) }, { gzipLevel: 0 }))
    let output = ''
    const proc = Bun.spawn([PACKR, 'publish', big, '--registry', registry.url, '--no-wait'], {
      cwd: ws.root,
      env: isolatedEnv(ws.home, { CI: '' }),
      terminal: { cols: 120, rows: 40, data: (_terminal, data) => (output += new TextDecoder().decode(data)) },
    })
    expect(await proc.exited).toBe(0)
    proc.terminal?.close()
    expect(output).toMatch(/Uploading \[#+-*\] \d+%/)
    expect(output).toContain('Uploaded 1.5 MB')
    expect(output).toContain('+ big-cli-package@1.0.0 (sha512-')
  }, 60_000)

  test('errors are one line with a non-zero exit code', async () => {
    const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
      [['publish', join(ws.root, 'missing-dir')], {}, 2, /^packr: .*missing-dir does not exist: give a package directory or a \.tgz$/],
      [['publish', ws.dir('empty-dir')], {}, 1, /^packr: npm pack failed in .*empty-dir: /],
      [['publish', join(pkg, 'index.js')], {}, 1, /^packr: .*index\.js is not a gzipped tarball/],
      [['publish', join(ws.root, 'dist', 'acme-cli-widget-1.1.0-rc.1.tgz'), '--tag', '1.x'], {}, 1, /^packr: invalid dist-tag "1\.x"/],
      [['publish', pkg, '--token', 'not-a-token'], {}, 1, /^packr: /],
      [['publish', pkg, 'extra'], {}, 2, /^packr: packr publish takes one directory or tarball, got 2$/],
    ]
    for (const [args, env, exitCode, message] of cases) {
      const result = await packr([...args, '--registry', registry.url], env)
      expect({ args, exitCode: result.exitCode }).toEqual({ args, exitCode })
      expect(result.stderr.trim().split('\n')).toHaveLength(1)
      expect(result.stderr.trim()).toMatch(message)
    }
    // A version already published with other content.
    setVersion(pkg, '1.0.0')
    writeFileSync(join(pkg, 'index.js'), 'module.exports = () => "changed"\n')
    const conflict = await packr(['publish', pkg, '--registry', registry.url])
    expect(conflict.exitCode).toBe(1)
    expect(conflict.stderr.trim()).toBe('packr: cannot publish over the previously published version @acme/cli-widget@1.0.0')
    // Nobody logged in to this registry.
    const anonymous = await ws.exec([PACKR, 'publish', pkg, '--registry', registry.url], ws.root, { HOME: ws.dir('nobody'), NPM_CONFIG_USERCONFIG: join(ws.dir('nobody'), '.npmrc') })
    expect(anonymous.exitCode).toBe(1)
    expect(anonymous.stderr.trim()).toBe(`packr: not logged in to ${registry.url}; run packr login --registry ${registry.url}`)
  }, 60_000)

  test('--help documents the command and every option', async () => {
    const general = await packr(['--help'])
    expect(general.stdout).toContain('publish [DIR|TARBALL] [--tag TAG] [--dry-run] [--no-wait]')
    expect(general.stdout).toContain('$PACKR_REGISTRY_URL')
    const help = await packr(['publish', '--help'])
    expect(help.exitCode).toBe(0)
    for (const option of ['--tag TAG', '--dry-run', '--no-wait', '--registry URL', '--token TOKEN', '--json', '--help']) expect(help.stdout).toContain(option)
  })
})
