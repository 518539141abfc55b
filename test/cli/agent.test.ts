// `packr agent ...` as a subprocess against a running registry with published fixture packages:
// each command in human form (plain text when piped) and with --json (the agent API's own answer,
// valid against the SDK's schemas), plus one-line errors with the right exit codes.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { resolve } from 'node:path'
import { AgentSchemas } from '../../sdk/src/schemas.ts'
import { FIXTURES, OUTSIDE_ACME, publish, settled } from '../helpers/agent-fixtures.ts'
import { isolatedEnv, Workspace } from '../helpers/clients.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const PACKR = resolve(import.meta.dir, '../../node_modules/.bin/packr')

let registry: TestRegistry
let ws: Workspace

const packr = (args: string[]) => ws.exec([PACKR, 'agent', ...args, '--registry', registry.url], ws.root, { PACKR_TOKEN: registry.adminToken })

beforeAll(async () => {
  registry = await startTestRegistry()
  ws = new Workspace('packr-agent-cli-')
  for (const fixture of FIXTURES) await publish(registry, fixture)
  await settled(registry)
}, 120_000)

afterAll(async () => {
  await registry.close()
  ws.remove()
})

describe('packr agent', () => {
  test('info: score with sub-scores, capabilities, trust signals and the install command; --json is the API answer', async () => {
    const human = await packr(['info', 'tiny-jwt'])
    expect(human.stderr).toBe('')
    expect(human.exitCode).toBe(0)
    expect(human.stdout.split('\n')[0]).toBe('tiny-jwt@1.1.0')
    expect(human.stdout).toMatch(/score +\d+\/100 {2}(recommended|caution|avoid): /)
    expect(human.stdout).toContain('JSON Web Tokens')
    expect(human.stdout).toContain('types: bundled')
    expect(human.stdout).toContain('install: npm install tiny-jwt@1.1.0')
    // Piped output carries no colour codes.
    expect(human.stdout).not.toContain('\u001b[')
    const json = await packr(['info', 'tiny-jwt', '--json', '--detailed'])
    const info = AgentSchemas.package.parse(JSON.parse(json.stdout))
    expect(info.name).toBe('tiny-jwt')
    expect(info.score?.factors?.length).toBeGreaterThan(5)
    expect(human.stdout).toContain(`score ${String(info.score?.final).padStart(3)}/100`)
  }, 60_000)

  test('on a terminal, scores are coloured by band; NO_COLOR turns colour off', async () => {
    const onTerminal = async (env: Record<string, string>) => {
      let output = ''
      const proc = Bun.spawn([PACKR, 'agent', 'info', 'tiny-jwt', '--registry', registry.url], {
        cwd: ws.root,
        env: isolatedEnv(ws.home, { PACKR_TOKEN: registry.adminToken, ...env }),
        terminal: { cols: 120, rows: 40, data: (_terminal, data) => (output += new TextDecoder().decode(data)) },
      })
      expect(await proc.exited).toBe(0)
      proc.terminal?.close()
      return output
    }
    const info = AgentSchemas.package.parse(JSON.parse((await packr(['info', 'tiny-jwt', '--json'])).stdout))
    const final = info.score?.final as number
    const band = final >= 70 ? 32 : final >= 40 ? 33 : 31
    expect(await onTerminal({})).toContain(`\u001b[${band}m${String(final).padStart(3)}\u001b[0m`)
    expect(await onTerminal({ NO_COLOR: '1' })).not.toContain('\u001b[')
  }, 60_000)

  test('search: best first, each with why it matched', async () => {
    const human = await packr(['search', 'verify', 'jwt', 'tokens'])
    expect(human.exitCode).toBe(0)
    const [header, ...rows] = human.stdout.trim().split('\n').filter((line) => !line.startsWith('understood as'))
    expect(header).toMatch(/^SCORE\s+PACKAGE\s+WHY$/)
    expect(rows[0]).toContain('tiny-jwt@1.1.0')
    const json = AgentSchemas.search.parse(JSON.parse((await packr(['search', 'verify jwt tokens', '--json'])).stdout))
    expect(json.results[0]?.name).toBe('tiny-jwt')
    expect(json.results[0]?.why.length).toBeGreaterThan(0)
  }, 60_000)

  test('compare: a table and the pick with its reasons', async () => {
    const human = await packr(['compare', 'tiny-jwt', 'jwt-lite'])
    expect(human.exitCode).toBe(0)
    const json = AgentSchemas.compare.parse(JSON.parse((await packr(['compare', 'tiny-jwt', 'jwt-lite', '--json'])).stdout))
    expect(json.pick).toBe('tiny-jwt')
    expect(human.stdout).toContain('tiny-jwt ★')
    expect(human.stdout).toContain('pick: tiny-jwt')
    for (const reason of json.reasons) expect(human.stdout).toContain(reason)
  }, 60_000)

  test('deps: direct dependencies resolved in this registry, problems spelled out, --depth honoured', async () => {
    const human = await packr(['deps', '@acme/http', '--depth', '1'])
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toContain('@acme/http@2.0.0: 3 direct')
    expect(human.stdout).toMatch(/tiny-jwt\s+\^1\.0\.0\s+1\.1\.0\s+resolved/)
    expect(human.stdout).toMatch(/left-pad-outside\s+\^1\.0\.0\s+—\s+external/)
    expect(human.stdout).toMatch(/@acme\/retry.*deprecated: use @acme\/http built-in retries/)
    const json = AgentSchemas.dependencies.parse(JSON.parse((await packr(['deps', '@acme/http', '--depth', '1', '--json'])).stdout))
    expect(json.depth).toBe(1)
  }, 60_000)

  test('recommend: what is used together with it', async () => {
    const human = await packr(['recommend', 'tiny-jwt'])
    expect(human.exitCode).toBe(0)
    const json = AgentSchemas.recommendations.parse(JSON.parse((await packr(['recommend', 'tiny-jwt', '--json'])).stdout))
    const together = json.usedWith.find((item) => item.name === '@acme/http')
    expect(together?.together).toBe(2)
    expect(human.stdout).toMatch(/@acme\/http\s+2\s+/)
  }, 60_000)

  test('docs: overview, exported names with signatures, examples', async () => {
    const human = await packr(['docs', 'tiny-jwt'])
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toContain('function sign(payload: object, secret: string, options?: SignOptions): string')
    expect(human.stdout).toContain('Signs a payload with HS256.')
    const json = AgentSchemas.docs.parse(JSON.parse((await packr(['docs', 'tiny-jwt', '--json'])).stdout))
    expect(json.api.items.map((item) => item.name)).toContain('verify')
    expect(json.examples.length).toBeGreaterThan(0)
  }, 60_000)

  test('a token limited to @acme sees only @acme packages', async () => {
    const admin = (await registry.ctx.users.findByUsername('admin'))!
    const { token } = await registry.ctx.tokens.issue({ user: admin, name: 'acme-cli', role: 'ci-readonly', scopes: ['@acme'], expiresInDays: 1 })
    const scoped = (args: string[]) => ws.exec([PACKR, 'agent', ...args, '--registry', registry.url], ws.root, { PACKR_TOKEN: token })
    const deps = await scoped(['deps', '@acme/app', '--json'])
    expect(deps.exitCode).toBe(0)
    const search = await scoped(['search', 'jwt http retry', '--json'])
    expect(search.exitCode).toBe(0)
    const names = AgentSchemas.search.parse(JSON.parse(search.stdout)).results.map((result) => result.name)
    expect(names.length).toBeGreaterThan(0)
    for (const name of names) expect(name.startsWith('@acme/')).toBe(true)
    // Outside packages are not even named as dependencies of @acme/app.
    const graph = JSON.stringify(AgentSchemas.dependencies.parse(JSON.parse(deps.stdout)))
    expect(graph).toContain('@acme/http')
    for (const outside of OUTSIDE_ACME) expect(graph).not.toContain(`"${outside}"`)
    expect((await scoped(['info', 'tiny-jwt'])).exitCode).toBe(1)
  }, 60_000)

  test('errors: one line and exit 1 for an unknown package (with a suggestion), exit 2 for usage mistakes', async () => {
    const missing = await packr(['info', 'tiny-jwd'])
    expect(missing.exitCode).toBe(1)
    expect(missing.stderr.trim().split('\n')).toHaveLength(1)
    expect(missing.stderr).toContain('did you mean "tiny-jwt"')
    const usage = await packr(['compare', 'tiny-jwt'])
    expect(usage.exitCode).toBe(2)
    expect(usage.stderr).toContain('two to five packages')
    const unknown = await packr(['frobnicate'])
    expect(unknown.exitCode).toBe(2)
    const help = await ws.exec([PACKR, 'agent', '--help'], ws.root)
    expect(help.exitCode).toBe(0)
    for (const command of ['info', 'search', 'compare', 'deps', 'recommend', 'docs', '--depth', '--json']) expect(help.stdout).toContain(command)
  }, 60_000)
})
