import { z } from 'zod'

const day = z.iso.date()

export const UsageModel = {
  query: z.object({
    package: z.string().min(1).max(214).optional().describe('One package: a series for it and one per version'),
    org: z.string().min(1).max(65).optional().describe("An org's scope: series of its top packages"),
    from: day.optional().describe('First day (UTC, YYYY-MM-DD); default 29 days before `to`'),
    to: day.optional().describe('Last day; default today'),
    top: z.coerce.number().int().min(1).max(100).default(10),
  }),
  point: z.object({ day: z.string(), count: z.number() }),
}
