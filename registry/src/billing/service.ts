// Plans and their limits, and Stripe's subscription events. A plan belongs to a user account (the
// one that pays): it counts the scopes the account uses (orgs it created, and scopes of packages it
// created) and the packages it is billed for (those of its orgs' scopes, and those it created
// elsewhere). Limits apply only when a publish creates a package or an org is created; new versions
// of existing packages are never refused, nor is anything done with a CI token or by a registry admin.
import { and, count, eq, exists, inArray, isNull, notInArray, or, sql } from 'drizzle-orm'
import Stripe from 'stripe'
import { isAdmin, isCiToken } from '../auth/policy.ts'
import type { Actor, AuditLog } from '../audit/service.ts'
import type { Database, Db } from '../db/index.ts'
import { billingAccounts, billingEvents, orgs, packages, users, versions, type BillingAccountRow, type PlanName } from '../db/schema.ts'
import { BadRequestError, NotFoundError, RegistryError } from '../errors/index.ts'
import type { Logger } from '../logging/index.ts'
import type { Identity } from '../tokens/service.ts'

export interface PlanLimits {
  packages: number
  scopes: number
}

export const PLAN_LIMITS: Record<PlanName, PlanLimits> = {
  free: { packages: 3, scopes: 1 },
  solo: { packages: 20, scopes: 5 },
  team: { packages: 100, scopes: Infinity },
  // Custom: the account row's own limits, unlimited where it sets none.
  enterprise: { packages: Infinity, scopes: Infinity },
  unlimited: { packages: Infinity, scopes: Infinity },
}

export const PLAN_NAMES = Object.keys(PLAN_LIMITS) as PlanName[]

/** Subscription states in which new packages are refused until the payment is sorted out. */
const UNPAID = new Set(['past_due', 'unpaid'])

/** 402: the account's plan does not allow this. npm prints `error`. */
export class PaymentRequiredError extends RegistryError {
  override readonly name = 'PaymentRequiredError'
  constructor(code: string, message: string) {
    super(402, code, message)
  }
}

export interface BillingConfig {
  defaultPlan: PlanName
  stripeWebhookSecret: string | undefined
}

export interface AccountPlan {
  plan: PlanName
  limits: PlanLimits
  status: string
}

const finite = (value: number) => (Number.isFinite(value) ? value : null)

export class BillingService {
  private readonly stripe = new Stripe('sk_unused_for_webhook_verification')

  constructor(
    private readonly db: Database,
    private readonly config: BillingConfig,
    private readonly audit: AuditLog,
    private readonly log: Logger,
  ) {}

  async planOf(userId: string, via: Db = this.db.primary): Promise<AccountPlan> {
    const [row] = await via.select().from(billingAccounts).where(eq(billingAccounts.userId, userId)).limit(1)
    if (!row) return { plan: this.config.defaultPlan, limits: PLAN_LIMITS[this.config.defaultPlan], status: 'default' }
    const base = PLAN_LIMITS[row.plan] ?? PLAN_LIMITS.free
    return { plan: row.plan, status: row.status, limits: { packages: row.packageLimit ?? base.packages, scopes: row.scopeLimit ?? base.scopes } }
  }

  private exempt(identity: Identity): boolean {
    return isCiToken(identity) || isAdmin(identity)
  }

  /** The account's org scopes and the scopes of packages it created elsewhere. */
  private async usage(tx: Db, accountId: string): Promise<{ scopes: Set<string>; packages: number }> {
    const owned = (await tx.select({ slug: orgs.slug }).from(orgs).where(eq(orgs.ownerId, accountId))).map((org) => `@${org.slug}`)
    const live = exists(
      tx
        .select({ one: sql`1` })
        .from(versions)
        .where(and(eq(versions.packageName, packages.name), isNull(versions.unpublishedAt))),
    )
    const createdElsewhere = and(eq(packages.createdBy, accountId), owned.length > 0 ? or(isNull(packages.scope), notInArray(packages.scope, owned)) : undefined)
    const billed = or(createdElsewhere, owned.length > 0 ? inArray(packages.scope, owned) : undefined)
    const [[total], created] = await Promise.all([
      tx.select({ count: count() }).from(packages).where(and(billed, live)),
      tx.selectDistinct({ scope: packages.scope }).from(packages).where(and(eq(packages.createdBy, accountId), live)),
    ])
    const scopes = new Set(owned)
    for (const { scope } of created) if (scope) scopes.add(scope)
    return { scopes, packages: total?.count ?? 0 }
  }

  private async assertWithin(tx: Db, accountId: string, scope: string | null, addsPackage: boolean): Promise<void> {
    const { plan, limits, status } = await this.planOf(accountId, tx)
    if (!Number.isFinite(limits.packages) && !Number.isFinite(limits.scopes) && !UNPAID.has(status)) return
    if (UNPAID.has(status)) {
      throw new PaymentRequiredError('PAYMENT_FAILED', `the last payment for this account's ${plan} plan failed; update the payment method to publish new packages`)
    }
    const usage = await this.usage(tx, accountId)
    if (addsPackage && usage.packages >= limits.packages) {
      throw new PaymentRequiredError('PLAN_PACKAGE_LIMIT', `the ${plan} plan allows ${limits.packages} packages and this account has ${usage.packages}; upgrade the plan to publish a new package`)
    }
    if (scope !== null && !usage.scopes.has(scope) && usage.scopes.size >= limits.scopes) {
      throw new PaymentRequiredError('PLAN_SCOPE_LIMIT', `the ${plan} plan allows ${limits.scopes} scope${limits.scopes === 1 ? '' : 's'} and this account uses ${usage.scopes.size}; upgrade the plan to use ${scope}`)
    }
  }

  /** Before a publish creates `name` (inside its transaction). `orgOwnerId`: the account that owns the name's org. */
  async assertMayCreatePackage(tx: Db, identity: Identity, scope: string | null, orgOwnerId: string | null | undefined): Promise<void> {
    if (this.exempt(identity)) return
    // A package of an org is billed to the org's account, and uses a scope it already has.
    if (orgOwnerId) return this.assertWithin(tx, orgOwnerId, null, true)
    return this.assertWithin(tx, identity.userId, scope, true)
  }

  /** Before `identity` creates an org for `scope` (inside its transaction). */
  async assertMayAddScope(tx: Db, identity: Identity, scope: string): Promise<void> {
    if (this.exempt(identity)) return
    return this.assertWithin(tx, identity.userId, scope, false)
  }

  /** A registry admin sets a plan by hand (Enterprise limits, comped accounts). */
  async setPlan(username: string, input: { plan: PlanName; packageLimit?: number | undefined; scopeLimit?: number | undefined }, actor: Actor): Promise<AccountPlan> {
    const [user] = await this.db.primary.select().from(users).where(eq(users.username, username)).limit(1)
    if (!user) throw new NotFoundError('USER_NOT_FOUND', `no user named ${username}`)
    if ((input.packageLimit !== undefined || input.scopeLimit !== undefined) && input.plan !== 'enterprise') {
      throw new BadRequestError('CUSTOM_LIMITS_NEED_ENTERPRISE', 'custom limits belong to the enterprise plan')
    }
    const values = { plan: input.plan, packageLimit: input.packageLimit ?? null, scopeLimit: input.scopeLimit ?? null, status: 'manual', updatedAt: Date.now() }
    await this.db.transaction(async (tx) => {
      await tx
        .insert(billingAccounts)
        .values({ userId: user.id, ...values })
        .onConflictDoUpdate({ target: billingAccounts.userId, set: values })
      await this.audit.record(tx, actor, { action: 'billing.plan', target: `user:${username}`, details: { plan: input.plan, packageLimit: input.packageLimit, scopeLimit: input.scopeLimit } })
    })
    return this.planOf(user.id)
  }

  /**
   * `POST /api/billing/webhook`: verifies Stripe's signature over the raw body, then applies the event
   * once (Stripe delivers at least once, and not always in order).
   */
  async handleStripeWebhook(rawBody: string, signature: string | null, address: string | null): Promise<{ received: true; handled: boolean }> {
    const secret = this.config.stripeWebhookSecret
    if (!secret) throw new NotFoundError('BILLING_DISABLED', 'billing is not configured on this registry (STRIPE_WEBHOOK_SECRET)')
    if (!signature) throw new BadRequestError('INVALID_SIGNATURE', 'missing Stripe-Signature header')
    let event: Stripe.Event
    try {
      event = await this.stripe.webhooks.constructEventAsync(rawBody, signature, secret)
    } catch {
      throw new BadRequestError('INVALID_SIGNATURE', 'the Stripe-Signature header does not match the payload')
    }
    const handled = await this.db.transaction(async (tx) => {
      const fresh = await tx.insert(billingEvents).values({ id: event.id, type: event.type, receivedAt: Date.now() }).onConflictDoNothing().returning({ id: billingEvents.id })
      if (fresh.length === 0) return false
      const change = await this.changeFor(tx, event)
      if (!change) return false
      const { account, values } = change
      if (account.stripeEventAt !== null && account.stripeEventAt > event.created) return false
      const next = { ...values, stripeEventAt: event.created, updatedAt: Date.now() }
      await tx
        .insert(billingAccounts)
        .values({ ...account, ...next, userId: account.userId })
        .onConflictDoUpdate({ target: billingAccounts.userId, set: next })
      const [user] = await tx.select({ username: users.username }).from(users).where(eq(users.id, account.userId))
      await this.audit.record(tx, { username: null, address }, { action: 'billing.subscription', target: `user:${user?.username ?? account.userId}`, details: { event: event.type, plan: next.plan ?? account.plan, status: next.status ?? account.status } })
      return true
    })
    return { received: true, handled }
  }

  /** The account an event concerns and what it changes, or null for events about nobody we know. */
  private async changeFor(tx: Db, event: Stripe.Event): Promise<{ account: Pick<BillingAccountRow, 'userId' | 'plan' | 'status' | 'stripeEventAt'> & Partial<BillingAccountRow>; values: Partial<BillingAccountRow> } | null> {
    const byCustomer = async (customer: string | Stripe.Customer | Stripe.DeletedCustomer | null) => {
      const id = typeof customer === 'string' ? customer : customer?.id
      if (!id) return undefined
      const [row] = await tx.select().from(billingAccounts).where(eq(billingAccounts.stripeCustomerId, id)).limit(1)
      if (!row) this.log.warn('Stripe event for an unknown customer', { event: event.id, type: event.type })
      return row
    }
    switch (event.type) {
      case 'checkout.session.completed': {
        const session = event.data.object
        const plan = parsePlan(session.metadata?.plan)
        const username = session.client_reference_id
        const [user] = username ? await tx.select().from(users).where(eq(users.username, username)).limit(1) : []
        if (!user || !plan) {
          this.log.warn('Stripe checkout without a known client_reference_id (user name) and metadata.plan', { event: event.id })
          return null
        }
        const [existing] = await tx.select().from(billingAccounts).where(eq(billingAccounts.userId, user.id)).limit(1)
        const customer = typeof session.customer === 'string' ? session.customer : (session.customer?.id ?? null)
        const subscription = typeof session.subscription === 'string' ? session.subscription : (session.subscription?.id ?? null)
        return {
          account: existing ?? { userId: user.id, plan, status: 'active', stripeEventAt: null },
          values: { plan, status: 'active', stripeCustomerId: customer, stripeSubscriptionId: subscription, packageLimit: null, scopeLimit: null },
        }
      }
      case 'customer.subscription.updated': {
        const subscription = event.data.object
        const account = await byCustomer(subscription.customer)
        if (!account) return null
        const ended = subscription.status === 'canceled' || subscription.status === 'incomplete_expired'
        const plan = ended ? 'free' : (parsePlan(subscription.metadata?.plan) ?? parsePlan(subscription.items?.data?.[0]?.price?.lookup_key) ?? account.plan)
        return { account, values: { plan, status: subscription.status, stripeSubscriptionId: subscription.id } }
      }
      case 'customer.subscription.deleted': {
        const account = await byCustomer(event.data.object.customer)
        return account ? { account, values: { plan: 'free', status: 'canceled', packageLimit: null, scopeLimit: null } } : null
      }
      case 'invoice.payment_failed': {
        const account = await byCustomer(event.data.object.customer)
        return account ? { account, values: { status: 'past_due' } } : null
      }
      default:
        return null
    }
  }
}

function parsePlan(value: string | null | undefined): PlanName | undefined {
  return value && value !== 'unlimited' && (PLAN_NAMES as string[]).includes(value) ? (value as PlanName) : undefined
}

export function planView(plan: AccountPlan) {
  return { plan: plan.plan, status: plan.status, limits: { packages: finite(plan.limits.packages), scopes: finite(plan.limits.scopes) } }
}
