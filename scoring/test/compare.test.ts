// Compare: disqualifications, score order, Snyk tie-breakers, and input bounds.
import { beforeAll, describe, expect, test } from 'bun:test'
import { packTarball } from '../../test/helpers/packages.ts'
import { analyzeVersion, comparePackages, scoreVersion, type AnalysisResult, type CompareCandidate } from '../src/index.ts'

const now = Date.UTC(2026, 0, 1)
const DAY = 86_400_000
let lean: AnalysisResult
let heavy: AnalysisResult
let documented: AnalysisResult

beforeAll(async () => {
  const base = { license: 'MIT', description: 'Parses CSV files into objects', keywords: ['csv'] }
  lean = await analyzeVersion(await packTarball({ name: 'lean-csv', version: '2.0.0', ...base }, { 'index.js': 'module.exports = 1' }))
  heavy = await analyzeVersion(await packTarball({ name: 'heavy-csv', version: '2.0.0', ...base, dependencies: { a: '1', b: '1', c: '1', d: '1' } }, { 'index.js': 'module.exports = 1' }))
  documented = await analyzeVersion(await packTarball({ name: 'good-csv', version: '2.0.0', ...base, types: 'index.d.ts', scripts: { test: 'tap' }, devDependencies: { tap: '1' } }, { 'index.js': 'module.exports = 1', 'index.d.ts': 'export declare const x: number', 'README.md': `# good-csv\n\n## Install\n\n## Usage\n\n\`\`\`js\nrequire('good-csv')\n\`\`\`\n\n## API\n\n${'text '.repeat(800)}` }))
})

function candidate(name: string, analysis: AnalysisResult, extra: { deprecated?: string; lastPublishedAt?: number; downloads?: number } = {}): CompareCandidate {
  const lastPublishedAt = extra.lastPublishedAt ?? now - 30 * DAY
  const score = scoreVersion(analysis, { now, versions: [{ version: '2.0.0', publishedAt: lastPublishedAt }], deprecated: extra.deprecated ?? null, downloads30Days: extra.downloads ?? 100 })
  return { name, analysis, score, lastPublishedAt, downloads30Days: extra.downloads ?? 100 }
}

describe('comparePackages', () => {
  test('picks the clearly higher score and lists every package side by side', () => {
    const result = comparePackages([candidate('lean-csv', lean), candidate('good-csv', documented)], { now })
    expect(result.pick).toBe('good-csv')
    expect(result.reasons[0]).toContain('highest score')
    expect(result.reasons).toContain('good-csv ships its own TypeScript types')
    expect(result.packages.map((item) => item.name)).toEqual(['lean-csv', 'good-csv'])
    expect(result.packages[1]).toMatchObject({ types: 'bundled', dependencies: 0, license: 'MIT', daysSinceRelease: 30 })
    expect(result.sharedCapabilities).toContain('csv')
    expect(JSON.parse(JSON.stringify(result))).toEqual(result)
  })

  test('near-ties go to fewer dependencies', () => {
    const result = comparePackages([candidate('heavy-csv', heavy), candidate('lean-csv', lean)], { now })
    expect(result.pick).toBe('lean-csv')
    expect(result.reasons[0]).toContain('fewer dependencies (0 vs 4)')
  })

  test('then the fresher release, then more downloads', () => {
    const fresher = comparePackages([candidate('lean-csv', lean, { lastPublishedAt: now - 40 * DAY }), candidate('lean-csv-2', lean, { lastPublishedAt: now - 20 * DAY })], { now })
    expect(fresher.pick).toBe('lean-csv-2')
    expect(fresher.reasons[0]).toContain('fresher release')
    const downloads = comparePackages([candidate('a-csv', lean, { downloads: 100 }), candidate('b-csv', lean, { downloads: 120 })], { now })
    expect(downloads.pick).toBe('b-csv')
    expect(downloads.reasons[0]).toContain('more downloads')
  })

  test('a deprecated or long-abandoned package is never the pick, whatever its score', () => {
    const result = comparePackages([candidate('good-csv', documented, { deprecated: 'moved' }), candidate('lean-csv', lean), candidate('old-csv', documented, { lastPublishedAt: now - 4 * 365 * DAY })], { now })
    expect(result.pick).toBe('lean-csv')
    expect(result.ranking.at(-1)).not.toBe('lean-csv')
    expect(result.reasons.some((reason) => reason.startsWith('good-csv ruled out: deprecated'))).toBe(true)
    expect(result.reasons.some((reason) => reason.startsWith('old-csv ruled out: no release for 4 years'))).toBe(true)
  })

  test('when every candidate is disqualified there is no pick', () => {
    const result = comparePackages([candidate('a', lean, { deprecated: 'x' }), candidate('b', heavy, { deprecated: 'y' })], { now })
    expect(result.pick).toBeNull()
  })

  test('takes 2 to 5 distinct packages', () => {
    expect(() => comparePackages([candidate('a', lean)], { now })).toThrow(RangeError)
    expect(() => comparePackages(Array.from({ length: 6 }, (_, i) => candidate(`p${i}`, lean)), { now })).toThrow('2 to 5')
    expect(() => comparePackages([candidate('a', lean), candidate('a', lean)], { now })).toThrow('distinct')
  })
})
