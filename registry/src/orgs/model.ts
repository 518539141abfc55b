import { z } from 'zod'

const access = z.enum(['public', 'restricted'])
const username = z.string().min(1).max(64)

export const OrgModel = {
  create: z.object({
    slug: z.string().min(1).max(65).describe('The scope without @: acme for @acme'),
    displayName: z.string().min(1).max(200).optional(),
    defaultAccess: access.optional().describe('Visibility of packages first published to the scope'),
  }),
  update: z.object({
    displayName: z.string().min(1).max(200).optional(),
    defaultAccess: access.optional().describe('Also applied to every package already in the scope'),
  }),
  member: z.object({ username, role: z.string().max(32).describe('admin, maintainer or reader (npm: owner, admin, developer)') }),
  memberRemoval: z.object({ username }),
  summary: z.object({ slug: z.string(), displayName: z.string(), defaultAccess: access, createdAt: z.string() }),
  /** npm's bodies (libnpmorg, libnpmteam). */
  npmOrgUser: z.looseObject({ user: username, role: z.string().max(32).optional() }),
  npmUser: z.looseObject({ user: username }),
  npmTeam: z.looseObject({ name: z.string().min(1).max(64), description: z.string().max(1000).nullable().optional() }),
}
