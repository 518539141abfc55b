// Signatures of a package's exported API, read from its declaration files: for each exported name,
// what it is (function, class, ...), its signature as written in the `.d.ts` (bodies and modifiers
// removed, whitespace collapsed) and the first sentence of its JSDoc. The names themselves come from
// api.ts; this follows `export { a as b } from`, `export *`, imports and `export =` namespaces to the
// declaration each name stands for. Bounded in files, items and characters.
import ts from 'typescript'
import { resolveRelative } from './api.ts'

export type DeclarationKind = 'function' | 'class' | 'interface' | 'type' | 'enum' | 'variable' | 'namespace'

export interface ApiDeclaration {
  name: string
  kind: DeclarationKind
  /** As declared, e.g. `function sign(payload: object, secret: string): string`; overloads on separate lines. */
  signature: string
  /** First sentence of the JSDoc comment, if any. */
  summary: string | null
}

export const MAX_DECLARATIONS = 200
export const MAX_SIGNATURE_CHARS = 400
const MAX_SUMMARY_CHARS = 200
const MAX_OVERLOADS = 3
const MAX_MEMBERS = 12
const MAX_FILES = 60
const DECLARATION_EXTENSIONS = ['.d.ts', '.d.mts', '.d.cts']

type Reference = { kind: 'local'; name: string } | { kind: 'module'; specifier: string; name: string }

interface FileSymbols {
  source: ts.SourceFile
  /** Every named declaration in the file (exported or not), by name; several for overloads and merges. */
  locals: Map<string, ts.Node[]>
  /** Exported name → what it refers to. */
  exports: Map<string, Reference>
  /** `import { a as b } from './x'`: local name → where it comes from. */
  imports: Map<string, { specifier: string; name: string }>
  /** `export * from` targets. */
  stars: string[]
}

const decoder = new TextDecoder()

const hasModifier = (node: ts.Node, kind: ts.SyntaxKind) => ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((modifier) => modifier.kind === kind)

function declarationName(statement: ts.Statement): string | null {
  if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement) || ts.isInterfaceDeclaration(statement) || ts.isTypeAliasDeclaration(statement) || ts.isEnumDeclaration(statement) || ts.isModuleDeclaration(statement)) && statement.name && ts.isIdentifier(statement.name)) {
    return statement.name.text
  }
  return null
}

function addLocal(locals: Map<string, ts.Node[]>, name: string, node: ts.Node): void {
  const list = locals.get(name)
  if (list) list.push(node)
  else locals.set(name, [node])
}

/** Indexes one block of statements (a file, or the body of `declare module "x"` / an `export =` namespace). */
function indexStatements(statements: ts.NodeArray<ts.Statement>, symbols: FileSymbols): void {
  let exportEquals: string | null = null
  for (const statement of statements) {
    if (ts.isModuleDeclaration(statement) && ts.isStringLiteral(statement.name) && statement.body && ts.isModuleBlock(statement.body)) {
      indexStatements(statement.body.statements, symbols)
      continue
    }
    if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.importClause?.namedBindings && ts.isNamedImports(statement.importClause.namedBindings)) {
      for (const element of statement.importClause.namedBindings.elements) {
        symbols.imports.set(element.name.text, { specifier: statement.moduleSpecifier.text, name: (element.propertyName ?? element.name).text })
      }
      continue
    }
    if (ts.isExportAssignment(statement)) {
      if (statement.isExportEquals && ts.isIdentifier(statement.expression)) exportEquals = statement.expression.text
      else if (ts.isIdentifier(statement.expression)) symbols.exports.set('default', { kind: 'local', name: statement.expression.text })
      continue
    }
    if (ts.isExportDeclaration(statement)) {
      const from = statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier) ? statement.moduleSpecifier.text : null
      const clause = statement.exportClause
      if (!clause) {
        if (from) symbols.stars.push(from)
      } else if (ts.isNamedExports(clause)) {
        for (const element of clause.elements) {
          const original = (element.propertyName ?? element.name).text
          symbols.exports.set(element.name.text, from ? { kind: 'module', specifier: from, name: original } : { kind: 'local', name: original })
        }
      }
      continue
    }
    const exported = hasModifier(statement, ts.SyntaxKind.ExportKeyword)
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (!ts.isIdentifier(declaration.name)) continue
        addLocal(symbols.locals, declaration.name.text, declaration)
        if (exported) symbols.exports.set(declaration.name.text, { kind: 'local', name: declaration.name.text })
      }
      continue
    }
    const name = declarationName(statement)
    if (name === null) continue
    addLocal(symbols.locals, name, statement)
    if (exported) symbols.exports.set(hasModifier(statement, ts.SyntaxKind.DefaultKeyword) ? 'default' : name, { kind: 'local', name })
  }
  // `export = X`: the members of namespace X are the module's exports (as api.ts reads them).
  if (exportEquals !== null) {
    for (const node of symbols.locals.get(exportEquals) ?? []) {
      if (!ts.isModuleDeclaration(node) || !node.body || !ts.isModuleBlock(node.body)) continue
      const inner: FileSymbols = { source: symbols.source, locals: new Map(), exports: new Map(), imports: symbols.imports, stars: [] }
      for (const statement of node.body.statements) {
        const memberNames = ts.isVariableStatement(statement) ? statement.declarationList.declarations.flatMap((d) => (ts.isIdentifier(d.name) ? [d.name.text] : [])) : [declarationName(statement)].filter((n): n is string => n !== null)
        for (const memberName of memberNames) {
          const target = ts.isVariableStatement(statement) ? statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === memberName) : statement
          if (target) addLocal(inner.locals, memberName, target)
          symbols.exports.set(memberName, { kind: 'local', name: `${exportEquals}.${memberName}` })
        }
      }
      for (const [memberName, nodes] of inner.locals) for (const member of nodes) addLocal(symbols.locals, `${exportEquals}.${memberName}`, member)
    }
    if (!symbols.exports.size) symbols.exports.set(exportEquals, { kind: 'local', name: exportEquals })
  }
}

const collapse = (text: string) => text.replace(/\s+/g, ' ').trim()

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`
}

/** Source text of `node` without modifiers (export, declare, default), whitespace collapsed. */
function headText(node: ts.Node, source: ts.SourceFile): string {
  return collapse(node.getText(source))
    .replace(/^(?:(?:export|declare|default|public|abstract)\s+)+/, '')
    .replace(/;$/, '')
}

function isPublicMember(member: ts.ClassElement | ts.TypeElement): boolean {
  if (hasModifier(member, ts.SyntaxKind.PrivateKeyword) || hasModifier(member, ts.SyntaxKind.ProtectedKeyword)) return false
  return !(member.name && ts.isPrivateIdentifier(member.name))
}

/** `class X<T> extends Y { a(): void; b: string; … }`: the head and the public members. */
function withMembers(node: ts.ClassDeclaration | ts.InterfaceDeclaration | ts.EnumDeclaration, source: ts.SourceFile, separator: string): string {
  const openBrace = source.text.indexOf('{', node.name ? node.name.getEnd() : node.getStart(source))
  const head = collapse(source.text.slice(node.getStart(source), openBrace)).replace(/^(?:(?:export|declare|default|abstract)\s+)+/, '')
  const members = (node.members as ts.NodeArray<ts.ClassElement | ts.TypeElement | ts.EnumMember>).filter((member) => ts.isEnumMember(member) || isPublicMember(member as ts.ClassElement))
  const shown = members.slice(0, MAX_MEMBERS).map((member) => headText(member, source))
  if (members.length > MAX_MEMBERS) shown.push(`… ${members.length - MAX_MEMBERS} more`)
  return shown.length === 0 ? `${head} {}` : `${head} { ${shown.join(separator)} }`
}

function kindOf(node: ts.Node): DeclarationKind | null {
  if (ts.isFunctionDeclaration(node)) return 'function'
  if (ts.isClassDeclaration(node)) return 'class'
  if (ts.isInterfaceDeclaration(node)) return 'interface'
  if (ts.isTypeAliasDeclaration(node)) return 'type'
  if (ts.isEnumDeclaration(node)) return 'enum'
  if (ts.isVariableDeclaration(node)) return 'variable'
  if (ts.isModuleDeclaration(node)) return 'namespace'
  return null
}

function signatureOf(node: ts.Node, source: ts.SourceFile): string {
  if (ts.isClassDeclaration(node) || ts.isInterfaceDeclaration(node)) return withMembers(node, source, '; ')
  if (ts.isEnumDeclaration(node)) return withMembers(node, source, ', ')
  if (ts.isVariableDeclaration(node)) {
    const list = node.parent as ts.VariableDeclarationList
    const keyword = list.flags & ts.NodeFlags.Const ? 'const' : list.flags & ts.NodeFlags.Let ? 'let' : 'var'
    return `${keyword} ${collapse(node.getText(source))}`
  }
  if (ts.isModuleDeclaration(node)) {
    const members = node.body && ts.isModuleBlock(node.body) ? node.body.statements.map((statement) => declarationName(statement) ?? (ts.isVariableStatement(statement) ? statement.declarationList.declarations.map((d) => d.name.getText(source)).join(', ') : null)).filter(Boolean) : []
    return `namespace ${node.name.getText(source)} { ${members.slice(0, MAX_MEMBERS).join(', ')}${members.length > MAX_MEMBERS ? ', …' : ''} }`
  }
  return headText(node, source)
}

/** First sentence of the `/** … *\/` comment right before `node`. */
function summaryOf(node: ts.Node, source: ts.SourceFile): string | null {
  const anchor = ts.isVariableDeclaration(node) ? node.parent.parent : node
  const ranges = ts.getLeadingCommentRanges(source.text, anchor.getFullStart()) ?? []
  const last = ranges.filter((range) => source.text.startsWith('/**', range.pos)).at(-1)
  if (!last) return null
  const body = source.text
    .slice(last.pos + 3, last.end - 2)
    .split('\n')
    .map((line) => line.replace(/^\s*\*\s?/, ''))
    .join('\n')
  const prose = collapse(body.split(/^\s*@/m)[0] ?? '')
  if (prose === '') return null
  const sentence = /^(.+?[.!?])(\s|$)/.exec(prose)?.[1] ?? prose
  return truncate(sentence, MAX_SUMMARY_CHARS)
}

export class DeclarationReader {
  private readonly parsed = new Map<string, FileSymbols | null>()

  constructor(private readonly files: ReadonlyMap<string, Uint8Array>) {}

  private symbols(path: string): FileSymbols | null {
    if (this.parsed.has(path)) return this.parsed.get(path) ?? null
    if (this.parsed.size >= MAX_FILES) return null
    const bytes = this.files.get(path)
    let symbols: FileSymbols | null = null
    if (bytes) {
      const source = ts.createSourceFile(path, decoder.decode(bytes), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
      symbols = { source, locals: new Map(), exports: new Map(), imports: new Map(), stars: [] }
      indexStatements(source.statements, symbols)
    }
    this.parsed.set(path, symbols)
    return symbols
  }

  /** The declarations `name` stands for when exported from `path`, and the file they are in. */
  private resolve(path: string, name: string, seen: Set<string>): { nodes: ts.Node[]; source: ts.SourceFile } | null {
    const key = `${path}#${name}`
    if (seen.has(key)) return null
    seen.add(key)
    const symbols = this.symbols(path)
    if (!symbols) return null
    const reference = symbols.exports.get(name)
    if (reference?.kind === 'module') {
      const target = resolveRelative(path, reference.specifier, this.files, DECLARATION_EXTENSIONS)
      return target ? this.resolve(target, reference.name, seen) : null
    }
    if (reference?.kind === 'local') return this.local(path, symbols, reference.name, seen)
    for (const specifier of symbols.stars) {
      const target = resolveRelative(path, specifier, this.files, DECLARATION_EXTENSIONS)
      const found = target ? this.resolve(target, name, seen) : null
      if (found) return found
    }
    return null
  }

  private local(path: string, symbols: FileSymbols, name: string, seen: Set<string>): { nodes: ts.Node[]; source: ts.SourceFile } | null {
    const nodes = symbols.locals.get(name)
    if (nodes) return { nodes, source: symbols.source }
    const imported = symbols.imports.get(name)
    if (!imported) return null
    const target = resolveRelative(path, imported.specifier, this.files, DECLARATION_EXTENSIONS)
    return target ? this.resolve(target, imported.name, seen) : null
  }

  /** The declaration of each of `names` exported from `entry` that can be found (in `names` order). */
  read(entry: string, names: readonly string[]): ApiDeclaration[] {
    const out: ApiDeclaration[] = []
    for (const name of names) {
      if (out.length >= MAX_DECLARATIONS) break
      const found = this.resolve(entry, name, new Set())
      if (!found) continue
      const declarations = found.nodes.filter((node) => kindOf(node) !== null)
      const first = declarations[0]
      if (!first) continue
      // A function merged with a namespace (or overloads) reads best as its call signatures.
      const functions = declarations.filter((node) => ts.isFunctionDeclaration(node))
      const shown = functions.length > 0 ? functions.slice(0, MAX_OVERLOADS) : [first]
      const signature = shown.map((node) => signatureOf(node, found.source)).join('\n')
      out.push({
        name,
        kind: functions.length > 0 ? 'function' : (kindOf(first) as DeclarationKind),
        signature: truncate(signature, MAX_SIGNATURE_CHARS),
        summary: declarations.map((node) => summaryOf(node, found.source)).find((summary) => summary !== null) ?? null,
      })
    }
    return out
  }
}
