// Side-by-side comparison of 2-5 packages with a recommended pick. Following Snyk's selection
// recipe (scoring.md §2.2, §9): first rule out disqualified candidates (rejected, deprecated,
// dangerous install code or obfuscation, no license, no release in three years), then order by
// score; near-ties (within TIE_POINTS) go to fewer dependencies, then the fresher release, then
// more downloads.
import type { AnalysisResult } from './analyze.ts'
import type { QualityScore, SubScoreName } from './score.ts'

export interface CompareCandidate {
  name: string
  analysis: AnalysisResult
  score: QualityScore
  /** Epoch ms of the package's most recent release. */
  lastPublishedAt?: number | null
  downloads30Days?: number
}

export interface ComparedPackage {
  name: string
  version: string | null
  score: number
  subScores: Record<SubScoreName, number>
  capabilities: string[]
  types: 'bundled' | 'types-dependency' | 'none'
  moduleFormat: string | null
  unpackedSize: number | null
  dependencies: number | null
  daysSinceRelease: number | null
  downloads30Days: number
  license: string | null
  /** Why this package cannot be the pick (empty when eligible). */
  disqualified: string[]
}

export interface Comparison {
  packages: ComparedPackage[]
  /** Best first; disqualified packages last. */
  ranking: string[]
  pick: string | null
  reasons: string[]
  /** Capabilities every compared package has. */
  sharedCapabilities: string[]
}

export const TIE_POINTS = 3
const INACTIVE_DAYS = 3 * 365
const DAY = 86_400_000

function row(candidate: CompareCandidate, now: number): ComparedPackage {
  const { analysis, score } = candidate
  const days = candidate.lastPublishedAt == null ? null : Math.max(0, Math.round((now - candidate.lastPublishedAt) / DAY))
  const disqualified: string[] = []
  if (analysis.status === 'rejected') disqualified.push(`tarball rejected (${analysis.reason})`)
  for (const cap of score.caps) if (cap.id !== 'rejected') disqualified.push(cap.reason)
  if (days !== null && days > INACTIVE_DAYS) disqualified.push(`no release for ${Math.round(days / 365)} years`)
  const ok = analysis.status === 'ok' ? analysis : null
  return {
    name: candidate.name,
    version: analysis.version,
    score: score.final,
    subScores: { quality: score.subScores.quality.ratio, maintenance: score.subScores.maintenance.ratio, supplyChain: score.subScores.supplyChain.ratio, popularity: score.subScores.popularity.ratio },
    capabilities: ok ? ok.capabilities.map((capability) => capability.id) : [],
    types: ok ? ok.types.kind : 'none',
    moduleFormat: ok ? ok.module.format : null,
    unpackedSize: ok ? ok.files.unpackedSize : null,
    dependencies: ok ? ok.dependencies.count : null,
    daysSinceRelease: days,
    downloads30Days: candidate.downloads30Days ?? 0,
    license: ok ? (ok.license.spdx ?? ok.license.declared) : null,
    disqualified,
  }
}

/** Negative when `a` should rank before `b`; the second value names the deciding criterion. */
function order(a: ComparedPackage, b: ComparedPackage): [number, string] {
  const aEligible = a.disqualified.length === 0
  const bEligible = b.disqualified.length === 0
  if (aEligible !== bEligible) return [aEligible ? -1 : 1, 'eligibility']
  if (Math.abs(a.score - b.score) > TIE_POINTS) return [b.score - a.score, 'score']
  if ((a.dependencies ?? Infinity) !== (b.dependencies ?? Infinity)) return [(a.dependencies ?? Infinity) - (b.dependencies ?? Infinity), 'dependencies']
  if ((a.daysSinceRelease ?? Infinity) !== (b.daysSinceRelease ?? Infinity)) return [(a.daysSinceRelease ?? Infinity) - (b.daysSinceRelease ?? Infinity), 'freshness']
  if (a.downloads30Days !== b.downloads30Days) return [b.downloads30Days - a.downloads30Days, 'downloads']
  return [b.score - a.score || a.name.localeCompare(b.name), 'score']
}

export function comparePackages(candidates: readonly CompareCandidate[], options: { now: number }): Comparison {
  if (candidates.length < 2 || candidates.length > 5) throw new RangeError(`compare takes 2 to 5 packages, got ${candidates.length}`)
  const names = new Set(candidates.map((candidate) => candidate.name))
  if (names.size !== candidates.length) throw new RangeError('compare takes distinct packages')
  const packages = candidates.map((candidate) => row(candidate, options.now))
  const ranked = [...packages].sort((a, b) => order(a, b)[0])
  const first = ranked[0] as ComparedPackage
  const runnerUp = ranked[1] as ComparedPackage
  const reasons: string[] = []
  let pick: string | null = null
  if (first.disqualified.length > 0) {
    reasons.push('no package qualifies: every candidate is disqualified')
  } else {
    pick = first.name
    const [, criterion] = order(first, runnerUp)
    if (runnerUp.disqualified.length > 0) reasons.push(`${first.name} is the only candidate without disqualifying problems`)
    else if (criterion === 'score') reasons.push(`${first.name} has the highest score (${first.score} vs ${runnerUp.name} ${runnerUp.score})`)
    else {
      reasons.push(`${first.name} and ${runnerUp.name} score within ${TIE_POINTS} points (${first.score} vs ${runnerUp.score}); the tie goes to ${criterion === 'dependencies' ? `fewer dependencies (${first.dependencies} vs ${runnerUp.dependencies})` : criterion === 'freshness' ? `the fresher release (${first.daysSinceRelease} vs ${runnerUp.daysSinceRelease} days)` : `more downloads (${first.downloads30Days} vs ${runnerUp.downloads30Days})`}`)
    }
    if (first.types !== 'none') reasons.push(first.types === 'bundled' ? `${first.name} ships its own TypeScript types` : `${first.name} has types from DefinitelyTyped`)
    for (const other of packages) if (other.disqualified.length > 0) reasons.push(`${other.name} ruled out: ${other.disqualified.join('; ')}`)
  }
  const shared = packages.map((item) => new Set(item.capabilities)).reduce((common, set) => new Set([...common].filter((id) => set.has(id))))
  return { packages, ranking: ranked.map((item) => item.name), pick, reasons, sharedCapabilities: [...shared].sort() }
}
