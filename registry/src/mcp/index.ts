// MCP over Streamable HTTP at /mcp, stateless: each POST gets a fresh McpServer (the same tools and
// resources as the stdio `packr-mcp`) answering from the agent service directly, for the caller the
// request authenticates: the same tokens, the same visibility as the agent routes. No sessions, no
// server-to-client stream (GET and DELETE answer 405), JSON responses only.
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { AgentBackend } from '@packr/agent'
import { createPackrMcpServer } from '@packr/mcp-server'
import { Elysia } from 'elysia'
import type { AgentService } from '../agent/service.ts'
import { authPlugin } from '../auth/plugin.ts'
import type { Visibility } from '../auth/visibility.ts'
import type { AppContext } from '../context.ts'
import { ForbiddenError, MethodNotAllowedError, NotAcceptableError } from '../errors/index.ts'
import { readJsonBody } from '../http/body.ts'

/** JSON-RPC messages are small; a batch of tool calls stays far below this. */
const MCP_BODY_LIMIT = 1024 * 1024

/** The agent service as the MCP tools' backend, for one caller. */
export function agentBackend(agent: AgentService, viewer: Visibility): AgentBackend {
  return {
    search: async (query, options) => agent.search(query, viewer, options),
    retrieve: (name, options) => agent.package(name, viewer, options),
    compare: (names, options) => agent.compare(names, viewer, options),
    dependencies: (name, options) => agent.dependencies(name, viewer, options),
    recommendations: (name, options) => agent.recommendations(name, viewer, options),
    docs: (name, options) => agent.docs(name, viewer, options),
    readme: (name) => agent.readme(name, viewer),
  }
}

/** Browsers send Origin; a page on another origin must not drive a user's MCP session (DNS rebinding). */
function assertOrigin(request: Request, publicUrl: string): void {
  const origin = request.headers.get('origin')
  if (origin !== null && origin !== new URL(publicUrl).origin) throw new ForbiddenError('FORBIDDEN_ORIGIN', `requests from origin ${origin} are not accepted by /mcp`)
}

function assertAccept(request: Request): void {
  const accept = request.headers.get('accept') ?? ''
  if (!accept.includes('application/json') || !accept.includes('text/event-stream')) {
    throw new NotAcceptableError('NOT_ACCEPTABLE', 'MCP Streamable HTTP clients must send Accept: application/json, text/event-stream')
  }
}

const stateless = () => {
  throw new MethodNotAllowedError('METHOD_NOT_ALLOWED', 'the Packr MCP endpoint is stateless: POST JSON-RPC messages to /mcp (no sessions, no server-sent stream)', 'POST')
}

export const mcpController = (ctx: AppContext) =>
  new Elysia({ name: 'packr/mcp', detail: { tags: ['mcp'] } })
    .use(authPlugin(ctx))
    .post(
      '/mcp',
      async ({ request, auth }) => {
        assertOrigin(request, ctx.urls.base)
        const caller = await auth()
        if (caller.error) throw caller.error
        assertAccept(request)
        const body = await readJsonBody(request, MCP_BODY_LIMIT)
        const server = createPackrMcpServer(agentBackend(ctx.agent, await ctx.visibility.viewer(caller.identity)))
        const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
        await server.connect(transport)
        try {
          return await transport.handleRequest(request, { parsedBody: body })
        } finally {
          await server.close()
        }
      },
      { parse: 'none', detail: { summary: 'MCP over Streamable HTTP (stateless JSON): Packr tools and resources, authenticated by the same tokens' } },
    )
    .get('/mcp', stateless, { detail: { summary: 'MCP: no server-sent stream on this stateless endpoint (405)' } })
    .delete('/mcp', stateless, { detail: { summary: 'MCP: no sessions to end on this stateless endpoint (405)' } })
