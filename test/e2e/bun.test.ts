// The real bun CLI (this process's own executable) against a running registry: `bun publish`
// (scoped and unscoped, with a tag), `bun info`, `bun pm whoami`, and `bun install` of
// just-published versions into a fresh project configured only by `.npmrc`. Bun has no dist-tag
// command; tags are set through `bun publish --tag` and read back with `bun info`.
import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { npmrc } from '../helpers/clients.ts'
import { expectPublished, expectRunnable, setVersion, writePackage, writeProject } from '../helpers/published.ts'
import { startClientTestBed } from '../helpers/recorder.ts'

// Real client processes: bun test's 5 s default per test is too tight on a loaded machine.
setDefaultTimeout(60_000)

const USER = 'bun-ci'
const { registry, recorder, ws, token, close } = await startClientTestBed('packr-bun-', USER)
afterAll(close)

const bun = (args: string[], cwd: string) => ws.run('bun', args, cwd)

describe('bun CLI', () => {
  test('publishes a scoped and an unscoped package', async () => {
    const widget = writePackage(ws, 'widget', { name: '@acme/bun-widget', version: '1.0.0', description: 'bun e2e widget' }, 'module.exports = () => "bun-widget"\n')
    writeFileSync(join(widget, '.npmrc'), npmrc(registry.url, token, ['@acme']))
    const mark = recorder.requests.length
    const scoped = await bun(['publish'], widget)
    expect(scoped.exitCode).toBe(0)
    expect(scoped.stdout).toContain('+ @acme/bun-widget@1.0.0')

    // bun adds non-standard integrity keys beside `dist`; the registry keeps integrity facts in
    // `dist` only, computed from the bytes it received.
    const [put] = recorder.since(mark, (request) => request.method === 'PUT')
    expect(put?.path).toBe('/@acme%2fbun-widget')
    const sent = JSON.parse(new TextDecoder().decode(put?.body)) as { versions: Record<string, Record<string, unknown>> }
    expect(Object.keys(sent.versions['1.0.0'] ?? {})).toEqual(expect.arrayContaining(['_integrity', 'integrity', 'shasum', 'dist']))
    const doc = await expectPublished(registry, '@acme/bun-widget', '1.0.0', USER)
    expect(doc).not.toHaveProperty('_integrity')
    expect(doc).not.toHaveProperty('integrity')
    expect(doc).not.toHaveProperty('shasum')

    const util = writePackage(
      ws,
      'util',
      { name: 'bun-util', version: '1.0.0', dependencies: { '@acme/bun-widget': '^1.0.0' } },
      'module.exports = () => "bun-util+" + require("@acme/bun-widget")()\n',
    )
    writeFileSync(join(util, '.npmrc'), npmrc(registry.url, token, ['@acme']))
    const unscoped = await bun(['publish'], util)
    expect(unscoped.exitCode).toBe(0)
    expect(unscoped.stdout).toContain('+ bun-util@1.0.0')
    const utilDoc = await expectPublished(registry, 'bun-util', '1.0.0', USER)
    expect(utilDoc.dependencies).toEqual({ '@acme/bun-widget': '^1.0.0' })
  })

  test('publishes under a tag and reads tags back with bun info', async () => {
    const widget = ws.dir('widget')
    setVersion(widget, '1.1.0-next.0')
    const next = await bun(['publish', '--tag', 'next'], widget)
    expect(next.exitCode).toBe(0)
    expect(next.stdout).toContain('Tag: next')
    expect(await (await registry.request('/-/package/@acme%2fbun-widget/dist-tags')).json()).toEqual({ latest: '1.0.0', next: '1.1.0-next.0' })

    const tags = await bun(['info', '@acme/bun-widget', 'dist-tags', '--json'], widget)
    expect(tags.exitCode).toBe(0)
    expect(JSON.parse(tags.stdout)).toEqual({ latest: '1.0.0', next: '1.1.0-next.0' })
  })

  test('info and whoami', async () => {
    const cwd = ws.dir('widget')
    const info = await bun(['info', '@acme/bun-widget', '--json'], cwd)
    expect(info.exitCode).toBe(0)
    const document = JSON.parse(info.stdout) as { name: string; version: string; versions: string[]; dist: { tarball: string } }
    expect(document.name).toBe('@acme/bun-widget')
    expect(document.version).toBe('1.0.0')
    expect(document.versions).toEqual(['1.0.0', '1.1.0-next.0'])
    expect(document.dist.tarball).toBe(`${registry.url}/@acme/bun-widget/-/bun-widget-1.0.0.tgz`)
    const version = await bun(['info', 'bun-util', 'version'], cwd)
    expect(version.stdout.trim()).toBe('1.0.0')

    const whoami = await bun(['pm', 'whoami'], cwd)
    expect(whoami.exitCode).toBe(0)
    expect(whoami.stdout.trim()).toBe(USER)
  })

  test('installs just-published versions into a fresh project', async () => {
    const app = writeProject(ws, 'app', { 'bun-util': '^1.0.0' })
    writeFileSync(join(app, '.npmrc'), npmrc(registry.url, token, ['@acme']))
    const mark = recorder.requests.length

    const install = await bun(['install'], app)
    expect(install.exitCode).toBe(0)
    expect(install.stdout).toContain('+ bun-util@1.0.0')
    await expectRunnable(ws, app, { 'bun-util': 'bun-util+bun-widget' })
    const lock = readFileSync(join(app, 'bun.lock'), 'utf8')
    for (const [name, version] of [['bun-util', '1.0.0'], ['@acme/bun-widget', '1.0.0']] as const) {
      const row = await registry.ctx.packages.findVersionRow(name, version)
      expect(lock).toContain(row?.integrity as string)
    }
    expect(lock).toContain(`${registry.url}/@acme/bun-widget/-/bun-widget-1.0.0.tgz`)

    const sent = recorder.since(mark)
    const scopedRead = sent.find((request) => request.method === 'GET' && request.path === '/@acme%2fbun-widget')
    expect(scopedRead?.headers.accept).toContain('application/vnd.npm.install-v1+json')
    expect(scopedRead?.status).toBe(200)
    expect(sent.some((request) => request.path === '/@acme/bun-widget/-/bun-widget-1.0.0.tgz' && request.status === 200)).toBe(true)
  })

  test('CI tokens from the environment in a project .npmrc', async () => {
    const ci = writeProject(ws, 'ci')
    writeFileSync(join(ci, '.npmrc'), npmrc(registry.url, '${PACKR_TOKEN}', ['@acme']))
    const whoami = await ws.run('bun', ['pm', 'whoami'], ci, { PACKR_TOKEN: token })
    expect(whoami.exitCode).toBe(0)
    expect(whoami.stdout.trim()).toBe(USER)
  })
})
