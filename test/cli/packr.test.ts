// The `packr` CLI as a subprocess (the bin linked at the workspace root) against a running registry.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { approveWithPassword } from '../helpers/browser.ts'
import { isolatedEnv, npmrc, OutputWatcher, Workspace } from '../helpers/clients.ts'
import { publishDocument } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const PACKR = resolve(import.meta.dir, '../../node_modules/.bin/packr')

let registry: TestRegistry
let ws: Workspace
let cwd: string

const packr = (args: string[], env: Record<string, string> = {}) => ws.exec([PACKR, ...args], cwd, env)
const json = <T = Record<string, unknown>>(stdout: string) => JSON.parse(stdout) as T

beforeAll(async () => {
  registry = await startTestRegistry({ DEVICE_POLL_INTERVAL_SECONDS: '1' })
  await registry.createUser('pat')
  ws = new Workspace('packr-cli-')
  cwd = ws.dir('project')
})

afterAll(async () => {
  await registry.close()
})

describe('packr login', () => {
  test('prints the code and URL, polls until the browser step approves, saves the token in ~/.npmrc', async () => {
    const proc = Bun.spawn([PACKR, 'login', '--registry', registry.url, '--json'], { cwd, env: isolatedEnv(ws.home), stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000)
    const stdout = new Response(proc.stdout).text()
    const stderr = new OutputWatcher(proc.stderr)
    const [, url] = await stderr.until(/go straight to (\S+?)\)/)
    expect(stderr.text).toMatch(/open http:\/\/127\.0\.0\.1:\d+\/cli\/auth and enter the code [A-Z]{4}-[A-Z]{4}/)
    const decided = await approveWithPassword(url!, 'pat', 'pat-password-1')
    expect(decided.html).toContain('Approved')
    const exitCode = await proc.exited
    clearTimeout(timer)
    expect(exitCode).toBe(0)
    const result = json<{ username: string; registry: string }>(await stdout)
    expect(result.username).toBe('pat')
    expect(result.registry).toBe(`${registry.url}/`)
    const saved = readFileSync(join(ws.home, '.npmrc'), 'utf8')
    expect(saved).toMatch(new RegExp(`^//127\\.0\\.0\\.1:${registry.port}/:_authToken=ey`, 'm'))
    expect(statSync(join(ws.home, '.npmrc')).mode & 0o777).toBe(0o600)
  }, 90_000)

  test('a denied login exits non-zero with a one-line error', async () => {
    const proc = Bun.spawn([PACKR, 'login', '--registry', registry.url], { cwd, env: isolatedEnv(join(ws.root, 'other-home')), stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
    const output = new OutputWatcher(proc.stderr)
    const [, url] = await output.until(/go straight to (\S+?)\)/)
    await approveWithPassword(url!, 'pat', 'pat-password-1', 'deny')
    const stderr = await output.rest()
    expect(await proc.exited).toBe(1)
    expect(stderr.trim().split('\n').at(-1)).toBe('packr: the login was denied in the browser')
  }, 60_000)

  test('an unknown provider is refused at once', async () => {
    const result = await packr(['login', '--registry', registry.url, '--provider', 'myspace'])
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('identity provider "myspace" is not configured')
  })
})

describe('packr whoami and token', () => {
  test('whoami uses the saved token', async () => {
    const text = await packr(['whoami', '--registry', registry.url])
    expect(text.exitCode).toBe(0)
    expect(text.stdout.trim()).toBe('pat')
    const asJson = await packr(['whoami', '--registry', registry.url, '--json'])
    expect(json(asJson.stdout)).toEqual({ username: 'pat', registry: `${registry.url}/` })
  })

  test('token create / list / revoke', async () => {
    const created = await packr(['token', 'create', 'deploy', '--role', 'ci-publish', '--scope', '@acme', '--expires', '30', '--registry', registry.url, '--json'])
    expect(created.exitCode).toBe(0)
    const token = json<{ id: string; token: string; role: string; scopes: string[]; permissions: string[]; expiresAt: string }>(created.stdout)
    expect(token.role).toBe('ci-publish')
    expect(token.scopes).toEqual(['@acme'])
    expect(token.permissions).toEqual(['read', 'publish'])
    expect((Date.parse(token.expiresAt) - Date.now()) / 86_400_000).toBeGreaterThan(29.9)
    const publish = async (name: string) =>
      registry.request(`/${name.replace('/', '%2f')}`, { method: 'PUT', token: token.token, json: await publishDocument({ name, version: '1.0.0' }) })
    expect((await publish('@acme/from-cli')).status).toBe(201)
    expect((await publish('@other/from-cli')).status).toBe(403)

    const listed = await packr(['token', 'list', '--registry', registry.url, '--json'])
    const tokens = json<Array<{ id: string; name: string }>>(listed.stdout)
    expect(tokens.map((entry) => entry.name)).toContain('deploy')
    expect(listed.stdout).not.toContain(token.token)
    const text = await packr(['token', 'list', '--registry', registry.url])
    expect(text.stdout).toContain(`${token.id}  deploy  ci-publish  @acme`)

    const revoked = await packr(['token', 'revoke', token.id, '--registry', registry.url])
    expect(revoked.exitCode).toBe(0)
    expect(revoked.stdout.trim()).toBe(`revoked ${token.id}`)
    expect((await registry.request('/-/whoami', { token: token.token })).status).toBe(401)
    const again = await packr(['token', 'revoke', token.id, '--registry', registry.url])
    expect(again.exitCode).toBe(1)
    expect(again.stderr.trim()).toBe(`packr: no live token with id ${token.id}`)
  })

  test('errors: usage mistakes exit 2, API refusals exit 1, --json prints an error object', async () => {
    const badRole = await packr(['token', 'create', 'x', '--role', 'root', '--registry', registry.url])
    expect(badRole.exitCode).toBe(2)
    expect(badRole.stderr.trim()).toBe('packr: --role must be one of ci-readonly, ci-publish, maintainer, admin')
    const unknownFlag = await packr(['whoami', '--bogus'])
    expect(unknownFlag.exitCode).toBe(2)
    expect(unknownFlag.stderr.trim().split('\n')).toHaveLength(1)

    const tooMuch = await packr(['token', 'create', 'x', '--role', 'admin', '--registry', registry.url, '--json'])
    expect(tooMuch.exitCode).toBe(1)
    expect(json(tooMuch.stdout)).toEqual({ error: { code: 'ROLE_NOT_ALLOWED', message: 'pat cannot create a token with the admin role', status: 403 } })

    const loggedOut = await packr(['whoami', '--registry', registry.url], { HOME: join(ws.root, 'nobody'), USERPROFILE: join(ws.root, 'nobody') })
    expect(loggedOut.exitCode).toBe(1)
    expect(loggedOut.stderr.trim()).toBe(`packr: not logged in to ${registry.url}; run packr login --registry ${registry.url}`)

    const unreachable = await packr(['whoami', '--registry', 'http://127.0.0.1:9', '--token', 'x'])
    expect(unreachable.exitCode).toBe(1)
    expect(unreachable.stderr).toStartWith('packr: cannot reach http://127.0.0.1:9')
  })
})

describe('packr init', () => {
  test('writes a project .npmrc using ${NPM_TOKEN} that the real npm CLI publishes with', async () => {
    const project = ws.dir('init-project')
    const result = await ws.exec([PACKR, 'init', '--scope', '@acme', '--registry', registry.url], project)
    expect(result.exitCode).toBe(0)
    const written = readFileSync(join(project, '.npmrc'), 'utf8')
    expect(written).toBe(`@acme:registry=${registry.url}/\n//127.0.0.1:${registry.port}/:_authToken=\${NPM_TOKEN}\n`)
    expect((await ws.exec([PACKR, 'init', '--scope', '@acme', '--registry', registry.url], project)).exitCode).toBe(2)

    const created = json<{ token: string }>((await packr(['token', 'create', 'npm-ci', '--role', 'ci-publish', '--scope', '@acme', '--registry', registry.url, '--json'])).stdout)
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: '@acme/init-check', version: '1.0.0', license: 'MIT' }))
    // A HOME of its own: only the project .npmrc and NPM_TOKEN authenticate.
    const publisher = new Workspace('packr-cli-npm-')
    publisher.write('home/.npmrc', npmrc(registry.url).replace(/^registry=.*\n/, ''))
    const publish = await publisher.exec(['npm', 'publish'], project, { NPM_TOKEN: created.token })
    expect(publish.exitCode).toBe(0)
    expect(publish.stdout).toContain('+ @acme/init-check@1.0.0')
  }, 60_000)
})
