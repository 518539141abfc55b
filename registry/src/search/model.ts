import { z } from 'zod'
import { queryText } from '../http/query.ts'

const person = z.object({ username: z.string(), email: z.string().optional() })

export const SearchModel = {
  query: z.object({
    text: queryText(z.string().max(256).optional()).describe('Search text; qualifiers keywords:, author:, maintainer:, scope: are understood'),
    size: z.coerce.number().int().min(1).max(250).default(20),
    from: z.coerce.number().int().min(0).max(10_000).default(0),
  }),
  /** `GET /-/search/:scope`: one scope's packages (`@acme` or `acme`), searched by `q` or all of them by name. */
  scopeParams: z.object({ scope: z.string().regex(/^@?[a-z0-9][a-z0-9._~-]*$/, 'must be a scope like @acme').max(214) }),
  scopeQuery: z.object({
    q: z.string().max(256).optional().describe('Search text (npm search qualifiers are understood); empty lists the scope by name'),
    size: z.coerce.number().int().min(1).max(250).default(20),
    from: z.coerce.number().int().min(0).max(10_000).default(0),
  }),
  /** npm's search response: `maintainers` is always an array and `date` always present (npm relies on both). */
  response: z.object({
    objects: z.array(
      z.object({
        package: z.object({
          name: z.string(),
          scope: z.string(),
          version: z.string(),
          description: z.string().optional(),
          keywords: z.array(z.string()),
          date: z.string(),
          links: z.record(z.string(), z.string()),
          publisher: person.optional(),
          maintainers: z.array(person),
        }),
        score: z.object({
          final: z.number(),
          detail: z.object({ quality: z.number(), popularity: z.number(), maintenance: z.number() }),
        }),
        searchScore: z.number(),
      }),
    ),
    total: z.number(),
    time: z.string(),
  }),
}

export type SearchResponse = z.infer<typeof SearchModel.response>
