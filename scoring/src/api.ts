// Exported API names of a package's root entry: from its declaration files when it ships types
// (parsed with the TypeScript compiler's parser, following `export *` re-exports inside the
// tarball), otherwise from the JavaScript entry with es-module-lexer / cjs-module-lexer.
import { init as initCjsLexer, parse as parseCjs } from 'cjs-module-lexer'
import { init as initEsmLexer, parse as parseEsm } from 'es-module-lexer'
import ts from 'typescript'
import { DeclarationReader, type ApiDeclaration } from './declarations.ts'

export interface ApiInfo {
  source: 'types' | 'esm' | 'cjs' | 'none'
  /** The file the names were read from (the root entry). */
  entry: string | null
  /** Exported names, sorted, at most `MAX_API_NAMES`. */
  names: string[]
  truncated: boolean
  /** Kind, signature and JSDoc summary of the exported names, from the declaration files (empty without types). */
  declarations: ApiDeclaration[]
}

export const MAX_API_NAMES = 400
const MAX_FOLLOWED_FILES = 60

const lexersReady = Promise.all([initEsmLexer(), initCjsLexer()])

const decoder = new TextDecoder()

function dirname(path: string): string {
  const at = path.lastIndexOf('/')
  return at < 0 ? '' : path.slice(0, at)
}

/** Joins a relative specifier onto a directory, refusing to climb above the package root. */
function joinRelative(dir: string, specifier: string): string | null {
  const parts = dir === '' ? [] : dir.split('/')
  for (const part of specifier.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') {
      if (parts.length === 0) return null
      parts.pop()
    } else parts.push(part)
  }
  return parts.join('/')
}

export function resolveRelative(from: string, specifier: string, files: ReadonlyMap<string, Uint8Array>, extensions: readonly string[]): string | null {
  if (!specifier.startsWith('.')) return null
  const base = joinRelative(dirname(from), specifier)
  if (base === null) return null
  const stem = base.replace(/\.([cm]?)js$/, '')
  const candidates = [base, ...extensions.map((ext) => stem + ext), ...extensions.map((ext) => `${base}/index${ext}`)]
  return candidates.find((candidate) => files.has(candidate)) ?? null
}

const hasModifier = (node: ts.Node, kind: ts.SyntaxKind) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === kind)

/** Names a block of statements exports; `export *` targets are returned for the caller to follow. */
function collectStatements(statements: ts.NodeArray<ts.Statement>, names: Set<string>, follow: string[]): void {
  const namespaces = new Map<string, ts.ModuleDeclaration>()
  let exportEquals: string | null = null
  for (const statement of statements) {
    if (ts.isModuleDeclaration(statement) && ts.isIdentifier(statement.name)) namespaces.set(statement.name.text, statement)
    if (ts.isModuleDeclaration(statement) && ts.isStringLiteral(statement.name) && statement.body && ts.isModuleBlock(statement.body)) {
      // `declare module "pkg" { ... }`: the ambient module is the package's API.
      collectStatements(statement.body.statements, names, follow)
      continue
    }
    if (ts.isExportAssignment(statement)) {
      if (statement.isExportEquals && ts.isIdentifier(statement.expression)) exportEquals = statement.expression.text
      else names.add('default')
      continue
    }
    if (ts.isExportDeclaration(statement)) {
      const clause = statement.exportClause
      if (!clause) {
        if (statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) follow.push(statement.moduleSpecifier.text)
      } else if (ts.isNamedExports(clause)) {
        for (const element of clause.elements) names.add(element.name.text)
      } else names.add(clause.name.text)
      continue
    }
    if (!hasModifier(statement, ts.SyntaxKind.ExportKeyword)) continue
    if (hasModifier(statement, ts.SyntaxKind.DefaultKeyword)) {
      names.add('default')
      continue
    }
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text)
    } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) && statement.name && ts.isIdentifier(statement.name)) {
      names.add(statement.name.text)
    }
  }
  // `export = X`: X itself is the module; its namespace members are what callers use.
  if (exportEquals !== null) {
    const namespace = namespaces.get(exportEquals)
    if (namespace?.body && ts.isModuleBlock(namespace.body)) {
      for (const statement of namespace.body.statements) {
        if (ts.isVariableStatement(statement)) {
          for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text)
        } else if ('name' in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) names.add((statement.name as ts.Identifier).text)
      }
    }
    if (names.size === 0) names.add(exportEquals)
  }
}

/**
 * Collects exported names from `entry` and the files it re-exports wholesale (within the tarball,
 * at most MAX_FOLLOWED_FILES). `read` returns a file's names and the specifiers it re-exports; when
 * it throws on the entry itself the result is null (not this kind of module), later files are skipped.
 */
function followExports(entry: string, files: ReadonlyMap<string, Uint8Array>, extensions: readonly string[], read: (path: string, text: string) => { names: Iterable<string>; follow: Iterable<string> }): Set<string> | null {
  const names = new Set<string>()
  const queue = [entry]
  const visited = new Set<string>()
  while (queue.length > 0 && visited.size < MAX_FOLLOWED_FILES) {
    const path = queue.shift() as string
    if (visited.has(path)) continue
    visited.add(path)
    const bytes = files.get(path)
    if (!bytes) continue
    let found: ReturnType<typeof read>
    try {
      found = read(path, decoder.decode(bytes))
    } catch {
      if (path === entry) return null
      continue
    }
    for (const name of found.names) names.add(name)
    for (const specifier of found.follow) {
      const target = resolveRelative(path, specifier, files, extensions)
      if (target) queue.push(target)
    }
  }
  return names
}

const declarationNames = (entry: string, files: ReadonlyMap<string, Uint8Array>) =>
  followExports(entry, files, ['.d.ts', '.d.mts', '.d.cts', '.ts'], (path, text) => {
    const names = new Set<string>()
    const follow: string[] = []
    collectStatements(ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS).statements, names, follow)
    return { names, follow }
  })

const esmNames = (entry: string, files: ReadonlyMap<string, Uint8Array>) =>
  followExports(entry, files, ['.js', '.mjs'], (path, text) => {
    const [, exports] = parseEsm(text, path)
    return {
      names: exports.flatMap((item) => (item.type === 'reexport-all' ? [] : [item.name])),
      follow: exports.flatMap((item) => (item.type === 'reexport-all' ? [item.from] : [])),
    }
  })

const cjsNames = (entry: string, files: ReadonlyMap<string, Uint8Array>) =>
  followExports(entry, files, ['.js', '.cjs'], (path, text) => {
    const { exports, reexports } = parseCjs(text, path)
    return { names: exports.filter((name) => name !== '__esModule'), follow: reexports }
  })

function finish(source: ApiInfo['source'], entry: string, names: Set<string>, files?: ReadonlyMap<string, Uint8Array>): ApiInfo {
  const sorted = [...names].filter((name) => name.length <= 120).sort()
  const kept = sorted.slice(0, MAX_API_NAMES)
  const declarations = files ? new DeclarationReader(files).read(entry, kept) : []
  return { source, entry, names: kept, truncated: sorted.length > MAX_API_NAMES, declarations }
}

/**
 * Reads the exported names of the root entry. `files` must hold the entry files' contents (and the
 * files they re-export); `typesEntry`/`jsEntry` come from entrypoints.ts.
 */
export async function extractApi(files: ReadonlyMap<string, Uint8Array>, typesEntry: string | null, jsEntry: string | null): Promise<ApiInfo> {
  if (typesEntry && files.has(typesEntry)) {
    const names = declarationNames(typesEntry, files)
    if (names && names.size > 0) return finish('types', typesEntry, names, files)
  }
  if (jsEntry && files.has(jsEntry) && !jsEntry.endsWith('.json')) {
    await lexersReady
    const esm = jsEntry.endsWith('.cjs') ? null : esmNames(jsEntry, files)
    if (esm && esm.size > 0) return finish('esm', jsEntry, esm)
    const cjs = cjsNames(jsEntry, files)
    if (cjs && cjs.size > 0) return finish('cjs', jsEntry, cjs)
  }
  return { source: 'none', entry: null, names: [], truncated: false, declarations: [] }
}
