// LLM-written API docs (DOC_GEN_ENABLED): the real @anthropic-ai/sdk and openai SDKs talk to
// loopback servers that speak the providers' HTTP APIs. Generation runs as a durable job after the
// analysis, with a bounded prompt, a timeout and retries; whatever goes wrong, /agent/:pkg/docs keeps
// answering with the extracted docs. No real key, no network.
import { AgentSchemas, type DocsResponse } from '@packr/agent/schemas'
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { jobs } from '../src/db/schema.ts'
import { createLogger } from '../src/logging/index.ts'
import { SYSTEM_PROMPT } from '../src/package-docs/generator.ts'
import { GENERATE_DOCS_JOB } from '../src/package-docs/service.ts'
import { anthropicServer, openaiServer, type LlmServer, type RecordedRequest, type Reply } from '../../test/helpers/llm-servers.ts'
import { escapeName, packTarball, publishDocument, type Manifest } from '../../test/helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../../test/helpers/registry.ts'

const API_KEY = 'sk-test-0123456789abcdef0123456789'
const PROMPT_LIMIT = 4_000
const GOOD_ANSWER = JSON.stringify({
  overview: 'doc-ok signs tokens. Call sign() with a payload and a secret; verify() checks them.',
  examples: [{ title: 'Sign a token', language: 'ts', code: "import { sign } from 'doc-ok'\nsign({ sub: 'a' }, 'secret')" }],
})

/** The user message of a recorded request, for either provider. */
function promptOf(request: RecordedRequest): string {
  const messages = request.body.messages as Array<{ role: string; content: string }>
  return messages.find((message) => message.role === 'user')?.content ?? ''
}

const packageOf = (request: RecordedRequest) => /^Package: (\S+)@/.exec(promptOf(request))?.[1] ?? ''

/** Per package: how the fake provider answers its n-th request. */
function reply(request: RecordedRequest, server: () => LlmServer): Reply {
  const name = packageOf(request)
  const seen = server().requests.filter((candidate) => packageOf(candidate) === name).length
  switch (name) {
    case 'doc-retry':
      return seen === 1 ? { status: 529 } : { text: GOOD_ANSWER.replaceAll('doc-ok', 'doc-retry') }
    case 'doc-fail':
      return { status: 500 }
    case 'doc-prose':
      return { text: 'Sure! Here is some documentation about this lovely package.' }
    case 'doc-slow':
      return { text: GOOD_ANSWER, delayMs: 2_500 }
    default:
      return { text: `\`\`\`json\n${GOOD_ANSWER.replaceAll('doc-ok', name)}\n\`\`\`` }
  }
}

const manifestOf = (name: string): Manifest => ({ name, version: '1.0.0', description: `${name}: signs and verifies tokens`, license: 'MIT', main: 'index.js', types: 'index.d.ts' })
const FILES = {
  'index.js': 'exports.sign = () => ""\n',
  'index.d.ts': '/** Signs a payload. */\nexport declare function sign(payload: object, secret: string): string;\nexport declare function verify(token: string, secret: string): boolean;\n',
  'README.md': "# doc\n\n## Usage\n\n```js\nimport { sign } from 'doc'\n```\n",
}

async function publish(registry: TestRegistry, name: string, files: Record<string, string> = FILES): Promise<void> {
  const manifest = manifestOf(name)
  const response = await registry.request(`/${escapeName(name)}`, { method: 'PUT', token: registry.adminToken, json: await publishDocument(manifest, { tarball: await packTarball(manifest, files) }) })
  expect(response.status).toBe(201)
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await Bun.sleep(50)
  }
}

async function docsOf(registry: TestRegistry, name: string): Promise<DocsResponse> {
  const response = await registry.request(`/agent/${escapeName(name)}/docs`)
  expect(response.status).toBe(200)
  return AgentSchemas.docs.parse(await response.json())
}

const jobOf = async (registry: TestRegistry, name: string) => {
  const [row] = await registry.ctx.db.primary.select().from(jobs).where(eq(jobs.dedupeKey, `${GENERATE_DOCS_JOB}:${name}@1.0.0`))
  return row
}

describe('Anthropic (Messages API)', () => {
  let registry: TestRegistry
  let server: LlmServer
  const logs: string[] = []

  beforeAll(async () => {
    server = anthropicServer(API_KEY, (request) => reply(request, () => server))
    registry = await startTestRegistry(
      { DOC_GEN_ENABLED: 'true', ANTHROPIC_API_KEY: API_KEY, ANTHROPIC_BASE_URL: server.baseUrl, DOC_GEN_TIMEOUT_SECONDS: '1', DOC_GEN_MAX_PROMPT_CHARS: String(PROMPT_LIMIT), LOG_LEVEL: 'debug' },
      { log: createLogger('debug', (line) => logs.push(line)) },
    )
    const huge = { ...FILES, 'README.md': `# doc-huge\n\n${'Lorem ipsum dolor sit amet. '.repeat(3_000)}`, 'index.d.ts': Array.from({ length: 150 }, (_, i) => `export declare function fn${i}(value: string, options?: { retries: number }): Promise<string>;`).join('\n') }
    for (const name of ['doc-ok', 'doc-retry', 'doc-fail', 'doc-prose', 'doc-slow']) await publish(registry, name)
    await publish(registry, 'doc-huge', huge)
  }, 60_000)

  afterAll(async () => {
    await registry.close()
    server.stop()
  })

  test('after publish and analysis, a job writes the overview and examples; the docs say they were generated', async () => {
    const stored = await until('generated docs of doc-ok', () => registry.ctx.packageDocs.stored('doc-ok', '1.0.0'))
    expect(stored).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5' })
    const docs = await docsOf(registry, 'doc-ok')
    expect(docs.source).toBe('generated')
    expect(docs.generatedBy).toMatchObject({ provider: 'anthropic', model: 'claude-haiku-4-5' })
    expect(docs.overview).toBe('doc-ok signs tokens. Call sign() with a payload and a secret; verify() checks them.')
    expect(docs.examples[0]).toEqual({ title: 'Sign a token', language: 'ts', code: "import { sign } from 'doc-ok'\nsign({ sub: 'a' }, 'secret')", source: 'generated' })
    // The extracted parts stay: signatures from the .d.ts and the README example after the generated ones.
    expect(docs.api.items.map((item) => item.signature)).toContain('function sign(payload: object, secret: string): string')
    expect(docs.examples.at(-1)?.source).toBe('readme')

    const request = server.requests.find((candidate) => packageOf(candidate) === 'doc-ok') as RecordedRequest
    expect(request.body).toMatchObject({ model: 'claude-haiku-4-5', max_tokens: 2000, system: SYSTEM_PROMPT })
    expect(promptOf(request)).toContain('- function sign(payload: object, secret: string): string  // Signs a payload.')
    expect(promptOf(request)).toContain('<readme>')
  })

  test('the prompt is bounded: a 84 KB README and 150 signatures fit in DOC_GEN_MAX_PROMPT_CHARS', async () => {
    await until('generated docs of doc-huge', () => registry.ctx.packageDocs.stored('doc-huge', '1.0.0'))
    const prompt = promptOf(server.requests.find((candidate) => packageOf(candidate) === 'doc-huge') as RecordedRequest)
    expect(prompt.length).toBeLessThanOrEqual(PROMPT_LIMIT)
    expect(prompt.length).toBeGreaterThan(PROMPT_LIMIT * 0.8)
    expect(prompt).toContain('function fn0(')
    expect(prompt).not.toContain('function fn149(')
    expect(prompt).toContain('Lorem ipsum')
    expect(prompt.endsWith('Write the JSON object now.')).toBe(true)
    for (const request of server.requests) expect(promptOf(request).length).toBeLessThanOrEqual(PROMPT_LIMIT)
  })

  test('an overloaded provider is retried by the SDK within the same job', async () => {
    await until('generated docs of doc-retry', () => registry.ctx.packageDocs.stored('doc-retry', '1.0.0'))
    expect(server.requests.filter((request) => packageOf(request) === 'doc-retry')).toHaveLength(2)
    expect((await docsOf(registry, 'doc-retry')).source).toBe('generated')
  })

  test('failures (5xx, prose instead of JSON, timeouts) fall back to the extracted docs, never to an error', async () => {
    for (const name of ['doc-fail', 'doc-prose', 'doc-slow']) {
      const job = await until(`a failed first attempt for ${name}`, async () => {
        const row = await jobOf(registry, name)
        return row && row.attempts >= 1 && row.status === 'pending' && row.lastError ? row : undefined
      })
      const docs = await docsOf(registry, name)
      expect({ name, source: docs.source, generatedBy: docs.generatedBy }).toEqual({ name, source: 'extracted', generatedBy: null })
      expect(docs.overview).toContain(`${name} 1.0.0: ${name}: signs and verifies tokens.`)
      expect(docs.api.items.length).toBe(2)
      if (name === 'doc-prose') expect(job.lastError).toBe('the model did not answer with a JSON object')
      if (name === 'doc-slow') expect(job.lastError?.toLowerCase()).toContain('timed out')
    }
    // The SDK retried each attempt twice (three requests) before the job gave up on it.
    expect(server.requests.filter((request) => packageOf(request) === 'doc-fail').length).toBe(3)
    expect(server.requests.filter((request) => packageOf(request) === 'doc-slow').length).toBe(3)
  }, 60_000)

  test('after its last attempt the job fails for good and the extracted docs stay', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      const job = await jobOf(registry, 'doc-fail')
      if (job?.status === 'failed') break
      await registry.ctx.db.transaction((tx) => tx.update(jobs).set({ runAt: 0 }).where(eq(jobs.dedupeKey, `${GENERATE_DOCS_JOB}:doc-fail@1.0.0`)))
      await registry.ctx.jobs.drain()
    }
    expect((await jobOf(registry, 'doc-fail'))?.status).toBe('failed')
    expect((await jobOf(registry, 'doc-fail'))?.attempts).toBe(3)
    expect((await docsOf(registry, 'doc-fail')).source).toBe('extracted')
  }, 60_000)

  test('the API key never reaches a log line', () => {
    expect(logs.some((line) => line.includes('generated API docs'))).toBe(true)
    expect(logs.some((line) => line.includes('job failed; will retry'))).toBe(true)
    for (const line of logs) expect(line).not.toContain(API_KEY)
  })
})

describe('OpenAI (Chat Completions)', () => {
  let registry: TestRegistry
  let server: LlmServer

  beforeAll(async () => {
    server = openaiServer(API_KEY, (request) => reply(request, () => server))
    registry = await startTestRegistry({ DOC_GEN_ENABLED: 'true', OPENAI_API_KEY: API_KEY, OPENAI_BASE_URL: server.baseUrl, DOC_GEN_MODEL: 'gpt-test-mini', DOC_GEN_MAX_PROMPT_CHARS: String(PROMPT_LIMIT) })
    await publish(registry, 'doc-ok')
  }, 60_000)

  afterAll(async () => {
    await registry.close()
    server.stop()
  })

  test('the same flow through the openai SDK, asking for a JSON object', async () => {
    await until('generated docs of doc-ok', () => registry.ctx.packageDocs.stored('doc-ok', '1.0.0'))
    const docs = await docsOf(registry, 'doc-ok')
    expect(docs).toMatchObject({ source: 'generated', generatedBy: { provider: 'openai', model: 'gpt-test-mini' } })
    expect(docs.overview).toContain('doc-ok signs tokens.')
    const request = server.requests[0] as RecordedRequest
    expect(request.body).toMatchObject({ model: 'gpt-test-mini', response_format: { type: 'json_object' }, max_completion_tokens: 2000 })
    expect((request.body.messages as Array<{ role: string; content: string }>)[0]).toEqual({ role: 'system', content: SYSTEM_PROMPT })
    expect(promptOf(request).length).toBeLessThanOrEqual(PROMPT_LIMIT)
  })
})

describe('configuration', () => {
  test('DOC_GEN_ENABLED without a key stops the registry with one line naming the variable', async () => {
    await expect(startTestRegistry({ DOC_GEN_ENABLED: 'true' })).rejects.toThrow('DOC_GEN_ENABLED needs ANTHROPIC_API_KEY or OPENAI_API_KEY')
    await expect(startTestRegistry({ DOC_GEN_ENABLED: 'true', DOC_GEN_PROVIDER: 'openai', ANTHROPIC_API_KEY: API_KEY })).rejects.toThrow('DOC_GEN_ENABLED needs OPENAI_API_KEY')
  })

  test('a key in a bad configuration is never echoed', async () => {
    const failure = await startTestRegistry({ DOC_GEN_ENABLED: 'maybe', ANTHROPIC_API_KEY: API_KEY, OPENAI_BASE_URL: 'not a url' }).catch((error: Error) => error.message)
    expect(failure).toContain('DOC_GEN_ENABLED must be true or false')
    expect(failure).not.toContain(API_KEY)
  })
})
