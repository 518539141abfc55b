// Signals read from the published JavaScript: minified and obfuscated files, Node built-ins the code
// reaches for (network, shell, eval), and what install scripts do. Line and pattern statistics, no
// execution; the thresholds were checked against the real-package corpus (docs/scoring.md).
import { binEntries, stringMap, type Manifest } from './manifest.ts'

export interface CodeInfo {
  /** JavaScript files in the package (.js/.mjs/.cjs), including unscanned ones. */
  jsFiles: number
  /** Files whose content was scanned (within the scan budget). */
  scannedFiles: number
  scannedBytes: number
  /** Non-empty lines in scanned files. */
  linesOfCode: number
  minifiedFiles: string[]
  obfuscatedFiles: string[]
  /** Node built-in modules required or imported by the scanned files, e.g. `http`, `child_process`. */
  builtins: string[]
  /** Files calling `eval(...)` or `new Function(...)`. */
  evalFiles: string[]
}

export type InstallRisk = 'none' | 'local-build' | 'prebuilt-download' | 'remote-code'

export interface InstallScriptsInfo {
  /** preinstall/install/postinstall as npm runs them for a registry dependency. */
  scripts: Record<string, string>
  /** `binding.gyp` without an install script: npm runs `node-gyp rebuild` implicitly. */
  implicitNodeGyp: boolean
  /**
   * What installing runs: nothing, a local build, a download of a prebuilt binary by a well-known
   * tool, or code fetched from the network (curl/wget/npx, or a script file using the network).
   */
  risk: InstallRisk
  evidence: string[]
}

export interface NativeInfo {
  bindingGyp: boolean
  /** Shipped compiled addons (`*.node`) and other executables. */
  binaries: string[]
  /** Dependencies that build or download native addons. */
  nativeDependencies: string[]
}

const LIFECYCLE = ['preinstall', 'install', 'postinstall'] as const
const NATIVE_TOOLS = ['node-gyp', 'node-gyp-build', 'prebuild-install', '@mapbox/node-pre-gyp', 'node-pre-gyp', 'nan', 'node-addon-api', 'cmake-js', 'bindings']
/** Tools whose job is downloading a prebuilt addon for the platform (with a local build as fallback). */
const PREBUILT_DOWNLOADERS = /\b(prebuild-install|node-pre-gyp|prebuildify-ci|napi-postinstall)\b/
/** Shell-level fetches or package-runner invocations that download and run code. */
const REMOTE_IN_SCRIPT = /\b(curl|wget|Invoke-WebRequest|iwr|bitsadmin|certutil)\b|https?:\/\/|\bnpx\s|\b(pnpm|yarn)\s+dlx\b|\bnpm\s+(i|install|exec)\b|\|\s*(ba|z)?sh\b/i
const NETWORK_IN_CODE = /\brequire\(\s*['"](node:)?(https?|net|tls|dgram|http2)['"]\s*\)|\bfrom\s+['"](node:)?(https?|net|tls|dgram|http2)['"]|\bfetch\s*\(|XMLHttpRequest|\bWebSocket\b/
const EXEC_IN_CODE = /\b(child_process|execSync|spawnSync|\beval\s*\(|new\s+Function\s*\()/
const BUILTIN_IMPORT = /(?:require\(\s*|from\s+|import\(\s*)['"](node:)?(assert|buffer|child_process|cluster|crypto|dgram|dns|events|fs|http|http2|https|net|os|path|perf_hooks|process|querystring|readline|stream|string_decoder|tls|tty|url|util|v8|vm|worker_threads|zlib)(?:\/[a-z]+)?['"]/g
const EVAL_CALL = /(?<![.\w$])eval\s*\(|\bnew\s+Function\s*\(/
const OBFUSCATOR_IDENTIFIER = /\b_0x[0-9a-f]{4,6}\b/g
/** A run of eight or more `\\xNN` escapes: a string spelled in hex, as obfuscators emit. */
const HEX_STRING = /(?:\\x[0-9a-f]{2}){8,}/gi

const MAX_REPORTED_FILES = 50

interface FileStats {
  minified: boolean
  obfuscated: boolean
  lines: number
}

/**
 * Minified: long average lines (bundlers put a whole module on a few lines). Obfuscated: the
 * signatures of javascript-obfuscator and friends — many `_0x` identifiers or many strings spelled
 * entirely in `\x` escapes — which ordinary minifiers never produce.
 */
function fileStats(text: string): FileStats {
  let lines = 0
  let longLines = 0
  let start = 0
  while (start <= text.length) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = text.length
    const length = end - start
    if (length > 0) lines++
    if (length > 500) longLines++
    start = end + 1
  }
  const size = text.length
  const minified = size > 2_000 && (size / Math.max(1, lines) > 250 || longLines / Math.max(1, lines) > 0.2)
  const obfuscatorIds = text.match(OBFUSCATOR_IDENTIFIER)?.length ?? 0
  const hexStrings = text.match(HEX_STRING)?.length ?? 0
  const obfuscated = obfuscatorIds >= 20 || hexStrings >= 10
  return { minified, obfuscated, lines }
}

const decoder = new TextDecoder()

/** Scans the buffered JavaScript files. `jsFiles` is the count of all JS files in the tarball. */
export function analyzeCode(files: ReadonlyMap<string, Uint8Array>, jsFiles: number): CodeInfo {
  const info: CodeInfo = { jsFiles, scannedFiles: 0, scannedBytes: 0, linesOfCode: 0, minifiedFiles: [], obfuscatedFiles: [], builtins: [], evalFiles: [] }
  const builtins = new Set<string>()
  for (const [path, bytes] of files) {
    if (!/\.[cm]?js$/.test(path)) continue
    const text = decoder.decode(bytes)
    info.scannedFiles++
    info.scannedBytes += bytes.byteLength
    const stats = fileStats(text)
    info.linesOfCode += stats.lines
    if (stats.minified && info.minifiedFiles.length < MAX_REPORTED_FILES) info.minifiedFiles.push(path)
    if (stats.obfuscated && info.obfuscatedFiles.length < MAX_REPORTED_FILES) info.obfuscatedFiles.push(path)
    if (EVAL_CALL.test(text) && info.evalFiles.length < MAX_REPORTED_FILES) info.evalFiles.push(path)
    for (const match of text.matchAll(BUILTIN_IMPORT)) builtins.add(match[2] as string)
  }
  info.builtins = [...builtins].sort()
  return info
}

export function analyzeNative(manifest: Manifest, paths: readonly string[]): NativeInfo {
  const dependencies = { ...stringMap(manifest.optionalDependencies), ...stringMap(manifest.dependencies) }
  return {
    bindingGyp: paths.includes('binding.gyp') && manifest.gypfile !== false,
    binaries: paths.filter((path) => /\.(node|exe|dll|so|dylib)$/i.test(path) || /\.so\.\d+$/.test(path)).slice(0, MAX_REPORTED_FILES),
    nativeDependencies: NATIVE_TOOLS.filter((tool) => tool in dependencies),
  }
}

/**
 * Classifies install-time behaviour. A script that runs `node file.js` is judged by what that file
 * does (network plus exec or eval → remote code); `files` must contain the referenced files.
 */
export function analyzeInstallScripts(manifest: Manifest, paths: readonly string[], files: ReadonlyMap<string, Uint8Array>): InstallScriptsInfo {
  const declared = stringMap(manifest.scripts)
  const scripts: Record<string, string> = {}
  for (const name of LIFECYCLE) if (declared[name] !== undefined) scripts[name] = declared[name]
  const implicitNodeGyp = paths.includes('binding.gyp') && manifest.gypfile !== false && scripts.install === undefined && scripts.preinstall === undefined
  const evidence: string[] = []
  const risks = new Set<InstallRisk>()
  const binNames = new Set(Object.keys(binEntries(manifest)))
  for (const [name, script] of Object.entries(scripts)) {
    if (REMOTE_IN_SCRIPT.test(script)) {
      risks.add('remote-code')
      evidence.push(`${name} script fetches from the network: ${script.slice(0, 200)}`)
      continue
    }
    if (PREBUILT_DOWNLOADERS.test(script)) {
      risks.add('prebuilt-download')
      evidence.push(`${name} script downloads a prebuilt binary: ${script.slice(0, 200)}`)
      continue
    }
    const referenced = [...script.matchAll(/(?:^|\s)(?:node\s+)?(\.?\/?[\w./-]+\.[cm]?js)\b/g)].map((match) => (match[1] as string).replace(/^\.\//, ''))
    let judged = false
    for (const path of referenced) {
      const bytes = files.get(path)
      if (!bytes) continue
      judged = true
      const text = decoder.decode(bytes)
      const network = NETWORK_IN_CODE.test(text)
      const exec = EXEC_IN_CODE.test(text)
      if (network && exec) {
        risks.add('remote-code')
        evidence.push(`${name} runs ${path}, which uses the network and executes code`)
      } else if (network) {
        risks.add('prebuilt-download')
        evidence.push(`${name} runs ${path}, which uses the network`)
      } else {
        risks.add('local-build')
        evidence.push(`${name} runs ${path} (no network access found)`)
      }
    }
    if (!judged) {
      risks.add('local-build')
      const ownBin = [...binNames].some((bin) => script.includes(bin))
      evidence.push(`${name} script runs: ${script.slice(0, 200)}${ownBin ? ' (the package’s own bin)' : ''}`)
    }
  }
  if (implicitNodeGyp) {
    risks.add('local-build')
    evidence.push('binding.gyp without an install script: npm runs `node-gyp rebuild`')
  }
  const order: InstallRisk[] = ['remote-code', 'prebuilt-download', 'local-build']
  return { scripts, implicitNodeGyp, risk: order.find((risk) => risks.has(risk)) ?? 'none', evidence }
}
