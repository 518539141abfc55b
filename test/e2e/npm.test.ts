// The real npm CLI against a running registry: publish, view, install, dist-tags, deprecate,
// unpublish, search, whoami, ping.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { npmrc, Workspace } from '../helpers/clients.ts'
import { writeProject } from '../helpers/published.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

// Real client processes: bun test's 5 s default per test is too tight on a loaded machine.
setDefaultTimeout(60_000)

let registry: TestRegistry
let ws: Workspace
let pkgDir: string

function writePackage(version: string, extra: Record<string, unknown> = {}) {
  writeFileSync(
    join(pkgDir, 'package.json'),
    JSON.stringify({ name: '@acme/widget', version, description: 'A widget made by the npm e2e test', keywords: ['widget', 'e2e'], main: 'index.js', license: 'MIT', ...extra }),
  )
}

const npm = (args: string[], cwd = pkgDir) => ws.run('npm', [...args, '--registry', `${registry.url}/`], cwd)

beforeAll(async () => {
  registry = await startTestRegistry()
  ws = new Workspace('packr-npm-')
  pkgDir = ws.dir('widget')
  ws.write('home/.npmrc', npmrc(registry.url, registry.adminToken))
  writeFileSync(join(pkgDir, 'index.js'), 'module.exports = () => "widget"\n')
  writeFileSync(join(pkgDir, 'README.md'), '# widget\n\nUsage: `require("@acme/widget")()`\n')
})

afterAll(async () => {
  await registry.close()
  ws.remove()
})

describe('npm CLI', () => {
  test('ping and whoami', async () => {
    const ping = await npm(['ping', '--json'])
    expect(ping.exitCode).toBe(0)
    expect(JSON.parse(ping.stdout).registry).toBe(`${registry.url}/`)
    const whoami = await npm(['whoami'])
    expect(whoami.stdout.trim()).toBe('admin')
  })

  test('publish and view', async () => {
    writePackage('1.0.0')
    const publish = await npm(['publish'])
    expect(publish.exitCode).toBe(0)
    expect(publish.stdout).toContain('+ @acme/widget@1.0.0')
    const view = await npm(['view', '@acme/widget', '--json'])
    const info = JSON.parse(view.stdout)
    expect(info.name).toBe('@acme/widget')
    expect(info.version).toBe('1.0.0')
    expect(info.dist.tarball).toBe(`${registry.url}/@acme/widget/-/widget-1.0.0.tgz`)
    expect(info.maintainers).toHaveLength(1)
  })

  test('publishing the same version again is refused', async () => {
    writePackage('1.0.0', { description: 'different content' })
    const again = await npm(['publish'])
    expect(again.exitCode).not.toBe(0)
    expect(again.stderr).toMatch(/cannot publish over|previously published/i)
  })

  test('install into a fresh project', async () => {
    const app = ws.dir('app')
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
    writeFileSync(join(app, '.npmrc'), npmrc(registry.url, registry.adminToken))
    const install = await ws.run('npm', ['install', '@acme/widget@^1.0.0'], app)
    expect(install.exitCode).toBe(0)
    const lock = JSON.parse(await Bun.file(join(app, 'package-lock.json')).text())
    expect(lock.packages['node_modules/@acme/widget'].version).toBe('1.0.0')
    expect(lock.packages['node_modules/@acme/widget'].resolved).toBe(`${registry.url}/@acme/widget/-/widget-1.0.0.tgz`)
    const run = await ws.exec(['node', '-e', 'process.stdout.write(require("@acme/widget")())'], app)
    expect(run.stdout).toBe('widget')
  })

  test('dist-tag add, ls and rm', async () => {
    writePackage('1.1.0')
    expect((await npm(['publish', '--tag', 'beta'])).exitCode).toBe(0)
    const ls = await npm(['dist-tag', 'ls', '@acme/widget'])
    expect(ls.stdout).toContain('beta: 1.1.0')
    expect(ls.stdout).toContain('latest: 1.0.0')
    expect((await npm(['dist-tag', 'add', '@acme/widget@1.1.0', 'alfa'])).stdout).toContain('+alfa: @acme/widget@1.1.0')
    expect((await npm(['dist-tag', 'rm', '@acme/widget', 'beta'])).stdout).toContain('-beta: @acme/widget@1.1.0')
    const after = await npm(['dist-tag', 'ls', '@acme/widget'])
    expect(after.stdout).not.toContain('beta')
    expect(after.stdout).toContain('alfa: 1.1.0')
  })

  test('deprecate and undeprecate', async () => {
    expect((await npm(['deprecate', '@acme/widget@1.0.0', 'use 1.1.0'])).exitCode).toBe(0)
    expect((await npm(['view', '@acme/widget@1.0.0', 'deprecated'])).stdout.trim()).toBe('use 1.1.0')
    const versions = JSON.parse((await npm(['view', '@acme/widget', 'versions', '--json'])).stdout)
    expect(versions).toEqual(['1.0.0', '1.1.0'])
    expect((await npm(['deprecate', '@acme/widget@1.0.0', ''])).exitCode).toBe(0)
    expect((await npm(['view', '@acme/widget@1.0.0', 'deprecated'])).stdout.trim()).toBe('')
  })

  test('search finds the package', async () => {
    const search = await npm(['search', 'widget', '--json'])
    expect(search.exitCode).toBe(0)
    const results = JSON.parse(search.stdout) as Array<{ name: string }>
    expect(results.map((result) => result.name)).toContain('@acme/widget')
  })

  test('unpublish one version, then the whole package', async () => {
    const one = await npm(['unpublish', '@acme/widget@1.1.0', '--force'])
    expect(one.exitCode).toBe(0)
    expect(JSON.parse((await npm(['view', '@acme/widget', 'versions', '--json'])).stdout)).toEqual(['1.0.0'])
    const tarball = await registry.request('/@acme/widget/-/widget-1.1.0.tgz')
    expect(tarball.status).toBe(404)
    const all = await npm(['unpublish', '@acme/widget', '--force'])
    expect(all.exitCode).toBe(0)
    expect((await registry.request('/@acme%2fwidget')).status).toBe(404)
    // An unpublished name@version can never be published again.
    writePackage('1.1.0')
    const republish = await npm(['publish'])
    expect(republish.exitCode).not.toBe(0)
    expect(republish.stderr).toContain('can never be published again')
  })

  test('a CI token from the environment in a project .npmrc', async () => {
    const ci = writeProject(ws, 'ci')
    writeFileSync(join(ci, '.npmrc'), npmrc(registry.url, '${NPM_TOKEN}'))
    // A HOME without the admin's ~/.npmrc, so only the project file can authenticate.
    const whoami = await ws.run('npm', ['whoami'], ci, { HOME: ws.dir('ci-home'), NPM_TOKEN: registry.adminToken })
    expect(whoami.exitCode).toBe(0)
    expect(whoami.stdout.trim()).toBe('admin')
  })

  test('npm login --auth-type=legacy (couch login) is undisturbed by a stale token', async () => {
    await registry.createUser('dave')
    const stale = await registry.createUser('stale-user')
    expect((await registry.request(`/-/user/token/${encodeURIComponent(stale)}`, { method: 'DELETE', token: stale })).status).toBe(200)
    // npm sends whatever token is configured for the registry along with its login requests.
    const home = ws.dir('login-home')
    writeFileSync(join(home, '.npmrc'), npmrc(registry.url, stale))
    const login = await ws.converse(
      'npm',
      ['login', '--auth-type=legacy', '--registry', `${registry.url}/`],
      ws.dir('login'),
      [
        { prompt: 'Username:', reply: 'dave' },
        { prompt: 'Password:', reply: 'dave-password-1' },
      ],
      { HOME: home },
    )
    expect(login.exitCode).toBe(0)
    expect(login.output).toContain(`Logged in on ${registry.url}/`)
    const saved = /:_authToken=(\S+)/.exec(await Bun.file(join(home, '.npmrc')).text())?.[1]
    expect(saved).not.toBe(stale)
    const whoami = await registry.request('/-/whoami', { token: saved })
    expect(await whoami.json()).toEqual({ username: 'dave' })
  })
})
