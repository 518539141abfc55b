import { z } from 'zod'

export const AccessModel = {
  entitlement: z.object({ user: z.string().min(1).max(64), package: z.string().min(1).max(214) }),
  entitlementView: z.object({ user: z.string(), package: z.string(), grantedBy: z.string(), createdAt: z.string() }),
  myEntitlements: z.object({ entitlements: z.array(z.object({ package: z.string(), via: z.enum(['admin', 'maintainer', 'org', 'ci-token', 'team', 'grant']) })) }),
  /** `npm access set status=...` sends `access`; `npm access set mfa=...` sends the two flags. */
  npmAccess: z.looseObject({
    access: z.enum(['public', 'restricted']).optional(),
    publish_requires_tfa: z.boolean().optional(),
    automation_token_overrides_tfa: z.boolean().optional(),
  }),
  /** `npm access grant/revoke` (the package is in the body; revoke sends it with DELETE). */
  teamPackage: z.looseObject({ package: z.string().min(1).max(214), permissions: z.string().max(32).optional() }),
  visibility: z.object({ public: z.boolean() }),
}
