import { z } from 'zod'
import { WEBHOOK_EVENTS } from './service.ts'

export const WebhookModel = {
  create: z.object({
    url: z.string().min(1).max(2048),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).optional().describe('Default: every event'),
    org: z.string().min(1).max(65).optional().describe("An org's webhook (its admins); default: your own"),
    secret: z.string().min(16).max(256).optional().describe('HMAC key; generated (and shown once) when absent'),
  }),
  update: z.object({
    url: z.string().min(1).max(2048).optional(),
    events: z.array(z.enum(WEBHOOK_EVENTS)).min(1).optional(),
    active: z.boolean().optional(),
  }),
  listQuery: z.object({ org: z.string().min(1).max(65).optional() }),
  deliveriesQuery: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }),
}
