// What a package exposes: the `exports` map flattened to (subpath, conditions, target) triples,
// the files its entry points resolve to, and whether they are ES modules, CommonJS or both.
import { isRecord, packagePath, stringField, type Manifest } from './manifest.ts'

export interface ExportTarget {
  subpath: string
  conditions: string[]
  target: string
}

export type ModuleFormat = 'esm' | 'cjs' | 'dual' | 'none'

export interface ExportsInfo {
  present: boolean
  subpaths: string[]
  conditions: string[]
  /** A `types` condition appears somewhere in the map. */
  typesCondition: boolean
}

const MAX_TARGETS = 2_000

/** Flattens `exports` (string, array, condition object or subpath object) depth-first, in key order. */
export function exportTargets(exportsField: unknown): ExportTarget[] {
  const out: ExportTarget[] = []
  const visit = (value: unknown, subpath: string, conditions: string[]) => {
    if (out.length >= MAX_TARGETS || conditions.length > 8) return
    if (typeof value === 'string') out.push({ subpath, conditions, target: value })
    else if (Array.isArray(value)) for (const item of value) visit(item, subpath, conditions)
    else if (isRecord(value)) {
      for (const [key, item] of Object.entries(value)) {
        if (key.startsWith('.')) visit(item, key, conditions)
        else visit(item, subpath, [...conditions, key])
      }
    }
  }
  visit(exportsField, '.', [])
  return out
}

export function exportsInfo(manifest: Manifest): ExportsInfo {
  if (manifest.exports === undefined || manifest.exports === null) return { present: false, subpaths: [], conditions: [], typesCondition: false }
  const targets = exportTargets(manifest.exports)
  const conditions = new Set(targets.flatMap((target) => target.conditions))
  return {
    present: true,
    subpaths: [...new Set(targets.map((target) => target.subpath))].slice(0, 200),
    conditions: [...conditions].sort(),
    typesCondition: conditions.has('types') || targets.some((target) => /\.d\.[cm]?ts$/.test(target.target)),
  }
}

const isDeclaration = (path: string) => /\.d\.[cm]?ts$/.test(path)

/** Resolves a manifest path the way Node's legacy `main` lookup does (exact, +ext, /index). */
export function resolveFile(path: string, files: ReadonlySet<string>, extensions: readonly string[]): string | null {
  const base = packagePath(path)
  const candidates = [base, ...extensions.map((ext) => base + ext), ...extensions.map((ext) => `${base}/index${ext}`)]
  if (base === '') candidates.push(...extensions.map((ext) => `index${ext}`))
  return candidates.find((candidate) => files.has(candidate)) ?? null
}

const JS_EXTENSIONS = ['.js', '.mjs', '.cjs', '.json'] as const
const DTS_EXTENSIONS = ['.d.ts', '.d.mts', '.d.cts'] as const

/** The first candidate path that resolves to a file of the package. */
function firstResolved(candidates: ReadonlyArray<string | null>, files: ReadonlySet<string>, extensions: readonly string[]): string | null {
  for (const candidate of candidates) {
    const found = candidate === null ? null : resolveFile(candidate, files, extensions)
    if (found) return found
  }
  return null
}

/** The declaration file for the root entry: `exports["."]` types, `types`/`typings`, or beside `main`. */
export function typesEntry(manifest: Manifest, files: ReadonlySet<string>): string | null {
  const rootTypes = exportTargets(manifest.exports).filter((target) => target.subpath === '.' && (target.conditions.includes('types') || isDeclaration(target.target)))
  const beside = (jsEntry(manifest, files) ?? 'index.js').replace(/\.[cm]?js$/, '')
  return firstResolved([...rootTypes.map((target) => target.target), stringField(manifest, 'types'), stringField(manifest, 'typings'), beside], files, DTS_EXTENSIONS)
}

/** The JavaScript file for the root entry: `exports["."]` (import, then default, then require), `module`, `main`, `index.js`. */
export function jsEntry(manifest: Manifest, files: ReadonlySet<string>): string | null {
  const root = exportTargets(manifest.exports).filter((target) => target.subpath === '.' && !isDeclaration(target.target) && !target.conditions.includes('types'))
  const rank = (target: ExportTarget) => (target.conditions.includes('import') ? 0 : target.conditions.includes('require') ? 2 : 1)
  const ordered = [...root].sort((a, b) => rank(a) - rank(b)).map((target) => target.target)
  return firstResolved([...ordered, stringField(manifest, 'module'), stringField(manifest, 'main'), 'index'], files, JS_EXTENSIONS)
}

/**
 * Module format of the published entry points, by Node's rules: `.mjs` is ESM, `.cjs` CommonJS, `.js`
 * follows the nearest package.json `type`. A `module` field counts as ESM (bundlers read it).
 */
export function moduleFormat(manifest: Manifest, files: ReadonlySet<string>, nestedTypes: ReadonlyMap<string, string>): ModuleFormat {
  const formatOf = (path: string): 'esm' | 'cjs' | null => {
    if (path.endsWith('.mjs')) return 'esm'
    if (path.endsWith('.cjs')) return 'cjs'
    if (!path.endsWith('.js')) return null
    const parts = path.split('/')
    for (let depth = parts.length - 1; depth > 0; depth--) {
      const type = nestedTypes.get(parts.slice(0, depth).join('/'))
      if (type) return type === 'module' ? 'esm' : 'cjs'
    }
    return manifest.type === 'module' ? 'esm' : 'cjs'
  }
  const formats = new Set<'esm' | 'cjs'>()
  for (const target of exportTargets(manifest.exports)) {
    if (isDeclaration(target.target) || target.target.includes('*')) continue
    const format = formatOf(packagePath(target.target))
    if (format) formats.add(format)
  }
  const main = stringField(manifest, 'main')
  if (formats.size === 0) {
    const resolved = resolveFile(main ?? 'index', files, ['.js', '.mjs', '.cjs'])
    const format = resolved ? formatOf(resolved) : null
    if (format) formats.add(format)
  }
  if (stringField(manifest, 'module')) formats.add('esm')
  if (formats.has('esm') && formats.has('cjs')) return 'dual'
  return formats.has('esm') ? 'esm' : formats.has('cjs') ? 'cjs' : 'none'
}
