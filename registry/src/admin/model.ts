import { z } from 'zod'
import { TokenModel } from '../tokens/model.ts'

export const AdminModel = {
  sessionBody: z.object({ username: z.string().min(1), password: z.string().min(1) }),
  session: z.object({ username: z.string(), role: z.string(), expiresAt: z.string() }),
  tokenListQuery: TokenModel.listQuery.extend({ username: z.string().optional() }),
  user: z.object({ id: z.string(), username: z.string(), email: z.string().nullable(), role: z.string(), createdAt: z.string() }),
}
