// `packr agent info|search|compare|deps|recommend|docs`: the agent API from a terminal, through the
// `@packr/agent` client. Readable tables with coloured scores on a terminal, plain text when piped,
// the API's own JSON with --json.
import type { PackrClient } from '../client.ts'
import type { CompareResponse, DependenciesResponse, DocsResponse, PackageInfo, RecommendationsResponse, SearchResponse } from '../schemas.ts'
import { UsageError } from './errors.ts'

export interface AgentOptions {
  json: boolean
  /** Colours (a terminal that asked for them); plain text otherwise. */
  color: boolean
  version: string | undefined
  depth: number | undefined
  limit: number | undefined
  detailed: boolean
}

export const AGENT_USAGE = `Usage: packr agent <command> [options]

Ask the registry about packages, as a coding agent would (through the agent API).

Commands:
  info <pkg>                    score (with sub-scores and the factors behind it), capabilities, trust signals, install command
  search "<capability>"         packages that do something, best first, each with why it matched
  compare <a> <b> [...]         two to five packages side by side, with a recommended pick and the reasons
  deps <pkg> [--depth N]        the dependency graph as this registry resolves it, problems spelled out
  recommend <pkg>               what is used together with it, and better-scored alternatives
  docs <pkg>                    API documentation: overview, exported names with signatures, usage examples

Options:
  --version V      a version, dist-tag or range (info, deps, docs; default: latest)
  --depth N        levels of the dependency graph (deps; default 2)
  --limit N        how many results (search, recommend)
  --detailed       everything the API knows (factors, evidence, the whole graph)
  --registry URL   registry to ask (default: $PACKR_REGISTRY_URL, npm's registry setting)
  --token TOKEN    token to use (default: $PACKR_TOKEN, then the one packr login saved)
  --json           the API's JSON answer on stdout
  -h, --help       show this help`

const SGR = { bold: 1, dim: 2, red: 31, green: 32, yellow: 33, cyan: 36 } as const

function painter(enabled: boolean) {
  return (style: keyof typeof SGR, text: string) => (enabled ? `\u001b[${SGR[style]}m${text}\u001b[0m` : text)
}

/** Columns padded to their widest cell (measured without colour codes). */
function table(rows: string[][]): string {
  const visible = (cell: string) => cell.replace(/\u001b\[\d+m/g, '').length
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => visible(row[column] ?? '')))) ?? []
  return rows.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell + ' '.repeat((widths[column] ?? 0) - visible(cell)))).join('  ').trimEnd()).join('\n')
}

const bytes = (count: number) => (count >= 1e6 ? `${(count / 1e6).toFixed(1)} MB` : count >= 1e3 ? `${(count / 1e3).toFixed(1)} kB` : `${count} B`)

export async function agentCommand(client: PackrClient, args: string[], options: AgentOptions): Promise<string> {
  const [sub, ...rest] = args
  const paint = painter(options.color)
  const score = (value: number | null | undefined) => {
    if (value === null || value === undefined) return paint('dim', '  —')
    const text = String(value).padStart(3)
    return paint(value >= 70 ? 'green' : value >= 40 ? 'yellow' : 'red', text)
  }
  const format = options.detailed ? 'detailed' : 'concise'
  const one = (what: string) => {
    if (rest.length !== 1) throw new UsageError(`packr agent ${sub} takes one ${what}, got ${rest.length}`)
    return rest[0] as string
  }
  const render = <T>(data: T, text: (data: T) => string) => (options.json ? JSON.stringify(data, null, 2) : text(data))

  switch (sub) {
    case 'info': {
      const info = await client.packages.retrieve(one('package name'), { version: options.version, format })
      return render(info, (data: PackageInfo) => {
        const lines = [`${paint('bold', `${data.name}@${data.version}`)}${data.deprecated ? paint('red', `  DEPRECATED: ${data.deprecated}`) : ''}`, data.description ?? '']
        if (data.score) {
          const s = data.score
          lines.push(`score ${score(s.final)}/100  ${s.verdict}: ${s.reason}`)
          lines.push(table([['quality', 'maintenance', 'supply chain', 'popularity'], [s.subScores.quality, s.subScores.maintenance, s.subScores.supplyChain, s.subScores.popularity].map((value) => String(value))]))
          for (const factor of s.factors ?? []) lines.push(`  ${factor.label}: ${factor.points}/${factor.maxPoints}  ${paint('dim', factor.evidence)}`)
          for (const cap of s.caps ?? []) lines.push(paint('red', `  capped at ${cap.limit}: ${cap.reason}`))
        } else lines.push(`score: ${data.analysis === 'pending' ? 'analysis pending' : 'not available (the tarball could not be analysed)'}`)
        if (data.capabilities.length > 0) lines.push(`capabilities: ${data.capabilities.map((capability) => capability.label).join(', ')}`)
        if (data.trust) {
          const t = data.trust
          lines.push(`types: ${t.types}  tests: ${t.hasTests ? 'yes' : 'no'}  CI: ${t.hasCI ? 'yes' : 'no'}  license: ${t.license ?? 'none'}  install scripts: ${t.installScripts}  module: ${t.moduleFormat}`)
          lines.push(`size: ${bytes(t.packageSize.tarballBytes)} packed, ${bytes(t.packageSize.unpackedBytes)} unpacked, ${t.packageSize.files} files`)
        }
        lines.push(`dependents in this registry: ${data.dependents}`, `install: ${data.install}`)
        return lines.filter((line) => line !== '').join('\n')
      })
    }
    case 'search': {
      if (rest.length === 0) throw new UsageError('packr agent search needs what the package should do, e.g. packr agent search "http client"')
      const page = (await client.packages.search(rest.join(' '), { limit: options.limit, format })).response
      return render(page, (data: SearchResponse) => {
        if (data.results.length === 0) return `no packages found for "${data.query}"`
        const header = data.understoodAs.length > 0 ? `understood as: ${data.understoodAs.map((capability) => capability.label).join(', ')}\n` : ''
        const rows = [['SCORE', 'PACKAGE', 'WHY'], ...data.results.map((hit) => [score(hit.score), `${hit.name}@${hit.version}${hit.deprecated ? paint('red', ' (deprecated)') : ''}`, hit.why])]
        return `${header}${table(rows)}\n${data.returned} of ${data.total}`
      })
    }
    case 'compare': {
      if (rest.length < 2 || rest.length > 5) throw new UsageError(`packr agent compare takes two to five packages, got ${rest.length}`)
      const comparison = await client.packages.compare(rest, { format: 'detailed' })
      return render(comparison, (data: CompareResponse) => {
        const rows = [
          ['PACKAGE', 'SCORE', 'VERDICT', 'DEPS', 'DAYS SINCE RELEASE', 'DISQUALIFIED'],
          ...data.packages.map((pkg) => [
            pkg.name === data.pick ? paint('bold', `${pkg.name} ★`) : pkg.name,
            score(pkg.score),
            pkg.verdict,
            String(pkg.dependencies ?? '—'),
            String(pkg.daysSinceRelease ?? '—'),
            pkg.disqualified.join('; ') || '—',
          ]),
        ]
        const lines = [table(rows), '', data.pick ? `pick: ${paint('bold', data.pick)}` : 'no pick: every candidate is disqualified', ...data.reasons.map((reason) => `  - ${reason}`)]
        for (const left of data.notCompared) lines.push(paint('yellow', `not compared: ${left.name} (${left.reason})`))
        return lines.join('\n')
      })
    }
    case 'deps': {
      const graph = await client.packages.dependencies(one('package name'), { version: options.version, depth: options.depth, format })
      return render(graph, (data: DependenciesResponse) => {
        const s = data.summary
        const lines = [
          `${paint('bold', data.root)}: ${s.direct} direct, ${s.packages} in all to depth ${data.depth} (${s.external} external, ${s.unsatisfied} unsatisfied, ${s.deprecated} deprecated, ${s.cycles} cycles)`,
        ]
        if (data.direct.length > 0) {
          lines.push(table([['DEPENDENCY', 'RANGE', 'RESOLVES TO', 'STATUS'], ...data.direct.map((dep) => [dep.name ?? '(hidden)', dep.range ?? '', dep.version ?? '—', dep.deprecated ? paint('red', `deprecated: ${dep.deprecated}`) : dep.status])]))
        }
        for (const problem of data.problems) lines.push(paint('yellow', `! ${problem}`))
        if (data.truncated) lines.push(paint('dim', '(some of the graph was left out; see --json --detailed)'))
        return lines.join('\n')
      })
    }
    case 'recommend': {
      const recommendations = await client.packages.recommendations(one('package name'), { limit: options.limit })
      return render(recommendations, (data: RecommendationsResponse) => {
        const lines: string[] = []
        lines.push(data.usedWith.length > 0 ? table([['USED TOGETHER WITH', 'BOTH USED BY', 'WHY'], ...data.usedWith.map((item) => [item.name, String(item.together), item.why])]) : `nothing in this registry is used together with ${data.name} yet`)
        if (data.alternatives.length > 0) lines.push('', table([['ALTERNATIVE', 'SCORE', 'WHY'], ...data.alternatives.map((item) => [`${item.name}@${item.version}`, score(item.score), item.why])]))
        return lines.join('\n')
      })
    }
    case 'docs': {
      const docs = await client.packages.docs(one('package name'), { version: options.version, format })
      return render(docs, (data: DocsResponse) => {
        const lines = [`${paint('bold', `${data.name}@${data.version}`)} (${data.source === 'generated' ? `written by ${data.generatedBy?.model ?? 'a model'}` : 'extracted from the package'})`, '', data.overview, '', `install: ${data.install}`]
        if (data.api.items.length > 0) {
          lines.push('', paint('bold', `API (${data.api.returned} of ${data.api.total}):`))
          for (const item of data.api.items) lines.push(`  ${paint('cyan', item.signature ?? `${item.kind} ${item.name}`)}${item.summary ? `\n    ${item.summary}` : ''}`)
        }
        for (const example of data.examples) lines.push('', paint('bold', example.title ?? 'Example'), example.code)
        return lines.join('\n')
      })
    }
    default:
      throw new UsageError(sub === undefined ? 'packr agent needs a command: info, search, compare, deps, recommend or docs' : `unknown agent command ${JSON.stringify(sub)}; run packr agent --help`)
  }
}
