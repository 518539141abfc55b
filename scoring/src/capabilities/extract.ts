// Deterministic capability extraction: taxonomy phrases are looked up in each source of evidence
// (name, keywords, description, README headings and summary, exported API names, bin, peer
// dependencies); the sources' weights combine as a noisy-or into a confidence in [0, 1].
import { phraseText } from '../text.ts'
import { CAPABILITIES, type CapabilityDefinition } from './taxonomy.ts'

export type EvidenceSource = 'name' | 'keywords' | 'description' | 'readme' | 'api' | 'bin' | 'peer'

export interface CapabilityEvidence {
  source: EvidenceSource
  /** The taxonomy term, API name, bin or peer that matched. */
  matched: string
}

export interface Capability {
  id: string
  label: string
  confidence: number
  evidence: CapabilityEvidence[]
}

export interface CapabilityInput {
  name: string
  description?: string | null
  keywords?: readonly string[]
  readmeHeadings?: readonly string[]
  readmeSummary?: string | null
  apiNames?: readonly string[]
  bin?: readonly string[]
  peerDependencies?: readonly string[]
}

/** How much one matching source says on its own (noisy-or combined across sources). */
export const SOURCE_WEIGHTS: Readonly<Record<EvidenceSource, number>> = {
  name: 0.55,
  keywords: 0.5,
  description: 0.5,
  readme: 0.25,
  api: 0.15,
  bin: 0.6,
  peer: 0.45,
}

/** Capabilities below this confidence are not reported. */
export const MIN_CONFIDENCE = 0.3
const MAX_CAPABILITIES = 12
const MAX_API_EVIDENCE = 3

interface CompiledCapability {
  definition: CapabilityDefinition
  /** Padded normalised phrases paired with the original term. */
  phrases: Array<[string, string]>
  /** The same plus the id and label, for reading queries. */
  queryPhrases: Array<[string, string]>
  api: Set<string>
}

const compilePhrases = (terms: readonly string[]) => terms.map((term): [string, string] => [phraseText(term), term]).filter(([phrase]) => phrase.trim() !== '')

const COMPILED: CompiledCapability[] = CAPABILITIES.map((definition) => ({
  definition,
  phrases: compilePhrases(definition.terms),
  queryPhrases: compilePhrases([definition.id, definition.label, ...definition.terms]),
  api: new Set((definition.api ?? []).map((name) => name.toLowerCase())),
}))

/** Joins several short texts so no phrase can match across two of them (double spaces). */
const joinPhrases = (texts: readonly string[]) => texts.map(phraseText).join('')

/** Single generic words count for less than phrases and distinctive words. */
function termStrength(phrase: string): number {
  const words = phrase.trim().split(' ')
  return words.length > 1 || (words[0] ?? '').length >= 6 ? 1 : 0.8
}

function bestTerm(capability: CompiledCapability, text: string): { term: string; strength: number } | null {
  let best: { term: string; strength: number } | null = null
  for (const [phrase, term] of capability.phrases) {
    if (!text.includes(phrase)) continue
    const strength = termStrength(phrase)
    if (!best || strength > best.strength || (strength === best.strength && term.length > best.term.length)) best = { term, strength }
  }
  return best
}

export function extractCapabilities(input: CapabilityInput): Capability[] {
  const texts: Array<[EvidenceSource, string]> = [
    ['name', phraseText(input.name.replace(/^@/, '').replace('/', ' '))],
    ['keywords', joinPhrases(input.keywords ?? [])],
    ['description', phraseText(input.description ?? '')],
    ['readme', joinPhrases([...(input.readmeHeadings ?? []), input.readmeSummary ?? ''])],
  ]
  const apiNames = (input.apiNames ?? []).filter((name) => name !== 'default')
  const peers = new Set(input.peerDependencies ?? [])
  const results: Capability[] = []
  for (const capability of COMPILED) {
    const { definition } = capability
    const evidence: CapabilityEvidence[] = []
    let disbelief = 1
    const add = (source: EvidenceSource, matched: string, strength = 1) => {
      evidence.push({ source, matched })
      disbelief *= 1 - SOURCE_WEIGHTS[source] * strength
    }
    const namePattern = definition.names?.find((pattern) => pattern.test(input.name))
    if (namePattern) add('name', namePattern.source)
    for (const [source, text] of texts) {
      if (source === 'name' && namePattern) continue
      const match = bestTerm(capability, text)
      if (match) add(source, match.term, match.strength)
    }
    let apiMatches = 0
    for (const name of apiNames) {
      if (apiMatches >= MAX_API_EVIDENCE) break
      if (capability.api.has(name.toLowerCase())) {
        add('api', name)
        apiMatches++
      }
    }
    if (definition.id === 'cli' && (input.bin?.length ?? 0) > 0) add('bin', (input.bin as readonly string[]).slice(0, 3).join(', '))
    const peer = definition.peers?.find((name) => peers.has(name))
    if (peer) add('peer', peer)
    const confidence = Math.round((1 - disbelief) * 1000) / 1000
    if (confidence >= MIN_CONFIDENCE) results.push({ id: definition.id, label: definition.label, confidence, evidence })
  }
  return results.sort((a, b) => b.confidence - a.confidence || a.id.localeCompare(b.id)).slice(0, MAX_CAPABILITIES)
}

/**
 * Maps free text (an agent's query such as "parse yaml config" or "jwt auth") onto taxonomy ids,
 * strongest first: capabilities whose id, label or one of whose terms occurs in the text.
 */
export function capabilitiesForQuery(query: string): Array<{ id: string; label: string; matched: string }> {
  const text = phraseText(query)
  const found: Array<{ id: string; label: string; matched: string; weight: number }> = []
  for (const capability of COMPILED) {
    const { id, label } = capability.definition
    let best: { matched: string; weight: number } | null = null
    for (const [phrase, term] of capability.queryPhrases) {
      if (!text.includes(phrase)) continue
      const weight = phrase.trim().split(' ').length * 10 + phrase.length
      if (!best || weight > best.weight) best = { matched: term, weight }
    }
    if (best) found.push({ id, label, ...best })
  }
  return found.sort((a, b) => b.weight - a.weight).map(({ id, label, matched }) => ({ id, label, matched }))
}
