// The quality score 0-100: a stored analysis plus the context at read time (now, version history,
// deprecation, downloads). Cheap and pure, so the registry computes it on every read and a score
// stays correct as time passes without re-analysing the tarball. Every factor reports its points,
// its maximum and the evidence; hard caps report why they apply. Design: docs/scoring.md.
import semver from 'semver'
import type { AnalysisResult, VersionAnalysis } from './analyze.ts'

export const SCORE_VERSION = 1

export type SubScoreName = 'quality' | 'maintenance' | 'supplyChain' | 'popularity'

export interface ScoreFactor {
  id: string
  subScore: SubScoreName
  label: string
  points: number
  maxPoints: number
  evidence: string
}

export interface ScoreCap {
  id: string
  /** The final score cannot exceed this. */
  limit: number
  reason: string
}

export interface SubScore {
  points: number
  maxPoints: number
  /** points / maxPoints, in [0, 1]. */
  ratio: number
}

export interface QualityScore {
  scoreVersion: number
  /** 0-100 after caps. */
  final: number
  /** 0-100 before caps. */
  uncapped: number
  subScores: Record<SubScoreName, SubScore>
  factors: ScoreFactor[]
  caps: ScoreCap[]
  flags: { deprecated: boolean; unstable: boolean; insecure: boolean }
}

export interface ScoreContext {
  /** Epoch milliseconds; the only clock the score sees. */
  now: number
  /** Live versions of the package with their publish times (epoch ms). */
  versions: ReadonlyArray<{ version: string; publishedAt: number }>
  /** This version's deprecation message, if deprecated now. */
  deprecated?: string | null
  /** Downloads of the package in the 30 days before `now`. */
  downloads30Days?: number
  /** Packages in the registry that depend on this one. */
  dependents?: number
  /** What counts as fully popular in this registry (e.g. its 95th percentile); defaults below. */
  popularityReference?: { downloads30Days: number; dependents: number }
  /** `@types/<name>` when the registry has a DefinitelyTyped package for it. */
  typesPackage?: string | null
  /** Dependencies deprecated as of now; overrides what the analysis recorded. */
  deprecatedDependencies?: readonly string[]
}

export const DEFAULT_POPULARITY_REFERENCE = { downloads30Days: 10_000, dependents: 20 }

const DAY = 86_400_000

export const CAP_LIMITS = {
  rejected: 0,
  deprecated: 20,
  remoteInstallCode: 30,
  unsafeArchive: 30,
  obfuscated: 40,
  manifestMismatch: 40,
  noLicense: 70,
} as const

/** Archive problems that make extracting the tarball dangerous (a duplicate path is only odd). */
export const UNSAFE_ARCHIVE_PROBLEMS: ReadonlySet<string> = new Set(['absolute-path', 'parent-traversal', 'symlink', 'hardlink', 'non-utf8-name', 'special-file'])

const round1 = (value: number) => Math.round(value * 10) / 10
const clamp01 = (value: number) => Math.min(1, Math.max(0, value))
const plural = (count: number, word: string, words = `${word}s`) => `${count} ${count === 1 ? word : words}`

class Factors {
  readonly list: ScoreFactor[] = []
  add(subScore: SubScoreName, id: string, label: string, maxPoints: number, fraction: number, evidence: string): void {
    this.list.push({ id, subScore, label, points: round1(maxPoints * clamp01(fraction)), maxPoints, evidence })
  }
}

function qualityFactors(analysis: VersionAnalysis, context: ScoreContext, factors: Factors): void {
  const { types, readme, tests, license, packaging, module, metadata, changelog } = analysis
  // Types: bundled declarations beat DefinitelyTyped; attw errors take part of it back.
  const typesPackage = context.typesPackage ?? (types.kind === 'types-dependency' ? `@types/${analysis.name}` : null)
  const typesBase = types.kind === 'bundled' ? 1 : typesPackage ? 0.6 : 0
  const attwErrors = packaging.attw.ran ? packaging.attw.errors : 0
  const typesFraction = Math.max(0, typesBase - (typesBase > 0 && attwErrors > 0 ? 0.35 : 0))
  const typesEvidence = types.kind === 'bundled' ? `ships declarations (${types.entry}, ${plural(types.declarationFiles, 'file')})` : typesPackage ? `types from ${typesPackage}` : 'no type declarations'
  factors.add('quality', 'types', 'TypeScript types', 12, typesFraction, attwErrors > 0 ? `${typesEvidence}; attw: ${plural(attwErrors, 'resolution error')}` : typesEvidence)

  // README: saturating length curve (npms' 400 bytes saturates on almost everything), then structure.
  const lengthFraction = 1 - Math.exp(-readme.length / 2000)
  factors.add('quality', 'readme-length', 'README length', 5, lengthFraction, readme.source === 'none' ? 'no README' : `${readme.length} characters`)
  const usage = readme.sections.includes('usage') || readme.sections.includes('examples') || readme.hasUsageExample
  factors.add('quality', 'readme-usage', 'README shows usage', 3, (usage ? 0.5 : 0) + (readme.codeBlocks > 0 ? 0.5 : 0), `${plural(readme.codeBlocks, 'code block')}${readme.hasUsageExample ? ', imports the package' : ''}; sections: ${readme.sections.join(', ') || 'none'}`)
  factors.add('quality', 'readme-install-api', 'README covers installation and API', 2, (readme.sections.includes('install') ? 0.5 : 0) + (readme.sections.includes('api') ? 0.5 : 0), `sections: ${readme.sections.join(', ') || 'none'}`)

  factors.add('quality', 'tests', 'Tests', 8, (tests.testScript ? 0.5 : 0) + (tests.frameworks.length > 0 ? 0.5 : 0), `${tests.testScript ? 'has a test script' : 'no test script'}; frameworks: ${tests.frameworks.join(', ') || 'none'}; ${plural(tests.testFiles, 'test file')} published`)
  factors.add('quality', 'ci', 'CI configuration', 2, analysis.ci.length > 0 ? 1 : 0, analysis.ci.length > 0 ? analysis.ci.slice(0, 3).join(', ') : 'no CI configuration in the tarball (most packages do not publish it)')

  const licenseFraction = { permissive: 1, 'weak-copyleft': 0.85, copyleft: 0.7, unknown: 0.2, proprietary: 0.2, none: 0 }[license.kind] * (license.spdx && license.osiApproved ? 1 : license.kind === 'permissive' ? 0.8 : 1)
  factors.add('quality', 'license', 'License', 6, licenseFraction, license.declared === null ? 'no license declared' : `${license.spdx ?? license.declared} (${license.kind}${license.corrected ? `, corrected from "${license.declared}"` : ''}${license.osiApproved ? ', OSI-approved' : ''})`)

  const publintRan = packaging.publint.ran
  const publintFraction = publintRan ? (packaging.publint.errors > 0 ? 0 : packaging.publint.warnings > 0 ? 0.5 : 1) : 0.5
  factors.add('quality', 'packaging', 'Packaging correctness (publint)', 4, publintFraction, publintRan ? `publint: ${plural(packaging.publint.errors, 'error')}, ${plural(packaging.publint.warnings, 'warning')}` : `publint not run (${packaging.publint.skipped}); half credit`)
  const modern = [module.format === 'esm' || module.format === 'dual', module.exports.present, module.engines.validRange, module.sideEffects !== null]
  factors.add('quality', 'module-hygiene', 'Modern packaging (ESM, exports, engines, sideEffects)', 4, modern.filter(Boolean).length / modern.length, `format ${module.format}; exports ${module.exports.present ? 'yes' : 'no'}; engines.node ${module.engines.node ?? 'absent'}; sideEffects ${module.sideEffects === null ? 'absent' : JSON.stringify(module.sideEffects)}`)

  const descriptionLength = metadata.description?.length ?? 0
  const meta = [descriptionLength >= 20, metadata.keywords.length > 0, metadata.repository !== null, changelog.file !== null || changelog.mentionsVersion]
  factors.add('quality', 'metadata', 'Description, keywords, repository, changelog', 4, meta.filter(Boolean).length / meta.length, `description ${descriptionLength} chars; ${plural(metadata.keywords.length, 'keyword')}; repository ${metadata.repository ? 'yes' : 'no'}; changelog ${changelog.file ?? 'none'}`)
}

function maintenanceFactors(analysis: VersionAnalysis, context: ScoreContext, factors: Factors): void {
  const valid = context.versions.filter((entry) => semver.valid(entry.version) !== null)
  const latestRelease = Math.max(...valid.map((entry) => entry.publishedAt), Number.NEGATIVE_INFINITY)
  const firstRelease = Math.min(...valid.map((entry) => entry.publishedAt), Number.POSITIVE_INFINITY)
  if (!Number.isFinite(latestRelease)) {
    factors.add('maintenance', 'freshness', 'Freshness', 10, 0, 'no release history given')
  } else {
    // Full credit for a release within six months, then halving every year without one.
    const days = Math.max(0, (context.now - latestRelease) / DAY)
    factors.add('maintenance', 'freshness', 'Freshness', 10, days <= 180 ? 1 : 0.5 ** ((days - 180) / 365), `last release ${Math.round(days)} days ago`)
  }
  const stable = semver.valid(analysis.version) !== null && semver.major(analysis.version) >= 1 && semver.prerelease(analysis.version) === null
  const ageDays = Number.isFinite(firstRelease) ? (context.now - firstRelease) / DAY : 0
  const maturity = (stable ? 0.6 : semver.valid(analysis.version) ? 0.25 : 0) + (ageDays >= 180 ? 0.25 : 0) + (valid.length >= 5 ? 0.15 : 0)
  factors.add('maintenance', 'maturity', 'Maturity', 8, maturity, `version ${analysis.version}${stable ? ' (≥1.0.0)' : ' (pre-1.0 or prerelease)'}; first release ${Math.round(ageDays)} days ago; ${plural(valid.length, 'version')}`)
  // Socket's cadence curve: releases in the last year, saturating.
  const lastYear = valid.filter((entry) => entry.publishedAt <= context.now && context.now - entry.publishedAt <= 365 * DAY).length
  factors.add('maintenance', 'cadence', 'Release cadence', 4, 1 - Math.exp(-lastYear / 3), `${plural(lastYear, 'release')} in the last 365 days`)
  const stableVersions = valid.filter((entry) => semver.prerelease(entry.version) === null).map((entry) => entry.version)
  const newest = semver.maxSatisfying(stableVersions, '*')
  const current = newest === null || !semver.valid(analysis.version) ? 0 : semver.gte(analysis.version, newest) ? 1 : semver.major(analysis.version) === semver.major(newest) ? 0.6 : 0
  factors.add('maintenance', 'current', 'Is the newest release', 3, current, newest === null ? 'no stable release to compare with' : `newest stable release ${newest}`)
}

function supplyChainFactors(analysis: VersionAnalysis, context: ScoreContext, factors: Factors): string[] {
  const { installScripts, dependencies, code, native } = analysis
  const installFraction = { none: 1, 'local-build': 0.6, 'prebuilt-download': 0.2, 'remote-code': 0 }[installScripts.risk]
  factors.add('supplyChain', 'install-scripts', 'Install scripts', 5, installFraction, installScripts.risk === 'none' ? 'no install scripts' : installScripts.evidence.join('; '))
  // Snyk: <10 direct dependencies low risk, >30 high.
  const count = dependencies.count
  factors.add('supplyChain', 'dependency-count', 'Dependency footprint', 4, count <= 10 ? 1 : count >= 40 ? 0 : 1 - (count - 10) / 30, plural(count, 'direct dependency', 'direct dependencies'))
  const deprecatedDeps = context.deprecatedDependencies ? dependencies.names.filter((name) => context.deprecatedDependencies?.includes(name)) : dependencies.deprecated
  const loose = [...dependencies.unbounded, ...dependencies.nonRegistry]
  factors.add('supplyChain', 'dependency-hygiene', 'No deprecated, unbounded or non-registry dependencies', 3, (deprecatedDeps.length === 0 ? 2 / 3 : 0) + (loose.length === 0 ? 1 / 3 : 0), `deprecated: ${deprecatedDeps.join(', ') || 'none'}; unbounded or non-registry: ${loose.join(', ') || 'none'}`)
  const allMinified = code.scannedFiles > 0 && code.minifiedFiles.length >= code.scannedFiles
  const transparency = (code.obfuscatedFiles.length > 0 ? 0 : allMinified ? 0.3 : code.minifiedFiles.length > 0 ? 0.8 : 1) - (native.binaries.length > 0 ? 0.3 : 0)
  factors.add('supplyChain', 'code-transparency', 'Readable published code', 3, transparency, `${plural(code.minifiedFiles.length, 'minified file')}, ${plural(code.obfuscatedFiles.length, 'obfuscated file')}, ${plural(native.binaries.length, 'prebuilt binary', 'prebuilt binaries')} of ${plural(code.jsFiles, 'JavaScript file')}`)
  return deprecatedDeps
}

function popularityFactors(context: ScoreContext, factors: Factors): void {
  const reference = context.popularityReference ?? DEFAULT_POPULARITY_REFERENCE
  const downloads = context.downloads30Days ?? 0
  const dependents = context.dependents ?? 0
  factors.add('popularity', 'downloads', 'Downloads (30 days)', 7, Math.log10(1 + downloads) / Math.log10(1 + reference.downloads30Days), `${downloads} downloads (reference ${reference.downloads30Days})`)
  factors.add('popularity', 'dependents', 'Dependents in this registry', 3, Math.log10(1 + dependents) / Math.log10(1 + reference.dependents), `${plural(dependents, 'dependent package')} (reference ${reference.dependents})`)
}

function capsFor(analysis: VersionAnalysis, context: ScoreContext): ScoreCap[] {
  const caps: ScoreCap[] = []
  if (context.deprecated) caps.push({ id: 'deprecated', limit: CAP_LIMITS.deprecated, reason: `deprecated: ${context.deprecated}` })
  if (analysis.installScripts.risk === 'remote-code') caps.push({ id: 'remote-install-code', limit: CAP_LIMITS.remoteInstallCode, reason: `install scripts fetch or run remote code: ${analysis.installScripts.evidence.join('; ')}` })
  const unsafe = analysis.tarballProblems.filter((problem) => UNSAFE_ARCHIVE_PROBLEMS.has(problem.kind))
  if (unsafe.length > 0) caps.push({ id: 'unsafe-archive', limit: CAP_LIMITS.unsafeArchive, reason: `unsafe archive entries: ${unsafe.slice(0, 5).map((problem) => `${problem.kind} ${problem.path}`).join(', ')}` })
  if (analysis.code.obfuscatedFiles.length > 0) caps.push({ id: 'obfuscated', limit: CAP_LIMITS.obfuscated, reason: `obfuscated code: ${analysis.code.obfuscatedFiles.slice(0, 5).join(', ')}` })
  if (analysis.manifest.mismatches.length > 0) caps.push({ id: 'manifest-mismatch', limit: CAP_LIMITS.manifestMismatch, reason: `registry manifest and tarball package.json differ in: ${analysis.manifest.mismatches.join(', ')}` })
  if (analysis.license.kind === 'none') caps.push({ id: 'no-license', limit: CAP_LIMITS.noLicense, reason: 'no license: others may not legally reuse it' })
  return caps
}

function sum(factors: readonly ScoreFactor[], subScore: SubScoreName): SubScore {
  const chosen = factors.filter((factor) => factor.subScore === subScore)
  const points = round1(chosen.reduce((total, factor) => total + factor.points, 0))
  const maxPoints = chosen.reduce((total, factor) => total + factor.maxPoints, 0)
  return { points, maxPoints, ratio: maxPoints === 0 ? 0 : Math.round((points / maxPoints) * 1000) / 1000 }
}

/** Scores an analysis (or a rejected one, which scores 0 with the reason) in `context`. */
export function scoreVersion(result: AnalysisResult, context: ScoreContext): QualityScore {
  const factors = new Factors()
  if (result.status === 'rejected') {
    const empty: SubScore = { points: 0, maxPoints: 0, ratio: 0 }
    return {
      scoreVersion: SCORE_VERSION,
      final: CAP_LIMITS.rejected,
      uncapped: 0,
      subScores: { quality: empty, maintenance: empty, supplyChain: empty, popularity: empty },
      factors: [],
      caps: [{ id: 'rejected', limit: CAP_LIMITS.rejected, reason: `the tarball could not be analysed (${result.reason}): ${result.message}` }],
      flags: { deprecated: Boolean(context.deprecated), unstable: true, insecure: true },
    }
  }
  qualityFactors(result, context, factors)
  maintenanceFactors(result, context, factors)
  supplyChainFactors(result, context, factors)
  popularityFactors(context, factors)
  const subScores = { quality: sum(factors.list, 'quality'), maintenance: sum(factors.list, 'maintenance'), supplyChain: sum(factors.list, 'supplyChain'), popularity: sum(factors.list, 'popularity') }
  const uncapped = Math.round(subScores.quality.points + subScores.maintenance.points + subScores.supplyChain.points + subScores.popularity.points)
  const caps = capsFor(result, context)
  const final = Math.min(uncapped, ...caps.map((cap) => cap.limit))
  const stable = semver.valid(result.version) !== null && semver.major(result.version) >= 1 && semver.prerelease(result.version) === null
  return {
    scoreVersion: SCORE_VERSION,
    final,
    uncapped,
    subScores,
    factors: factors.list,
    caps,
    flags: { deprecated: Boolean(context.deprecated), unstable: !stable, insecure: caps.some((cap) => cap.id === 'remote-install-code' || cap.id === 'obfuscated' || cap.id === 'unsafe-archive') },
  }
}
