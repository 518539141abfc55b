import { z } from 'zod'

const csrf = z.string().min(1).max(200)
const next = z.string().max(2000).optional()

export const DashboardModel = {
  signInQuery: z.object({ next }),
  passwordForm: z.object({ csrf, next, username: z.string().min(1).max(200), password: z.string().min(1).max(1000) }),
  signOutForm: z.object({ csrf }),
}
