// The worst case for answer size: packages whose publishers filled every field a tool echoes
// (5,000-character descriptions, 40 long keywords, 150 dependencies, 30 dist-tags, 400 exports with
// long signatures and JSDoc, a 100 KB README full of examples, a deep dependency graph). Every tool,
// in both formats, must stay far below Claude Code's 25,000-token cap on a tool result.
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js'
import { clientBackend, PackrClient } from '@packr/agent'
import { createPackrMcpServer } from '@packr/mcp-server'
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { escapeName, packTarball, publishDocument, type Manifest } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'

/** Conservative: JSON full of short names and punctuation runs about 3-4 characters per token. */
const CHARS_PER_TOKEN = 3
const BUDGET_TOKENS = { concise: 5_000, detailed: 12_000 }

const LEAVES = 10
const DEPENDENCIES = 60
const EXTERNALS = 90

let registry: TestRegistry
let client: Client

const long = (label: string, chars: number) => `${label} `.padEnd(chars, 'worst case padding text that keeps going ')
const keywords = Array.from({ length: 40 }, (_, i) => long(`keyword${i}`, 100))

async function publish(manifest: Manifest, files: Record<string, string>): Promise<void> {
  const response = await registry.request(`/${escapeName(manifest.name)}`, { method: 'PUT', token: registry.adminToken, json: await publishDocument(manifest, { tarball: await packTarball(manifest, files) }) })
  expect(response.status).toBe(201)
}

function declarations(count: number): string {
  const parameters = Array.from({ length: 30 }, (_, i) => `parameterNumber${i}: Record<string, Array<Promise<string | number>>>`).join(', ')
  return Array.from({ length: count }, (_, i) => `/** ${long(`Function ${i} does a great many things.`, 300)} */\nexport declare function exportedFunctionNumber${i}(${parameters}): Promise<Map<string, unknown>>;`).join('\n')
}

function readme(name: string): string {
  const block = (i: number) => `## Example ${i}\n\n\`\`\`ts\nimport { exportedFunctionNumber${i} } from '${name}'\n${'exportedFunctionNumber0({ value: [Promise.resolve("x")] })\n'.repeat(60)}\`\`\`\n`
  return `# ${name}\n\n${long('A package that does everything.', 2_000)}\n\n${Array.from({ length: 40 }, (_, i) => block(i)).join('\n')}`
}

beforeAll(async () => {
  registry = await startTestRegistry()
  const base = { version: '1.0.0', license: 'MIT', main: 'index.js', keywords, description: long('Worst case package for dependency graphs and search', 5_000) }
  for (let i = 0; i < LEAVES; i++) await publish({ ...base, name: `wc-leaf-${i}` }, { 'index.js': '' })
  const leafDeps = Object.fromEntries([...Array.from({ length: LEAVES }, (_, i) => [`wc-leaf-${i}`, '^1.0.0']), ...Array.from({ length: 5 }, (_, i) => [`wc-external-${i}`, '^1.0.0'])])
  for (let i = 0; i < DEPENDENCIES; i++) await publish({ ...base, name: `wc-dep-${i}`, dependencies: leafDeps }, { 'index.js': '' })
  const rootDeps = Object.fromEntries([...Array.from({ length: DEPENDENCIES }, (_, i) => [`wc-dep-${i}`, '^1.0.0']), ...Array.from({ length: EXTERNALS }, (_, i) => [`wc-outside-package-with-a-long-name-${i}`, '^1.2.3 || ^2.0.0'])])
  await publish({ ...base, name: 'wc-root', types: 'index.d.ts', dependencies: rootDeps }, { 'index.js': '', 'index.d.ts': declarations(400), 'README.md': readme('wc-root') })
  for (let i = 0; i < 30; i++) {
    const tag = await registry.request(`/-/package/wc-root/dist-tags/${long(`tag${i}`, 60).replaceAll(' ', '-').slice(0, 60)}`, { method: 'PUT', token: registry.adminToken, json: '1.0.0' })
    expect(tag.status).toBe(200)
  }
  const deadline = Date.now() + 90_000
  for (const name of ['wc-root', ...Array.from({ length: DEPENDENCIES }, (_, i) => `wc-dep-${i}`), ...Array.from({ length: LEAVES }, (_, i) => `wc-leaf-${i}`)]) {
    while (!(await registry.ctx.analyses.get(name, '1.0.0'))) {
      if (Date.now() > deadline) throw new Error(`${name} not analysed in time`)
      await Bun.sleep(50)
    }
  }
  await registry.ctx.catalog.rebuild()
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair()
  await createPackrMcpServer(clientBackend(new PackrClient({ registryUrl: registry.url, token: null }))).connect(serverSide)
  client = new Client({ name: 'size', version: '0' })
  await client.connect(clientSide)
}, 180_000)

afterAll(async () => {
  await client.close()
  await registry.close()
})

const CALLS: Array<[string, Record<string, unknown>]> = [
  ['search_packages', { query: 'worst case package dependency graphs search keyword0', limit: 25 }],
  ['get_package', { name: 'wc-root' }],
  ['compare_packages', { names: ['wc-root', 'wc-dep-0', 'wc-dep-1', 'wc-dep-2', 'wc-leaf-0'] }],
  ['get_dependencies', { name: 'wc-root', depth: 5 }],
  ['get_recommendations', { name: 'wc-leaf-0', limit: 20 }],
  ['get_package_docs', { name: 'wc-root' }],
]

test('every tool answer stays far below 25,000 tokens in the worst case, in both formats', async () => {
  const sizes: Record<string, number> = {}
  for (const [name, args] of CALLS) {
    for (const format of ['concise', 'detailed'] as const) {
      const result = await client.callTool({ name, arguments: name === 'get_recommendations' ? args : { ...args, response_format: format } })
      expect({ name, format, isError: result.isError ?? false }).toEqual({ name, format, isError: false })
      const text = ((result.content as Array<{ text: string }>)[0] as { text: string }).text
      expect(text).toBe(JSON.stringify(result.structuredContent))
      sizes[`${name} ${format}`] = text.length
    }
  }
  console.log(`answer sizes (characters): ${Object.entries(sizes).map(([key, value]) => `${key} ${value}`).join(', ')}`)
  for (const [key, chars] of Object.entries(sizes)) {
    const format = key.endsWith('concise') ? 'concise' : 'detailed'
    expect({ key, withinBudget: Math.ceil(chars / CHARS_PER_TOKEN) <= BUDGET_TOKENS[format] }).toEqual({ key, withinBudget: true })
  }
  // Proof the fixture is a worst case: the caps were reached, not avoided.
  const graph = (await client.callTool({ name: 'get_dependencies', arguments: { name: 'wc-root', depth: 5, response_format: 'detailed' } })).structuredContent as { truncated: boolean; summary: { packages: number }; nodes: unknown[] }
  expect(graph.truncated).toBe(true)
  expect(graph.summary.packages).toBeGreaterThan(150)
  expect(graph.nodes.length).toBe(80)
  const docs = (await client.callTool({ name: 'get_package_docs', arguments: { name: 'wc-root', response_format: 'detailed' } })).structuredContent as { api: { total: number; returned: number }; examples: unknown[] }
  expect(docs.api).toMatchObject({ total: 400, returned: 40 })
  expect(docs.examples.length).toBe(4)
  const search = (await client.callTool({ name: 'search_packages', arguments: { query: 'worst case package', limit: 25 } })).structuredContent as { returned: number }
  expect(search.returned).toBe(25)
}, 60_000)
