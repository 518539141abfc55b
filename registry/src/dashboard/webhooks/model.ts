import { z } from 'zod'
import { optionalText } from '../../http/query.ts'
import { WEBHOOK_EVENTS } from '../../webhooks/service.ts'

const csrf = z.string().min(1).max(200)

export const WebhookPagesModel = {
  /** What the last form did, for the notice at the top. */
  pageQuery: z.object({ done: z.enum(['deleted', 'redelivered']).optional() }),
  createForm: z.object({
    csrf,
    url: z.string().trim().min(1, 'give the URL deliveries are posted to').max(2048),
    /** Checkboxes: absent, one value, or several. None ticked means every event (as in the API). */
    events: z.preprocess((value) => (value === undefined ? undefined : [value].flat()), z.array(z.enum(WEBHOOK_EVENTS)).optional()),
    /** An org's webhook (its admins); empty: the viewer's own. */
    org: optionalText(65),
  }),
  actionForm: z.object({ csrf }),
}

export type WebhookCreateForm = z.infer<typeof WebhookPagesModel.createForm>
