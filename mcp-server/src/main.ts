#!/usr/bin/env node
// `packr-mcp`: Packr's MCP server on stdio, for Claude Desktop, Claude Code, Cursor and any other MCP
// client that starts servers as processes. Configured by PACKR_REGISTRY_URL and PACKR_TOKEN. stdout
// carries the protocol only; diagnostics go to stderr. Built for Node (dist/packr-mcp.js, see
// package.json) and run from source by Bun (`bun run mcp` at the repository root).
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js'
import { clientBackend, PackrClient, PackrError } from '@packr/agent'
import { createPackrMcpServer } from './server.ts'

try {
  const client = new PackrClient()
  await createPackrMcpServer(clientBackend(client)).connect(new StdioServerTransport())
  process.stderr.write(`packr-mcp: serving ${client.registryUrl} on stdio\n`)
} catch (error) {
  process.stderr.write(`packr-mcp: ${error instanceof PackrError ? error.message : String(error)}\n`)
  process.exit(1)
}
