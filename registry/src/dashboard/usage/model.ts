import { z } from 'zod'
import { optionalText } from '../../http/query.ts'
import { RANGES } from './service.ts'

export const UsagePagesModel = {
  query: z.object({
    /** One package's usage; absent: the whole registry. */
    package: optionalText(215),
    days: z.coerce
      .number()
      .refine((days) => (RANGES as readonly number[]).includes(days), { message: `must be one of ${RANGES.join(', ')}` })
      .optional(),
  }),
}
