// The agent API's response shapes: the single source of truth. The registry validates its answers
// against these schemas (and publishes them in /openapi.json), the SDK parses responses with them,
// and the MCP server uses them as its tools' output schemas. Field names explain themselves, since
// a model reading a tool result never sees the schema. Fields marked "detailed" are left out of
// `format=concise` answers.
import { z } from 'zod'

const percent = z.number().int().min(0).max(100)

export const FORMATS = ['concise', 'detailed'] as const
export const Format = z.enum(FORMATS).describe('concise: the essentials, few tokens; detailed: everything (default for HTTP)')
export type Format = z.infer<typeof Format>

export const Verdict = z.enum(['recommended', 'caution', 'avoid']).describe('recommended: score ≥ 70 with no red flags; avoid: score < 40, deprecated, or a safety cap; caution otherwise')
export type Verdict = z.infer<typeof Verdict>

export const ErrorBody = z.object({
  error: z.string().describe('What went wrong, as a sentence'),
  code: z.string().describe('Stable machine-readable code, e.g. PACKAGE_NOT_FOUND'),
  message: z.string(),
  status: z.number().int(),
})
export type ErrorBody = z.infer<typeof ErrorBody>

export const SubScores = z.object({
  quality: percent.describe('README, types, tests, license, packaging, metadata'),
  maintenance: percent.describe('release freshness, maturity, cadence, being the current major'),
  supplyChain: percent.describe('install scripts, dependency count and hygiene, readable code'),
  popularity: percent.describe('downloads and dependents in this registry'),
})

export const ScoreFactor = z.object({
  id: z.string(),
  subScore: z.enum(['quality', 'maintenance', 'supplyChain', 'popularity']),
  label: z.string(),
  points: z.number(),
  maxPoints: z.number(),
  evidence: z.string(),
})

export const ScoreCap = z.object({ id: z.string(), limit: z.number().int(), reason: z.string() })

export const Score = z.object({
  final: percent.describe('Quality score 0-100 after caps'),
  verdict: Verdict,
  reason: z.string().describe('One line explaining the verdict'),
  subScores: SubScores,
  factors: z.array(ScoreFactor).optional().describe('detailed: every factor with its points and evidence'),
  caps: z.array(ScoreCap).optional().describe('detailed: hard limits that apply, with reasons'),
  flags: z.object({ deprecated: z.boolean(), unstable: z.boolean(), insecure: z.boolean() }).optional().describe('detailed'),
})
export type Score = z.infer<typeof Score>

export const Capability = z.object({
  id: z.string().describe('Taxonomy id, e.g. http-client'),
  label: z.string(),
  confidence: z.number().min(0).max(1).optional().describe('detailed'),
})

export const TrustSignals = z.object({
  hasTypes: z.boolean(),
  types: z.enum(['bundled', 'types-dependency', 'none']),
  hasTests: z.boolean().describe('a real test script or test framework'),
  hasCI: z.boolean().describe('CI configuration shipped in the tarball'),
  packageSize: z.object({ tarballBytes: z.number().int(), unpackedBytes: z.number().int(), files: z.number().int() }),
  license: z.string().nullable(),
  installScripts: z.enum(['none', 'local-build', 'prebuilt-download', 'remote-code']).describe('what runs at install time'),
  deprecated: z.boolean(),
  moduleFormat: z.enum(['esm', 'cjs', 'dual', 'none']),
})

export const PackageInfo = z.object({
  name: z.string(),
  version: z.string(),
  latest: z.string().describe('The version the latest dist-tag points at'),
  description: z.string().nullable(),
  publishedAt: z.string().describe('ISO 8601'),
  deprecated: z.string().nullable().describe('Deprecation message, null when not deprecated'),
  analysis: z.enum(['ready', 'pending', 'rejected']).describe('pending: published moments ago, score and trust signals follow shortly'),
  score: Score.nullable(),
  capabilities: z.array(Capability),
  trust: TrustSignals.nullable(),
  dependencies: z.object({
    count: z.number().int(),
    hidden: z.number().int().describe('Dependencies outside what this token may see (not named)'),
    ranges: z.record(z.string(), z.string()).optional().describe('detailed: name → range, visible ones only, at most 100'),
  }),
  downloads30Days: z.number().int(),
  dependents: z.number().int().describe('Packages in this registry whose latest version depends on it'),
  install: z.string().describe('Command that installs this version'),
  keywords: z.array(z.string()).optional().describe('detailed'),
  distTags: z.record(z.string(), z.string()).optional().describe('detailed: at most 20'),
  versions: z.object({ total: z.number().int(), recent: z.array(z.object({ version: z.string(), publishedAt: z.string(), deprecated: z.boolean() })) }).optional().describe('detailed: newest first, at most 10'),
  links: z.object({ homepage: z.string().optional(), repository: z.string().optional() }).optional().describe('detailed'),
})
export type PackageInfo = z.infer<typeof PackageInfo>

export const SearchResult = z.object({
  name: z.string(),
  version: z.string(),
  description: z.string().nullable(),
  score: percent.nullable().describe('null while the analysis is pending'),
  verdict: Verdict.nullable(),
  why: z.string().describe('Why it matched, in words'),
  capabilities: z.array(z.string()).describe('Capabilities the query asked for that this package has'),
  deprecated: z.boolean(),
  matched: z.record(z.string(), z.array(z.string())).optional().describe('detailed: field → matched terms'),
  subScores: SubScores.nullable().optional().describe('detailed'),
})
export type SearchResult = z.infer<typeof SearchResult>

export const SearchResponse = z.object({
  query: z.string(),
  understoodAs: z.array(z.object({ id: z.string(), label: z.string() })).describe('Capabilities the query was read as asking for'),
  total: z.number().int(),
  returned: z.number().int(),
  nextCursor: z.string().nullable().describe('Pass as cursor for the next page; null on the last page'),
  results: z.array(SearchResult),
})
export type SearchResponse = z.infer<typeof SearchResponse>

export const ComparedPackage = z.object({
  name: z.string(),
  version: z.string().nullable(),
  score: percent,
  verdict: Verdict,
  disqualified: z.array(z.string()).describe('Why it cannot be the pick; empty when eligible'),
  subScores: SubScores.optional().describe('detailed'),
  capabilities: z.array(z.string()).optional().describe('detailed'),
  types: z.enum(['bundled', 'types-dependency', 'none']).optional().describe('detailed'),
  moduleFormat: z.string().nullable().optional().describe('detailed'),
  unpackedBytes: z.number().int().nullable().optional().describe('detailed'),
  dependencies: z.number().int().nullable().optional().describe('detailed'),
  daysSinceRelease: z.number().int().nullable().optional().describe('detailed'),
  downloads30Days: z.number().int().optional().describe('detailed'),
  license: z.string().nullable().optional().describe('detailed'),
})

export const CompareResponse = z.object({
  pick: z.string().nullable().describe('The recommended package, null when every candidate is disqualified'),
  reasons: z.array(z.string()),
  ranking: z.array(z.string()).describe('Best first'),
  sharedCapabilities: z.array(z.string()),
  packages: z.array(ComparedPackage),
  notCompared: z.array(z.object({ name: z.string(), reason: z.string() })).describe('Requested packages left out, with why'),
})
export type CompareResponse = z.infer<typeof CompareResponse>

export const DependencyStatus = z.enum(['root', 'resolved', 'external', 'unsatisfied', 'non-registry', 'hidden'])

export const DependencyNode = z.object({
  id: z.string().describe('name@version, or name@range when not resolved; hidden#N for packages this token may not see'),
  name: z.string().nullable(),
  version: z.string().nullable(),
  status: DependencyStatus.describe('external: not in this registry; unsatisfied: no version matches the range; hidden: not visible to this token'),
  depth: z.number().int(),
  deprecated: z.string().nullable(),
  inCycle: z.boolean(),
  unexpanded: z.boolean().describe('Has dependencies below the depth limit'),
})

export const DependencyEdge = z.object({
  from: z.string(),
  to: z.string(),
  range: z.string().nullable(),
  kind: z.enum(['prod', 'optional', 'peer']),
  cycle: z.boolean(),
})

export const DependenciesResponse = z.object({
  root: z.string().describe('name@version'),
  depth: z.number().int(),
  summary: z.object({
    packages: z.number().int().describe('Nodes below the root'),
    direct: z.number().int().describe('Direct dependencies of the root'),
    resolved: z.number().int(),
    external: z.number().int(),
    unsatisfied: z.number().int(),
    nonRegistry: z.number().int(),
    hidden: z.number().int(),
    deprecated: z.number().int(),
    cycles: z.number().int(),
    maxDepth: z.number().int(),
  }),
  problems: z.array(z.string()).describe('Deprecated, unsatisfied and cyclic dependencies, in words (at most 20)'),
  direct: z.array(z.object({ name: z.string().nullable(), range: z.string().nullable(), version: z.string().nullable(), status: DependencyStatus, deprecated: z.string().nullable() })).describe('At most 30 (concise) or 50 (detailed)'),
  truncated: z.boolean().describe('Some direct dependencies, nodes or edges were left out of this answer, or the graph hit its node limit; summary has the full counts'),
  nodes: z.array(DependencyNode).optional().describe('detailed'),
  edges: z.array(DependencyEdge).optional().describe('detailed'),
})
export type DependenciesResponse = z.infer<typeof DependenciesResponse>

export const RecommendationsResponse = z.object({
  name: z.string(),
  usedWith: z.array(
    z.object({
      name: z.string(),
      together: z.number().int().describe('Packages in this registry that use both'),
      usedBy: z.number().int(),
      relation: z.enum(['types', 'same-scope', 'association']),
      why: z.string(),
    }),
  ),
  alternatives: z.array(
    z.object({
      name: z.string(),
      version: z.string(),
      score: percent.nullable(),
      verdict: Verdict.nullable(),
      sharedCapabilities: z.array(z.string()),
      why: z.string(),
    }),
  ),
})
export type RecommendationsResponse = z.infer<typeof RecommendationsResponse>

export const ApiItem = z.object({
  name: z.string(),
  kind: z.enum(['function', 'class', 'interface', 'type', 'enum', 'variable', 'namespace', 'unknown']),
  signature: z.string().nullable().describe('As declared in the .d.ts; null for packages without types'),
  summary: z.string().nullable(),
})

export const DocsResponse = z.object({
  name: z.string(),
  version: z.string(),
  source: z.enum(['generated', 'extracted']).describe('generated: overview and examples written by a model from the package; extracted: read from the package alone'),
  generatedBy: z.object({ provider: z.string(), model: z.string(), generatedAt: z.string() }).nullable(),
  overview: z.string(),
  install: z.string(),
  api: z.object({
    source: z.enum(['types', 'esm', 'cjs', 'none']),
    entry: z.string().nullable(),
    total: z.number().int().describe('Exported names matching the filter'),
    returned: z.number().int(),
    items: z.array(ApiItem),
  }),
  examples: z.array(z.object({ title: z.string().nullable(), language: z.string().nullable(), code: z.string(), source: z.enum(['readme', 'generated']) })),
  readmeSections: z.array(z.string()).optional().describe('detailed'),
})
export type DocsResponse = z.infer<typeof DocsResponse>

/** What the agent API answers, by endpoint (for tools and tests). */
export const AgentSchemas = {
  package: PackageInfo,
  search: SearchResponse,
  compare: CompareResponse,
  dependencies: DependenciesResponse,
  recommendations: RecommendationsResponse,
  docs: DocsResponse,
  error: ErrorBody,
}

// Registry basics (npm protocol), as much as the SDK relies on; other fields pass through.
export const Packument = z.looseObject({
  name: z.string(),
  'dist-tags': z.record(z.string(), z.string()),
  versions: z.record(z.string(), z.looseObject({ name: z.string(), version: z.string(), deprecated: z.string().optional() })),
  time: z.record(z.string(), z.string()).optional(),
  readme: z.string().optional(),
})
export type Packument = z.infer<typeof Packument>

export const DistTags = z.record(z.string(), z.string())
export const Whoami = z.object({ username: z.string() })

export const TokenInfo = z.object({
  id: z.string(),
  key: z.string(),
  username: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  role: z.string(),
  permissions: z.array(z.string()),
  scopes: z.array(z.string()),
  packages: z.array(z.string()).nullable(),
  cidr: z.array(z.string()).nullable(),
  readonly: z.boolean(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
})
export type TokenInfo = z.infer<typeof TokenInfo>
export const CreatedToken = TokenInfo.extend({ token: z.string() })
export type CreatedToken = z.infer<typeof CreatedToken>
export const TokenList = z.object({ total: z.number().int(), tokens: z.array(TokenInfo) })

export const DeviceAuthorization = z.object({
  device_code: z.string(),
  user_code: z.string(),
  verification_uri: z.string(),
  verification_uri_complete: z.string(),
  expires_in: z.number(),
  interval: z.number(),
})
export type DeviceAuthorization = z.infer<typeof DeviceAuthorization>
