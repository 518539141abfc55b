import { z } from 'zod'

const isoTime = z.iso.datetime({ offset: true }).or(z.iso.date())

export const AuditModel = {
  query: z.object({
    actor: z.string().max(200).optional(),
    action: z.string().max(200).optional().describe('Exact action, or a prefix ending in * (package.*)'),
    target: z.string().max(400).optional().describe('Exact target, or a prefix ending in * (@acme/*)'),
    from: isoTime.optional().describe('Earliest time, ISO 8601'),
    to: isoTime.optional().describe('Latest time, ISO 8601'),
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(200).optional().describe('The `next` of the previous page'),
  }),
  event: z.object({
    id: z.string(),
    at: z.string(),
    actor: z.string().nullable(),
    action: z.string(),
    target: z.string(),
    clientAddress: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
  }),
}
