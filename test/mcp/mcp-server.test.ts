// @packr/mcp-server through the MCP SDK's own Client, over every transport it ships on: in-memory
// (the server factory on a PackrClient), stdio (the real process: `bun mcp-server/src/main.ts`, and
// the built bin under Node as `npx` would run it) and Streamable HTTP (the registry's /mcp). Each
// lists the tools, calls every one, and validates every structuredContent against its output schema.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import { AgentSchemas, clientBackend, PackrClient, TOOL_DEFINITIONS } from '@packr/agent'
import { createPackrMcpServer, INSTRUCTIONS } from '@packr/mcp-server'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { resolve } from 'node:path'
import { OUTSIDE_ACME, publishFixtures } from '../helpers/agent-fixtures.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

const ROOT = resolve(import.meta.dir, '../..')
const TOOL_NAMES = ['search_packages', 'get_package', 'compare_packages', 'get_dependencies', 'get_recommendations', 'get_package_docs']

let registry: TestRegistry
let acmeToken: string

beforeAll(async () => {
  // The bin under test is the build output a fresh install produces (the root postinstall).
  const build = Bun.spawnSync(['bun', 'run', 'build'], { cwd: resolve(ROOT, 'mcp-server'), stderr: 'pipe' })
  if (build.exitCode !== 0) throw new Error(`mcp-server build failed: ${build.stderr.toString()}`)
  registry = await startTestRegistry()
  await publishFixtures(registry)
  const admin = (await registry.ctx.users.findByUsername('admin'))!
  acmeToken = (await registry.ctx.tokens.issue({ user: admin, name: 'acme', role: 'ci-readonly', scopes: ['@acme'], expiresInDays: 1 })).token
}, 120_000)

afterAll(() => registry.close())

const childEnv = (token?: string) => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', PACKR_REGISTRY_URL: registry.url, ...(token ? { PACKR_TOKEN: token } : {}) })

type Connect = (token?: string) => Promise<Transport>

const TRANSPORTS: Record<string, Connect> = {
  'in-memory': async (token) => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
    await createPackrMcpServer(clientBackend(new PackrClient({ registryUrl: registry.url, token: token ?? null }))).connect(serverSide)
    return clientSide
  },
  'stdio (bun run mcp)': async (token) => new StdioClientTransport({ command: process.execPath, args: [resolve(ROOT, 'mcp-server/src/main.ts')], env: childEnv(token), stderr: 'pipe' }),
  'stdio (the packr-mcp bin under Node)': async (token) => new StdioClientTransport({ command: 'node', args: [resolve(ROOT, 'node_modules/.bin/packr-mcp')], env: childEnv(token), stderr: 'pipe' }),
  'Streamable HTTP (/mcp)': async (token) => new StreamableHTTPClientTransport(new URL(`${registry.url}/mcp`), token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}),
}

async function connect(transport: Connect, token?: string): Promise<Client> {
  const client = new Client({ name: 'packr-test', version: '0.0.0' })
  await client.connect(await transport(token))
  return client
}

const ARGUMENTS: Record<string, Record<string, unknown>> = {
  search_packages: { query: 'verify jwt tokens', limit: 3 },
  get_package: { name: 'tiny-jwt' },
  compare_packages: { names: ['tiny-jwt', '@other/secret-sauce'] },
  get_dependencies: { name: '@acme/app', depth: 2 },
  get_recommendations: { name: '@acme/http' },
  get_package_docs: { name: 'tiny-jwt', symbol: 'sign' },
}

const OUTPUTS = { search_packages: AgentSchemas.search, get_package: AgentSchemas.package, compare_packages: AgentSchemas.compare, get_dependencies: AgentSchemas.dependencies, get_recommendations: AgentSchemas.recommendations, get_package_docs: AgentSchemas.docs } as const

const textOf = (result: object) => (((result as { content?: unknown }).content as Array<{ type: string; text?: string }> | undefined) ?? []).map((block) => block.text ?? '').join('')

for (const [transportName, transport] of Object.entries(TRANSPORTS)) {
  describe(`MCP over ${transportName}`, () => {
    let client: Client

    beforeAll(async () => {
      client = await connect(transport)
    }, 30_000)

    afterAll(() => client.close())

    test('server info and instructions tell the model when Packr is the first stop', () => {
      expect(client.getServerVersion()).toMatchObject({ name: 'packr', version: '0.1.0' })
      expect(client.getInstructions()).toBe(INSTRUCTIONS)
      expect(client.getServerCapabilities()).toMatchObject({ tools: {}, resources: {} })
    })

    test('lists the six tools in a stable order, read-only, with limits and output schemas', async () => {
      const { tools } = await client.listTools()
      expect(tools.map((tool) => tool.name)).toEqual(TOOL_NAMES)
      for (const tool of tools) {
        expect(tool.annotations).toMatchObject({ readOnlyHint: true, idempotentHint: true, openWorldHint: false })
        expect(tool.description?.length).toBeGreaterThan(200)
        expect(tool.outputSchema?.type).toBe('object')
        expect(tool.inputSchema.type).toBe('object')
      }
      const search = tools.find((tool) => tool.name === 'search_packages')!
      expect(search.inputSchema.required).toEqual(['query'])
      expect(search.inputSchema.properties?.limit).toMatchObject({ minimum: 1, maximum: 25, default: 8 })
      expect(JSON.stringify(search.inputSchema.properties?.query)).toContain('http client with retries')
      expect(tools.find((tool) => tool.name === 'compare_packages')!.inputSchema.properties?.names).toMatchObject({ minItems: 2, maxItems: 5 })
    })

    test('every tool answers with structuredContent that validates against its output schema, and the same JSON as text', async () => {
      for (const name of TOOL_NAMES) {
        const result = await client.callTool({ name, arguments: ARGUMENTS[name] })
        expect({ name, isError: result.isError ?? false }).toEqual({ name, isError: false })
        const parsed = OUTPUTS[name as keyof typeof OUTPUTS].safeParse(result.structuredContent)
        expect({ name, valid: parsed.success, issues: parsed.success ? [] : parsed.error.issues }).toEqual({ name, valid: true, issues: [] })
        expect(JSON.parse(textOf(result))).toEqual(result.structuredContent as Record<string, unknown>)
      }
    }, 60_000)

    test('answers are concise by default and say what matters', async () => {
      const found = (await client.callTool({ name: 'search_packages', arguments: { query: 'verify jwt tokens' } })).structuredContent as { results: Array<{ name: string; why: string; matched?: unknown }> }
      expect(found.results[0]?.name).toBe('tiny-jwt')
      expect(found.results[0]?.why).toContain('has JSON Web Tokens')
      expect(found.results[0]?.matched).toBeUndefined()
      const info = (await client.callTool({ name: 'get_package', arguments: { name: 'tiny-jwt' } })).structuredContent as { score: { verdict: string; factors?: unknown }; install: string }
      expect(info.score.factors).toBeUndefined()
      expect(info.install).toBe('npm install tiny-jwt@1.1.0')
      const detailed = (await client.callTool({ name: 'get_package', arguments: { name: 'tiny-jwt', response_format: 'detailed' } })).structuredContent as { score: { factors: unknown[] } }
      expect(detailed.score.factors.length).toBeGreaterThan(10)
      const compared = (await client.callTool({ name: 'compare_packages', arguments: { names: ['@acme/retry', '@acme/http'] } })).structuredContent as { pick: string }
      expect(compared.pick).toBe('@acme/http')
      const docs = (await client.callTool({ name: 'get_package_docs', arguments: { name: '@acme/http' } })).structuredContent as { api: { items: Array<{ signature: string }> } }
      expect(docs.api.items.map((item) => item.signature)).toContain('function createClient(options: ClientOptions): { get(path: string): Promise<Response> }')
    })

    test('mistakes come back as tool errors the model can act on, never as protocol failures', async () => {
      const typo = await client.callTool({ name: 'get_package', arguments: { name: 'tiny-jwd' } })
      expect(typo.isError).toBe(true)
      expect(textOf(typo)).toBe('no package named "tiny-jwd"; did you mean "tiny-jwt"?')
      const version = await client.callTool({ name: 'get_package_docs', arguments: { name: 'tiny-jwt', version: '7' } })
      expect(version.isError).toBe(true)
      expect(textOf(version)).toContain('versions: 1.1.0, 1.0.0')
      const tooMany = await client.callTool({ name: 'search_packages', arguments: { query: 'jwt', limit: 500 } })
      expect(tooMany.isError).toBe(true)
      expect(textOf(tooMany)).toContain('limit')
      const missing = await client.callTool({ name: 'compare_packages', arguments: { names: ['tiny-jwt'] } })
      expect(missing.isError).toBe(true)
      const unknown = await client.callTool({ name: 'delete_everything', arguments: {} })
      expect(unknown.isError).toBe(true)
    })

    test('README and docs resource templates, with scoped names percent-encoded', async () => {
      const { resourceTemplates } = await client.listResourceTemplates()
      expect(resourceTemplates.map((template) => template.uriTemplate)).toEqual(['packr://package/{name}', 'packr://package/{name}/docs'])
      const readme = await client.readResource({ uri: 'packr://package/tiny-jwt' })
      expect(readme.contents[0]).toMatchObject({ uri: 'packr://package/tiny-jwt', mimeType: 'text/markdown' })
      expect((readme.contents[0] as { text: string }).text).toContain('Sign and verify JSON Web Tokens (JWT) with HS256')
      const docs = await client.readResource({ uri: 'packr://package/%40acme%2Fhttp/docs' })
      const markdown = (docs.contents[0] as { text: string }).text
      expect(markdown).toStartWith('# @acme/http 2.0.0')
      expect(markdown).toContain('function createClient(options: ClientOptions)')
      const missing = await client.readResource({ uri: 'packr://package/tiny-jwd' })
      expect((missing.contents[0] as { text: string }).text).toContain('did you mean "tiny-jwt"?')
    })

    test('a token scoped to @acme sees only @acme packages through every tool', async () => {
      const scoped = await connect(transport, acmeToken)
      try {
        for (const name of TOOL_NAMES) {
          const args = name === 'compare_packages' ? { names: ['@acme/http', '@acme/retry'] } : name === 'get_package' || name === 'get_package_docs' ? { name: '@acme/http' } : ARGUMENTS[name]
          const result = await scoped.callTool({ name, arguments: args })
          const text = textOf(result)
          for (const hidden of OUTSIDE_ACME) expect({ name, hidden, leaked: text.includes(`"${hidden}`) }).toEqual({ name, hidden, leaked: false })
        }
        const denied = await scoped.callTool({ name: 'get_package', arguments: { name: 'tiny-jwt' } })
        expect(denied.isError).toBe(true)
        expect(textOf(denied)).toContain('visible to this token (this token is limited to @acme)')
        for (const uri of ['packr://package/tiny-jwt', 'packr://package/tiny-jwt/docs']) {
          const text = ((await scoped.readResource({ uri })).contents[0] as { text: string }).text
          expect(text).toStartWith('no package named "tiny-jwt" visible to this token')
        }
      } finally {
        await scoped.close()
      }
    }, 30_000)
  })
}

describe('stdio process', () => {
  test('refuses to start without a registry URL, with one line on stderr and nothing on stdout', () => {
    for (const command of [[process.execPath, resolve(ROOT, 'mcp-server/src/main.ts')], ['node', resolve(ROOT, 'node_modules/.bin/packr-mcp')]]) {
      const run = Bun.spawnSync(command, { env: { PATH: process.env.PATH ?? '' }, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
      expect(run.exitCode).toBe(1)
      expect(run.stdout.toString()).toBe('')
      expect(run.stderr.toString()).toBe('packr-mcp: no registry URL: pass registryUrl or set PACKR_REGISTRY_URL\n')
    }
  })

  test('an unreachable registry is a tool error naming the URL, not a crash', async () => {
    const client = new Client({ name: 'packr-test', version: '0.0.0' })
    await client.connect(new StdioClientTransport({ command: 'node', args: [resolve(ROOT, 'node_modules/.bin/packr-mcp')], env: { PATH: process.env.PATH ?? '', PACKR_REGISTRY_URL: 'http://127.0.0.1:9' }, stderr: 'pipe' }))
    try {
      const result = await client.callTool({ name: 'get_package', arguments: { name: 'tiny-jwt' } })
      expect(result.isError).toBe(true)
      expect(textOf(result)).toStartWith('cannot reach http://127.0.0.1:9')
      expect(textOf(result)).toContain('Check PACKR_REGISTRY_URL')
    } finally {
      await client.close()
    }
  }, 30_000)
})

describe('the /mcp endpoint', () => {
  const initialize = { jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'curl', version: '0' } } }
  const post = (init: { headers?: Record<string, string>; token?: string; body?: unknown }) =>
    registry.request('/mcp', { method: 'POST', token: init.token, headers: { accept: 'application/json, text/event-stream', 'content-type': 'application/json', ...init.headers }, body: JSON.stringify(init.body ?? initialize) })

  test('authenticates with the same tokens: a refused token is 401 before any MCP work', async () => {
    const refused = await post({ token: 'not-a-token' })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('www-authenticate')).toBe('Bearer')
    expect((await post({ token: acmeToken })).status).toBe(200)
  })

  test('refuses other origins, wrong Accept headers, oversized bodies; GET and DELETE are 405', async () => {
    const foreign = await post({ headers: { origin: 'https://evil.example' } })
    expect(foreign.status).toBe(403)
    expect(((await foreign.json()) as { code: string }).code).toBe('FORBIDDEN_ORIGIN')
    expect((await post({ headers: { origin: registry.url } })).status).toBe(200)
    expect((await post({ headers: { accept: 'application/json' } })).status).toBe(406)
    expect((await post({ body: { padding: 'x'.repeat(2 * 1024 * 1024) } })).status).toBe(413)
    for (const method of ['GET', 'DELETE']) {
      const response = await registry.request('/mcp', { method })
      expect(response.status).toBe(405)
      expect(response.headers.get('allow')).toBe('POST')
    }
  })
})

describe('tool definitions without MCP', () => {
  test('packrTools gives JSON schemas and handlers that call the registry', async () => {
    const { packrTools } = await import('@packr/agent')
    const tools = packrTools(new PackrClient({ registryUrl: registry.url, token: null }))
    expect(tools.map((tool) => tool.name as string)).toEqual(TOOL_NAMES)
    expect(tools.map((tool) => tool.description)).toEqual(Object.values(TOOL_DEFINITIONS).map((definition) => definition.description))
    const search = tools[0]!
    expect(search.inputSchema).toMatchObject({ type: 'object', required: ['query'] })
    const result = AgentSchemas.search.parse(await search.handler({ query: 'jwt', limit: 2 }))
    expect(result.returned).toBe(2)
    await expect(search.handler({ query: '' })).rejects.toThrow()
  })
})
