// License normalisation: the declared `license` (or legacy `licenses`) becomes a valid SPDX
// expression where `spdx-correct` can repair it, then is classified for scoring and compare.
import spdxCorrect from 'spdx-correct'
import spdxParse from 'spdx-expression-parse'
import spdxLicenses from 'spdx-license-list'
import { isRecord, type Manifest } from './manifest.ts'

export type LicenseKind = 'permissive' | 'weak-copyleft' | 'copyleft' | 'proprietary' | 'unknown' | 'none'

export interface LicenseInfo {
  /** The value as declared (legacy object/array forms flattened), or null when absent. */
  declared: string | null
  /** A valid SPDX expression, or null when the declaration could not be understood. */
  spdx: string | null
  /** True when `spdx` differs from `declared` (spdx-correct repaired it). */
  corrected: boolean
  /** License identifiers in the expression. */
  ids: string[]
  /** Every identifier is OSI-approved (for `OR`, at least one alternative is). */
  osiApproved: boolean
  kind: LicenseKind
  /** A LICENSE/LICENCE/COPYING file at the package root. */
  file: string | null
}

// Strong copyleft families (the whole program must stay under the license when distributed).
const COPYLEFT = /^(A?GPL|SSPL|OSL|EUPL|CC-BY-SA|CC-BY-NC-SA|RPL|Sleepycat|QPL)/i
// Weak copyleft: file- or library-scoped obligations.
const WEAK_COPYLEFT = /^(LGPL|MPL|EPL|CDDL|CPL|MS-RL|APSL|CECILL-C)/i

function declaredLicense(manifest: Manifest): string | null {
  const { license, licenses } = manifest
  if (typeof license === 'string' && license.trim() !== '') return license.trim()
  // Legacy forms: `{ type }` and `[{ type }, ...]` (npms joins alternatives with OR).
  if (isRecord(license) && typeof license.type === 'string') return license.type
  if (Array.isArray(licenses)) {
    const types = licenses.map((item) => (isRecord(item) && typeof item.type === 'string' ? item.type : typeof item === 'string' ? item : null)).filter((item): item is string => item !== null)
    if (types.length > 0) return types.length === 1 ? (types[0] as string) : `(${types.join(' OR ')})`
  }
  return null
}

function parseSpdx(expression: string): spdxParse.Info | null {
  try {
    return spdxParse(expression)
  } catch {
    return null
  }
}

function kindOf(id: string): LicenseKind {
  if (COPYLEFT.test(id)) return 'copyleft'
  if (WEAK_COPYLEFT.test(id)) return 'weak-copyleft'
  return spdxLicenses[id] ? 'permissive' : 'unknown'
}

const KIND_ORDER: LicenseKind[] = ['permissive', 'weak-copyleft', 'copyleft', 'unknown']

/** Most permissive choice for `OR`, least permissive obligation for `AND`. */
function evaluate(info: spdxParse.Info, ids: string[]): { osi: boolean; kind: LicenseKind } {
  if ('license' in info) {
    ids.push(info.license)
    return { osi: spdxLicenses[info.license]?.osiApproved === true, kind: kindOf(info.license) }
  }
  const left = evaluate(info.left, ids)
  const right = evaluate(info.right, ids)
  const pick = info.conjunction === 'or' ? Math.min : Math.max
  const kind = KIND_ORDER[pick(KIND_ORDER.indexOf(left.kind), KIND_ORDER.indexOf(right.kind))] as LicenseKind
  return { osi: info.conjunction === 'or' ? left.osi || right.osi : left.osi && right.osi, kind }
}

/** Normalises and classifies the manifest's license; `files` are the package's root paths. */
export function analyzeLicense(manifest: Manifest, files: readonly string[]): LicenseInfo {
  const file = files.find((path) => /^(licen[cs]e|copying)(\.[a-z]+)?$/i.test(path) || /^licen[cs]e-[a-z0-9.-]+$/i.test(path)) ?? null
  const declared = declaredLicense(manifest)
  const base = { declared, file, corrected: false, ids: [] as string[], osiApproved: false }
  if (declared === null) return { ...base, spdx: null, kind: 'none' }
  if (/^UNLICENSED$/i.test(declared)) return { ...base, spdx: null, kind: 'proprietary' }
  if (/^SEE LICEN[CS]E IN /i.test(declared)) return { ...base, spdx: null, kind: 'unknown' }
  let spdx = parseSpdx(declared) ? declared : null
  if (spdx === null) {
    const corrected = spdxCorrect(declared, { upgrade: true })
    if (corrected && parseSpdx(corrected)) spdx = corrected
  }
  const parsed = spdx === null ? null : parseSpdx(spdx)
  if (spdx === null || parsed === null) return { ...base, spdx: null, kind: 'unknown' }
  const ids: string[] = []
  const { osi, kind } = evaluate(parsed, ids)
  return { declared, spdx, corrected: spdx !== declared, ids: [...new Set(ids)], osiApproved: osi, kind, file }
}
