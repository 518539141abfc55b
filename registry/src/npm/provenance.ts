// Provenance sent with a publish: a Sigstore bundle whose DSSE envelope carries an in-toto
// statement about the tarball. We check that the statement is about exactly this package version
// and these bytes (npmjs answers 422 otherwise); verifying the Sigstore signature chain needs the
// public-good trust roots, which an offline registry cannot fetch, so clients verify that part.
import { UnprocessableEntityError } from '../errors/index.ts'

export interface Provenance {
  predicateType: string
  bundle: Record<string, unknown>
}

interface Statement {
  subject?: Array<{ name?: unknown; digest?: { sha512?: unknown } }>
  predicateType?: unknown
}

const invalid = (reason: string) => new UnprocessableEntityError('INVALID_PROVENANCE', `provenance bundle rejected: ${reason}`)

/** The package URL a provenance subject must name: `pkg:npm/%40scope/name@1.0.0`. */
export function packageUrl(name: string, version: string): string {
  return `pkg:npm/${name.replace(/^@/, '%40')}@${version}`
}

export function parseProvenance(raw: string, name: string, version: string, sha512Hex: string): Provenance {
  let bundle: Record<string, unknown>
  try {
    bundle = JSON.parse(raw) as Record<string, unknown>
  } catch {
    throw invalid('not valid JSON')
  }
  const envelope = bundle?.dsseEnvelope as { payload?: unknown; payloadType?: unknown } | undefined
  if (typeof envelope?.payload !== 'string') throw invalid('no DSSE envelope payload')
  let statement: Statement
  try {
    statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8')) as Statement
  } catch {
    throw invalid('the envelope payload is not an in-toto statement')
  }
  if (typeof statement.predicateType !== 'string') throw invalid('the statement has no predicateType')
  const expected = packageUrl(name, version)
  const subject = statement.subject?.find((candidate) => candidate.name === expected || candidate.name === `pkg:npm/${name}@${version}`)
  if (!subject) throw invalid(`no subject names ${expected}`)
  if (subject.digest?.sha512 !== sha512Hex) throw invalid(`the subject's sha512 digest does not match the published tarball`)
  return { predicateType: statement.predicateType, bundle }
}
