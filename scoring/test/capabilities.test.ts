// Capability extraction on real manifests and READMEs (fixtures/real-packages.json, hand-labelled).
import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { SCORING_DOC, withTaxonomy } from '../scripts/render-taxonomy.ts'
import { CAPABILITIES, capabilitiesForQuery, extractCapabilities, MIN_CONFIDENCE, type CapabilityInput } from '../src/index.ts'
import fixtures from './fixtures/real-packages.json'

type Fixture = CapabilityInput & { version: string; required: string[]; acceptable: string[] }
const packages = fixtures.packages as Fixture[]

describe('capability extraction', () => {
  test('docs/scoring.md shows the current taxonomy (bun scoring/scripts/render-taxonomy.ts)', () => {
    const document = readFileSync(SCORING_DOC, 'utf8')
    expect(withTaxonomy(document)).toBe(document)
  })

  test('the taxonomy has unique ids and every entry has terms', () => {
    const ids = CAPABILITIES.map((capability) => capability.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const capability of CAPABILITIES) expect(capability.terms.length).toBeGreaterThan(0)
  })

  test.each(packages.map((fixture) => [fixture.name, fixture] as const))('%s: every hand-labelled capability is found', (_, fixture) => {
    const found = extractCapabilities(fixture).map((capability) => capability.id)
    expect(found).toEqual(expect.arrayContaining(fixture.required))
  })

  test('precision over the labelled set is at least 0.85', () => {
    let found = 0
    let correct = 0
    for (const fixture of packages) {
      const allowed = new Set([...fixture.required, ...fixture.acceptable])
      for (const capability of extractCapabilities(fixture)) {
        found++
        if (allowed.has(capability.id)) correct++
      }
    }
    expect(correct / found).toBeGreaterThanOrEqual(0.85)
  })

  test('each capability carries its evidence and a confidence from the combined sources', () => {
    const jwt = extractCapabilities({ name: 'passport-jwt', description: 'Passport authentication strategy using JSON Web Tokens', keywords: ['jwt', 'passport'] }).find((capability) => capability.id === 'jwt')
    expect(jwt?.evidence.map((evidence) => evidence.source)).toEqual(['name', 'keywords', 'description'])
    // noisy-or over the sources; the short single word "jwt" counts 0.8, the phrase "json web token" fully
    expect(jwt?.confidence).toBeCloseTo(1 - (1 - 0.55 * 0.8) * (1 - 0.5 * 0.8) * (1 - 0.5), 3)
    const weak = extractCapabilities({ name: 'x', readmeHeadings: ['Caching'] })
    expect(weak).toEqual([]) // a README heading alone is below MIN_CONFIDENCE
    expect(MIN_CONFIDENCE).toBeGreaterThan(0.25)
  })

  test('bin entries make a CLI; peer dependencies make a UI component; @types names are type definitions', () => {
    expect(extractCapabilities({ name: 'tool', bin: ['tool'] }).map((capability) => capability.id)).toEqual(['cli'])
    expect(extractCapabilities({ name: 'fancy-button', peerDependencies: ['react'] }).map((capability) => capability.id)).toEqual(['ui-component'])
    expect(extractCapabilities({ name: '@types/express' }).map((capability) => capability.id)).toContain('type-definitions')
  })

  test('is deterministic', () => {
    for (const fixture of packages.slice(0, 10)) expect(extractCapabilities(fixture)).toEqual(extractCapabilities(fixture))
  })

  test('maps agent queries onto the taxonomy, longest phrase first', () => {
    expect(capabilitiesForQuery('verify a JSON web token').map((capability) => capability.id)[0]).toBe('jwt')
    expect(capabilitiesForQuery('parse yaml config files').map((capability) => capability.id)).toEqual(expect.arrayContaining(['yaml', 'configuration']))
    expect(capabilitiesForQuery('http client with retries').map((capability) => capability.id)[0]).toBe('http-client')
    expect(capabilitiesForQuery('zzzz')).toEqual([])
  })
})
