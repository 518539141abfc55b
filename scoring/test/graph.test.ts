// Dependency graphs: highest satisfying versions, depth, cycles, externals, unsatisfied ranges.
import { describe, expect, test } from 'bun:test'
import { buildDependencyGraph, resolveRange, type PackageVersions } from '../src/index.ts'

const registry: Record<string, PackageVersions> = {
  a: { versions: { '1.0.0': { dependencies: { b: '^1.0.0' } }, '1.2.0': { dependencies: { b: '^1.1.0', c: '~2.0.0' } } }, distTags: { latest: '1.2.0' } },
  b: { versions: { '1.0.0': {}, '1.1.0': { dependencies: { a: '^1.0.0' } }, '1.5.0': { dependencies: { a: '^1.0.0', d: '^1.0.0' } }, '2.0.0': {} } },
  c: { versions: { '2.0.0': {}, '2.0.3': { deprecated: 'use c@3' }, '3.0.0': {} } },
  d: { versions: { '1.0.0': { dependencies: { e: '^1.0.0' } } } },
  e: { versions: { '1.0.0': { dependencies: { e: '^1.0.0' } } } },
  tagged: { versions: { '1.0.0': {}, '2.0.0-beta.1': {} }, distTags: { latest: '1.0.0', next: '2.0.0-beta.1' } },
}

describe('resolveRange', () => {
  test('picks the highest satisfying version, resolves dist-tags, and ignores prereleases', () => {
    expect(resolveRange('^1.0.0', registry.b as PackageVersions)).toBe('1.5.0')
    expect(resolveRange('~2.0.0', registry.c as PackageVersions)).toBe('2.0.3')
    expect(resolveRange('next', registry.tagged as PackageVersions)).toBe('2.0.0-beta.1')
    expect(resolveRange('*', registry.tagged as PackageVersions)).toBe('1.0.0')
    expect(resolveRange('^9.0.0', registry.b as PackageVersions)).toBeNull()
    expect(resolveRange('not a range', registry.b as PackageVersions)).toBeNull()
  })
})

describe('buildDependencyGraph', () => {
  const root = { name: 'app', version: '0.1.0', dependencies: { a: '^1.0.0', left: '^1.0.0', c: '^9.0.0', fork: 'github:me/fork', alias: 'npm:d@^1.0.0' } }

  test('resolves direct and transitive dependencies with an async lookup and marks what is not here', async () => {
    const graph = await buildDependencyGraph(root, async (name) => registry[name], { depth: 5 })
    const byId = new Map(graph.nodes.map((node) => [node.id, node]))
    expect(byId.get('a@1.2.0')).toMatchObject({ status: 'resolved', depth: 1 })
    expect(byId.get('b@1.5.0')).toMatchObject({ status: 'resolved', depth: 2 })
    expect(byId.get('c@2.0.3')).toMatchObject({ depth: 2, deprecated: 'use c@3' })
    expect(byId.get('left@^1.0.0')?.status).toBe('external')
    expect(byId.get('c@^9.0.0')?.status).toBe('unsatisfied')
    expect(byId.get('fork@github:me/fork')?.status).toBe('non-registry')
    expect(byId.get('d@1.0.0')?.depth).toBe(1) // through the npm: alias
    expect(graph.summary).toMatchObject({ external: 1, unsatisfied: 1, nonRegistry: 1 })
  })

  test('marks cycles, including self-dependencies, and still terminates', async () => {
    const graph = await buildDependencyGraph(root, (name) => registry[name], { depth: 10 })
    const cycleEdges = graph.edges.filter((edge) => edge.cycle).map((edge) => `${edge.from}->${edge.to}`).sort()
    expect(cycleEdges).toEqual(['a@1.2.0->b@1.5.0', 'b@1.5.0->a@1.2.0', 'e@1.0.0->e@1.0.0'])
    expect(graph.nodes.filter((node) => node.inCycle).map((node) => node.id).sort()).toEqual(['a@1.2.0', 'b@1.5.0', 'e@1.0.0'])
    expect(graph.edges.find((edge) => edge.from === 'app@0.1.0' && edge.to === 'a@1.2.0')?.cycle).toBe(false)
    expect(graph.summary.cycles).toBe(3)
  })

  test('stops at the requested depth and says which nodes were not expanded', async () => {
    const graph = await buildDependencyGraph(root, (name) => registry[name], { depth: 1 })
    expect(graph.nodes.every((node) => node.depth <= 1)).toBe(true)
    expect(graph.nodes.find((node) => node.id === 'a@1.2.0')?.unexpanded).toBe(true)
    expect(graph.summary.maxDepth).toBe(1)
  })

  test('looks each package up once and honours maxNodes', async () => {
    const calls: string[] = []
    const graph = await buildDependencyGraph(root, (name) => {
      calls.push(name)
      return registry[name]
    }, { depth: 10, maxNodes: 3 })
    expect(new Set(calls).size).toBe(calls.length)
    expect(graph.nodes).toHaveLength(3)
    expect(graph.truncated).toBe(true)
  })

  test('the result is plain JSON', async () => {
    const graph = await buildDependencyGraph(root, (name) => registry[name])
    expect(JSON.parse(JSON.stringify(graph))).toEqual(graph)
  })
})
