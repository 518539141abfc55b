// A small registry of real packages for the agent API, SDK and MCP tests: typed and untyped JWT
// libraries, an @acme HTTP client with dependencies (one deprecated, one outside the registry), two
// apps using them together, a package another scope owns, and names that collide with agent routes.
// Every package is published through the npm route and analysed by the registry's own job.
import { expect } from 'bun:test'
import { escapeName, packTarball, publishDocument, type Manifest } from './packages.ts'
import type { TestRegistry } from './registry.ts'

export const JWT_README = `# tiny-jwt

Sign and verify JSON Web Tokens (JWT) with HS256, with no dependencies.

## Install

\`\`\`sh
npm install tiny-jwt
\`\`\`

## Usage

\`\`\`js
import { sign, verify } from 'tiny-jwt'
const token = sign({ sub: 'alice' }, process.env.SECRET)
verify(token, process.env.SECRET)
\`\`\`
`

const JWT_TYPES = `/** Signs a payload with HS256. Returns a compact JWT. */
export declare function sign(payload: object, secret: string, options?: SignOptions): string;
/** Verifies a token and returns its claims. */
export declare function verify(token: string, secret: string): Record<string, unknown>;
export interface SignOptions { expiresIn?: number; audience?: string }
export declare class TokenError extends Error { readonly code: string }
`

interface Fixture {
  manifest: Manifest
  files?: Record<string, string>
  deprecate?: string
}

const typed = (name: string, version: string, extra: Record<string, unknown> = {}): Manifest => ({
  name,
  version,
  license: 'MIT',
  main: 'index.js',
  types: 'index.d.ts',
  scripts: { test: 'node --test' },
  devDependencies: { tap: '^18.0.0' },
  ...extra,
})

export const FIXTURES: Fixture[] = [
  {
    manifest: typed('tiny-jwt', '1.0.0', { description: 'Sign and verify JSON Web Tokens', keywords: ['jwt', 'token', 'auth'] }),
    files: { 'index.js': 'exports.sign = () => "t"\nexports.verify = () => ({})\n', 'index.d.ts': JWT_TYPES, 'README.md': JWT_README },
  },
  {
    manifest: typed('tiny-jwt', '1.1.0', { description: 'Sign and verify JSON Web Tokens', keywords: ['jwt', 'token', 'auth'], repository: 'git+https://git.example/tiny-jwt.git' }),
    files: { 'index.js': 'exports.sign = () => "t"\nexports.verify = () => ({})\n', 'index.d.ts': JWT_TYPES, 'README.md': JWT_README },
  },
  {
    manifest: { name: 'jwt-lite', version: '0.3.0', description: 'jwt helper', main: 'index.js' },
    files: { 'index.js': 'exports.decode = () => ({})\n' },
  },
  {
    manifest: typed('@acme/retry', '1.0.0', { description: 'Retry promises with exponential backoff', keywords: ['retry', 'backoff'] }),
    files: { 'index.js': 'exports.retry = (f) => f()\n', 'index.d.ts': 'export declare function retry<T>(task: () => Promise<T>, attempts?: number): Promise<T>;\n' },
    deprecate: 'use @acme/http built-in retries',
  },
  {
    manifest: typed('@acme/http', '2.0.0', {
      description: 'HTTP client with retries and JWT auth for internal services',
      keywords: ['http', 'client', 'fetch'],
      dependencies: { '@acme/retry': '^1.0.0', 'tiny-jwt': '^1.0.0', 'left-pad-outside': '^1.0.0' },
    }),
    files: {
      'index.js': 'exports.createClient = () => ({})\n',
      'index.d.ts': 'export interface ClientOptions { baseUrl: string; retries?: number }\n/** Creates a client for one service. */\nexport declare function createClient(options: ClientOptions): { get(path: string): Promise<Response> };\n',
      'README.md': "# @acme/http\n\nHTTP client for internal services.\n\n## Usage\n\n```ts\nimport { createClient } from '@acme/http'\nconst api = createClient({ baseUrl: 'https://billing.internal' })\n```\n",
    },
  },
  {
    manifest: { name: '@other/secret-sauce', version: '1.0.0', description: 'Verify JWT tokens the other way', keywords: ['jwt'], license: 'MIT', main: 'index.js' },
    files: { 'index.js': 'exports.verify = () => true\n' },
  },
  {
    manifest: { name: '@acme/app', version: '1.0.0', description: 'An internal app', license: 'MIT', dependencies: { '@acme/http': '^2.0.0', 'tiny-jwt': '^1.1.0', '@other/secret-sauce': '^1.0.0' } },
    files: { 'index.js': '' },
  },
  {
    manifest: { name: '@acme/app2', version: '1.0.0', description: 'Another internal app', license: 'MIT', dependencies: { '@acme/http': '^2.0.0', 'tiny-jwt': '^1.1.0' } },
    files: { 'index.js': '' },
  },
  {
    manifest: { name: '@acme/deps', version: '1.0.0', description: 'A package whose name is an agent view', license: 'MIT' },
    files: { 'index.js': '' },
  },
  {
    manifest: { name: 'search', version: '1.0.0', description: 'A package named like the search route', license: 'MIT' },
    files: { 'index.js': '' },
  },
]

export async function publish(registry: TestRegistry, fixture: Fixture): Promise<void> {
  const { manifest } = fixture
  const tarball = await packTarball(manifest, fixture.files ?? {})
  const response = await registry.request(`/${escapeName(manifest.name)}`, { method: 'PUT', token: registry.adminToken, json: await publishDocument(manifest, { tarball }) })
  expect(response.status).toBe(201)
  if (fixture.deprecate) {
    // As `npm deprecate` does: the packument back, without attachments, with a message per version.
    const packument = (await (await registry.request(`/${escapeName(manifest.name)}?write=true`, { token: registry.adminToken })).json()) as { versions: Record<string, Record<string, unknown>> }
    for (const version of Object.values(packument.versions)) version.deprecated = fixture.deprecate
    const deprecated = await registry.request(`/${escapeName(manifest.name)}`, { method: 'PUT', token: registry.adminToken, json: packument })
    expect(deprecated.status).toBe(200)
  }
}

/** Waits until every published version is analysed and the catalog has scored each package. */
export async function settled(registry: TestRegistry, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  for (const { manifest } of FIXTURES) {
    while (!(await registry.ctx.analyses.get(manifest.name, manifest.version))) {
      if (Date.now() > deadline) throw new Error(`${manifest.name}@${manifest.version} was not analysed in time`)
      await Bun.sleep(50)
    }
  }
  for (const { manifest } of FIXTURES) await registry.ctx.catalog.refresh(manifest.name)
}

/** Publishes every fixture and waits for the analyses. */
export async function publishFixtures(registry: TestRegistry): Promise<void> {
  for (const fixture of FIXTURES) await publish(registry, fixture)
  await settled(registry)
}

/** Package names a token limited to `@acme` must never see in any answer. */
export const OUTSIDE_ACME = ['tiny-jwt', 'jwt-lite', '@other/secret-sauce', 'left-pad-outside']
