import { z } from 'zod'

export const AuthModel = {
  /** `POST /-/v1/login`: credentials for a non-interactive login, or `{}` to start npm's web login. */
  loginBody: z.object({ name: z.string().min(1).optional(), password: z.string().min(1).optional(), create: z.boolean().optional() }).loose(),
  loginResponse: z.object({ token: z.string(), expires: z.string().nullable() }),
  webLoginResponse: z.object({ loginUrl: z.string(), doneUrl: z.string() }),
  /** `PUT /-/user/org.couchdb.user:<name>`: npm's legacy (couch) login and adduser. */
  couchUserBody: z
    .object({ name: z.string().min(1), password: z.string().min(1), email: z.string().optional() })
    .loose(),
  couchLoginResponse: z.object({ ok: z.string(), id: z.string(), rev: z.string(), token: z.string() }),
  whoamiResponse: z.object({ username: z.string() }),
}
