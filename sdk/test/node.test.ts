// The SDK under Node 20+: its build output (`bun run build`, zod resolved from node_modules as a
// consumer would) imported by a plain .mjs script that `node` runs against a real registry.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { publishFixtures } from '../../test/helpers/agent-fixtures.ts'
import { startTestRegistry, type TestRegistry } from '../../test/helpers/registry.ts'

const SDK = resolve(import.meta.dir, '..')
let registry: TestRegistry
let dir: string

beforeAll(async () => {
  const build = Bun.spawnSync(['bun', 'run', 'build'], { cwd: SDK, stderr: 'pipe' })
  if (build.exitCode !== 0) throw new Error(`sdk build failed: ${build.stderr.toString()}`)
  registry = await startTestRegistry()
  await publishFixtures(registry)
  dir = mkdtempSync(join(tmpdir(), 'packr-sdk-node-'))
}, 120_000)

afterAll(async () => {
  await registry.close()
  rmSync(dir, { recursive: true, force: true })
})

const SCRIPT = `
import { NotFoundError, PackrClient, APIUserAbortError, packrTools } from ${JSON.stringify(join(SDK, 'dist/index.js'))}
const client = new PackrClient()
const out = { node: process.version }
out.info = (await client.packages.retrieve('tiny-jwt')).version
out.names = []
for await (const hit of client.packages.search('jwt', { limit: 1 })) out.names.push(hit.name)
out.pick = (await client.packages.compare(['tiny-jwt', '@other/secret-sauce'], { format: 'concise' })).pick
out.docs = (await client.packages.docs('tiny-jwt', { symbol: 'sign' })).api.items[0].signature
try { await client.packages.retrieve('tiny-jwd') } catch (error) { out.notFound = { isNotFound: error instanceof NotFoundError, code: error.code, message: error.message } }
const controller = new AbortController()
controller.abort()
try { await client.packages.retrieve('tiny-jwt', { signal: controller.signal }) } catch (error) { out.aborted = error instanceof APIUserAbortError }
out.tool = (await packrTools(client).find((tool) => tool.name === 'get_package').handler({ name: '@acme/http' })).name
process.stdout.write(JSON.stringify(out))
`

test('node runs the built SDK: requests, pagination, errors, abort, tools', async () => {
  writeFileSync(join(dir, 'check.mjs'), SCRIPT)
  const run = Bun.spawn(['node', join(dir, 'check.mjs')], { env: { PATH: process.env.PATH ?? '', PACKR_REGISTRY_URL: registry.url, PACKR_TOKEN: registry.adminToken }, stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, code] = [await new Response(run.stdout).text(), await new Response(run.stderr).text(), await run.exited]
  expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
  const out = JSON.parse(stdout) as Record<string, unknown>
  expect(Number((out.node as string).slice(1).split('.')[0])).toBeGreaterThanOrEqual(20)
  expect(out).toMatchObject({
    info: '1.1.0',
    pick: 'tiny-jwt',
    docs: 'function sign(payload: object, secret: string, options?: SignOptions): string',
    notFound: { isNotFound: true, code: 'PACKAGE_NOT_FOUND', message: 'no package named "tiny-jwd"; did you mean "tiny-jwt"?' },
    aborted: true,
    tool: '@acme/http',
  })
  expect((out.names as string[]).length).toBeGreaterThanOrEqual(3)
  expect(out.names).toContain('tiny-jwt')
}, 60_000)
