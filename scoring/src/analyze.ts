// Version analysis: everything about one published version that can be read from its tarball and
// manifest, computed once and stored. Time-dependent judgement (freshness, popularity) is left to
// score.ts, which combines a stored analysis with the context at read time.
import semver from 'semver'
import { extractApi, type ApiInfo } from './api.ts'
import { extractCapabilities, type Capability } from './capabilities/extract.ts'
import { analyzeCode, analyzeInstallScripts, analyzeNative, type CodeInfo, type InstallScriptsInfo, type NativeInfo } from './code.ts'
import { exportsInfo, jsEntry, moduleFormat, typesEntry, type ExportsInfo, type ModuleFormat } from './entrypoints.ts'
import { analyzeLicense, type LicenseInfo } from './license.ts'
import { binEntries, isNonRegistrySpec, isRecord, repositoryUrl, stringField, stringList, stringMap, type Manifest } from './manifest.ts'
import { checkPackaging, skippedPackaging, type PackagingInfo, type PackagingOptions } from './packaging.ts'
import { analyzeReadme, type ReadmeInfo } from './readme.ts'
import { DEFAULT_TARBALL_LIMITS, readTarball, TarballError, type TarballContents, type TarEntryInfo, type TarballErrorCode, type TarballLimits, type TarballProblem } from './tarball.ts'

/** Bump when the analyzer's output changes meaning, so stored analyses are recomputed. */
export const ANALYSIS_VERSION = 2

/** Limits for analysis: tighter than the reader's defaults, sized for the 50 MB publish cap. */
export const ANALYSIS_LIMITS: TarballLimits = { ...DEFAULT_TARBALL_LIMITS, maxUnpackedBytes: 256 * 1024 * 1024, maxBufferedBytes: 40 * 1024 * 1024 }

/** Per-kind budgets for the file contents the analysis reads (the rest is only listed). */
const READ_BUDGET = { js: 24 * 1024 * 1024, jsFile: 2 * 1024 * 1024, declarations: 8 * 1024 * 1024, text: 1024 * 1024, nestedManifest: 64 * 1024 }

export interface FileEntry {
  path: string
  size: number
}

export interface FilesInfo {
  count: number
  unpackedSize: number
  tarballSize: number
  /** The ten largest files. */
  largest: FileEntry[]
  /** Every file, in archive order, up to 1,000 (see `listTruncated`). */
  list: FileEntry[]
  listTruncated: boolean
  /** `files` allow-list in package.json or an `.npmignore` shipped. */
  hasFilesField: boolean
  hasShrinkwrap: boolean
  securityPolicy: boolean
}

export interface TypesInfo {
  /** `bundled`: the package ships declarations; `types-dependency`: it depends on `@types/<itself>`. */
  kind: 'bundled' | 'types-dependency' | 'none'
  entry: string | null
  declarationFiles: number
  /** `types`/`typings` field, if any. */
  typesField: string | null
  exportsTypesCondition: boolean
}

export interface TestsInfo {
  /** `scripts.test` other than npm's placeholder. */
  testScript: boolean
  testFiles: number
  frameworks: string[]
}

export interface ChangelogInfo {
  file: string | null
  /** The changelog mentions this version. */
  mentionsVersion: boolean
}

export interface ModuleInfo {
  format: ModuleFormat
  type: 'module' | 'commonjs'
  main: string | null
  module: string | null
  exports: ExportsInfo
  /** package.json `sideEffects` as declared (`null` when absent). */
  sideEffects: boolean | string[] | null
  engines: { node: string | null; validRange: boolean }
}

export interface DependenciesInfo {
  /** Production dependencies (names, sorted). */
  names: string[]
  count: number
  optional: string[]
  peer: string[]
  devCount: number
  bundled: string[]
  /** Dependencies whose range has no upper bound (`*`, `latest`, `>=1`). */
  unbounded: string[]
  /** git, http(s), file or link specifiers. */
  nonRegistry: string[]
  /** Dependencies the caller reported as deprecated. */
  deprecated: string[]
}

export interface MetadataInfo {
  description: string | null
  keywords: string[]
  homepage: string | null
  repository: string | null
  bugs: boolean
  author: boolean
  bin: string[]
  funding: boolean
}

export interface ManifestConsistency {
  /** Whether a registry manifest was given to compare against the tarball's package.json. */
  checked: boolean
  /** Fields that differ between the registry manifest and the tarball's package.json. */
  mismatches: string[]
}

export interface VersionAnalysis {
  status: 'ok'
  analysisVersion: number
  name: string
  version: string
  files: FilesInfo
  /** Unsafe or unusual archive entries (symlinks, traversal, duplicates, ...); listed, never extracted. */
  tarballProblems: TarballProblem[]
  readme: ReadmeInfo
  license: LicenseInfo
  types: TypesInfo
  tests: TestsInfo
  ci: string[]
  changelog: ChangelogInfo
  module: ModuleInfo
  installScripts: InstallScriptsInfo
  native: NativeInfo
  code: CodeInfo
  dependencies: DependenciesInfo
  api: ApiInfo
  packaging: PackagingInfo
  metadata: MetadataInfo
  manifest: ManifestConsistency
  capabilities: Capability[]
}

/** The archive could not be analysed; the reason is typed so it can be stored and shown. */
export interface RejectedAnalysis {
  status: 'rejected'
  analysisVersion: number
  name: string | null
  version: string | null
  reason: TarballErrorCode | 'NO_MANIFEST'
  message: string
}

export type AnalysisResult = VersionAnalysis | RejectedAnalysis

export interface AnalyzeOptions {
  /** The registry's version document; defaults to the tarball's package.json. */
  manifest?: Manifest
  /** Names of dependencies whose resolved version is deprecated (the caller knows; this package does not look). */
  deprecatedDependencies?: Iterable<string>
  /** Which packaging checkers to run (publint on, attw off by default). */
  checks?: PackagingOptions
  limits?: Partial<TarballLimits>
}

const TEST_FRAMEWORKS = ['mocha', 'jest', 'vitest', 'ava', 'tap', 'tape', 'jasmine', 'uvu', 'node:test', 'borp', 'lab', '@hapi/lab', 'qunit', 'karma', 'playwright', '@playwright/test', 'cypress', 'c8', 'nyc', 'tsd', 'xo', 'brittle']
const NPM_TEST_PLACEHOLDER = /no test specified/
const TEST_PATH = /(^|\/)(test|tests|__tests__|spec|specs)\/|\.(test|spec)\.[cm]?[jt]sx?$/
const CI_PATH = /^(\.github\/workflows\/.+|\.travis\.yml|\.gitlab-ci\.yml|\.circleci\/config\.yml|appveyor\.yml|\.appveyor\.yml|azure-pipelines\.yml|\.drone\.yml|Jenkinsfile|bitbucket-pipelines\.yml|\.buildkite\/.+)$/
const README = /^readme(\.(md|markdown|mdown|txt|rst))?$/i
const CHANGELOG = /^(changelog|changes|history|news|releases?)(\.(md|markdown|txt|rst))?$/i
/** Archive problems worth recording (reading limits such as `file-too-large-to-read` are not). */
const RECORDED_PROBLEMS = new Set(['absolute-path', 'parent-traversal', 'symlink', 'hardlink', 'non-utf8-name', 'special-file', 'duplicate-path'])
const MAX_LISTED_FILES = 1_000
const MAX_CHECKED_UNPACKED_BYTES = 10 * 1024 * 1024
const MAX_CHECKED_FILES = 1_000
const decoder = new TextDecoder()

/** `@scope/name` → `@types/scope__name`, `name` → `@types/name`. */
export function typesPackageName(name: string): string {
  return `@types/${name.startsWith('@') ? name.slice(1).replace('/', '__') : name}`
}

function isUnbounded(range: string): boolean {
  const trimmed = range.trim()
  if (trimmed === '' || trimmed === '*' || trimmed === 'latest' || trimmed === 'x') return true
  const valid = semver.validRange(trimmed)
  return valid !== null && semver.satisfies('1000000.0.0', valid)
}

function analyzeDependencies(manifest: Manifest, deprecated: ReadonlySet<string>): DependenciesInfo {
  const dependencies = stringMap(manifest.dependencies)
  const optional = stringMap(manifest.optionalDependencies)
  const all = { ...dependencies, ...optional }
  const names = Object.keys(all).sort()
  const bundledField = manifest.bundleDependencies ?? manifest.bundledDependencies
  return {
    names,
    count: names.length,
    optional: Object.keys(optional).sort(),
    peer: Object.keys(stringMap(manifest.peerDependencies)).sort(),
    devCount: Object.keys(stringMap(manifest.devDependencies)).length,
    bundled: bundledField === true ? names : stringList(bundledField),
    unbounded: names.filter((name) => isUnbounded(all[name] as string) && !isNonRegistrySpec(all[name] as string)),
    nonRegistry: names.filter((name) => isNonRegistrySpec(all[name] as string)),
    deprecated: names.filter((name) => deprecated.has(name)),
  }
}

/** Fields whose disagreement between registry manifest and tarball changes what an install does. */
function compareManifests(registry: Manifest | undefined, tarball: Manifest): ManifestConsistency {
  if (!registry) return { checked: false, mismatches: [] }
  const mismatches: string[] = []
  for (const field of ['name', 'version']) if (registry[field] !== tarball[field]) mismatches.push(field)
  const same = (a: Record<string, string>, b: Record<string, string>) => {
    const keys = Object.keys(a)
    return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key])
  }
  for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies', 'bin']) {
    const read = field === 'bin' ? binEntries : (manifest: Manifest) => stringMap(manifest[field])
    if (!same(read(registry), read(tarball))) mismatches.push(field)
  }
  const lifecycle = (manifest: Manifest) => {
    const scripts = stringMap(manifest.scripts)
    return Object.fromEntries(['preinstall', 'install', 'postinstall'].filter((name) => scripts[name] !== undefined).map((name) => [name, scripts[name] as string]))
  }
  if (!same(lifecycle(registry), lifecycle(tarball))) mismatches.push('scripts')
  return { checked: true, mismatches }
}

function rejected(reason: RejectedAnalysis['reason'], message: string, manifest?: Manifest): RejectedAnalysis {
  return { status: 'rejected', analysisVersion: ANALYSIS_VERSION, name: manifest ? stringField(manifest, 'name') : null, version: manifest ? stringField(manifest, 'version') : null, reason, message }
}

/** Decides what to buffer while the archive streams past, within READ_BUDGET per kind. */
function fileSelector(): (path: string, size: number) => boolean {
  const used = { js: 0, declarations: 0, nestedManifests: 0 }
  return (path, size) => {
    if (path === 'package.json') return true
    const root = !path.includes('/')
    if (root && (README.test(path) || CHANGELOG.test(path))) return size <= READ_BUDGET.text
    if (/\.d\.[cm]?ts$/.test(path)) {
      if (used.declarations + size > READ_BUDGET.declarations) return false
      used.declarations += size
      return true
    }
    if (/\.[cm]?js$/.test(path)) {
      if (size > READ_BUDGET.jsFile || used.js + size > READ_BUDGET.js) return false
      used.js += size
      return true
    }
    if (path.endsWith('/package.json') && size <= READ_BUDGET.nestedManifest && used.nestedManifests < 100) {
      used.nestedManifests++
      return true
    }
    return false
  }
}

function parseJsonObject(bytes: Uint8Array | undefined): Manifest | null {
  if (!bytes) return null
  try {
    const parsed: unknown = JSON.parse(decoder.decode(bytes))
    return isRecord(parsed) ? parsed : null
  } catch {
    return null
  }
}

function filesInfo(contents: TarballContents, entries: readonly TarEntryInfo[], tarballSize: number, manifest: Manifest, paths: readonly string[]): FilesInfo {
  const files = entries.map((entry) => ({ path: entry.path, size: entry.size }))
  return {
    count: files.length,
    unpackedSize: contents.unpackedSize,
    tarballSize,
    largest: [...files].sort((a, b) => b.size - a.size).slice(0, 10),
    list: files.slice(0, MAX_LISTED_FILES),
    listTruncated: files.length > MAX_LISTED_FILES,
    hasFilesField: stringList(manifest.files).length > 0 || paths.includes('.npmignore'),
    hasShrinkwrap: paths.includes('npm-shrinkwrap.json'),
    securityPolicy: paths.some((path) => /^security(\.(md|txt))?$/i.test(path)),
  }
}

/**
 * Analyses one published version. Never throws on bad input: an archive the bounded reader refuses
 * (bomb, truncation, too many entries, timeout) or one without a usable package.json yields a
 * `RejectedAnalysis` with the reason.
 */
export async function analyzeVersion(tarball: Uint8Array, options: AnalyzeOptions = {}): Promise<AnalysisResult> {
  let contents: TarballContents
  try {
    contents = await readTarball(tarball, { limits: { ...ANALYSIS_LIMITS, ...options.limits }, select: fileSelector() })
  } catch (error) {
    if (error instanceof TarballError) return rejected(error.code, error.message, options.manifest)
    throw error
  }
  const packageJson = parseJsonObject(contents.files.get('package.json'))
  if (!packageJson && !options.manifest) return rejected('NO_MANIFEST', 'the archive has no readable package.json at its root', options.manifest)
  const manifest: Manifest = options.manifest ?? (packageJson as Manifest)
  const name = stringField(manifest, 'name') ?? ''
  const version = stringField(manifest, 'version') ?? ''
  const entries = contents.entries.filter((entry) => entry.type === 'file' && !entry.problems)
  const paths = entries.map((entry) => entry.path)
  const pathSet = new Set(paths)
  const rootFiles = paths.filter((path) => !path.includes('/'))

  const nestedTypes = new Map<string, string>()
  for (const [path, bytes] of contents.files) {
    if (!path.endsWith('/package.json')) continue
    const nested = parseJsonObject(bytes)
    if (typeof nested?.type === 'string') nestedTypes.set(path.slice(0, -'/package.json'.length), nested.type)
  }

  const readmeFile = rootFiles.filter((path) => README.test(path)).sort((a, b) => Number(/\.md$/i.test(b)) - Number(/\.md$/i.test(a)))[0] ?? null
  const readmeBytes = readmeFile ? contents.files.get(readmeFile) : undefined
  const manifestReadme = stringField(manifest, 'readme')
  const readme = readmeBytes
    ? analyzeReadme(decoder.decode(readmeBytes), name, { source: 'file', file: readmeFile })
    : analyzeReadme(manifestReadme, name, manifestReadme ? { source: 'manifest', file: null } : null)

  const changelogFile = rootFiles.find((path) => CHANGELOG.test(path)) ?? null
  const changelogBytes = changelogFile ? contents.files.get(changelogFile) : undefined
  const changelog: ChangelogInfo = { file: changelogFile, mentionsVersion: changelogBytes !== undefined && version !== '' && decoder.decode(changelogBytes).includes(version) }

  const declarationFiles = paths.filter((path) => /\.d\.[cm]?ts$/.test(path)).length
  const typesFile = typesEntry(manifest, pathSet)
  const exportsSummary = exportsInfo(manifest)
  const dependencies = analyzeDependencies(manifest, new Set(options.deprecatedDependencies ?? []))
  const ownTypesPackage = typesPackageName(name)
  const types: TypesInfo = {
    kind: typesFile ? 'bundled' : ownTypesPackage in stringMap(manifest.dependencies) ? 'types-dependency' : 'none',
    entry: typesFile,
    declarationFiles,
    typesField: stringField(manifest, 'types') ?? stringField(manifest, 'typings'),
    exportsTypesCondition: exportsSummary.typesCondition,
  }

  const scripts = stringMap(manifest.scripts)
  const devDependencies = stringMap(manifest.devDependencies)
  const tests: TestsInfo = {
    testScript: scripts.test !== undefined && scripts.test.trim() !== '' && !NPM_TEST_PLACEHOLDER.test(scripts.test),
    testFiles: paths.filter((path) => TEST_PATH.test(path)).length,
    frameworks: TEST_FRAMEWORKS.filter((framework) => framework in devDependencies || (scripts.test ?? '').split(/\s+/).includes(framework)),
  }

  const enginesNode = isRecord(manifest.engines) && typeof manifest.engines.node === 'string' ? manifest.engines.node : null
  const sideEffects = typeof manifest.sideEffects === 'boolean' ? manifest.sideEffects : Array.isArray(manifest.sideEffects) ? stringList(manifest.sideEffects) : null
  const moduleInfo: ModuleInfo = {
    format: moduleFormat(manifest, pathSet, nestedTypes),
    type: manifest.type === 'module' ? 'module' : 'commonjs',
    main: stringField(manifest, 'main'),
    module: stringField(manifest, 'module'),
    exports: exportsSummary,
    sideEffects,
    engines: { node: enginesNode, validRange: enginesNode !== null && semver.validRange(enginesNode) !== null },
  }

  const api = await extractApi(contents.files, typesFile, jsEntry(manifest, pathSet))
  // The checkers hold the whole unpacked package in memory and publint's cost grows with the file
  // count and size (seconds for date-fns' 5,000 files, 0.6 s for typescript's 22 MB); beyond these
  // bounds they are skipped, with the reason (docs/benchmarks.md).
  const packaging =
    contents.unpackedSize > MAX_CHECKED_UNPACKED_BYTES
      ? skippedPackaging(`unpacked size above ${MAX_CHECKED_UNPACKED_BYTES} bytes`)
      : entries.length > MAX_CHECKED_FILES
        ? skippedPackaging(`more than ${MAX_CHECKED_FILES} files: beyond the analysis time budget`)
        : await checkPackaging(tarball, options.checks ?? {})
  const bin = Object.keys(binEntries(manifest)).sort()
  const metadata: MetadataInfo = {
    description: stringField(manifest, 'description'),
    keywords: stringList(manifest.keywords).slice(0, 50),
    homepage: stringField(manifest, 'homepage'),
    repository: repositoryUrl(manifest),
    bugs: manifest.bugs !== undefined,
    author: manifest.author !== undefined || Array.isArray(manifest.maintainers),
    bin,
    funding: manifest.funding !== undefined,
  }
  const capabilities = extractCapabilities({
    name,
    description: metadata.description,
    keywords: metadata.keywords,
    readmeHeadings: readme.headings,
    readmeSummary: readme.summary,
    apiNames: api.names,
    bin,
    peerDependencies: dependencies.peer,
  })

  return {
    status: 'ok',
    analysisVersion: ANALYSIS_VERSION,
    name,
    version,
    files: filesInfo(contents, entries, tarball.byteLength, manifest, paths),
    tarballProblems: contents.problems.filter((problem) => RECORDED_PROBLEMS.has(problem.kind)).slice(0, 100),
    readme,
    license: analyzeLicense(manifest, rootFiles),
    types,
    tests,
    ci: paths.filter((path) => CI_PATH.test(path)).slice(0, 20),
    changelog,
    module: moduleInfo,
    installScripts: analyzeInstallScripts(manifest, paths, contents.files),
    native: analyzeNative(manifest, paths),
    code: analyzeCode(contents.files, paths.filter((path) => /\.[cm]?js$/.test(path)).length),
    dependencies,
    api,
    packaging,
    metadata,
    manifest: compareManifests(options.manifest, packageJson ?? {}),
    capabilities,
  }
}

