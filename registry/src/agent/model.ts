// Request schemas of the agent API. The response schemas live with the SDK (@packr/agent/schemas),
// the single source of truth shared by the registry, the SDK and the MCP server.
import { Format } from '@packr/agent/schemas'
import { z } from 'zod'
import { queryText } from '../http/query.ts'

const version = queryText(z.string().min(1).max(256).optional()).describe('Version, dist-tag or semver range (default: latest)')
const format = Format.default('detailed')

export const AgentModel = {
  packageQuery: z.object({ version, format }),
  searchQuery: z.object({
    q: queryText(z.string().trim().min(1, 'q is required: describe the capability, e.g. q=http client').max(200)).describe('What the package should do, e.g. "http client with retries"'),
    limit: z.coerce.number().int().min(1).max(50).default(10),
    cursor: queryText(z.string().max(200).optional()).describe('nextCursor of the previous page'),
    format,
  }),
  compareQuery: z.object({
    packages: queryText(z.string().min(1).max(2_000)).describe('2 to 5 package names separated by commas'),
    format,
  }),
  dependenciesQuery: z.object({ version, depth: z.coerce.number().int().min(1).max(5).default(2).describe('Levels below the package'), format }),
  recommendationsQuery: z.object({ limit: z.coerce.number().int().min(1).max(20).default(8) }),
  docsQuery: z.object({ version, symbol: queryText(z.string().min(1).max(100).optional()).describe('Only exported names containing this text'), format }),
}
