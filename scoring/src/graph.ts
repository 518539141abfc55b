// Dependency graph of one version, resolved against what the registry holds: each range resolves
// to the highest satisfying version (a dist-tag name resolves to that tag), transitively to a
// requested depth. Packages the lookup does not know are external; ranges nothing satisfies are
// unsatisfied; edges inside a strongly connected component are marked as cycles (Tarjan).
import semver from 'semver'
import { isNonRegistrySpec } from './manifest.ts'

export interface PackageVersions {
  /** Version → its dependency maps. */
  versions: Record<string, { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; peerDependencies?: Record<string, string>; deprecated?: string | null }>
  distTags?: Record<string, string>
}

/** The registry's data source: sync or async, `undefined` for packages it does not have. */
export type PackageLookup = (name: string) => PackageVersions | undefined | Promise<PackageVersions | undefined>

export type DependencyKind = 'prod' | 'optional' | 'peer'

export interface GraphOptions {
  /** Levels below the root to resolve (1 = direct dependencies only). Default 3, at most 10. */
  depth?: number
  /** Include peer dependencies as edges (default false; npm installs them but they belong to the host). */
  peers?: boolean
  /** Stop after this many nodes (default 2,000); the graph reports `truncated`. */
  maxNodes?: number
}

export type NodeStatus = 'root' | 'resolved' | 'external' | 'unsatisfied' | 'non-registry'

export interface GraphNode {
  /** `name@version` for resolved nodes, `name@range` otherwise. */
  id: string
  name: string
  version: string | null
  status: NodeStatus
  /** Shortest distance from the root. */
  depth: number
  deprecated: string | null
  /** It has dependencies that were not expanded because of the depth limit. */
  unexpanded: boolean
  inCycle: boolean
}

export interface GraphEdge {
  from: string
  to: string
  range: string
  kind: DependencyKind
  /** The edge closes a cycle (both ends in the same strongly connected component). */
  cycle: boolean
}

export interface DependencyGraph {
  root: string
  nodes: GraphNode[]
  edges: GraphEdge[]
  /** Node count reached `maxNodes`. */
  truncated: boolean
  summary: { resolved: number; external: number; unsatisfied: number; nonRegistry: number; cycles: number; maxDepth: number }
}

export interface GraphRoot {
  name: string
  version: string
  dependencies?: Record<string, string>
  optionalDependencies?: Record<string, string>
  peerDependencies?: Record<string, string>
}

/** Highest version of `available` satisfying `range` (a dist-tag name resolves through `distTags`). */
export function resolveRange(range: string, available: PackageVersions): string | null {
  const versions = Object.keys(available.versions)
  const trimmed = range.trim()
  const tagged = available.distTags?.[trimmed === '' ? 'latest' : trimmed]
  if (tagged && versions.includes(tagged)) return tagged
  if (semver.validRange(trimmed || '*') === null) return null
  return semver.maxSatisfying(versions, trimmed || '*')
}

function dependencyEntries(manifest: GraphRoot | PackageVersions['versions'][string], peers: boolean): Array<[string, string, DependencyKind]> {
  const out = new Map<string, [string, string, DependencyKind]>()
  if (peers) for (const [name, range] of Object.entries(manifest.peerDependencies ?? {})) out.set(name, [name, range, 'peer'])
  for (const [name, range] of Object.entries(manifest.dependencies ?? {})) out.set(name, [name, range, 'prod'])
  // npm lets an optional entry override the same name in dependencies.
  for (const [name, range] of Object.entries(manifest.optionalDependencies ?? {})) out.set(name, [name, range, 'optional'])
  return [...out.values()].filter(([, range]) => typeof range === 'string').map(unalias)
}

/** `"alias": "npm:real-name@^1"` installs `real-name`; resolve that package. */
function unalias([name, range, kind]: [string, string, DependencyKind]): [string, string, DependencyKind] {
  const match = /^npm:((?:@[^/@]+\/)?[^@]+)(?:@(.*))?$/.exec(range.trim())
  return match ? [match[1] as string, match[2] ?? '*', kind] : [name, range, kind]
}

/** Marks edges within strongly connected components (and self-loops) as cycles. */
function markCycles(nodes: Map<string, GraphNode>, edges: GraphEdge[]): number {
  const adjacency = new Map<string, string[]>()
  for (const edge of edges) adjacency.set(edge.from, [...(adjacency.get(edge.from) ?? []), edge.to])
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const onStack = new Set<string>()
  const stack: string[] = []
  const component = new Map<string, number>()
  let counter = 0
  let components = 0
  // Iterative Tarjan: deep graphs must not overflow the call stack.
  for (const start of nodes.keys()) {
    if (index.has(start)) continue
    const work: Array<{ node: string; next: number }> = [{ node: start, next: 0 }]
    index.set(start, counter)
    low.set(start, counter++)
    stack.push(start)
    onStack.add(start)
    while (work.length > 0) {
      const frame = work[work.length - 1] as { node: string; next: number }
      const targets = adjacency.get(frame.node) ?? []
      if (frame.next < targets.length) {
        const target = targets[frame.next++] as string
        if (!index.has(target)) {
          index.set(target, counter)
          low.set(target, counter++)
          stack.push(target)
          onStack.add(target)
          work.push({ node: target, next: 0 })
        } else if (onStack.has(target)) low.set(frame.node, Math.min(low.get(frame.node) as number, index.get(target) as number))
        continue
      }
      work.pop()
      const parent = work[work.length - 1]
      if (parent) low.set(parent.node, Math.min(low.get(parent.node) as number, low.get(frame.node) as number))
      if (low.get(frame.node) === index.get(frame.node)) {
        let member: string
        do {
          member = stack.pop() as string
          onStack.delete(member)
          component.set(member, components)
        } while (member !== frame.node)
        components++
      }
    }
  }
  let cycles = 0
  for (const edge of edges) {
    if (edge.from === edge.to || component.get(edge.from) === component.get(edge.to)) {
      edge.cycle = true
      cycles++
      const from = nodes.get(edge.from)
      const to = nodes.get(edge.to)
      if (from) from.inCycle = true
      if (to) to.inCycle = true
    }
  }
  return cycles
}

/** Resolves `root`'s dependencies breadth-first (so each node gets its shortest depth). */
export async function buildDependencyGraph(root: GraphRoot, lookup: PackageLookup, options: GraphOptions = {}): Promise<DependencyGraph> {
  const depthLimit = Math.min(10, Math.max(1, options.depth ?? 3))
  const maxNodes = options.maxNodes ?? 2_000
  const peers = options.peers ?? false
  const cache = new Map<string, Promise<PackageVersions | undefined>>()
  const load = (name: string) => {
    let pending = cache.get(name)
    if (!pending) {
      pending = Promise.resolve(lookup(name))
      cache.set(name, pending)
    }
    return pending
  }
  const rootId = `${root.name}@${root.version}`
  const nodes = new Map<string, GraphNode>([[rootId, { id: rootId, name: root.name, version: root.version, status: 'root', depth: 0, deprecated: null, unexpanded: false, inCycle: false }]])
  const manifests = new Map<string, GraphRoot | PackageVersions['versions'][string]>([[rootId, root]])
  const edges: GraphEdge[] = []
  let truncated = false
  let frontier = [rootId]
  for (let depth = 1; frontier.length > 0; depth++) {
    const next: string[] = []
    for (const from of frontier) {
      const entries = dependencyEntries(manifests.get(from) as GraphRoot, peers)
      if (depth > depthLimit) {
        if (entries.length > 0) (nodes.get(from) as GraphNode).unexpanded = true
        continue
      }
      const resolved = await Promise.all(entries.map(async ([name, range, kind]) => ({ name, range, kind, available: isNonRegistrySpec(range) ? undefined : await load(name) })))
      for (const { name, range, kind, available } of resolved) {
        let id: string
        let node: Omit<GraphNode, 'depth' | 'unexpanded' | 'inCycle'>
        if (isNonRegistrySpec(range)) node = { id: (id = `${name}@${range}`), name, version: null, status: 'non-registry', deprecated: null }
        else if (!available) node = { id: (id = `${name}@${range}`), name, version: null, status: 'external', deprecated: null }
        else {
          const version = resolveRange(range, available)
          if (version === null) node = { id: (id = `${name}@${range}`), name, version: null, status: 'unsatisfied', deprecated: null }
          else {
            id = `${name}@${version}`
            const manifest = available.versions[version] as PackageVersions['versions'][string]
            node = { id, name, version, status: 'resolved', deprecated: manifest.deprecated ?? null }
            if (!manifests.has(id)) manifests.set(id, manifest)
          }
        }
        edges.push({ from, to: id, range, kind, cycle: false })
        if (nodes.has(id)) continue
        if (nodes.size >= maxNodes) {
          truncated = true
          edges.pop()
          continue
        }
        nodes.set(id, { ...node, depth, unexpanded: false, inCycle: false })
        if (node.status === 'resolved') next.push(id)
      }
    }
    frontier = next
  }
  const cycles = markCycles(nodes, edges)
  const list = [...nodes.values()]
  const count = (status: NodeStatus) => list.filter((node) => node.status === status).length
  return {
    root: rootId,
    nodes: list,
    edges,
    truncated,
    summary: { resolved: count('resolved'), external: count('external'), unsatisfied: count('unsatisfied'), nonRegistry: count('non-registry'), cycles, maxDepth: Math.max(0, ...list.map((node) => node.depth)) },
  }
}
