// The real npm CLI against the registry's auth routes: `npm login` (web flow, approved by the test
// through the browser step), `npm whoami`, `npm token create/list/revoke`, `npm logout`.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { approveWithPassword } from '../helpers/browser.ts'
import { isolatedEnv, OutputWatcher, Workspace } from '../helpers/clients.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

let registry: TestRegistry
let ws: Workspace
let cwd: string

const npm = (args: string[]) => ws.run('npm', [...args, '--registry', `${registry.url}/`], cwd)
const userNpmrc = () => readFileSync(join(ws.home, '.npmrc'), 'utf8')
const savedToken = () => new RegExp(`^//127\\.0\\.0\\.1:${registry.port}/:_authToken=(.+)$`, 'm').exec(userNpmrc())?.[1]

beforeAll(async () => {
  registry = await startTestRegistry({ DEVICE_POLL_INTERVAL_SECONDS: '1' })
  await registry.createUser('nina')
  ws = new Workspace('packr-npm-auth-')
  cwd = ws.dir('project')
  ws.write('home/.npmrc', 'audit=false\nfund=false\nupdate-notifier=false\n')
})

afterAll(async () => {
  await registry.close()
})

describe('npm CLI auth', () => {
  test('npm login uses the web flow; the browser step approves it; the token lands in ~/.npmrc', async () => {
    const proc = Bun.spawn(['npm', 'login', '--registry', `${registry.url}/`], { cwd, env: isolatedEnv(ws.home), stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000)
    // npm prints "Login at:\n<url>" and polls the done URL; read until the URL shows up.
    const output = new OutputWatcher(proc.stdout)
    const [, loginUrl] = await output.until(/Login at:\n(http:\/\/127\.0\.0\.1:\d+\/cli\/auth\?code=[A-Z-]+)/)
    const decided = await approveWithPassword(loginUrl!, 'nina', 'nina-password-1')
    expect(decided.html).toContain('Approved')
    const stdout = await output.rest()
    const exitCode = await proc.exited
    clearTimeout(timer)
    expect(exitCode).toBe(0)
    expect(stdout).toContain(`Logged in on ${registry.url}/`)
    expect(savedToken()).toBeString()
  }, 90_000)

  test('npm whoami', async () => {
    const whoami = await npm(['whoami'])
    expect(whoami.exitCode).toBe(0)
    expect(whoami.stdout.trim()).toBe('nina')
  })

  test('npm token create (granular), list and revoke', async () => {
    const created = await npm([
      'token',
      'create',
      '--password',
      'nina-password-1',
      '--name',
      'release-ci',
      '--scopes',
      '@nina',
      '--packages-and-scopes-permission',
      'read-write',
      '--expires',
      '30',
      '--cidr',
      '127.0.0.0/8',
      '--json',
    ])
    expect(created.exitCode).toBe(0)
    const result = JSON.parse(created.stdout) as { token: string; expires: string; cidr_whitelist: string[] }
    expect(result.cidr_whitelist).toEqual(['127.0.0.0/8'])
    expect((Date.parse(result.expires) - Date.now()) / 86_400_000).toBeGreaterThan(29.9)
    expect((await registry.request('/-/whoami', { token: result.token })).status).toBe(200)

    const listed = await npm(['token', 'list', '--json'])
    expect(listed.exitCode).toBe(0)
    const tokens = JSON.parse(listed.stdout) as Array<{ id: string; key: string; name: string }>
    const mine = tokens.find((token) => token.name === 'release-ci')!
    expect(mine).toBeDefined()
    expect(listed.stdout).not.toContain(result.token)

    const revoked = await npm(['token', 'revoke', mine.id])
    expect(revoked.exitCode).toBe(0)
    expect(revoked.stdout).toContain('Removed 1 token')
    expect((await registry.request('/-/whoami', { token: result.token })).status).toBe(401)
  })

  test('npm logout revokes the token on the server and removes it locally', async () => {
    const token = savedToken()!
    const logout = await npm(['logout'])
    expect(logout.exitCode).toBe(0)
    expect(savedToken()).toBeUndefined()
    expect((await registry.request('/-/whoami', { token })).status).toBe(401)
    const whoami = await npm(['whoami'])
    expect(whoami.exitCode).not.toBe(0)
  })
})
