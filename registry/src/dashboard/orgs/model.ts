import { z } from 'zod'
import { optionalText } from '../../http/query.ts'

const csrf = z.string().min(1).max(200)
const username = z.string().trim().min(1, 'name a user').max(64)

export const OrgPagesModel = {
  /** What the last form did, for the notice at the top. */
  pageQuery: z.object({ done: z.enum(['member-set', 'member-removed', 'granted', 'revoked']).optional(), user: optionalText(64) }),
  /** Add a member or change a role; the role names the org service accepts (npm's too). */
  memberForm: z.object({ csrf, username, role: z.string().max(32) }),
  memberRemovalForm: z.object({ csrf, username }),
  entitlementChange: z.object({ slug: z.string().max(65), change: z.enum(['grant', 'revoke']) }),
  entitlementForm: z.object({ csrf, user: username, package: z.string().trim().min(1, 'choose a package').max(214) }),
}

export type MemberForm = z.infer<typeof OrgPagesModel.memberForm>
export type EntitlementForm = z.infer<typeof OrgPagesModel.entitlementForm>
