// README structure: length, headings, recognised sections and code examples, read with marked's
// lexer (no rendering). Feeds the documentation factors and capability extraction.
import { Lexer, type Token, type Tokens } from 'marked'

export type ReadmeSection = 'install' | 'usage' | 'api' | 'examples' | 'configuration' | 'license' | 'contributing' | 'changelog' | 'features' | 'faq'

export interface ReadmeInfo {
  /** Where the README came from: a root file of the tarball, the manifest's `readme`, or nowhere. */
  source: 'file' | 'manifest' | 'none'
  file: string | null
  /** Length in characters. */
  length: number
  /** Heading texts (H1-H3), in order, at most 60. */
  headings: string[]
  sections: ReadmeSection[]
  /** Fenced or indented code blocks. */
  codeBlocks: number
  /** Languages named on fenced code blocks. */
  codeLanguages: string[]
  /** A code block imports or requires the package itself. */
  hasUsageExample: boolean
  /** First paragraph of prose, trimmed to 300 characters. */
  summary: string
  /** Code examples worth showing a user of the package, best first (see `pickExamples`). */
  examples: ReadmeExample[]
}

export interface ReadmeExample {
  /** The heading the example sits under. */
  heading: string | null
  language: string | null
  code: string
}

const MAX_EXAMPLES = 5
const MAX_EXAMPLE_CHARS = 1_500
/** Languages of usage examples; shell blocks are install commands, not usage. */
const EXAMPLE_LANGUAGES = new Set(['', 'js', 'javascript', 'mjs', 'cjs', 'jsx', 'ts', 'typescript', 'tsx', 'node'])

/**
 * Examples that show the package in use: JavaScript/TypeScript blocks, those importing the package
 * first, then those under usage/example/API headings, then the rest in README order.
 */
function pickExamples(candidates: Array<ReadmeExample & { selfImport: boolean; order: number }>): ReadmeExample[] {
  const underUsage = (heading: string | null) => heading !== null && /\b(usage|example|quick ?start|getting started|api|how to)/i.test(heading)
  const rank = (item: { selfImport: boolean; heading: string | null }) => (item.selfImport ? 0 : underUsage(item.heading) ? 1 : 2)
  return [...candidates]
    .sort((a, b) => rank(a) - rank(b) || a.order - b.order)
    .slice(0, MAX_EXAMPLES)
    .map(({ heading, language, code }) => ({ heading, language, code: code.length <= MAX_EXAMPLE_CHARS ? code : `${code.slice(0, MAX_EXAMPLE_CHARS).trimEnd()}\n// …` }))
}

const SECTION_PATTERNS: Array<[ReadmeSection, RegExp]> = [
  ['install', /\b(install|installation|setup|getting started|download)/i],
  ['usage', /\b(usage|quick ?start|getting started|how to use|basic use|tutorial|guide)/i],
  ['api', /\b(api|reference|methods|functions|documentation|docs|options|interface)\b/i],
  ['examples', /\bexamples?\b/i],
  ['configuration', /\b(config|configuration|settings|environment)\b/i],
  ['license', /\blicen[cs]e\b/i],
  ['contributing', /\b(contribut|development|building|testing)/i],
  ['changelog', /\b(changelog|release notes|history|what'?s new|migrat)/i],
  ['features', /\b(features|highlights|why|motivation|overview|about)\b/i],
  ['faq', /\b(faq|troubleshoot|questions|caveats|known issues)\b/i],
]

const MAX_HEADINGS = 60
/** Markdown beyond this many characters is not lexed (it only counts towards the length). */
const MAX_LEXED_CHARS = 200_000

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

function plain(text: string): string {
  return text
    .replace(/<[^>]*>/g, ' ')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[`*_~]/g, '')
    .replace(/\s+/g, ' ')
    .trim()
}

/** Visible prose of inline tokens: link text kept, images, HTML and badges dropped. */
function inlineText(tokens: Token[] | undefined): string {
  if (!tokens) return ''
  let out = ''
  for (const token of tokens) {
    if (token.type === 'image' || token.type === 'html') continue
    const children = (token as { tokens?: Token[] }).tokens
    if (children) out += inlineText(children)
    else if (token.type === 'text' || token.type === 'codespan' || token.type === 'escape') out += token.text
    else if (token.type === 'br') out += ' '
  }
  return out
}

function walk(tokens: Token[], visit: (token: Token) => void): void {
  for (const token of tokens) {
    visit(token)
    const children = (token as { tokens?: Token[] }).tokens
    if (children && token.type !== 'heading' && token.type !== 'paragraph') walk(children, visit)
    if (token.type === 'list') for (const item of (token as Tokens.List).items) walk(item.tokens, visit)
  }
}

export function analyzeReadme(text: string | null, packageName: string, origin: { source: 'file' | 'manifest'; file: string | null } | null): ReadmeInfo {
  if (text === null || origin === null || text.trim() === '') {
    return { source: 'none', file: null, length: 0, headings: [], sections: [], codeBlocks: 0, codeLanguages: [], hasUsageExample: false, summary: '', examples: [] }
  }
  const tokens = new Lexer({ gfm: true }).lex(text.slice(0, MAX_LEXED_CHARS))
  const headings: string[] = []
  const languages = new Set<string>()
  let codeBlocks = 0
  let hasUsageExample = false
  let summary = ''
  let heading: string | null = null
  const candidates: Array<ReadmeExample & { selfImport: boolean; order: number }> = []
  const selfImport = new RegExp(`(require\\(|from\\s+|import\\s+)['"]${escapeRegExp(packageName)}(/[^'"]*)?['"]`)
  walk(tokens, (token) => {
    if (token.type === 'heading') {
      heading = plain(token.text) || heading
      if (token.depth <= 3 && headings.length < MAX_HEADINGS && heading) headings.push(heading)
    } else if (token.type === 'code') {
      codeBlocks++
      const lang = (token as Tokens.Code).lang?.split(/\s/)[0]?.toLowerCase()
      if (lang) languages.add(lang)
      const imports = selfImport.test(token.text)
      if (imports) hasUsageExample = true
      const code = token.text.trim()
      if (EXAMPLE_LANGUAGES.has(lang ?? '') && code.length >= 10) candidates.push({ heading, language: lang ?? null, code, selfImport: imports, order: candidates.length })
    } else if (token.type === 'paragraph' && summary === '') {
      const prose = plain(inlineText((token as Tokens.Paragraph).tokens))
      // Skip badge rows and one-word lines; take the first real sentence-bearing paragraph.
      if (prose.length >= 20 && /[a-z]{3,}\s+[a-z]{2,}/i.test(prose)) summary = prose.slice(0, 300)
    }
  })
  const sections = SECTION_PATTERNS.filter(([, pattern]) => headings.some((heading) => pattern.test(heading))).map(([section]) => section)
  return { source: origin.source, file: origin.file, length: text.length, headings, sections, codeBlocks, codeLanguages: [...languages].sort(), hasUsageExample, summary, examples: pickExamples(candidates) }
}
