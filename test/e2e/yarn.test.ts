// The real yarn 4 CLI against a running registry: `yarn npm publish` (scoped and unscoped),
// `yarn npm info`, `yarn npm whoami`, `yarn npm tag add/list/remove`, and an install of
// just-published versions into a fresh project configured only by `.yarnrc.yml`.
import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { yarnrc } from '../helpers/clients.ts'
import { expectPublished, expectRunnable, setVersion, writePackage, writeProject } from '../helpers/published.ts'
import { startClientTestBed } from '../helpers/recorder.ts'

// Real client processes: bun test's 5 s default per test is too tight on a loaded machine.
setDefaultTimeout(60_000)

const USER = 'yarn-ci'
const { registry, recorder, ws, token, close } = await startClientTestBed('packr-yarn-', USER)
afterAll(close)

// CI=true makes yarn refuse to create a lockfile; these scratch projects have none yet.
const yarn = (args: string[], cwd: string) => ws.run('yarn', args, cwd, { YARN_ENABLE_IMMUTABLE_INSTALLS: 'false' })

/** A package folder that yarn accepts as a project (it publishes only from an installed project). */
async function yarnPackage(dir: string, manifest: Parameters<typeof writePackage>[2], indexJs: string): Promise<string> {
  const path = writePackage(ws, dir, manifest, indexJs)
  writeFileSync(join(path, '.yarnrc.yml'), yarnrc(registry.url, token, ['@acme']))
  const install = await yarn(['install'], path)
  expect(install.exitCode).toBe(0)
  return path
}

describe('yarn 4 CLI', () => {
  test('publishes a scoped and an unscoped package', async () => {
    const widget = await yarnPackage('widget', { name: '@acme/yarn-widget', version: '1.0.0', description: 'yarn e2e widget' }, 'module.exports = () => "yarn-widget"\n')
    const mark = recorder.requests.length
    const scoped = await yarn(['npm', 'publish'], widget)
    expect(scoped.exitCode).toBe(0)
    expect(scoped.stdout).toContain('Package archive published')
    const [put] = recorder.since(mark, (request) => request.method === 'PUT')
    expect(put?.path).toBe('/@acme%2fyarn-widget')
    // yarn marks scoped packages restricted by default; the registry must accept that.
    expect(JSON.parse(new TextDecoder().decode(put?.body)).access).toBe('restricted')
    await expectPublished(registry, '@acme/yarn-widget', '1.0.0', USER)

    const util = await yarnPackage(
      'util',
      { name: 'yarn-util', version: '1.0.0', dependencies: { '@acme/yarn-widget': '^1.0.0' } },
      'module.exports = () => "yarn-util+" + require("@acme/yarn-widget")()\n',
    )
    const unscoped = await yarn(['npm', 'publish'], util)
    expect(unscoped.exitCode).toBe(0)
    expect(unscoped.stdout).toContain('Package archive published')
    const doc = await expectPublished(registry, 'yarn-util', '1.0.0', USER)
    expect(doc.dependencies).toEqual({ '@acme/yarn-widget': '^1.0.0' })
  })

  test('publishes under a tag, then tag add, list and remove', async () => {
    const widget = ws.dir('widget')
    setVersion(widget, '2.0.0-rc.1')
    const rc = await yarn(['npm', 'publish', '--tag', 'rc'], widget)
    expect(rc.exitCode).toBe(0)
    expect(rc.stdout).toContain('with tag rc')

    const add = await yarn(['npm', 'tag', 'add', '@acme/yarn-widget@2.0.0-rc.1', 'next'], widget)
    expect(add.exitCode).toBe(0)
    expect(add.stdout).toContain('Tag next added to version 2.0.0-rc.1 of package @acme/yarn-widget')
    const list = await yarn(['npm', 'tag', 'list', '@acme/yarn-widget'], widget)
    expect(list.stdout).toContain('@acme/yarn-widget@latest → 1.0.0')
    expect(list.stdout).toContain('@acme/yarn-widget@next → 2.0.0-rc.1')
    expect(list.stdout).toContain('@acme/yarn-widget@rc → 2.0.0-rc.1')
    const remove = await yarn(['npm', 'tag', 'remove', '@acme/yarn-widget', 'rc'], widget)
    expect(remove.exitCode).toBe(0)
    expect(remove.stdout).toContain('Tag rc removed from package @acme/yarn-widget')
    expect(await (await registry.request('/-/package/@acme%2fyarn-widget/dist-tags')).json()).toEqual({ latest: '1.0.0', next: '2.0.0-rc.1' })
  })

  test('info and whoami', async () => {
    const cwd = ws.dir('widget')
    const info = await yarn(['npm', 'info', '@acme/yarn-widget', '--json'], cwd)
    expect(info.exitCode).toBe(0)
    const document = JSON.parse(info.stdout) as { name: string; version: string; versions: string[]; 'dist-tags': Record<string, string>; dist: { tarball: string } }
    expect(document.name).toBe('@acme/yarn-widget')
    expect(document.version).toBe('1.0.0')
    expect(document.versions).toEqual(['1.0.0', '2.0.0-rc.1'])
    expect(document['dist-tags']).toEqual({ latest: '1.0.0', next: '2.0.0-rc.1' })
    expect(document.dist.tarball).toBe(`${registry.url}/@acme/yarn-widget/-/yarn-widget-1.0.0.tgz`)

    const whoami = await yarn(['npm', 'whoami'], cwd)
    expect(whoami.exitCode).toBe(0)
    expect(whoami.stdout).toContain(USER)
  })

  test('refuses just-published versions of a scope whose own entry keeps the default age gate', async () => {
    const app = writeProject(ws, 'gated-app', { '@acme/yarn-widget': '1.0.0' })
    // The top-level gate is off, but the `acme` scope entry does not repeat it.
    writeFileSync(join(app, '.yarnrc.yml'), yarnrc(registry.url, token, ['@acme']).replace(/^ {4}npmMinimalAgeGate: 0\n/m, ''))
    const install = await yarn(['install'], app)
    expect(install.exitCode).not.toBe(0)
    expect(install.stdout).toContain('are quarantined')
  })

  test('installs just-published versions into a fresh project', async () => {
    const app = writeProject(ws, 'app', { 'yarn-util': '^1.0.0' })
    writeFileSync(join(app, '.yarnrc.yml'), yarnrc(registry.url, token, ['@acme']))
    const mark = recorder.requests.length

    const install = await yarn(['install'], app)
    expect(install.exitCode).toBe(0)
    const lock = readFileSync(join(app, 'yarn.lock'), 'utf8')
    expect(lock).toContain('"@acme/yarn-widget@npm:^1.0.0":')
    expect(lock).toContain('resolution: "yarn-util@npm:1.0.0"')
    await expectRunnable(ws, app, { 'yarn-util': 'yarn-util+yarn-widget' })

    const sent = recorder.since(mark)
    // yarn sends no Accept header (so it reads the full packument) and rebuilds scoped tarball
    // URLs as /@scope%2fname/-/name-version.tgz instead of using dist.tarball.
    const packumentRead = sent.find((request) => request.method === 'GET' && request.path === '/@acme%2fyarn-widget')
    expect(packumentRead?.status).toBe(200)
    expect(packumentRead?.headers.accept).toBeUndefined()
    expect(sent.some((request) => request.path === '/yarn-util/-/yarn-util-1.0.0.tgz' && request.status === 200)).toBe(true)
    // The scoped tarball came from yarn's mirror here; it was first fetched when the `util`
    // project above was installed, through the rebuilt URL.
    const tarballRead = recorder.requests.find((request) => request.path === '/@acme%2fyarn-widget/-/yarn-widget-1.0.0.tgz')
    expect(tarballRead?.status).toBe(200)
  })

  test('CI tokens from the environment in .yarnrc.yml', async () => {
    const ci = writeProject(ws, 'ci')
    writeFileSync(join(ci, '.yarnrc.yml'), yarnrc(registry.url, '${PACKR_TOKEN}', ['@acme']))
    for (const args of [['npm', 'whoami'], ['npm', 'whoami', '--scope', 'acme']]) {
      const whoami = await ws.run('yarn', args, ci, { PACKR_TOKEN: token })
      expect(whoami.exitCode).toBe(0)
      expect(whoami.stdout).toContain(USER)
    }
  })
})
