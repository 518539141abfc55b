import { z } from 'zod'

export const BillingModel = {
  plan: z.object({
    plan: z.enum(['free', 'solo', 'team', 'enterprise', 'unlimited']),
    packageLimit: z.number().int().min(0).max(1_000_000).optional().describe('Enterprise only'),
    scopeLimit: z.number().int().min(0).max(1_000_000).optional().describe('Enterprise only'),
  }),
  planView: z.object({ plan: z.string(), status: z.string(), limits: z.object({ packages: z.number().nullable(), scopes: z.number().nullable() }) }),
}
