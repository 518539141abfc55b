import { z } from 'zod'

export const SystemModel = {
  health: z.object({
    status: z.literal('ok'),
    version: z.string(),
    /** Where this instance runs. */
    region: z.string(),
    /** Where the primary database is, when configured (PRIMARY_REGION). */
    primaryRegion: z.string().nullable(),
    database: z.enum(['sqlite', 'postgres']),
    /** Whether reads go to a replica. */
    readReplica: z.boolean(),
    storage: z.enum(['fs', 's3']),
  }),
  empty: z.object({}),
}
