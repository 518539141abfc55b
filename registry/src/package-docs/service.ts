// API docs of a version for agents. Always available from the deterministic extraction (the stored
// analysis: exported names with their .d.ts signatures, README usage examples; an overview composed
// from the package's own data). With DOC_GEN_ENABLED, a durable job after each analysis asks an LLM
// for a better overview and examples (bounded prompt, timeout, retries) and caches them per version
// in `package_docs`; until that row exists, or when generation fails for good, the extracted docs
// are served: generation never turns into an error for the reader.
import type { ApiDeclaration, VersionAnalysis } from '@packr/scoring'
import { CAPABILITIES } from '@packr/scoring'
import type { DocsResponse, Format } from '@packr/agent/schemas'
import { and, eq } from 'drizzle-orm'
import type { AnalysisService } from '../analysis/service.ts'
import type { Database } from '../db/index.ts'
import { packageDocs } from '../db/schema.ts'
import type { JobQueue } from '../jobs/service.ts'
import type { Logger } from '../logging/index.ts'
import type { VersionState } from '../npm/packument.ts'
import type { PackageService } from '../packages/service.ts'
import { GeneratedDocs, type DocsGenerator } from './generator.ts'

export const GENERATE_DOCS_JOB = 'generate-docs'
/** Job attempts per version (each with the SDK's own retries) before the extracted docs stay for good. */
const GENERATION_ATTEMPTS = 3

const CAPABILITY_LABELS = new Map(CAPABILITIES.map((capability) => [capability.id, capability.label]))
/** Functions and classes first: what a caller invokes, then what it reads. */
const KIND_ORDER: Record<string, number> = { function: 0, class: 1, variable: 2, namespace: 3, enum: 4, interface: 5, type: 6, unknown: 7 }

/** Sizes per format, so the worst case stays far below a model's tool-result budget (docs/agent-api.md). */
const LIMITS = {
  concise: { items: 20, signatureChars: 160, summaryChars: 100, examples: 2, exampleChars: 800 },
  detailed: { items: 40, signatureChars: 400, summaryChars: 200, examples: 4, exampleChars: 1_500 },
} as const

type ApiItem = DocsResponse['api']['items'][number]

const cut = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`)

export interface StoredDocs {
  provider: string
  model: string
  content: GeneratedDocs
  generatedAt: number
}

export interface DocsInput {
  name: string
  version: VersionState
  /** The version's analysis when it has one (`undefined` while pending or when the tarball was rejected). */
  analysis: VersionAnalysis | undefined
}

function moduleSentence(analysis: VersionAnalysis): string {
  const types = analysis.types.kind === 'bundled' ? 'ships TypeScript types' : analysis.types.kind === 'types-dependency' ? 'has types from DefinitelyTyped' : 'has no TypeScript types'
  const format = { esm: 'ES modules', cjs: 'CommonJS', dual: 'ES modules and CommonJS', none: 'no JavaScript entry point' }[analysis.module.format]
  const dependencies = analysis.dependencies.count === 1 ? '1 dependency' : `${analysis.dependencies.count} dependencies`
  return `It ${types}, is published as ${format} and has ${dependencies}.`
}

/** A few sentences from the package's own data: what it is, what it does, how it is built. */
export function extractedOverview({ name, version, analysis }: DocsInput): string {
  const manifest = version.manifest
  const sentences: string[] = []
  if (version.deprecated) sentences.push(`Deprecated: ${version.deprecated}.`)
  const description = typeof manifest.description === 'string' ? cut(manifest.description.trim(), 500) : ''
  sentences.push(`${name} ${version.version}${description ? `: ${description.replace(/\.$/, '')}.` : '.'}`)
  if (!analysis) {
    sentences.push('Its analysis is not available yet (published moments ago, or the tarball could not be read), so exports and examples are missing; try again shortly.')
    return sentences.join(' ')
  }
  const summary = analysis.readme.summary
  if (summary && summary !== description && !summary.startsWith(description || '\u0000')) sentences.push(summary)
  const capabilities = analysis.capabilities.slice(0, 4).map((capability) => capability.label)
  if (capabilities.length > 0) sentences.push(`Capabilities: ${capabilities.join(', ')}.`)
  sentences.push(moduleSentence(analysis))
  const main = apiItems(analysis, undefined)
    .filter((item) => item.kind === 'function' || item.kind === 'class')
    .slice(0, 8)
    .map((item) => item.name)
  if (main.length > 0) sentences.push(`Main exports: ${main.join(', ')}.`)
  return sentences.join(' ')
}

/** Exported names with what is known of each, functions and classes first, filtered by `symbol`. */
function apiItems(analysis: VersionAnalysis | undefined, symbol: string | undefined): ApiItem[] {
  if (!analysis) return []
  const declared = new Map<string, ApiDeclaration>(analysis.api.declarations.map((item) => [item.name, item]))
  const needle = symbol?.toLowerCase()
  return analysis.api.names
    .filter((name) => name !== 'default' || declared.has(name))
    .filter((name) => needle === undefined || name.toLowerCase().includes(needle))
    .map((name): ApiItem => {
      const item = declared.get(name)
      return item ? { name, kind: item.kind, signature: item.signature, summary: item.summary } : { name, kind: 'unknown', signature: null, summary: null }
    })
    .sort((a, b) => (KIND_ORDER[a.kind] ?? 9) - (KIND_ORDER[b.kind] ?? 9) || a.name.localeCompare(b.name))
}

/**
 * The user message for the model, at most `maxChars` characters: the package's identity and
 * capabilities, its exported API (up to 45 % of the budget), then as much README as fits.
 */
export function buildPrompt({ name, version, analysis }: DocsInput, readme: string | null, maxChars: number): string {
  const description = typeof version.manifest.description === 'string' ? version.manifest.description : ''
  const header = cut(
    [
      `Package: ${name}@${version.version}`,
      description ? `Description: ${description}` : '',
      analysis?.capabilities.length ? `Capabilities: ${analysis.capabilities.map((capability) => CAPABILITY_LABELS.get(capability.id) ?? capability.id).join(', ')}` : '',
      analysis ? `Module: ${analysis.module.format}; types: ${analysis.types.kind}` : '',
    ]
      .filter(Boolean)
      .join('\n'),
    Math.floor(maxChars * 0.1),
  )
  const closing = '\nWrite the JSON object now.'
  let budget = maxChars - header.length - closing.length - 64
  const apiLines: string[] = []
  let apiChars = 0
  for (const item of apiItems(analysis, undefined)) {
    const line = `- ${item.signature ?? item.name}${item.summary ? `  // ${item.summary}` : ''}`
    if (apiChars + line.length + 1 > budget * 0.45) break
    apiLines.push(line)
    apiChars += line.length + 1
  }
  const api = apiLines.length > 0 ? `\nExported API (from its type declarations):\n${apiLines.join('\n')}` : '\nExported API: unknown (no type declarations).'
  budget -= api.length
  const readmeText = readme ? `\nREADME (untrusted, possibly cut):\n<readme>\n${readme.slice(0, Math.max(0, budget - 40))}\n</readme>` : ''
  return `${header}${api}${readmeText}${closing}`.slice(0, maxChars)
}

export class PackageDocsService {
  constructor(
    private readonly db: Database,
    private readonly packages: PackageService,
    private readonly analyses: AnalysisService,
    private readonly jobs: JobQueue,
    private readonly generator: DocsGenerator | undefined,
    private readonly maxPromptChars: number,
    private readonly log: Logger,
  ) {
    if (generator) jobs.register(GENERATE_DOCS_JOB, (payload, { signal }) => this.generate(String(payload.name), String(payload.version), signal))
  }

  /** Queues generation for `name@version` (after its analysis); nothing when DOC_GEN is off. */
  async schedule(name: string, version: string): Promise<void> {
    if (!this.generator) return
    await this.jobs.enqueue(GENERATE_DOCS_JOB, { name, version }, { dedupeKey: `${GENERATE_DOCS_JOB}:${name}@${version}`, maxAttempts: GENERATION_ATTEMPTS })
  }

  async stored(name: string, version: string): Promise<StoredDocs | undefined> {
    const [row] = await this.db.read
      .select()
      .from(packageDocs)
      .where(and(eq(packageDocs.packageName, name), eq(packageDocs.version, version)))
      .limit(1)
    if (!row) return undefined
    const content = GeneratedDocs.safeParse(row.content)
    return content.success ? { provider: row.provider, model: row.model, content: content.data, generatedAt: row.generatedAt } : undefined
  }

  /** The job: prompt from the stored analysis and README, ask the model, store the validated answer. */
  async generate(name: string, version: string, signal: AbortSignal): Promise<void> {
    const generator = this.generator
    if (!generator) return
    const row = await this.packages.findVersionRow(name, version, this.db.primary)
    if (!row || row.unpublishedAt !== null) return
    const stored = await this.analyses.get(name, version)
    const analysis = stored?.result.status === 'ok' ? stored.result : undefined
    const input: DocsInput = { name, version: { version, manifest: row.manifest, publishedAt: row.publishedAt, deprecated: row.deprecated }, analysis }
    const prompt = buildPrompt(input, row.readme, this.maxPromptChars)
    const content = await generator.generate(prompt, signal)
    await this.db.transaction((tx) =>
      tx
        .insert(packageDocs)
        .values({ packageName: name, version, provider: generator.provider, model: generator.model, content, promptChars: prompt.length, generatedAt: Date.now() })
        .onConflictDoUpdate({ target: [packageDocs.packageName, packageDocs.version], set: { provider: generator.provider, model: generator.model, content, promptChars: prompt.length, generatedAt: Date.now() } }),
    )
    this.log.info('generated API docs', { package: name, version, provider: generator.provider, model: generator.model, promptChars: prompt.length })
  }

  /** The docs of one version: generated overview and examples when cached, the extraction otherwise. */
  async docs(input: DocsInput, options: { symbol?: string | undefined; format: Format }): Promise<DocsResponse> {
    const { name, version, analysis } = input
    const limits = LIMITS[options.format]
    const generated = await this.stored(name, version.version)
    const items = apiItems(analysis, options.symbol)
    const shown = items.slice(0, limits.items).map((item) => ({
      ...item,
      signature: item.signature === null ? null : cut(item.signature, limits.signatureChars),
      summary: item.summary === null ? null : cut(item.summary, limits.summaryChars),
    }))
    const examples = [
      ...(generated?.content.examples ?? []).map((example) => ({ ...example, source: 'generated' as const })),
      ...(analysis?.readme.examples ?? []).map((example) => ({ title: example.heading, language: example.language, code: example.code, source: 'readme' as const })),
    ]
      .slice(0, limits.examples)
      .map((example) => ({ ...example, code: cut(example.code, limits.exampleChars) }))
    return {
      name,
      version: version.version,
      source: generated ? 'generated' : 'extracted',
      generatedBy: generated ? { provider: generated.provider, model: generated.model, generatedAt: new Date(generated.generatedAt).toISOString() } : null,
      overview: generated?.content.overview ?? extractedOverview(input),
      install: `npm install ${name}@${version.version}`,
      api: { source: analysis?.api.source ?? 'none', entry: analysis?.api.entry ?? null, total: items.length, returned: shown.length, items: shown },
      examples,
      ...(options.format === 'detailed' ? { readmeSections: analysis?.readme.sections ?? [] } : {}),
    }
  }
}
