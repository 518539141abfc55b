// Search: relevance × prior, exact name first, incremental updates, why each hit matched.
import { describe, expect, test } from 'bun:test'
import { PackageSearchIndex, type SearchDocument } from '../src/index.ts'

const docs: SearchDocument[] = [
  { name: 'jsonwebtoken', description: 'JSON Web Token implementation (symmetric and asymmetric)', keywords: ['jwt'], capabilities: [{ id: 'jwt', confidence: 0.8 }], apiNames: ['sign', 'verify', 'decode'], quality: 0.8, popularity: 0.9 },
  { name: 'jose', description: 'JWA, JWS, JWE, JWT, JWK, JWKS for Node.js, Browser, Cloudflare Workers, Deno, Bun', keywords: ['jwt', 'jws', 'jwe'], capabilities: [{ id: 'jwt', confidence: 0.9 }], apiNames: ['jwtVerify', 'SignJWT'], quality: 0.9, popularity: 0.7 },
  { name: 'lodash', description: 'Lodash modular utilities.', keywords: ['modules', 'stdlib', 'util'], capabilities: [{ id: 'utility-library', confidence: 0.8 }], apiNames: ['map', 'debounce', 'cloneDeep'], quality: 0.9, popularity: 1, readme: 'A modern JavaScript utility library delivering modularity, performance and extras. It can also decode things.' },
  { name: 'tiny-yaml', description: 'Parse and stringify YAML documents', keywords: ['yaml'], capabilities: [{ id: 'yaml', confidence: 0.8 }], apiNames: ['parse', 'stringify'], quality: 0.5, popularity: 0 },
  { name: 'axios', description: 'Promise based HTTP client for the browser and node.js', keywords: ['xhr', 'http', 'ajax', 'promise', 'node'], capabilities: [{ id: 'http-client', confidence: 0.9 }], quality: 0.8, popularity: 1 },
  { name: 'yaml', description: 'JavaScript parser and stringifier for YAML', keywords: ['YAML', 'parser', 'stringifier'], capabilities: [{ id: 'yaml', confidence: 0.9 }], quality: 0.9, popularity: 0.6 },
]

function build(): PackageSearchIndex {
  const index = new PackageSearchIndex()
  for (const doc of docs) index.upsert(doc)
  return index
}

describe('PackageSearchIndex', () => {
  test('an exact name match comes first even when another package is more relevant or popular', () => {
    const result = build().search('yaml')
    expect(result.hits[0]).toMatchObject({ name: 'yaml', exactName: true })
    expect(result.hits.map((hit) => hit.name)).toContain('tiny-yaml')
  })

  test('a relevant unpopular package beats a popular package that merely mentions the term', () => {
    const names = build().search('parse yaml documents').hits.map((hit) => hit.name)
    expect(names.indexOf('tiny-yaml')).toBeLessThan(names.indexOf('lodash') === -1 ? Infinity : names.indexOf('lodash'))
    const decode = build().search('decode jwt').hits.map((hit) => hit.name)
    expect(decode.slice(0, 2).sort()).toEqual(['jose', 'jsonwebtoken'])
  })

  test('the prior orders comparable matches; priorWeight 0 ranks by text alone', () => {
    const index = new PackageSearchIndex()
    index.upsert({ name: 'alpha-csv', description: 'CSV parser', quality: 0.2, popularity: 0 })
    index.upsert({ name: 'beta-csv', description: 'CSV parser', quality: 0.9, popularity: 0.9 })
    expect(index.search('csv parser').hits[0]?.name).toBe('beta-csv')
    const textOnly = index.search('csv parser', { priorWeight: 0 }).hits
    expect(textOnly[0]?.score).toBeCloseTo(textOnly[1]?.score ?? 0, 6)
  })

  test('deprecated packages sink', () => {
    const index = new PackageSearchIndex()
    index.upsert({ name: 'old-csv', description: 'CSV parser', quality: 0.9, popularity: 0.9, deprecated: true })
    index.upsert({ name: 'new-csv', description: 'CSV parser', quality: 0.6, popularity: 0.1 })
    expect(index.search('csv parser').hits.map((hit) => hit.name)).toEqual(['new-csv', 'old-csv'])
  })

  test('each hit says which terms matched in which fields', () => {
    const hit = build().search('jwt verify').hits.find((item) => item.name === 'jsonwebtoken')
    expect(hit?.matched.keywords).toContain('jwt')
    expect(hit?.matched.api).toContain('verify')
    expect(hit?.capabilities).toEqual(['jwt'])
  })

  test('camelCase API names and capability synonyms are searchable', () => {
    const index = build()
    expect(index.search('clone deep').hits[0]?.name).toBe('lodash')
    // "ajax" is a synonym in the http-client capability; axios has it as a keyword too, but the
    // capability field also finds it through "fetch".
    expect(index.search('fetch').hits[0]?.name).toBe('axios')
  })

  test('incremental updates: replace and remove', () => {
    const index = build()
    expect(index.size).toBe(docs.length)
    index.upsert({ name: 'tiny-yaml', description: 'Now a TOML parser', keywords: ['toml'] })
    expect(index.size).toBe(docs.length)
    expect(index.search('toml').hits.map((hit) => hit.name)).toEqual(['tiny-yaml'])
    expect(index.search('documents').hits.map((hit) => hit.name)).not.toContain('tiny-yaml')
    index.remove('tiny-yaml')
    expect(index.has('tiny-yaml')).toBe(false)
    expect(index.search('toml').hits).toEqual([])
    index.remove('never-there')
    expect(index.size).toBe(docs.length - 1)
  })

  test('filters: capability, name predicate, paging', () => {
    const index = build()
    expect(index.search('parser', { capabilities: ['yaml'] }).hits.every((hit) => ['yaml', 'tiny-yaml'].includes(hit.name))).toBe(true)
    expect(index.search('jwt', { filter: (name) => name !== 'jose' }).hits.map((hit) => hit.name)).not.toContain('jose')
    const all = index.search('jwt')
    const page = index.search('jwt', { limit: 1, offset: 1 })
    expect(page.total).toBe(all.total)
    expect(page.hits).toEqual(all.hits.slice(1, 2))
  })

  test('capability search without text ranks by confidence × prior', () => {
    const result = build().byCapability('jwt')
    expect(result.hits.map((hit) => hit.name)).toEqual(['jose', 'jsonwebtoken'])
    expect(result.queryCapabilities).toEqual(['jwt'])
  })

  test('queries with no words return nothing rather than everything', () => {
    expect(build().search('  !!! ').hits).toEqual([])
  })
})

describe('PackageSearchIndex at scale', () => {
  /** 600 packages with a 500-postings budget: every one mentions "javascript library"; one is about yaml. */
  function large(): PackageSearchIndex {
    const index = new PackageSearchIndex({ maxQueryPostings: 500 })
    for (let i = 0; i < 600; i++) index.upsert({ name: `pkg-${i}`, description: `A javascript library number ${i}`, readme: 'javascript library for everything', quality: 0.5, popularity: 0.5 })
    index.upsert({ name: 'yaml-thing', description: 'A javascript library to read yaml', quality: 0.5, popularity: 0.5 })
    return index
  }

  test('very common query terms are pruned, so rare terms decide', () => {
    const result = large().search('javascript library yaml')
    // "javascript" and "library" (601 postings each) do not fit the budget after "yaml"; only "yaml" is searched.
    expect(result.total).toBe(1)
    expect(result.hits[0]?.name).toBe('yaml-thing')
  })

  test('a query of only common terms still searches its rarest term', () => {
    expect(large().search('javascript library').total).toBe(601)
  })

  test('a snapshot is plain JSON and restores an index that answers identically and keeps updating', () => {
    const index = large()
    const restored = PackageSearchIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())), { maxQueryPostings: 500 })
    expect(restored.size).toBe(index.size)
    for (const query of ['javascript library yaml', 'number 42', 'yaml']) expect(restored.search(query)).toEqual(index.search(query))
    restored.remove('yaml-thing')
    restored.upsert({ name: 'toml-thing', description: 'reads toml' })
    expect(restored.search('toml').hits.map((hit) => hit.name)).toEqual(['toml-thing'])
    expect(restored.search('yaml').total).toBe(0)
    expect(() => PackageSearchIndex.fromJSON({ format: 'x' } as never)).toThrow('unknown search snapshot format')
  })
})
