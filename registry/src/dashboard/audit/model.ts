import { z } from 'zod'
import { optionalText } from '../../http/query.ts'

/** A date field (`<input type="date">` sends `YYYY-MM-DD`); empty means no bound. */
const day = optionalText(10).pipe(z.iso.date('use a date like 2026-11-22').optional())

export const AuditPagesModel = {
  query: z.object({
    actor: optionalText(200),
    /** Exact, or a prefix ending in * (package.*). */
    action: optionalText(200),
    /** Exact, or a prefix ending in * (@acme/*). */
    target: optionalText(400),
    from: day,
    to: day,
    /** Where the previous page ended (the audit log's keyset cursor). */
    cursor: optionalText(200),
  }),
}

export type AuditPageQuery = z.infer<typeof AuditPagesModel.query>
