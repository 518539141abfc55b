// OAuth 2.0 device authorization grant (RFC 8628) for `packr login` and other terminals.
import { Elysia } from 'elysia'
import { authPlugin } from '../auth/plugin.ts'
import type { AppContext } from '../context.ts'
import { OAuthProtocolError } from '../errors/index.ts'
import { LoginRequestModel } from './model.ts'

const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code'

export const loginRequestsController = (ctx: AppContext) =>
  new Elysia({ name: 'packr/device', prefix: '/-/v1/device', detail: { tags: ['auth'] } })
    .use(authPlugin(ctx))
    .post(
      '/authorize',
      async ({ body, request, clientAddress }) => {
        if (body.provider !== undefined) ctx.oauth.provider(body.provider)
        const started = await ctx.logins.start('device', {
          name: body.client_name ?? request.headers.get('user-agent') ?? 'unknown client',
          address: clientAddress(),
          provider: body.provider ?? null,
        })
        const verification = `${ctx.urls.base}/cli/auth`
        return {
          device_code: started.secret,
          user_code: started.userCode,
          verification_uri: verification,
          verification_uri_complete: `${verification}?code=${started.userCode}`,
          expires_in: started.expiresIn,
          interval: started.interval,
        }
      },
      {
        body: LoginRequestModel.authorizeBody,
        response: { 200: LoginRequestModel.authorizeResponse },
        detail: { summary: 'Start a device login (RFC 8628): a code for the browser, a device_code to poll with' },
      },
    )
    .post(
      '/token',
      async ({ body, set }) => {
        if (body.grant_type !== undefined && body.grant_type !== DEVICE_GRANT) {
          throw new OAuthProtocolError('unsupported_grant_type', `grant_type must be ${DEVICE_GRANT}`)
        }
        const issued = await ctx.logins.pollDevice(body.device_code)
        set.headers['cache-control'] = 'no-store'
        return {
          access_token: issued.token,
          token_type: 'Bearer' as const,
          ...(issued.expiresAt === null ? {} : { expires_in: Math.floor((issued.expiresAt - Date.now()) / 1000) }),
          token: issued.token,
          username: issued.username,
        }
      },
      {
        body: LoginRequestModel.tokenBody,
        response: { 200: LoginRequestModel.tokenResponse },
        detail: { summary: 'Poll a device login: authorization_pending, slow_down, expired_token, access_denied, then the token' },
      },
    )
