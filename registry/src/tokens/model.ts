import { z } from 'zod'
import { TOKEN_ROLES } from './service.ts'

const permissionLevel = z.enum(['read-only', 'read-write', 'read-write-stage-only', 'no-access'])

export const TokenModel = {
  /**
   * `POST /-/npm/v1/tokens`: npm ≤11.6.2 sends `{password, readonly, cidr_whitelist}`; npm ≥11.6.3
   * sends the granular body (name, packages, scopes, permission levels, expiry in days).
   */
  npmCreateBody: z
    .object({
      password: z.string().optional(),
      readonly: z.boolean().optional(),
      cidr_whitelist: z.array(z.string()).max(100).optional(),
      name: z.string().max(200).optional(),
      description: z.string().max(1000).optional(),
      packages: z.array(z.string()).max(50).optional(),
      packages_all: z.boolean().optional(),
      scopes: z.array(z.string()).max(50).optional(),
      orgs: z.array(z.string()).max(50).optional(),
      packages_and_scopes_permission: permissionLevel.optional(),
      orgs_permission: permissionLevel.optional(),
      expires: z.number().int().min(1).max(3650).optional(),
      bypass_2fa: z.boolean().optional(),
    })
    .loose(),
  npmListQuery: z.object({
    page: z.coerce.number().int().min(0).optional(),
    perPage: z.coerce.number().int().min(1).max(1000).optional(),
  }),
  npmToken: z.object({
    token: z.string(),
    key: z.string(),
    name: z.string(),
    created: z.string(),
    updated: z.string(),
    readonly: z.boolean(),
    cidr_whitelist: z.array(z.string()).nullable(),
    expires: z.string().nullable().optional(),
  }),
  /** `POST /api/v1/tokens` (your own) and, with `username`, `POST /api/v1/admin/tokens`. */
  roleCreateBody: z.object({
    name: z.string().min(1).max(200),
    role: z.enum(TOKEN_ROLES),
    description: z.string().max(1000).optional(),
    scopes: z.array(z.string()).max(50).optional(),
    packages: z.array(z.string()).max(50).optional(),
    expiresInDays: z.number().positive().max(3650).optional(),
    cidr: z.array(z.string()).max(100).optional(),
    readonly: z.boolean().optional(),
  }),
  listQuery: z.object({
    offset: z.coerce.number().int().min(0).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  }),
}

/** The admin variant names the owner; the calling admin when absent. */
export const AdminTokenBody = TokenModel.roleCreateBody.extend({ username: z.string().min(1).optional() })
