// @packr/mcp-server: Packr's tools and resources as an MCP server (see docs/mcp.md).
export { createPackrMcpServer, docsMarkdown, INSTRUCTIONS, toolErrorMessage } from './server.ts'
