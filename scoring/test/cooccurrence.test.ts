// Co-occurrence: associations beat popularity, updates are incremental, snapshots round-trip.
import { describe, expect, test } from 'bun:test'
import { CoOccurrenceIndex } from '../src/index.ts'

/** Planted structure: express goes with body-parser and cors; react with react-dom; lodash is everywhere. */
function planted(): CoOccurrenceIndex {
  const index = new CoOccurrenceIndex()
  for (let i = 0; i < 6; i++) index.setDependencies(`api-${i}`, ['express', 'body-parser', 'cors', 'lodash', ...(i % 2 ? ['debug'] : [])])
  for (let i = 0; i < 6; i++) index.setDependencies(`web-${i}`, ['react', 'react-dom', 'lodash', ...(i % 2 ? ['debug'] : [])])
  for (let i = 0; i < 10; i++) index.setDependencies(`util-${i}`, ['lodash', 'debug', ...(i < 2 ? ['express'] : [])])
  index.setDependencies('typed', ['express', '@types/express', 'body-parser'])
  index.setDependencies('typed-2', ['express', '@types/express'])
  return index
}

describe('CoOccurrenceIndex', () => {
  test('NPMI ranks real companions above the most popular package; popularity does not', () => {
    const index = planted()
    const related = index.related('express', { limit: 4 }).map((item) => item.name)
    expect(related.slice(0, 3).sort()).toEqual(['@types/express', 'body-parser', 'cors'])
    expect(related.indexOf('lodash')).toBe(-1) // lodash co-occurs, but no more than chance
    const byPopularity = index.related('express', { measure: 'popularity', limit: 1 }).map((item) => item.name)
    expect(byPopularity).toEqual(['lodash'])
  })

  test('each recommendation says how many packages use both and labels obvious pairs', () => {
    const [first] = planted().related('react', { limit: 1 })
    expect(first).toMatchObject({ name: 'react-dom', together: 6, usedBy: 6, relation: 'association' })
    const types = planted().related('express').find((item) => item.name === '@types/express')
    expect(types).toMatchObject({ together: 2, relation: 'types' })
  })

  test('minimum support hides pairs seen too rarely', () => {
    const index = planted()
    index.setDependencies('oddball', ['express', 'left-pad'])
    expect(index.related('express').map((item) => item.name)).not.toContain('left-pad')
    expect(index.related('express', { minSupport: 1 }).map((item) => item.name)).toContain('left-pad')
  })

  test('basket completion: a project with express and body-parser is offered cors', () => {
    const [top] = planted().recommend(['express', 'body-parser'], { measure: 'npmi', limit: 1 })
    expect(top?.name).toBe('cors')
  })

  test('the CrossRec-style measure completes a project from its most similar packages', () => {
    const index = planted()
    // Neighbours are the api-* packages (and two util-* ones that also use express): cors and lodash.
    const names = index.recommend(['express', 'body-parser'], { measure: 'crossrec', limit: 2 }).map((item) => item.name)
    expect(names.sort()).toEqual(['cors', 'lodash'])
    expect(index.recommend(['react'], { measure: 'crossrec', limit: 1 })[0]?.name).toBe('react-dom')
  })

  test('replace and remove update the counts exactly', () => {
    const index = planted()
    const before = JSON.stringify(index.related('express'))
    index.setDependencies('api-0', ['react', 'react-dom'])
    expect(index.usedBy('cors')).toBe(5)
    index.setDependencies('api-0', ['express', 'body-parser', 'cors', 'lodash'])
    expect(JSON.stringify(index.related('express'))).toBe(before)
    index.remove('api-0')
    index.remove('api-0')
    expect(index.usedBy('cors')).toBe(5)
    expect(index.size).toBe(23)
  })

  test('dependentsOf lists the packages that depend on a name, and follows replacements', () => {
    const index = new CoOccurrenceIndex()
    index.setDependencies('b-app', ['cors', 'express'])
    index.setDependencies('a-app', ['cors'])
    expect(index.dependentsOf('cors')).toEqual(['a-app', 'b-app'])
    index.setDependencies('b-app', ['express'])
    expect(index.dependentsOf('cors')).toEqual(['a-app'])
    index.remove('a-app')
    expect(index.dependentsOf('cors')).toEqual([])
    expect(index.dependentsOf('unknown')).toEqual([])
  })

  test('snapshots are plain JSON and restore an identical index', () => {
    const index = planted()
    const restored = CoOccurrenceIndex.fromJSON(JSON.parse(JSON.stringify(index.toJSON())))
    expect(restored.related('express')).toEqual(index.related('express'))
    expect(restored.size).toBe(index.size)
    expect(() => CoOccurrenceIndex.fromJSON({ format: 'other', baskets: {} } as never)).toThrow('unknown co-occurrence snapshot format')
  })

  test('unknown packages get no recommendations; a package never recommends itself', () => {
    const index = planted()
    expect(index.related('nothing')).toEqual([])
    index.setDependencies('self', ['self', 'express'])
    expect(index.dependenciesOf('self')).toEqual(['express'])
  })
})
