// "Used together with": co-occurrence of packages in the dependency lists (baskets) of the
// registry's packages, maintained incrementally per package. Raw co-counts and confidence favour
// whatever is popular, so `related` ranks by normalised PMI with a minimum support and a
// small-count shrinkage, and `recommend` (a set of packages) by CrossRec-style TF-IDF neighbours
// (docs/scoring.md §6); the evaluation compares both against popularity baselines.

export type CoOccurrenceMeasure = 'npmi' | 'crossrec' | 'cosine' | 'confidence' | 'popularity'

export interface Recommendation {
  name: string
  /** Packages whose dependencies contain both the query package(s) and this one. */
  together: number
  /** Packages depending on this one. */
  usedBy: number
  score: number
  /** Best NPMI against a query package, in [-1, 1]. */
  npmi: number
  /** Obvious pairings are labelled so a UI can show them apart from learnt associations. */
  relation: 'types' | 'same-scope' | 'association'
}

export interface RecommendOptions {
  limit?: number
  /** Minimum number of packages using both (default 2). */
  minSupport?: number
  measure?: CoOccurrenceMeasure
  /** Names never to recommend (the query's own dependencies, for instance). */
  exclude?: Iterable<string>
}

export interface CoOccurrenceSnapshot {
  format: 'packr-cooccurrence@1'
  /** Package → its dependency names. */
  baskets: Record<string, string[]>
}

/** Pseudo-count that shrinks associations built on few packages toward zero. */
const SHRINKAGE = 2
/** Neighbour packages consulted by the CrossRec-style measure. */
const NEIGHBOURS = 25

const scopeOf = (name: string) => (name.startsWith('@') ? name.split('/')[0] : null)
const typesTarget = (name: string) => (name.startsWith('@types/') ? (name.includes('__') ? `@${name.slice(7).replace('__', '/')}` : name.slice(7)) : null)

function relation(a: string, b: string): Recommendation['relation'] {
  if (typesTarget(a) === b || typesTarget(b) === a) return 'types'
  const scope = scopeOf(a)
  return scope !== null && scope === scopeOf(b) ? 'same-scope' : 'association'
}

export class CoOccurrenceIndex {
  private readonly baskets = new Map<string, string[]>()
  private readonly usage = new Map<string, number>()
  private readonly pairs = new Map<string, Map<string, number>>()
  /** Dependency → the packages that list it (for the neighbour search of 'crossrec'). */
  private readonly users = new Map<string, Set<string>>()

  /** Number of packages (baskets) fed in. */
  get size(): number {
    return this.baskets.size
  }

  /** How many packages depend on `name`. */
  usedBy(name: string): number {
    return this.usage.get(name) ?? 0
  }

  /** The packages that list `name` among their dependencies, by name. */
  dependentsOf(name: string): string[] {
    return [...(this.users.get(name) ?? [])].sort()
  }

  dependenciesOf(name: string): readonly string[] | undefined {
    return this.baskets.get(name)
  }

  /** Sets (or replaces) the dependency list of `pkg`. */
  setDependencies(pkg: string, dependencies: Iterable<string>): void {
    this.remove(pkg)
    const basket = [...new Set(dependencies)].filter((name) => name !== pkg).sort()
    this.baskets.set(pkg, basket)
    this.apply(basket, 1)
    for (const item of basket) {
      let users = this.users.get(item)
      if (!users) this.users.set(item, (users = new Set()))
      users.add(pkg)
    }
  }

  remove(pkg: string): void {
    const basket = this.baskets.get(pkg)
    if (!basket) return
    this.baskets.delete(pkg)
    this.apply(basket, -1)
    for (const item of basket) {
      const users = this.users.get(item)
      users?.delete(pkg)
      if (users?.size === 0) this.users.delete(item)
    }
  }

  /** Inverse document frequency of a dependency: rarely used packages say more about a project. */
  private idf(item: string): number {
    return Math.log(this.baskets.size / (this.usage.get(item) ?? 1))
  }

  /**
   * CrossRec (Nguyen et al., JSS 2020): TF-IDF-weighted cosine between the query and every package
   * sharing a dependency with it; candidates score the summed similarity of the NEIGHBOURS most
   * similar packages that use them.
   */
  private neighbourScores(names: readonly string[]): Map<string, number> {
    const query = new Set(names)
    const queryNorm = Math.sqrt(names.reduce((sum, name) => sum + this.idf(name) ** 2, 0))
    const overlap = new Map<string, number>()
    for (const name of query) {
      const weight = this.idf(name) ** 2
      for (const user of this.users.get(name) ?? []) overlap.set(user, (overlap.get(user) ?? 0) + weight)
    }
    const similar = [...overlap].map(([pkg, dot]) => {
      const basket = this.baskets.get(pkg) as string[]
      const norm = Math.sqrt(basket.reduce((sum, item) => sum + this.idf(item) ** 2, 0))
      return { pkg, similarity: norm === 0 || queryNorm === 0 ? 0 : dot / (norm * queryNorm) }
    })
    similar.sort((a, b) => b.similarity - a.similarity || a.pkg.localeCompare(b.pkg))
    const scores = new Map<string, number>()
    for (const { pkg, similarity } of similar.slice(0, NEIGHBOURS)) {
      for (const item of this.baskets.get(pkg) as string[]) if (!query.has(item)) scores.set(item, (scores.get(item) ?? 0) + similarity)
    }
    return scores
  }

  private apply(basket: readonly string[], delta: 1 | -1): void {
    for (const item of basket) {
      const count = (this.usage.get(item) ?? 0) + delta
      if (count === 0) this.usage.delete(item)
      else this.usage.set(item, count)
    }
    for (let i = 0; i < basket.length; i++) {
      for (let j = i + 1; j < basket.length; j++) {
        this.bump(basket[i] as string, basket[j] as string, delta)
        this.bump(basket[j] as string, basket[i] as string, delta)
      }
    }
  }

  private bump(a: string, b: string, delta: number): void {
    let row = this.pairs.get(a)
    if (!row) this.pairs.set(a, (row = new Map()))
    const count = (row.get(b) ?? 0) + delta
    if (count === 0) {
      row.delete(b)
      if (row.size === 0) this.pairs.delete(a)
    } else row.set(b, count)
  }

  private npmi(together: number, a: number, b: number): number {
    const total = this.baskets.size
    if (together === 0 || total === 0) return -1
    if (together === total) return 1
    return Math.log((together * total) / (a * b)) / -Math.log(together / total)
  }

  /** Association of `candidate` with one query item under `measure` (higher is stronger). */
  private weight(measure: Exclude<CoOccurrenceMeasure, 'crossrec'>, together: number, a: number, b: number): number {
    switch (measure) {
      case 'npmi':
        return Math.max(0, this.npmi(together, a, b)) * (together / (together + SHRINKAGE))
      case 'cosine':
        return together / Math.sqrt(a * b)
      case 'confidence':
        return together / a
      case 'popularity':
        return b
    }
  }

  /** Packages most associated with `name` ("used together with"), by NPMI unless told otherwise. */
  related(name: string, options: RecommendOptions = {}): Recommendation[] {
    return this.recommend([name], { measure: 'npmi', ...options })
  }

  /**
   * Recommendations for a set of packages (e.g. a project's dependencies). The default measure,
   * CrossRec-style neighbours, completed held-out dependencies best in the evaluation; under the
   * pair measures each candidate's association with every query package is summed.
   */
  recommend(names: readonly string[], options: RecommendOptions = {}): Recommendation[] {
    const measure = options.measure ?? 'crossrec'
    const minSupport = options.minSupport ?? 2
    const exclude = new Set([...names, ...(options.exclude ?? [])])
    const candidates = new Map<string, { score: number; together: number; npmi: number; partner: string }>()
    const neighbourScores = measure === 'crossrec' ? this.neighbourScores(names) : null
    for (const name of names) {
      const a = this.usage.get(name)
      const row = this.pairs.get(name)
      if (!a || !row) continue
      for (const [candidate, together] of row) {
        if (together < minSupport || exclude.has(candidate)) continue
        const b = this.usage.get(candidate) as number
        const entry = candidates.get(candidate) ?? { score: 0, together: 0, npmi: -1, partner: name }
        entry.score = measure === 'crossrec' ? (neighbourScores?.get(candidate) ?? 0) : entry.score + (measure === 'popularity' ? 0 : this.weight(measure, together, a, b))
        const npmi = this.npmi(together, a, b)
        if (npmi > entry.npmi) entry.partner = name
        entry.npmi = Math.max(entry.npmi, npmi)
        entry.together = Math.max(entry.together, together)
        candidates.set(candidate, entry)
      }
    }
    // Under an association measure, a pair seen no more often than chance is not a recommendation.
    const results: Recommendation[] = [...candidates].filter(([, entry]) => measure === 'popularity' || entry.score > 0).map(([name, entry]) => ({
      name,
      together: entry.together,
      usedBy: this.usage.get(name) as number,
      score: Math.round((measure === 'popularity' ? (this.usage.get(name) as number) : entry.score) * 10_000) / 10_000,
      npmi: Math.round(entry.npmi * 1000) / 1000,
      relation: relation(entry.partner, name),
    }))
    results.sort((a, b) => b.score - a.score || b.npmi - a.npmi || b.together - a.together || a.name.localeCompare(b.name))
    return results.slice(0, options.limit ?? 10)
  }

  /** The most used packages overall: the popularity baseline. */
  mostUsed(limit: number, exclude: Iterable<string> = []): Array<{ name: string; usedBy: number }> {
    const skip = new Set(exclude)
    return [...this.usage]
      .filter(([name]) => !skip.has(name))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, limit)
      .map(([name, usedBy]) => ({ name, usedBy }))
  }

  toJSON(): CoOccurrenceSnapshot {
    return { format: 'packr-cooccurrence@1', baskets: Object.fromEntries(this.baskets) }
  }

  static fromJSON(snapshot: CoOccurrenceSnapshot): CoOccurrenceIndex {
    if (snapshot.format !== 'packr-cooccurrence@1') throw new Error(`unknown co-occurrence snapshot format: ${String(snapshot.format)}`)
    const index = new CoOccurrenceIndex()
    for (const [pkg, dependencies] of Object.entries(snapshot.baskets)) index.setDependencies(pkg, dependencies)
    return index
  }
}
