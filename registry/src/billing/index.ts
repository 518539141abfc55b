// Stripe's webhook and the plan of an account: set by hand by a registry admin, read by its user.
import { Elysia } from 'elysia'
import { actorOf } from '../audit/service.ts'
import { authPlugin } from '../auth/plugin.ts'
import { authorize } from '../auth/policy.ts'
import type { AppContext } from '../context.ts'
import { readBodyBytes } from '../http/body.ts'
import { BillingModel } from './model.ts'
import { planView } from './service.ts'

/** Stripe's events are small; anything larger is not from Stripe. */
const WEBHOOK_BODY_LIMIT = 512 * 1024

export const billingController = (ctx: AppContext) =>
  new Elysia({ name: 'packr/billing', detail: { tags: ['billing'] } })
    .use(authPlugin(ctx))
    .post(
      '/api/billing/webhook',
      async ({ request, clientAddress }) => {
        // The signature covers the exact bytes Stripe sent, so the body is read raw.
        const raw = new TextDecoder().decode(await readBodyBytes(request, WEBHOOK_BODY_LIMIT))
        return ctx.billing.handleStripeWebhook(raw, request.headers.get('stripe-signature'), clientAddress())
      },
      { parse: 'none', detail: { summary: "Stripe's webhook: checkout.session.completed, customer.subscription.updated/deleted, invoice.payment_failed (signature verified)" } },
    )
    .put(
      '/api/v1/admin/users/:username/plan',
      async ({ admin, params, body, clientAddress }) => {
        const caller = await admin()
        return planView(await ctx.billing.setPlan(params.username, body, actorOf(caller, clientAddress())))
      },
      { body: BillingModel.plan, response: { 200: BillingModel.planView }, detail: { summary: "Set a user's plan by hand (registry admins): Enterprise limits, comped accounts" } },
    )
    .get(
      '/api/v1/admin/users/me/plan',
      async ({ caller }) => planView(await ctx.billing.planOf(authorize(await caller(), 'read').userId)),
      { response: { 200: BillingModel.planView }, detail: { summary: 'Your plan and its limits (null: unlimited)' } },
    )
