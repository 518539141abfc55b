// The Elysia application: one plugin for errors, one controller per feature.
import { openapi } from '@elysiajs/openapi'
import { Elysia } from 'elysia'
import { z } from 'zod'
import { accessController } from './access/index.ts'
import { adminController } from './admin/index.ts'
import { auditController } from './audit/index.ts'
import { agentController } from './agent/index.ts'
import { authController } from './auth/index.ts'
import { billingController } from './billing/index.ts'
import { cliAuthController } from './cli-auth/index.ts'
import { dashboardController } from './dashboard/index.ts'
import type { AppContext } from './context.ts'
import { distTagsController } from './dist-tags/index.ts'
import { errorPlugin } from './errors/index.ts'
import { loginRequestsController } from './login-requests/index.ts'
import { orgsController } from './orgs/index.ts'
import { mcpController } from './mcp/index.ts'
import { packageApiController } from './package-api/index.ts'
import { packagesController } from './packages/index.ts'
import { publishController } from './publish/index.ts'
import { searchController } from './search/index.ts'
import { signingController } from './signing/index.ts'
import { systemController } from './system/index.ts'
import { tokensController } from './tokens/index.ts'
import { usageController } from './usage/index.ts'
import { webhooksController } from './webhooks/index.ts'
import { browserErrorResponse } from './web/errors.ts'
import { webAssetsController } from './web/index.ts'

export function createApp(ctx: AppContext) {
  return (
    new Elysia({
      name: 'packr',
      // Bodies are limited per route (publish, dist-tags, audit) with clear JSON errors.
      serve: { maxRequestBodySize: Number.MAX_SAFE_INTEGER },
    })
      .use(errorPlugin(ctx.log, browserErrorResponse))
      .use(
        openapi({
          path: '/openapi',
          specPath: '/openapi.json',
          provider: null,
          // Request schemas are documented as clients send them (before transforms, which JSON Schema cannot express).
          mapJsonSchema: { zod: (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) },
          documentation: {
            info: { title: 'Packr registry', version: ctx.version, description: 'A private npm registry for CI pipelines and AI coding agents' },
          },
        }),
      )
      .use(systemController(ctx))
      .use(authController(ctx))
      .use(tokensController(ctx))
      .use(loginRequestsController(ctx))
      .use(cliAuthController(ctx))
      .use(webAssetsController())
      .use(dashboardController(ctx))
      .use(adminController(ctx))
      .use(orgsController(ctx))
      .use(accessController(ctx))
      .use(packageApiController(ctx))
      .use(auditController(ctx))
      .use(usageController(ctx))
      .use(webhooksController(ctx))
      .use(billingController(ctx))
      .use(searchController(ctx))
      .use(agentController(ctx))
      .use(mcpController(ctx))
      .use(signingController(ctx))
      .use(distTagsController(ctx))
      .use(publishController(ctx))
      // Last: its catch-all `/:name` patterns must not shadow the fixed routes above.
      .use(packagesController(ctx))
  )
}

export type App = ReturnType<typeof createApp>
