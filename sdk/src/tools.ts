// Packr's tools for a model, defined once: name, description (written for a model that has never
// heard of Packr), input schema with limits and examples, output schema, and how each runs against an
// `AgentBackend`: a PackrClient over HTTP (`clientBackend`), or the registry's own services (its /mcp
// endpoint). The MCP server registers exactly these; frameworks without MCP take `packrTools(client)`
// (JSON schemas included) and call `handler` with the model's arguments.
import { z } from 'zod'
import type { PackrClient } from './client.ts'
import { AgentSchemas, Format, type CompareResponse, type DependenciesResponse, type DocsResponse, type PackageInfo, type RecommendationsResponse, type SearchResponse } from './schemas.ts'

/** What the tools need from Packr: the agent API's answers, and a package's README. */
export interface AgentBackend {
  search(query: string, options: { limit: number; cursor?: string | undefined; format: Format }): PromiseLike<SearchResponse>
  retrieve(name: string, options: { version?: string | undefined; format: Format }): PromiseLike<PackageInfo>
  compare(names: readonly string[], options: { format: Format }): PromiseLike<CompareResponse>
  dependencies(name: string, options: { version?: string | undefined; depth: number; format: Format }): PromiseLike<DependenciesResponse>
  recommendations(name: string, options: { limit: number }): PromiseLike<RecommendationsResponse>
  docs(name: string, options: { version?: string | undefined; symbol?: string | undefined; format: Format }): PromiseLike<DocsResponse>
  /** README of the latest version (null when it has none). */
  readme(name: string): PromiseLike<string | null>
}

/** The agent API of a registry over HTTP, through `client`. */
export function clientBackend(client: PackrClient): AgentBackend {
  return {
    search: async (query, options) => (await client.packages.search(query, options)).response,
    retrieve: (name, options) => client.packages.retrieve(name, options),
    compare: (names, options) => client.packages.compare(names, options),
    dependencies: (name, options) => client.packages.dependencies(name, options),
    recommendations: (name, options) => client.packages.recommendations(name, options),
    docs: (name, options) => client.packages.docs(name, options),
    // The packument route answers anyone who may install; asking the agent API first applies the
    // token's visibility and gives its "did you mean" for unknown names.
    readme: async (name) => {
      await client.packages.retrieve(name, { format: 'concise' })
      return (await client.packages.metadata(name)).readme || null
    },
  }
}

const packageName = z
  .string()
  .min(1)
  .max(214)
  .describe('Exact npm package name, scoped or not, e.g. "@acme/http-client" or "left-pad"')
const version = z.string().min(1).max(256).optional().describe('Version, dist-tag or semver range, e.g. "2.1.0", "next", "^2"; default: latest')
const responseFormat = Format.default('concise').describe('"concise" (default): the essentials in few tokens; "detailed": every factor, node and field')

export const TOOL_INPUTS = {
  search_packages: z.object({
    query: z.string().min(1).max(200).describe('What the package should do, in a few words, e.g. "http client with retries", "parse yaml", "verify jwt"'),
    limit: z.number().int().min(1).max(25).default(8).describe('Results to return, 1-25 (default 8)'),
    cursor: z.string().max(200).optional().describe('nextCursor from a previous search_packages answer, for the next page'),
    response_format: responseFormat,
  }),
  get_package: z.object({ name: packageName, version, response_format: responseFormat }),
  compare_packages: z.object({
    names: z.array(packageName).min(2).max(5).describe('Two to five package names, e.g. ["@acme/http", "axios"]'),
    response_format: responseFormat,
  }),
  get_dependencies: z.object({
    name: packageName,
    version,
    depth: z.number().int().min(1).max(5).default(2).describe('Levels to resolve below the package, 1-5 (default 2)'),
    response_format: responseFormat,
  }),
  get_recommendations: z.object({
    name: packageName,
    limit: z.number().int().min(1).max(20).default(8).describe('Suggestions per list, 1-20 (default 8)'),
  }),
  get_package_docs: z.object({
    name: packageName,
    version,
    symbol: z.string().min(1).max(100).optional().describe('Only exported names containing this text, e.g. "createClient"'),
    response_format: responseFormat,
  }),
}

export type ToolName = keyof typeof TOOL_INPUTS

const ANNOTATIONS = { readOnlyHint: true, idempotentHint: true, openWorldHint: false } as const

export interface PackrToolDefinition<Name extends ToolName = ToolName> {
  name: Name
  title: string
  description: string
  input: (typeof TOOL_INPUTS)[Name]
  output: z.ZodObject
  annotations: typeof ANNOTATIONS
}

export const TOOL_DEFINITIONS: { [Name in ToolName]: PackrToolDefinition<Name> } = {
  search_packages: {
    name: 'search_packages',
    title: 'Search packages by capability',
    description:
      "Search your organisation's private npm registry (Packr) for packages that do something, e.g. \"http client\", \"parse yaml\", \"date formatting\". " +
      'Use it before adding any dependency or writing a utility yourself: internal packages exist only here, and each hit has a 0-100 quality score, a verdict (recommended/caution/avoid) and why it matched. ' +
      'Describe the capability, not a package name you guess. Pass nextCursor back as cursor for more. Next: get_package for one candidate, compare_packages for several.',
    input: TOOL_INPUTS.search_packages,
    output: AgentSchemas.search,
    annotations: ANNOTATIONS,
  },
  get_package: {
    name: 'get_package',
    title: 'Package details and quality score',
    description:
      'Everything needed to decide whether to depend on one package from the Packr registry: version, description, quality score with sub-scores (quality, maintenance, supply chain, popularity) and verdict, ' +
      'capabilities, trust signals (types, tests, CI, size, license, install scripts, deprecation), dependency count, downloads and the install command. ' +
      'Use it before adding or upgrading a dependency. "detailed" adds every scoring factor with its evidence.',
    input: TOOL_INPUTS.get_package,
    output: AgentSchemas.package,
    annotations: ANNOTATIONS,
  },
  compare_packages: {
    name: 'compare_packages',
    title: 'Compare packages and pick one',
    description:
      'Compare two to five packages from the Packr registry side by side and get a recommended pick with reasons: disqualifies deprecated, unsafe, unlicensed or abandoned ones, ' +
      'then prefers the higher score, and on near-ties fewer dependencies, the fresher release and more downloads. Use it when several packages could do the job.',
    input: TOOL_INPUTS.compare_packages,
    output: AgentSchemas.compare,
    annotations: ANNOTATIONS,
  },
  get_dependencies: {
    name: 'get_dependencies',
    title: 'Dependency tree',
    description:
      "A package's dependency tree as the Packr registry resolves it, with deprecated, unsatisfied and cyclic dependencies listed as problems. " +
      'Use it to judge what adding a package pulls in, or why an install breaks. "detailed" adds every node and edge.',
    input: TOOL_INPUTS.get_dependencies,
    output: AgentSchemas.dependencies,
    annotations: ANNOTATIONS,
  },
  get_recommendations: {
    name: 'get_recommendations',
    title: 'Related packages and alternatives',
    description:
      'Packages that other packages in this registry use together with the given one (e.g. its types or plugins), and alternatives with the same capabilities ranked by quality. ' +
      'Use it after choosing a package, or when a package scores poorly and you need a better one.',
    input: TOOL_INPUTS.get_recommendations,
    output: AgentSchemas.recommendations,
    annotations: ANNOTATIONS,
  },
  get_package_docs: {
    name: 'get_package_docs',
    title: 'API documentation',
    description:
      "How to use a package from the Packr registry: a short overview, the exported functions, classes and types with their TypeScript signatures, and usage examples. " +
      'Use it before writing code against a package, especially an internal one you have never seen; filter with symbol to look up one function. Do not guess an API that this can tell you.',
    input: TOOL_INPUTS.get_package_docs,
    output: AgentSchemas.docs,
    annotations: ANNOTATIONS,
  },
}

type Runner<Name extends ToolName> = (backend: AgentBackend, args: z.output<(typeof TOOL_INPUTS)[Name]>) => PromiseLike<unknown>

const RUNNERS: { [Name in ToolName]: Runner<Name> } = {
  search_packages: (backend, args) => backend.search(args.query, { limit: args.limit, cursor: args.cursor, format: args.response_format }),
  get_package: (backend, args) => backend.retrieve(args.name, { version: args.version, format: args.response_format }),
  compare_packages: (backend, args) => backend.compare(args.names, { format: args.response_format }),
  get_dependencies: (backend, args) => backend.dependencies(args.name, { version: args.version, depth: args.depth, format: args.response_format }),
  get_recommendations: (backend, args) => backend.recommendations(args.name, { limit: args.limit }),
  get_package_docs: (backend, args) => backend.docs(args.name, { version: args.version, symbol: args.symbol, format: args.response_format }),
}

/** Runs a tool on `backend` with the model's (already validated) arguments. */
export async function runTool<Name extends ToolName>(backend: AgentBackend, name: Name, args: z.output<(typeof TOOL_INPUTS)[Name]>): Promise<unknown> {
  return (RUNNERS[name] as Runner<Name>)(backend, args)
}

export interface PackrTool {
  name: ToolName
  description: string
  /** JSON Schema of the arguments (what model APIs take as `input_schema` / `parameters`). */
  inputSchema: Record<string, unknown>
  outputSchema: Record<string, unknown>
  /** Validates the model's arguments, calls Packr, returns the answer; throws Packr's errors (their messages say what to do). */
  handler(args: unknown): Promise<unknown>
}

/** Ready-made tool definitions for agent frameworks without MCP (Anthropic/OpenAI tool calling, Vercel AI SDK, ...). */
export function packrTools(client: PackrClient): PackrTool[] {
  const backend = clientBackend(client)
  return Object.values(TOOL_DEFINITIONS).map((definition) => ({
    name: definition.name,
    description: definition.description,
    inputSchema: z.toJSONSchema(definition.input, { io: 'input' }) as Record<string, unknown>,
    outputSchema: z.toJSONSchema(definition.output) as Record<string, unknown>,
    handler: async (args: unknown) => runTool(backend, definition.name, definition.input.parse(args) as never),
  }))
}
