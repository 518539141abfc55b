// API signatures from declaration files and README usage examples: what agent documentation is
// built from (docs/agent-api.md), read from real tarballs.
import { describe, expect, test } from 'bun:test'
import { packTarball, type Manifest } from '../../test/helpers/packages.ts'
import { analyzeVersion, MAX_DECLARATIONS, MAX_SIGNATURE_CHARS, type VersionAnalysis } from '../src/index.ts'

async function analyze(manifest: Manifest, files: Record<string, string>): Promise<VersionAnalysis> {
  const result = await analyzeVersion(await packTarball(manifest, files))
  if (result.status !== 'ok') throw new Error(result.message)
  return result
}

const byName = (analysis: VersionAnalysis) => Object.fromEntries(analysis.api.declarations.map((item) => [item.name, item]))

describe('declarations', () => {
  test('signatures, overloads, JSDoc summaries, classes without private members, re-exports and imports', async () => {
    const analysis = await analyze(
      { name: 'sigs', version: '1.0.0', types: 'index.d.ts' },
      {
        'index.d.ts': [
          "import { Options as BaseOptions } from './options'",
          "export { Client as HttpClient } from './client'",
          "export * from './util'",
          '/**',
          ' * Signs a payload with a secret. Uses HS256.',
          ' * @param payload the claims',
          ' */',
          'export declare function sign(payload: object, secret: string): string;',
          'export declare function sign(payload: object, secret: string, options: BaseOptions): string;',
          '/** The library version. */',
          'export declare const VERSION: string;',
          'export declare enum Algorithm { HS256 = "HS256", RS256 = "RS256" }',
          'export type Options = BaseOptions',
          '',
        ].join('\n'),
        'options.d.ts': 'export interface Options {\n  /** expiry */\n  expiresIn?: number\n  audience?: string\n}\n',
        'client.d.ts': 'export declare class Client {\n  private secret;\n  #hidden: number;\n  constructor(url: string);\n  /** Sends it. */\n  get(path: string): Promise<Response>;\n  protected internal(): void;\n}\n',
        'util.d.ts': 'export declare function decode(token: string): Record<string, unknown>;\nexport declare namespace helpers { function a(): void; const b: number }\n',
      },
    )
    const items = byName(analysis)
    expect(analysis.api.names).toEqual(['Algorithm', 'HttpClient', 'Options', 'VERSION', 'decode', 'helpers', 'sign'])
    expect(items.sign).toEqual({
      name: 'sign',
      kind: 'function',
      signature: 'function sign(payload: object, secret: string): string\nfunction sign(payload: object, secret: string, options: BaseOptions): string',
      summary: 'Signs a payload with a secret.',
    })
    expect(items.VERSION).toEqual({ name: 'VERSION', kind: 'variable', signature: 'const VERSION: string', summary: 'The library version.' })
    expect(items.Algorithm?.signature).toBe('enum Algorithm { HS256 = "HS256", RS256 = "RS256" }')
    expect(items.HttpClient).toEqual({ name: 'HttpClient', kind: 'class', signature: 'class Client { constructor(url: string); get(path: string): Promise<Response> }', summary: null })
    expect(items.Options?.signature).toBe('type Options = BaseOptions')
    expect(items.decode?.signature).toBe('function decode(token: string): Record<string, unknown>')
    expect(items.helpers).toMatchObject({ kind: 'namespace', signature: 'namespace helpers { a, b }' })
  })

  test('`export =` namespaces', async () => {
    const legacy = await analyze(
      { name: 'legacy', version: '1.0.0', types: 'index.d.ts' },
      { 'index.d.ts': 'declare function legacy(): void\ndeclare namespace legacy {\n  /** Helps. */\n  function helper(input: string): number\n  const VERSION: string\n}\nexport = legacy\n', 'index.js': '' },
    )
    expect(byName(legacy)).toEqual({
      VERSION: { name: 'VERSION', kind: 'variable', signature: 'const VERSION: string', summary: null },
      helper: { name: 'helper', kind: 'function', signature: 'function helper(input: string): number', summary: 'Helps.' },
    })
  })

  test('bounded: at most MAX_DECLARATIONS items, signatures cut at MAX_SIGNATURE_CHARS', async () => {
    const long = `export declare function huge(${Array.from({ length: 80 }, (_, i) => `parameter${i}: string`).join(', ')}): void\n`
    const many = Array.from({ length: MAX_DECLARATIONS + 50 }, (_, i) => `export declare function f${String(i).padStart(3, '0')}(): void`).join('\n')
    const analysis = await analyze({ name: 'big', version: '1.0.0', types: 'index.d.ts' }, { 'index.d.ts': `${long}${many}\n` })
    expect(analysis.api.declarations.length).toBe(MAX_DECLARATIONS)
    for (const item of analysis.api.declarations) expect(item.signature.length).toBeLessThanOrEqual(MAX_SIGNATURE_CHARS)
    const huge = analysis.api.declarations.find((item) => item.name === 'huge')
    expect(huge === undefined || huge.signature.endsWith('…')).toBe(true)
  })

  test('packages without declarations have names but no signatures', async () => {
    const analysis = await analyze({ name: 'plain', version: '1.0.0', main: 'index.js' }, { 'index.js': 'exports.parse = () => 1\n' })
    expect(analysis.api).toMatchObject({ source: 'cjs', names: ['parse'], declarations: [] })
  })
})

describe('README examples', () => {
  test('self-importing examples first, then usage sections; shell blocks and snippets skipped; long code cut', async () => {
    const readme = [
      '# thing',
      '',
      '## Install',
      '```sh\nnpm install thing\n```',
      '## Background',
      '```js\nconst unrelated = computeSomething(1, 2)\n```',
      '## Usage',
      '```ts\nconst value = run({ retries: 3 })\n```',
      '```js\nx()\n```',
      '## Advanced',
      "```js\nimport { run } from 'thing'\nrun()\n```",
      '## Big',
      `\`\`\`js\n${'a();\n'.repeat(600)}\`\`\``,
    ].join('\n')
    const analysis = await analyze({ name: 'thing', version: '1.0.0' }, { 'README.md': readme })
    const examples = analysis.readme.examples
    expect(examples.map((example) => example.heading)).toEqual(['Advanced', 'Usage', 'Background', 'Big'])
    expect(examples[0]).toEqual({ heading: 'Advanced', language: 'js', code: "import { run } from 'thing'\nrun()" })
    expect(examples[1]?.language).toBe('ts')
    expect(examples[3]?.code.length).toBeLessThan(1_600)
    expect(examples[3]?.code.endsWith('// …')).toBe(true)
  })
})
