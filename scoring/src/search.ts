// Package search over minisearch (BM25+): name, keywords, capabilities, description, exported API
// names and README text, with field boosts. The final rank is text relevance × a quality/popularity
// prior in pub.dev's form `relevance × ((1 − w) + w·prior)`, so the prior separates comparable
// matches without letting popularity beat relevance (npms' `S^13.5` did); an exact name is first.
// The registry holds one instance in memory and updates it per package (upsert/remove).
import MiniSearch, { type AsPlainObject, type Options, type SearchResult } from 'minisearch'
import { capabilitiesForQuery } from './capabilities/extract.ts'
import { CAPABILITIES } from './capabilities/taxonomy.ts'
import { normalizeWords } from './text.ts'

export interface SearchDocument {
  name: string
  description?: string | null
  keywords?: readonly string[]
  /** Capabilities with their confidence (as `analysis.capabilities`). */
  capabilities?: ReadonlyArray<{ id: string; confidence: number }>
  /** README text; only the first `README_INDEX_CHARS` characters are indexed. */
  readme?: string | null
  apiNames?: readonly string[]
  /** 0-1, e.g. `score.final / 100`. */
  quality?: number
  /** 0-1, e.g. `score.subScores.popularity.ratio`. */
  popularity?: number
  deprecated?: boolean
}

export type SearchField = 'name' | 'keywords' | 'capabilities' | 'description' | 'api' | 'readme'

export interface SearchHit {
  name: string
  /** Final rank score: relevance × prior multiplier (× capability boost); exact-name hits come first regardless. */
  score: number
  /** minisearch's BM25+ relevance. */
  relevance: number
  /** The quality/popularity prior in [0, 1]. */
  prior: number
  exactName: boolean
  /** Which indexed terms matched in which fields. */
  matched: Partial<Record<SearchField, string[]>>
  /** Capabilities of the package that the query asks for. */
  capabilities: string[]
}

export interface SearchOptions {
  limit?: number
  offset?: number
  /** Keep only packages having at least one of these capability ids. */
  capabilities?: readonly string[]
  /** Extra filter on package names (the registry's qualifiers: scope, author, ...). */
  filter?: (name: string) => boolean
  /** Weight of the prior in [0, 1]; 0 ranks by text relevance alone. */
  priorWeight?: number
  /** Boost packages whose capabilities match what the query asks for (default true). */
  capabilityBoost?: boolean
  /** Fields to search (default all). */
  fields?: readonly SearchField[]
}

export interface SearchResults {
  total: number
  hits: SearchHit[]
  /** Capabilities the query was understood to ask for. */
  queryCapabilities: string[]
}

export interface SearchIndexOptions {
  boosts?: Readonly<Record<SearchField, number>>
  /** Work budget per search in postings (default MAX_QUERY_POSTINGS). */
  maxQueryPostings?: number
}

/** Plain-data form of an index (`toJSON`/`fromJSON`): restoring it takes about a third of a rebuild's CPU time. */
export interface SearchIndexSnapshot {
  format: 'packr-search@1'
  minisearch: AsPlainObject
  /** Vocabulary; a document's `terms` are indices into it (little-endian uint32, base64). */
  terms: string[]
  documents: Array<{ name: string; quality: number; popularity: number; deprecated: boolean; capabilities: Array<[string, number]>; terms: string }>
}

export const README_INDEX_CHARS = 1_000
export const DEFAULT_BOOSTS: Readonly<Record<SearchField, number>> = { name: 3, keywords: 2, capabilities: 2, description: 1.5, api: 1, readme: 0.5 }
export const DEFAULT_PRIOR_WEIGHT = 0.5
const FIELDS: SearchField[] = ['name', 'keywords', 'capabilities', 'description', 'api', 'readme']
const MAX_API_NAMES = 200

/** Words each capability id stands for in the `capabilities` field: its id and label. Synonyms are matched at query time (capabilitiesForQuery), which keeps the field short. */
const CAPABILITY_WORDS = new Map(CAPABILITIES.map((capability) => [capability.id, [...new Set(normalizeWords(`${capability.id} ${capability.label}`))].join(' ')]))

interface StoredFields {
  quality: number
  popularity: number
  deprecated: boolean
  capabilities: Map<string, number>
}

interface IndexedDocument {
  id: string
  name: string
  keywords: string
  capabilities: string
  description: string
  api: string
  readme: string
}

const tokenize = (text: string) => normalizeWords(text, { dropStopWords: true })

/**
 * Work budget of one search, in postings: query terms are taken rarest first while the sum of their
 * document frequencies stays within it (the rarest term always counts). Small registries search
 * every term; in a large one the most common words of a long query are dropped, which bounds
 * latency (docs/benchmarks.md) at little cost to ranking (their IDF is low).
 */
export const MAX_QUERY_POSTINGS = 1_000
/** At most this many query terms (the rarest) are searched. */
const MAX_QUERY_TERMS = 16

function prior(stored: StoredFields): number {
  const base = 0.7 * stored.quality + 0.3 * stored.popularity
  return stored.deprecated ? base * 0.3 : base
}

export class PackageSearchIndex {
  private readonly index: MiniSearch<IndexedDocument>
  private readonly stored = new Map<string, StoredFields>()
  private readonly byLowerName = new Map<string, string>()
  // Document frequency per term (any field), kept exact across upsert/remove through each
  // document's term ids, so common query terms can be pruned before minisearch scores them.
  private readonly termIds = new Map<string, number>()
  private readonly documentFrequency: number[] = []
  private readonly documentTerms = new Map<string, Uint32Array>()
  private collecting: Set<string> | null = null

  private readonly boosts: Readonly<Record<SearchField, number>>
  private readonly maxQueryPostings: number

  /** `restoreFrom` is for `fromJSON`; build an index with `new PackageSearchIndex(options)`. */
  constructor(options: SearchIndexOptions = {}, restoreFrom?: AsPlainObject) {
    this.boosts = options.boosts ?? DEFAULT_BOOSTS
    this.maxQueryPostings = options.maxQueryPostings ?? MAX_QUERY_POSTINGS
    const minisearchOptions: Options<IndexedDocument> = {
      fields: FIELDS,
      storeFields: [],
      tokenize: (text, field) => {
        // README text counts each word once: BM25's term frequency saturates anyway, and unique
        // words halve the postings (build time and memory, docs/benchmarks.md).
        const terms = field === 'readme' ? [...new Set(tokenize(text))] : tokenize(text)
        if (this.collecting) for (const term of terms) this.collecting.add(term)
        return terms
      },
      processTerm: (term) => term,
    }
    this.index = restoreFrom ? MiniSearch.loadJS(restoreFrom, minisearchOptions) : new MiniSearch(minisearchOptions)
  }

  toJSON(): SearchIndexSnapshot {
    const terms: string[] = []
    for (const [term, id] of this.termIds) terms[id] = term
    return {
      format: 'packr-search@1',
      minisearch: this.index.toJSON(),
      terms,
      documents: [...this.stored].map(([name, stored]) => {
        const ids = this.documentTerms.get(name) ?? new Uint32Array()
        return { name, quality: stored.quality, popularity: stored.popularity, deprecated: stored.deprecated, capabilities: [...stored.capabilities], terms: Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength).toString('base64') }
      }),
    }
  }

  static fromJSON(snapshot: SearchIndexSnapshot, options: SearchIndexOptions = {}): PackageSearchIndex {
    if (snapshot.format !== 'packr-search@1') throw new Error(`unknown search snapshot format: ${String(snapshot.format)}`)
    const index = new PackageSearchIndex(options, snapshot.minisearch)
    snapshot.terms.forEach((term, id) => {
      index.termIds.set(term, id)
      index.documentFrequency[id] = 0
    })
    for (const document of snapshot.documents) {
      const bytes = Buffer.from(document.terms, 'base64')
      const ids = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength))
      for (const id of ids) index.documentFrequency[id] = (index.documentFrequency[id] ?? 0) + 1
      index.documentTerms.set(document.name, ids)
      index.stored.set(document.name, { quality: document.quality, popularity: document.popularity, deprecated: document.deprecated, capabilities: new Map(document.capabilities) })
      index.byLowerName.set(document.name.toLowerCase(), document.name)
    }
    return index
  }

  private frequencyOf(term: string): number {
    const id = this.termIds.get(term)
    return id === undefined ? 0 : (this.documentFrequency[id] ?? 0)
  }

  /** The rarest query terms within MAX_QUERY_POSTINGS (at least one) and MAX_QUERY_TERMS. */
  private pruneQuery(terms: string[]): string[] {
    const unique = [...new Set(terms)].map((term) => ({ term, frequency: this.frequencyOf(term) })).sort((a, b) => a.frequency - b.frequency)
    const kept: string[] = []
    let postings = 0
    for (const { term, frequency } of unique) {
      if (kept.length >= MAX_QUERY_TERMS || (kept.length > 0 && postings + frequency > this.maxQueryPostings)) break
      kept.push(term)
      postings += frequency
    }
    return kept
  }

  get size(): number {
    return this.stored.size
  }

  has(name: string): boolean {
    return this.stored.has(name)
  }

  /** Adds a package or replaces its previous document. */
  upsert(document: SearchDocument): void {
    this.remove(document.name)
    const capabilities = new Map((document.capabilities ?? []).map((capability) => [capability.id, capability.confidence]))
    this.collecting = new Set()
    this.index.add({
      id: document.name,
      // The full name and its words: `@acme/http-client` is found by `http client` and by `acme`.
      name: `${document.name} ${document.name.replace(/^@/, '').replace(/[/._-]+/g, ' ')}`,
      keywords: (document.keywords ?? []).join(' , '),
      capabilities: [...capabilities.keys()].map((id) => CAPABILITY_WORDS.get(id) ?? id).join(' '),
      description: document.description ?? '',
      api: (document.apiNames ?? []).slice(0, MAX_API_NAMES).filter((name) => name !== 'default').join(' '),
      readme: (document.readme ?? '').slice(0, README_INDEX_CHARS),
    })
    const ids = new Uint32Array(this.collecting.size)
    let at = 0
    for (const term of this.collecting) {
      let id = this.termIds.get(term)
      if (id === undefined) {
        id = this.documentFrequency.length
        this.termIds.set(term, id)
        this.documentFrequency.push(0)
      }
      this.documentFrequency[id] = (this.documentFrequency[id] ?? 0) + 1
      ids[at++] = id
    }
    this.collecting = null
    this.documentTerms.set(document.name, ids)
    this.stored.set(document.name, { quality: document.quality ?? 0, popularity: document.popularity ?? 0, deprecated: document.deprecated ?? false, capabilities })
    this.byLowerName.set(document.name.toLowerCase(), document.name)
  }

  remove(name: string): void {
    if (!this.stored.has(name)) return
    this.index.discard(name)
    for (const id of this.documentTerms.get(name) ?? []) this.documentFrequency[id] = (this.documentFrequency[id] ?? 1) - 1
    this.documentTerms.delete(name)
    this.stored.delete(name)
    this.byLowerName.delete(name.toLowerCase())
  }

  search(query: string, options: SearchOptions = {}): SearchResults {
    const limit = options.limit ?? 20
    const offset = options.offset ?? 0
    const priorWeight = options.priorWeight ?? DEFAULT_PRIOR_WEIGHT
    const queryCapabilities = options.capabilityBoost === false ? [] : capabilitiesForQuery(query).map((capability) => capability.id)
    const wanted = options.capabilities && options.capabilities.length > 0 ? new Set(options.capabilities) : null
    const accept = (name: string) => {
      const stored = this.stored.get(name)
      if (!stored) return false
      if (wanted && ![...wanted].some((id) => stored.capabilities.has(id))) return false
      return options.filter ? options.filter(name) : true
    }
    const exactName = this.byLowerName.get(query.trim().toLowerCase())
    const fields = options.fields ?? FIELDS
    const boost = Object.fromEntries(fields.map((field) => [field, this.boosts[field]]))
    // The taxonomy ids the query asks for join the query, so "fetch wrapper" also finds packages
    // whose capabilities field says "http client".
    const terms = this.pruneQuery([...tokenize(query), ...queryCapabilities.flatMap((id) => tokenize(CAPABILITY_WORDS.get(id) ?? ''))])
    const results: SearchResult[] =
      terms.length === 0
        ? []
        : this.index.search(terms.join(' '), {
            fields: [...fields],
            boost,
            combineWith: 'OR',
            // Prefix matching finds `parser` from `parse`; fuzzy matching is off: over README vocabularies it
            // cost more than the 10 ms budget (docs/benchmarks.md) for little gain on agents' queries.
            prefix: (term) => term.length >= 5,
            filter: (result) => accept(result.id as string),
          })
    // Rank every result on numbers only; build the explanation just for the requested page.
    const ranked = results.map((result) => {
      const name = result.id as string
      const stored = this.stored.get(name) as StoredFields
      let capabilityConfidence = 0
      for (const id of queryCapabilities) capabilityConfidence = Math.max(capabilityConfidence, stored.capabilities.get(id) ?? 0)
      const p = prior(stored)
      return { result, name, prior: p, exact: name === exactName, score: result.score * (1 - priorWeight + priorWeight * p) * (1 + 0.5 * capabilityConfidence) }
    })
    if (exactName && accept(exactName) && !ranked.some((item) => item.exact)) {
      const stored = this.stored.get(exactName) as StoredFields
      ranked.push({ result: { id: exactName, score: 0, terms: [], queryTerms: [], match: { [exactName]: ['name'] } }, name: exactName, prior: prior(stored), exact: true, score: 0 })
    }
    ranked.sort((a, b) => Number(b.exact) - Number(a.exact) || b.score - a.score || a.name.localeCompare(b.name))
    const hits = ranked.slice(offset, offset + limit).map(({ result, name, prior: p, exact, score }): SearchHit => {
      const stored = this.stored.get(name) as StoredFields
      const matched: Partial<Record<SearchField, string[]>> = {}
      for (const [term, termFields] of Object.entries(result.match)) {
        for (const field of termFields as SearchField[]) (matched[field] ??= []).push(term)
      }
      return { name, score, relevance: result.score, prior: p, exactName: exact, matched, capabilities: queryCapabilities.filter((id) => stored.capabilities.has(id)) }
    })
    return { total: ranked.length, hits, queryCapabilities }
  }

  /**
   * Packages having a capability, ranked by confidence × prior (no text query): the agent's
   * "which packages do X" when X is a taxonomy id.
   */
  byCapability(id: string, options: Pick<SearchOptions, 'limit' | 'offset' | 'filter' | 'priorWeight'> = {}): SearchResults {
    const priorWeight = options.priorWeight ?? DEFAULT_PRIOR_WEIGHT
    const hits: SearchHit[] = []
    for (const [name, stored] of this.stored) {
      const confidence = stored.capabilities.get(id)
      if (confidence === undefined || (options.filter && !options.filter(name))) continue
      const p = prior(stored)
      hits.push({ name, score: confidence * (1 - priorWeight + priorWeight * p), relevance: confidence, prior: p, exactName: false, matched: { capabilities: [id] }, capabilities: [id] })
    }
    hits.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name))
    const offset = options.offset ?? 0
    return { total: hits.length, hits: hits.slice(offset, offset + (options.limit ?? 20)), queryCapabilities: [id] }
  }
}
