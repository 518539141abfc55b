// The real-package corpus as the evaluation and the benchmark use it: the highest version of each
// package, analysed, with its README text and in-corpus dependents, turned into search documents.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import semver from 'semver'
import { CORPUS_DIR, loadCorpus, type CorpusEntry } from '../../test/corpus/build.ts'
import { analyzeVersion, readTarball, scoreVersion, type SearchDocument, type VersionAnalysis } from '../src/index.ts'

export interface CorpusPackage {
  entry: CorpusEntry
  bytes: Uint8Array
  analysis: VersionAnalysis
  readme: string
}

const README = /^readme(\.(md|markdown|txt))?$/i
const decoder = new TextDecoder()

/** The highest version of each package name. */
export function latestPerName(corpus: readonly CorpusEntry[]): CorpusEntry[] {
  const best = new Map<string, CorpusEntry>()
  for (const entry of corpus) {
    const current = best.get(entry.name)
    if (!current || semver.gt(entry.version, current.version)) best.set(entry.name, entry)
  }
  return [...best.values()].sort((a, b) => a.name.localeCompare(b.name))
}

/** Popularity inside the corpus: how many packages depend on each name (the registry's own "dependents"). */
export function dependentsCount(entries: readonly CorpusEntry[]): Map<string, number> {
  const counts = new Map<string, number>()
  for (const entry of entries) for (const name of Object.keys(entry.dependencies)) counts.set(name, (counts.get(name) ?? 0) + 1)
  return counts
}

export async function loadCorpusPackages(): Promise<{ corpus: CorpusEntry[]; latest: CorpusEntry[]; packages: CorpusPackage[]; rejected: string[] }> {
  const corpus = await loadCorpus()
  const latest = latestPerName(corpus)
  const packages: CorpusPackage[] = []
  const rejected: string[] = []
  for (const entry of latest) {
    const bytes = new Uint8Array(readFileSync(join(CORPUS_DIR, entry.file)))
    const analysis = await analyzeVersion(bytes)
    if (analysis.status !== 'ok') {
      rejected.push(`${entry.name}@${entry.version} (${analysis.reason})`)
      continue
    }
    const contents = await readTarball(bytes, { select: (path) => README.test(path) })
    const readmeBytes = [...contents.files.values()][0]
    packages.push({ entry, bytes, analysis, readme: readmeBytes ? decoder.decode(readmeBytes) : '' })
  }
  return { corpus, latest, packages, rejected }
}

/**
 * A search document for a corpus package. The corpus carries no release dates or download counts,
 * so the prior uses the time-independent quality sub-score and in-corpus dependents as popularity.
 */
export function searchDocument({ analysis, readme }: CorpusPackage, dependents: ReadonlyMap<string, number>): SearchDocument {
  const score = scoreVersion(analysis, { now: 0, versions: [], dependents: dependents.get(analysis.name) ?? 0 })
  return {
    name: analysis.name,
    description: analysis.metadata.description,
    keywords: analysis.metadata.keywords,
    capabilities: analysis.capabilities,
    readme,
    apiNames: analysis.api.names,
    quality: score.subScores.quality.ratio,
    popularity: score.subScores.popularity.ratio,
  }
}
