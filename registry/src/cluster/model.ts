// What instances tell each other. Validated on receipt: during a rolling deploy another version may
// be speaking.
import { z } from 'zod'

export const ClusterMessageSchema = z.discriminatedUnion('type', [
  /** A package changed; `revision` is the one the write committed (replica reads must reach it). */
  z.object({ type: z.literal('package'), name: z.string().min(1).max(512), revision: z.number().int() }),
  /** A package's derived data (analysis, score, search document) changed; its metadata did not. */
  z.object({ type: z.literal('catalog'), name: z.string().min(1).max(512) }),
  /** Tokens or users changed: cached identities are dropped and checked against the database again. */
  z.object({ type: z.literal('identities') }),
  /** Org memberships, teams or entitlements changed: cached access profiles are dropped. */
  z.object({ type: z.literal('access') }),
])

export type ClusterMessage = z.infer<typeof ClusterMessageSchema>
