// Token management for the person signed in to the dashboard, on the token service: everyone manages
// their own tokens; admins see everyone's and may create, revoke and rotate any. A token the viewer
// may not touch is answered exactly like one that does not exist.
import { actorOf } from '../../audit/service.ts'
import { assertCanManageTokens, isAdmin } from '../../auth/policy.ts'
import type { UserRow } from '../../db/schema.ts'
import { ForbiddenError, NotFoundError, UnauthorizedError } from '../../errors/index.ts'
import { roleTokenOptions, type Identity, type IssuedToken, type TokenService, type TokenSummary } from '../../tokens/service.ts'
import type { UserService } from '../../users/service.ts'
import type { TokenCreateForm } from './model.ts'

export const TOKENS_PER_PAGE = 50

export interface TokenListing {
  total: number
  tokens: TokenSummary[]
  /** Whose tokens: a user name, or null for everyone's (admins). */
  owner: string | null
}

export class TokenPages {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UserService,
  ) {}

  private async account(identity: Identity): Promise<UserRow> {
    assertCanManageTokens(identity)
    const user = await this.users.findById(identity.userId)
    if (!user) throw new UnauthorizedError('SIGN_IN_REQUIRED', 'this account no longer exists; sign in again')
    return user
  }

  /** The viewer's live tokens; for admins everyone's, or `username`'s. */
  async list(viewer: Identity, username: string | undefined, page: number): Promise<TokenListing> {
    const self = await this.account(viewer)
    let owner: UserRow | undefined = self
    if (isAdmin(viewer)) owner = username === undefined ? undefined : await this.users.findByUsername(username)
    if (isAdmin(viewer) && username !== undefined && !owner) throw new NotFoundError('USER_NOT_FOUND', `no user named ${username}`)
    const { total, items } = await this.tokens.list(owner?.id, { offset: (page - 1) * TOKENS_PER_PAGE, limit: TOKENS_PER_PAGE })
    return { total, tokens: items, owner: owner?.username ?? null }
  }

  /** Creates a token for the viewer, or (admins) for `form.username`; the secret is in the result only. */
  async create(viewer: Identity, form: TokenCreateForm, address: string | null): Promise<IssuedToken & { owner: string }> {
    const self = await this.account(viewer)
    let owner = self
    if (form.username !== undefined && form.username !== self.username) {
      if (!isAdmin(viewer)) throw new ForbiddenError('PERMISSION_DENIED', 'only admins create tokens for other people')
      const other = await this.users.findByUsername(form.username)
      if (!other) throw new NotFoundError('USER_NOT_FOUND', `no user named ${form.username}`)
      owner = other
    }
    const issued = await this.tokens.issue(
      roleTokenOptions({ ...form, readonly: form.readonly === 'on', description: form.description }, owner, actorOf(viewer, address)),
    )
    return { ...issued, owner: owner.username }
  }

  private async reachable(viewer: Identity, id: string) {
    const self = await this.account(viewer)
    const row = await this.tokens.findById(id)
    if (!row || row.revokedAt !== null || (row.userId !== self.id && !isAdmin(viewer))) throw new NotFoundError('TOKEN_NOT_FOUND', 'no such live token')
    return row
  }

  /** Revokes a token; returns its name. */
  async revoke(viewer: Identity, id: string): Promise<string> {
    const row = await this.reachable(viewer, id)
    await this.tokens.revoke(row.id)
    return row.name
  }

  /** A new secret for a token (same rights and expiry); the old one dies at once. */
  async rotate(viewer: Identity, id: string): Promise<IssuedToken & { owner: string }> {
    const row = await this.reachable(viewer, id)
    const rotated = await this.tokens.rotate(row.id)
    const owner = await this.users.findById(row.userId)
    return { ...rotated, owner: owner?.username ?? '' }
  }
}
