// Text normalisation shared by capability extraction and search, so a phrase in the taxonomy, a
// word in a README and a term typed by an agent meet in the same form: lowercase ASCII words,
// camelCase and snake_case split, light plural folding (`cookies` → `cookie`, `parsers` → `parser`).

const WORD = /[a-z0-9]+/g

/** `createServer` → `create Server`, `HTTPClient` → `HTTP Client`, `base64Url` → `base64 Url`. */
export function splitIdentifiers(text: string): string {
  return text.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
}

/** Folds English plurals without a stemmer's surprises on package names. */
export function foldPlural(word: string): string {
  if (word.length <= 3) return word
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`
  if (word.endsWith('sses') || word.endsWith('xes') || word.endsWith('ches') || word.endsWith('shes')) return word.slice(0, -2)
  if (word.endsWith('s') && !/(ss|us|is|os|ys|as)$/.test(word)) return word.slice(0, -1)
  return word
}

/**
 * Words too common to tell packages apart: English function words and the vocabulary of every
 * README's code samples. Dropping them keeps posting lists short (search speed and index memory)
 * without losing meaning; they are dropped from documents and queries alike.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be been but by can do does for from has have how i if in into is it its just more most my no not of on or our so such than that the their them then there these they this to too very was we what when where which while who will with you your ' +
    'const let var function return require import export default new true false null undefined await'
  ).split(' '),
)

/** Words of `text` in normalised form (identifiers split, lowercased, plurals folded). */
export function normalizeWords(text: string, options: { dropStopWords?: boolean } = {}): string[] {
  const split = splitIdentifiers(text)
  // Accents are folded only when there is non-ASCII text to fold (most READMEs have none).
  const lowered = (/[^\x00-\x7f]/.test(split) ? split.normalize('NFKD').replace(/[\u0300-\u036f]/g, '') : split).toLowerCase()
  const words = lowered.match(WORD) ?? []
  return (options.dropStopWords ? words.filter((word) => !STOP_WORDS.has(word)) : words).map(foldPlural)
}

/** `normalizeWords` joined with single spaces and padded, ready for ` phrase ` containment tests. */
export function phraseText(text: string): string {
  return ` ${normalizeWords(text).join(' ')} `
}
