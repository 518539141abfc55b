// Packaging correctness with the ecosystem's own checkers, run in memory on the tarball bytes:
// publint (package.json ↔ files consistency) and @arethetypeswrong/core (do the types resolve in
// every module-resolution mode). attw builds a TypeScript program per resolution mode, which costs
// 0.1-1 s on a typed package (docs/benchmarks.md), so it is opt-in.
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core'
import { publint } from 'publint'

export interface CheckMessage {
  code: string
  severity: 'error' | 'warning' | 'suggestion'
  /** How many times the checker reported this code. */
  count: number
  /** Where the first occurrence points (a package.json key path or an entry point). */
  at: string
}

export interface CheckReport {
  ran: boolean
  /** Why the checker did not run (disabled, nothing to check, or it failed). */
  skipped: string | null
  errors: number
  warnings: number
  suggestions: number
  messages: CheckMessage[]
}

export interface PackagingInfo {
  publint: CheckReport
  attw: CheckReport
}

export interface PackagingOptions {
  publint?: boolean
  attw?: boolean
}

const skipped = (reason: string): CheckReport => ({ ran: false, skipped: reason, errors: 0, warnings: 0, suggestions: 0, messages: [] })

function summarise(found: Array<{ code: string; severity: CheckMessage['severity']; at: string }>): CheckReport {
  const byCode = new Map<string, CheckMessage>()
  for (const item of found) {
    const existing = byCode.get(item.code)
    if (existing) existing.count++
    else byCode.set(item.code, { code: item.code, severity: item.severity, count: 1, at: item.at })
  }
  const count = (severity: CheckMessage['severity']) => found.filter((item) => item.severity === severity).length
  return { ran: true, skipped: null, errors: count('error'), warnings: count('warning'), suggestions: count('suggestion'), messages: [...byCode.values()] }
}

const failure = (error: unknown) => skipped(`failed: ${(error instanceof Error ? error.message : String(error)).slice(0, 200)}`)

async function runPublint(tarball: Uint8Array): Promise<CheckReport> {
  try {
    const copy = tarball.slice().buffer as ArrayBuffer
    const { messages } = await publint({ pack: { tarball: copy }, level: 'suggestion', strict: false })
    return summarise(messages.map((message) => ({ code: message.code, severity: message.type, at: message.path.join('.') })))
  } catch (error) {
    return failure(error)
  }
}

// attw's own classification: these break consumers in some resolution mode.
const ATTW_WARNINGS = new Set(['FallbackCondition', 'CJSOnlyExportsDefault', 'FalseExportDefault', 'NamedExports'])

async function runAttw(tarball: Uint8Array): Promise<CheckReport> {
  try {
    const result = await checkPackage(createPackageFromTarballData(tarball.slice()))
    if (result.types === false) return skipped('the package ships no types')
    return summarise(
      result.problems.map((problem) => ({
        code: problem.kind,
        severity: ATTW_WARNINGS.has(problem.kind) ? 'warning' : 'error',
        at: 'entrypoint' in problem ? `${problem.entrypoint} (${problem.resolutionKind})` : '',
      })),
    )
  } catch (error) {
    return failure(error)
  }
}

export const skippedPackaging = (reason: string): PackagingInfo => ({ publint: skipped(reason), attw: skipped(reason) })

/** Runs the enabled checkers on a tarball the bounded reader has already accepted. */
export async function checkPackaging(tarball: Uint8Array, options: PackagingOptions): Promise<PackagingInfo> {
  const [publintReport, attwReport] = await Promise.all([
    options.publint === false ? skipped('disabled') : runPublint(tarball),
    options.attw === true ? runAttw(tarball) : skipped('disabled'),
  ])
  return { publint: publintReport, attw: attwReport }
}
