// The real pnpm 12 CLI against a running registry: publish (scoped and unscoped), view, whoami,
// dist-tag add/ls/rm, and an install of just-published versions into a fresh project configured
// only by `.npmrc` and `pnpm-workspace.yaml`.
import { afterAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { npmrc } from '../helpers/clients.ts'
import { startClientTestBed } from '../helpers/recorder.ts'
import { expectPublished, expectRunnable, writePackage, writeProject } from '../helpers/published.ts'

// Real client processes: bun test's 5 s default per test is too tight on a loaded machine.
setDefaultTimeout(60_000)

const USER = 'pnpm-ci'
const { registry, recorder, ws, token, close } = await startClientTestBed('packr-pnpm-', USER)
afterAll(close)

const pnpm = (args: string[], cwd: string) => ws.run('pnpm', args, cwd)

describe('pnpm CLI', () => {
  test('publishes a scoped and an unscoped package', async () => {
    const widget = writePackage(ws, 'widget', { name: '@acme/pn-widget', version: '1.0.0', description: 'pnpm e2e widget' }, 'module.exports = () => "pn-widget"\n')
    writeFileSync(join(widget, '.npmrc'), npmrc(registry.url, token, ['@acme']))
    const mark = recorder.requests.length
    const scoped = await pnpm(['publish', '--no-git-checks'], widget)
    expect(scoped.exitCode).toBe(0)
    expect(scoped.stdout).toContain('@acme/pn-widget@1.0.0')
    // pnpm publishes natively with npm's lowercase escape (it only upper-cases on reads).
    const put = recorder.since(mark, (request) => request.method === 'PUT')
    expect(put.map((request) => request.path)).toEqual(['/@acme%2fpn-widget'])
    await expectPublished(registry, '@acme/pn-widget', '1.0.0', USER)

    const util = writePackage(
      ws,
      'util',
      { name: 'pn-util', version: '1.0.0', dependencies: { '@acme/pn-widget': '^1.0.0' } },
      'module.exports = () => "pn-util+" + require("@acme/pn-widget")()\n',
    )
    writeFileSync(join(util, '.npmrc'), npmrc(registry.url, token, ['@acme']))
    const unscoped = await pnpm(['publish', '--no-git-checks'], util)
    expect(unscoped.exitCode).toBe(0)
    const doc = await expectPublished(registry, 'pn-util', '1.0.0', USER)
    expect(doc.dependencies).toEqual({ '@acme/pn-widget': '^1.0.0' })
  })

  test('publishes a prerelease under a tag, then dist-tag add, ls and rm', async () => {
    const widget = writePackage(ws, 'widget', { name: '@acme/pn-widget', version: '1.1.0-beta.0', description: 'pnpm e2e widget' }, 'module.exports = () => "pn-widget beta"\n')
    const beta = await pnpm(['publish', '--no-git-checks', '--tag', 'beta'], widget)
    expect(beta.exitCode).toBe(0)
    expect((await registry.request('/-/package/@acme%2fpn-widget/dist-tags').then((response) => response.json())) as unknown).toEqual({
      latest: '1.0.0',
      beta: '1.1.0-beta.0',
    })

    const add = await pnpm(['dist-tag', 'add', '@acme/pn-widget@1.1.0-beta.0', 'next'], widget)
    expect(add.exitCode).toBe(0)
    expect(add.stdout).toContain('+next: @acme/pn-widget@1.1.0-beta.0')
    const ls = await pnpm(['dist-tag', 'ls', '@acme/pn-widget'], widget)
    expect(ls.stdout).toContain('beta: 1.1.0-beta.0')
    expect(ls.stdout).toContain('next: 1.1.0-beta.0')
    expect(ls.stdout).toContain('latest: 1.0.0')
    const rm = await pnpm(['dist-tag', 'rm', '@acme/pn-widget', 'beta'], widget)
    expect(rm.exitCode).toBe(0)
    expect(rm.stdout).toContain('-beta: @acme/pn-widget@1.1.0-beta.0')
    const tags = (await registry.request('/-/package/@acme/pn-widget/dist-tags').then((response) => response.json())) as Record<string, string>
    expect(tags).toEqual({ latest: '1.0.0', next: '1.1.0-beta.0' })
  })

  test('view and whoami', async () => {
    const cwd = ws.dir('widget')
    const view = await pnpm(['view', '@acme/pn-widget', '--json'], cwd)
    expect(view.exitCode).toBe(0)
    const info = JSON.parse(view.stdout) as { name: string; version: string; versions: string[]; dist: { tarball: string }; 'dist-tags': Record<string, string> }
    expect(info.name).toBe('@acme/pn-widget')
    expect(info.version).toBe('1.0.0')
    expect(info.versions).toEqual(['1.0.0', '1.1.0-beta.0'])
    expect(info['dist-tags'].next).toBe('1.1.0-beta.0')
    expect(info.dist.tarball).toBe(`${registry.url}/@acme/pn-widget/-/pn-widget-1.0.0.tgz`)

    const whoami = await pnpm(['whoami'], cwd)
    expect(whoami.exitCode).toBe(0)
    expect(whoami.stdout.trim()).toBe(USER)
  })

  test('without minimumReleaseAge: 0, pnpm quarantines just-published versions', async () => {
    const project = (name: string, workspaceYaml: string) => {
      const dir = writeProject(ws, name, { '@acme/pn-widget': '1.0.0' })
      writeFileSync(join(dir, '.npmrc'), npmrc(registry.url, token, ['@acme']))
      if (workspaceYaml) writeFileSync(join(dir, 'pnpm-workspace.yaml'), workspaceYaml)
      return dir
    }
    // By default it installs, but writes an exclusion for each fresh version into the workspace file.
    const lenient = project('gated-default', '')
    expect((await pnpm(['install'], lenient)).exitCode).toBe(0)
    expect(readFileSync(join(lenient, 'pnpm-workspace.yaml'), 'utf8')).toContain("minimumReleaseAgeExclude:\n  - '@acme/pn-widget@1.0.0'")
    // In strict mode it refuses.
    const strict = project('gated-strict', 'minimumReleaseAgeStrict: true\n')
    expect((await pnpm(['install'], strict)).exitCode).not.toBe(0)
    expect(existsSync(join(strict, 'node_modules', '@acme', 'pn-widget'))).toBe(false)
  })

  test('deprecate and undeprecate', async () => {
    const cwd = ws.dir('widget')
    const deprecate = await pnpm(['deprecate', '@acme/pn-widget@1.1.0-beta.0', 'try 1.0.0'], cwd)
    expect(deprecate.exitCode).toBe(0)
    const versionDoc = async (version: string) => (await (await registry.request(`/@acme%2Fpn-widget/${version}`)).json()) as { deprecated?: string }
    expect((await versionDoc('1.1.0-beta.0')).deprecated).toBe('try 1.0.0')
    expect((await versionDoc('1.0.0')).deprecated).toBeUndefined()
    const undeprecate = await pnpm(['undeprecate', '@acme/pn-widget@1.1.0-beta.0'], cwd)
    expect(undeprecate.exitCode).toBe(0)
    expect(await versionDoc('1.1.0-beta.0')).not.toHaveProperty('deprecated')
  })

  test('installs just-published versions into a fresh project', async () => {
    const app = writeProject(ws, 'app', { 'pn-util': '^1.0.0' })
    writeFileSync(join(app, '.npmrc'), npmrc(registry.url, token, ['@acme']))
    // pnpm 12 holds back versions younger than a day unless the age gate is off.
    const workspaceYaml = 'minimumReleaseAge: 0\n'
    writeFileSync(join(app, 'pnpm-workspace.yaml'), workspaceYaml)
    const mark = recorder.requests.length

    const install = await pnpm(['install'], app)
    expect(install.exitCode).toBe(0)
    expect(install.stdout).toContain('pn-util 1.0.0')
    // Nothing was quarantined: pnpm did not have to add exclusions to the workspace file.
    expect(readFileSync(join(app, 'pnpm-workspace.yaml'), 'utf8')).toBe(workspaceYaml)
    const lock = readFileSync(join(app, 'pnpm-lock.yaml'), 'utf8')
    expect(lock).toContain("'@acme/pn-widget@1.0.0':")
    await expectRunnable(ws, app, { 'pn-util': 'pn-util+pn-widget' })
    for (const [name, version] of [['pn-util', '1.0.0'], ['@acme/pn-widget', '1.0.0']] as const) {
      const integrity = (await registry.ctx.packages.findVersionRow(name, version))?.integrity
      expect(lock).toContain(`resolution: {integrity: ${integrity}}`)
    }

    const sent = recorder.since(mark)
    // pnpm spells the scope separator `%2F` when it reads a packument (abbreviated or, once an age
    // policy is involved, full).
    const scopedReads = sent.filter((request) => request.method === 'GET' && request.path.toLowerCase() === '/@acme%2fpn-widget')
    expect(scopedReads.length).toBeGreaterThan(0)
    for (const read of scopedReads) {
      expect(read.path).toBe('/@acme%2Fpn-widget')
      expect([200, 304]).toContain(read.status)
    }
    // Tarballs come from dist.tarball as minted (the scoped one may already sit in pnpm's store
    // from the quarantine test above).
    expect(sent.some((request) => request.path === '/pn-util/-/pn-util-1.0.0.tgz' && request.status === 200)).toBe(true)
    const scopedTarball = recorder.requests.find((request) => request.path === '/@acme/pn-widget/-/pn-widget-1.0.0.tgz' && request.headers['user-agent']?.includes('pnpm'))
    expect(scopedTarball?.status).toBe(200)
  })

  test('CI tokens from the environment: ignored in a project .npmrc, honoured in the user ~/.npmrc', async () => {
    const ci = writeProject(ws, 'ci')
    writeFileSync(join(ci, '.npmrc'), npmrc(registry.url, '${PACKR_TOKEN}', ['@acme']))
    const env = { PACKR_TOKEN: token }
    const ignored = await ws.run('pnpm', ['whoami'], ci, env)
    expect(ignored.exitCode).not.toBe(0)
    expect(ignored.stdout + ignored.stderr).toContain('environment variables are not expanded in repository-controlled registry credentials')

    writeFileSync(join(ci, '.npmrc'), npmrc(registry.url, undefined, ['@acme']))
    ws.write('home/.npmrc', `${registry.url.replace(/^https?:/, '')}/:_authToken=\${PACKR_TOKEN}\n`)
    const honoured = await ws.run('pnpm', ['whoami'], ci, env)
    expect(honoured.exitCode).toBe(0)
    expect(honoured.stdout.trim()).toBe(USER)
  })
})
