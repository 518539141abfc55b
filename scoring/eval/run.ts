// Evaluation of search, capabilities and co-occurrence on the real-package corpus (test/corpus:
// ~1,500 npm tarballs). Writes docs/scoring-evaluation.md.
//
//   bun run eval        (builds the corpus first when .cache/corpus is missing)
import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import type { CorpusEntry } from '../../test/corpus/build.ts'
import { CoOccurrenceIndex, PackageSearchIndex, type CoOccurrenceMeasure, type SearchOptions } from '../src/index.ts'
import { dependentsCount, loadCorpusPackages, searchDocument, type CorpusPackage } from './corpus-documents.ts'
import gold from './gold-queries.json'

const ROOT = resolve(import.meta.dir, '../..')
const OUTPUT = join(ROOT, 'docs', 'scoring-evaluation.md')

function buildIndex(packages: CorpusPackage[], dependents: Map<string, number>): PackageSearchIndex {
  const index = new PackageSearchIndex()
  for (const item of packages) index.upsert(searchDocument(item, dependents))
  return index
}

interface Variant {
  label: string
  options: SearchOptions
}

const TEXT_LADDER: Variant[] = [
  { label: 'name + description (BM25 only)', options: { fields: ['name', 'description'], priorWeight: 0, capabilityBoost: false } },
  { label: '+ keywords + README', options: { fields: ['name', 'description', 'keywords', 'readme'], priorWeight: 0, capabilityBoost: false } },
  { label: '+ API names', options: { fields: ['name', 'description', 'keywords', 'readme', 'api'], priorWeight: 0, capabilityBoost: false } },
  { label: '+ capabilities field', options: { fields: ['name', 'description', 'keywords', 'readme', 'api', 'capabilities'], priorWeight: 0, capabilityBoost: false } },
  { label: '+ capability boost (query → taxonomy)', options: { priorWeight: 0 } },
]
const PRIOR_SWEEP: Variant[] = [0.25, 0.5, 0.75, 1].map((weight) => ({ label: `all fields + boost, prior weight ${weight}${weight === 0.5 ? ' (default)' : ''}`, options: { priorWeight: weight } }))

function knownItem(index: PackageSearchIndex, evaluated: CorpusPackage[], options: SearchOptions, blankName: boolean) {
  let at1 = 0
  let at3 = 0
  let reciprocal = 0
  let queries = 0
  for (const { analysis } of evaluated) {
    let query = analysis.metadata.description ?? ''
    if (blankName) {
      const nameWords = new Set(analysis.name.toLowerCase().split(/[^a-z0-9]+/).filter(Boolean))
      query = query
        .split(/\s+/)
        .filter((word) => !nameWords.has(word.toLowerCase().replace(/[^a-z0-9]/g, '')))
        .join(' ')
    }
    if (query.split(/\s+/).filter(Boolean).length < 2) continue
    queries++
    const rank = index.search(query, { ...options, limit: 10 }).hits.findIndex((hit) => hit.name === analysis.name)
    if (rank === 0) at1++
    if (rank >= 0 && rank < 3) at3++
    if (rank >= 0) reciprocal += 1 / (rank + 1)
  }
  return { queries, at1: at1 / queries, at3: at3 / queries, mrr: reciprocal / queries }
}

function capabilitySearch(index: PackageSearchIndex, present: Set<string>, options: SearchOptions) {
  let recall = 0
  let ndcg = 0
  let mrr = 0
  let precision5 = 0
  let queries = 0
  const perQuery: Array<{ query: string; recall: number; top: string[] }> = []
  for (const { query, relevant } of gold.queries) {
    const wanted = new Set(relevant.filter((name) => present.has(name)))
    if (wanted.size === 0) continue
    queries++
    const top = index.search(query, { ...options, limit: 10 }).hits.map((hit) => hit.name)
    const found = top.filter((name) => wanted.has(name)).length
    const queryRecall = found / Math.min(10, wanted.size)
    recall += queryRecall
    precision5 += top.slice(0, 5).filter((name) => wanted.has(name)).length / 5
    const first = top.findIndex((name) => wanted.has(name))
    mrr += first >= 0 ? 1 / (first + 1) : 0
    const dcg = top.reduce((sum, name, rank) => sum + (wanted.has(name) ? 1 / Math.log2(rank + 2) : 0), 0)
    const ideal = Array.from({ length: Math.min(10, wanted.size) }, (_, rank) => 1 / Math.log2(rank + 2)).reduce((a, b) => a + b, 0)
    ndcg += dcg / ideal
    perQuery.push({ query, recall: queryRecall, top: top.slice(0, 5) })
  }
  return { queries, recall: recall / queries, ndcg: ndcg / queries, mrr: mrr / queries, precision5: precision5 / queries, perQuery }
}

function coOccurrence(entries: CorpusEntry[]) {
  const index = new CoOccurrenceIndex()
  for (const entry of entries) index.setDependencies(entry.name, Object.keys(entry.dependencies))
  const usage = [...new Set(entries.flatMap((entry) => Object.keys(entry.dependencies)))].map((name) => index.usedBy(name)).sort((a, b) => b - a)
  const topOnePercent = usage[Math.max(0, Math.floor(usage.length * 0.01) - 1)] ?? Infinity
  const measures: Array<CoOccurrenceMeasure | 'global-popularity'> = ['npmi', 'crossrec', 'cosine', 'confidence', 'popularity', 'global-popularity']
  const results = new Map(measures.map((measure) => [measure, { cases: 0, hits: 0, reciprocal: 0, recommended: new Set<string>(), popular: 0, shown: 0 }]))
  for (const entry of entries) {
    const basket = Object.keys(entry.dependencies).sort()
    if (basket.length < 2) continue
    // Leave the package out entirely, then hide each of its dependencies in turn.
    index.remove(entry.name)
    for (const hidden of basket) {
      const query = basket.filter((name) => name !== hidden)
      for (const measure of measures) {
        const top =
          measure === 'global-popularity'
            ? index.mostUsed(10, query).map((item) => item.name)
            : index.recommend(query, { measure, limit: 10, minSupport: 2 }).map((item) => item.name)
        const result = results.get(measure) as NonNullable<ReturnType<typeof results.get>>
        result.cases++
        const rank = top.indexOf(hidden)
        if (rank >= 0) {
          result.hits++
          result.reciprocal += 1 / (rank + 1)
        }
        for (const name of top) {
          result.recommended.add(name)
          result.shown++
          if (index.usedBy(name) >= topOnePercent) result.popular++
        }
      }
    }
    index.setDependencies(entry.name, basket)
  }
  const distinctDependencies = usage.length
  return {
    baskets: entries.filter((entry) => Object.keys(entry.dependencies).length >= 2).length,
    distinctDependencies,
    rows: [...results].map(([measure, result]) => ({
      measure,
      cases: result.cases,
      recall10: result.hits / result.cases,
      mrr: result.reciprocal / result.cases,
      coverage: result.recommended.size / distinctDependencies,
      popularShare: result.shown === 0 ? 0 : result.popular / result.shown,
    })),
  }
}

const pct = (value: number) => `${(value * 100).toFixed(1)}%`
const num = (value: number) => value.toFixed(3)

const started = performance.now()
const load = loadavg()[0] as number
const { corpus, latest, packages: evaluated, rejected } = await loadCorpusPackages()
const dependents = dependentsCount(latest)
const index = buildIndex(evaluated, dependents)
const present = new Set(evaluated.map((item) => item.analysis.name))

const knownRows = [...TEXT_LADDER, ...PRIOR_SWEEP].map((variant) => ({ label: variant.label, raw: knownItem(index, evaluated, variant.options, false), blanked: knownItem(index, evaluated, variant.options, true) }))
const capabilityRows = [...TEXT_LADDER, ...PRIOR_SWEEP].map((variant) => ({ label: variant.label, ...capabilitySearch(index, present, variant.options) }))
const defaultCapability = capabilitySearch(index, present, {})
const cooccurrence = coOccurrence(latest)
const withCapabilities = evaluated.filter((item) => item.analysis.capabilities.length > 0).length
const seconds = ((performance.now() - started) / 1000).toFixed(1)

const lines = [
  '# Scoring evaluation',
  '',
  'Generated by `bun run eval` (scoring/eval/run.ts); do not edit by hand. Re-run after changing the analyzer,',
  'the taxonomy, the search ranking or the co-occurrence measure.',
  '',
  '## Corpus and method',
  '',
  `- Corpus: \`bun run corpus\` (test/corpus): ${corpus.length} real npm tarballs, the dependency trees of the ${'`'}seeds.json${'`'} packages as resolved`,
  `  before 2026-03-01. The evaluation uses the highest version of each of the ${latest.length} package names; ${evaluated.length} analysed,`,
  `  ${rejected.length} rejected${rejected.length > 0 ? ` (${rejected.join(', ')})` : ''}. ${withCapabilities} packages (${pct(withCapabilities / evaluated.length)}) received at least one capability.`,
  '- Search index: one `PackageSearchIndex` document per package with name, description, keywords, capabilities, README',
  '  (first 3,000 characters) and exported API names. The corpus carries no release dates or download counts, so the',
  '  prior uses the time-independent quality sub-score and popularity from in-corpus dependents (the registry\'s own',
  '  "dependents" signal); freshness plays no part here.',
  '- Known-item search: each package\'s own description is the query; success when the package ranks in the top 3.',
  '  "Name blanked" removes the package\'s name words from the description first (harder: no name match to lean on).',
  '  Packages sharing one description (e.g. `@jimp/*` plugins, platform binaries) make some queries ambiguous.',
  `- Capability search: ${defaultCapability.queries} hand-written queries with hand-judged relevant packages (scoring/eval/gold-queries.json),`,
  '  binary relevance; Recall@10 = relevant found in the top 10 / min(10, relevant), nDCG@10, MRR and P@5.',
  '- Co-occurrence: each package with at least two dependencies is removed from the index, then each of its dependencies is',
  '  hidden in turn and the remaining ones are the query; a hit is the hidden dependency in the top 10 (Recall@10 = hit',
  '  rate, one relevant item). Minimum support 2. Coverage = distinct packages ever recommended / distinct dependencies;',
  '  "top-1% share" = fraction of recommendations drawn from the 1% most-used dependencies (popularity bias).',
  '',
  '## Known-item search',
  '',
  '| Variant | Queries | Success@1 | Success@3 | MRR | Name blanked: Success@3 | MRR |',
  '|---|---|---|---|---|---|---|',
  ...knownRows.map((row) => `| ${row.label} | ${row.raw.queries} | ${pct(row.raw.at1)} | ${pct(row.raw.at3)} | ${num(row.raw.mrr)} | ${pct(row.blanked.at3)} | ${num(row.blanked.mrr)} |`),
  '',
  '## Capability search (gold set)',
  '',
  '| Variant | Recall@10 | nDCG@10 | MRR | P@5 |',
  '|---|---|---|---|---|',
  ...capabilityRows.map((row) => `| ${row.label} | ${pct(row.recall)} | ${num(row.ndcg)} | ${num(row.mrr)} | ${num(row.precision5)} |`),
  '',
  'Per query with the default ranking (Recall@10, top 5):',
  '',
  '| Query | Recall@10 | Top 5 |',
  '|---|---|---|',
  ...defaultCapability.perQuery.map((row) => `| ${row.query} | ${pct(row.recall)} | ${row.top.join(', ')} |`),
  '',
  '## Co-occurrence ("used together with"), hold-one-out',
  '',
  `${cooccurrence.baskets} packages with at least two dependencies; ${cooccurrence.distinctDependencies} distinct dependencies.`,
  '',
  '| Measure | Cases | Recall@10 | MRR | Coverage | Top-1% share |',
  '|---|---|---|---|---|---|',
  ...cooccurrence.rows.map((row) => `| ${row.measure === 'global-popularity' ? 'most-used overall (baseline)' : row.measure === 'popularity' ? 'most-used among co-occurring (baseline)' : row.measure}${row.measure === 'npmi' ? ' (default of `related`)' : row.measure === 'crossrec' ? ' (default of `recommend`)' : ''} | ${row.cases} | ${pct(row.recall10)} | ${num(row.mrr)} | ${pct(row.coverage)} | ${pct(row.popularShare)} |`),
  '',
  `Run took ${seconds} s; 1-minute load average at start ${load.toFixed(2)} (shared machine).`,
  '',
]
writeFileSync(OUTPUT, lines.join('\n'))
console.log(lines.join('\n'))
