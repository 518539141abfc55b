import { z } from 'zod'

const csrf = z.string().min(1).max(200)
const code = z.string().min(1).max(32)

export const CliAuthModel = {
  pageQuery: z.object({ code: z.string().max(64).optional() }),
  passwordForm: z.object({ csrf, code, username: z.string().min(1).max(200), password: z.string().min(1).max(1000) }),
  decisionForm: z.object({ csrf, code, decision: z.enum(['approve', 'deny']) }),
  logoutForm: z.object({ csrf, code: code.optional() }),
  signInQuery: z.object({ code }),
  /** What the browser brings back from the provider; validated by oauth4webapi. */
  callbackQuery: z.object({ code: z.string().optional(), state: z.string().optional(), error: z.string().optional() }).loose(),
}
