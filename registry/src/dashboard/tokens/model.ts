import { z } from 'zod'
import { optionalText } from '../../http/query.ts'
import { TOKEN_ROLES } from '../../tokens/service.ts'

const csrf = z.string().min(1).max(200)
/** `"@a, @b c"` → `['@a', '@b', 'c']`; absent when empty. */
const list = (max: number) => optionalText(max).transform((value) => value?.split(/[\s,]+/).filter(Boolean))

export const TokenPagesModel = {
  listQuery: z.object({
    user: optionalText(200),
    page: z.coerce.number().int().min(1).max(10_000).optional(),
    /** What the last form did, for the notice at the top. */
    done: z.enum(['revoked']).optional(),
  }),
  createForm: z.object({
    csrf,
    name: z.string().trim().min(1, 'give the token a name').max(200),
    role: z.enum(TOKEN_ROLES),
    description: optionalText(1000),
    scopes: list(2000),
    packages: list(10_000),
    cidr: list(4000),
    /** Days; empty means the token does not expire. */
    expiresInDays: optionalText(20).pipe(z.coerce.number<string | undefined>().positive('must be a positive number of days').max(3650).optional()),
    readonly: z.literal('on').optional(),
    /** Admins may create a token for someone else. */
    username: optionalText(200),
  }),
  actionForm: z.object({ csrf }),
}

export type TokenCreateForm = z.infer<typeof TokenPagesModel.createForm>
