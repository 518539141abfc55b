// Packr as an MCP server: the six read-only tools defined in @packr/agent (descriptions, input
// limits, output schemas), answered by an AgentBackend (a PackrClient over HTTP for the stdio server,
// the registry's own services for its /mcp endpoint), plus each package's README and docs as
// resources. Tool results carry compact `structuredContent` (what Claude Code shows the model) and
// the same JSON as text; every failure is a tool error (`isError`) whose text says what to do next.
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js'
import { APIConnectionError, APIError, AuthenticationError, PermissionDeniedError, runTool, TOOL_DEFINITIONS, type AgentBackend, type DocsResponse, type ToolName } from '@packr/agent'
import packageJson from '../package.json' with { type: 'json' }

export const INSTRUCTIONS = [
  "Packr is this organisation's private npm registry, with a quality score for every package.",
  'Use it first whenever you are about to add, upgrade or choose a dependency, or to write a utility a package may already provide:',
  'search_packages finds packages by what they do (including internal @scope packages that exist nowhere else),',
  'get_package and compare_packages say whether a package is good enough (0-100 score, verdict, reasons),',
  'get_package_docs gives its real API and examples before you write code against it.',
  'Never guess internal package names or APIs; a "did you mean" in an error names the real one.',
  'Not needed for changes that add no dependency.',
].join(' ')

/** The sentence a model should read when a tool call fails: the registry's own message, plus what to do. */
export function toolErrorMessage(error: unknown): string {
  if (error instanceof AuthenticationError) return `Packr refused the token (${error.message}). Check PACKR_TOKEN; a person can create one with "packr token create".`
  if (error instanceof PermissionDeniedError) return `Packr denied access: ${error.message}`
  if (error instanceof APIError) return error.message
  if (error instanceof APIConnectionError) return `${error.message}. Check PACKR_REGISTRY_URL and that the registry is running.`
  // The registry's own errors (its /mcp endpoint) carry the same sentences as its HTTP answers.
  return error instanceof Error ? error.message : String(error)
}

/** Docs as Markdown, for the docs resource (prose reads better than JSON there). */
export function docsMarkdown(docs: DocsResponse): string {
  const api = docs.api.items.map((item) => `${item.signature ?? `${item.kind} ${item.name}`}${item.summary ? `\n// ${item.summary}` : ''}`).join('\n\n')
  const examples = docs.examples.map((example) => `### ${example.title ?? 'Example'}\n\n\`\`\`${example.language ?? ''}\n${example.code}\n\`\`\``).join('\n\n')
  return [
    `# ${docs.name} ${docs.version}`,
    docs.overview,
    `Install: \`${docs.install}\``,
    api ? `## API (${docs.api.returned} of ${docs.api.total})\n\n\`\`\`ts\n${api}\n\`\`\`` : '',
    examples ? `## Examples\n\n${examples}` : '',
  ]
    .filter(Boolean)
    .join('\n\n')
}

/** `packr://package/%40acme%2Fhttp` (or `@acme%2Fhttp`) names `@acme/http`. */
const packageNameOf = (value: string | string[] | undefined) => decodeURIComponent([value ?? ''].flat()[0] ?? '')

export function createPackrMcpServer(backend: AgentBackend): McpServer {
  const server = new McpServer({ name: 'packr', title: 'Packr', version: packageJson.version }, { instructions: INSTRUCTIONS })

  for (const definition of Object.values(TOOL_DEFINITIONS)) {
    server.registerTool(
      definition.name,
      { title: definition.title, description: definition.description, inputSchema: definition.input, outputSchema: definition.output, annotations: { title: definition.title, ...definition.annotations } },
      async (args: unknown): Promise<CallToolResult> => {
        try {
          const result = (await runTool(backend, definition.name as ToolName, args as never)) as Record<string, unknown>
          return { structuredContent: result, content: [{ type: 'text', text: JSON.stringify(result) }] }
        } catch (error) {
          return { isError: true, content: [{ type: 'text', text: toolErrorMessage(error) }] }
        }
      },
    )
  }

  const read = async (uri: URL, produce: () => Promise<{ text: string; mimeType: string }>): Promise<ReadResourceResult> => {
    try {
      const { text, mimeType } = await produce()
      return { contents: [{ uri: uri.href, mimeType, text }] }
    } catch (error) {
      // Resource reads have no error flag: the message itself is the content the client shows.
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: toolErrorMessage(error) }] }
    }
  }

  server.registerResource(
    'package-readme',
    new ResourceTemplate('packr://package/{name}', { list: undefined }),
    { title: 'Package README', description: "A package's README from the Packr registry (latest version). Scoped names are percent-encoded: packr://package/%40acme%2Fhttp", mimeType: 'text/markdown' },
    (uri, variables) =>
      read(uri, async () => {
        const name = packageNameOf(variables.name)
        return { mimeType: 'text/markdown', text: (await backend.readme(name)) ?? `${name} has no README.` }
      }),
  )
  server.registerResource(
    'package-docs',
    new ResourceTemplate('packr://package/{name}/docs', { list: undefined }),
    { title: 'Package API docs', description: "A package's API docs (overview, signatures, examples) from the Packr registry, as Markdown", mimeType: 'text/markdown' },
    (uri, variables) => read(uri, async () => ({ mimeType: 'text/markdown', text: docsMarkdown(await backend.docs(packageNameOf(variables.name), { format: 'detailed' })) })),
  )
  return server
}
