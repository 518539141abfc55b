import { DeviceAuthorization } from '@packr/agent/schemas'
import { z } from 'zod'

export const LoginRequestModel = {
  /** RFC 8628 §3.1; `provider` picks the identity provider the browser page offers first. */
  authorizeBody: z
    .object({
      provider: z.string().min(1).max(32).optional(),
      client_id: z.string().max(200).optional(),
      /** Free text shown on the approval page (e.g. "packr CLI on build-host-3"). */
      client_name: z.string().max(200).optional(),
    })
    .loose(),
  /** RFC 8628 §3.2, as the SDK (`packr login`) parses it. */
  authorizeResponse: DeviceAuthorization,
  /** RFC 8628 §3.4 (form or JSON); `grant_type` may be omitted by Packr's own CLI. */
  tokenBody: z
    .object({
      device_code: z.string().min(1).max(200),
      grant_type: z.string().optional(),
      client_id: z.string().optional(),
    })
    .loose(),
  tokenResponse: z.object({
    access_token: z.string(),
    token_type: z.literal('Bearer'),
    expires_in: z.number().optional(),
    token: z.string(),
    username: z.string(),
  }),
}
