// Shared by the dashboard tests: publishing real packages, waiting for their analysis to reach the
// catalog, and signing in through the dashboard's own form.
import { escapeName, packTarball, publishDocument, type Manifest } from './packages.ts'
import { FormBrowser, type PageResult } from './browser.ts'
import type { TestRegistry } from './registry.ts'

export async function publish(registry: TestRegistry, manifest: Manifest, files: Record<string, string> = {}, token = registry.adminToken): Promise<void> {
  const tarball = await packTarball(manifest, files)
  const response = await registry.request(`/${escapeName(manifest.name)}`, { method: 'PUT', token, json: await publishDocument(manifest, { tarball }) })
  if (response.status !== 201) throw new Error(`publish of ${manifest.name}@${manifest.version} failed: ${response.status} ${await response.text()}`)
}

/** Waits until `name@version` is analysed and its score is in the catalog (the registry's own job loop). */
export async function analysed(registry: TestRegistry, name: string, version: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await registry.ctx.analyses.get(name, version)) || registry.ctx.catalog.entry(name)?.listing.version !== version || !registry.ctx.catalog.entry(name)?.score) {
    if (Date.now() > deadline) throw new Error(`${name}@${version} was not analysed within ${timeoutMs} ms`)
    await Bun.sleep(50)
  }
}

/** Signs `browser` in on the dashboard's sign-in page; returns the page it lands on. */
export async function signIn(browser: FormBrowser, registry: TestRegistry, username: string, password: string, next = '/'): Promise<PageResult> {
  const page = await browser.open(`${registry.url}/-/web/sign-in?next=${encodeURIComponent(next)}`)
  return browser.submit(page, '/-/web/sign-in', { username, password })
}

export const HTTP_FETCHER_README = `# http-fetcher

Fetch JSON over HTTP with retries.

## Install

\`\`\`sh
npm install http-fetcher
\`\`\`

## Usage

\`\`\`js
import { fetchJson } from 'http-fetcher'
const data = await fetchJson('https://example.test/data.json')
\`\`\`

| Option | Default |
| --- | --- |
| retries | 3 |
`

/**
 * A small registry to look at: tiny-util; http-fetcher 1.0.0 and 1.1.0 (depends on tiny-util, with a
 * README); app-one and app-two (depend on both); @acme/widget. All analysed and in the catalog.
 */
export async function publishSamplePackages(registry: TestRegistry): Promise<void> {
  const base = { license: 'MIT', main: 'index.js', types: 'index.d.ts', scripts: { test: 'node --test' } }
  const files = { 'index.js': 'exports.fetchJson = async () => ({})\n', 'index.d.ts': 'export declare function fetchJson(url: string): Promise<unknown>\n' }
  await publish(registry, { name: 'tiny-util', version: '1.0.0', description: 'Small helpers for strings and arrays', ...base }, { ...files, 'README.md': '# tiny-util\n' })
  const fetcher = { name: 'http-fetcher', description: 'Fetch JSON over HTTP with retries: a small HTTP client', keywords: ['http', 'client', 'fetch'], dependencies: { 'tiny-util': '^1.0.0' }, ...base }
  await publish(registry, { ...fetcher, version: '1.0.0' }, { ...files, 'README.md': HTTP_FETCHER_README })
  await publish(registry, { ...fetcher, version: '1.1.0' }, { ...files, 'README.md': HTTP_FETCHER_README })
  for (const app of ['app-one', 'app-two']) {
    await publish(registry, { name: app, version: '1.0.0', description: `Application ${app}`, dependencies: { 'http-fetcher': '^1.1.0', 'tiny-util': '^1.0.0' }, ...base }, files)
  }
  await publish(registry, { name: '@acme/widget', version: '2.0.0', description: 'An internal widget for dashboards', ...base }, files)
  for (const [name, version] of [['tiny-util', '1.0.0'], ['http-fetcher', '1.1.0'], ['app-one', '1.0.0'], ['app-two', '1.0.0'], ['@acme/widget', '2.0.0']] as const) {
    await analysed(registry, name, version)
  }
}
