// Webhooks: after a change commits, every matching webhook gets a delivery row and a job. The job
// POSTs the event signed with the webhook's secret (`X-Packr-Signature: t=<unix seconds>,v1=<hex
// HMAC-SHA256 of "<t>.<body>">`), and on a status ≥ 400 or a connection error it is retried after
// 1 min, 5 min, 30 min, 2 h and 24 h, then the delivery is marked failed. The job queue makes this
// durable and safe with several instances; each delivery keeps what the receiver last answered.
import { and, desc, eq, inArray, or } from 'drizzle-orm'
import type { AccessService, Viewer } from '../access/service.ts'
import type { Actor, AuditLog } from '../audit/service.ts'
import type { SealedBox } from '../crypto/sealed-box.ts'
import type { Database } from '../db/index.ts'
import { orgs, packages, users, webhookDeliveries, webhooks, type WebhookDeliveryRow, type WebhookRow } from '../db/schema.ts'
import { ForbiddenError, NotFoundError } from '../errors/index.ts'
import { isPackageEvent, type RegistryEvent } from '../events/index.ts'
import type { Clock, JobContext, JobQueue } from '../jobs/service.ts'
import type { Logger } from '../logging/index.ts'
import { scopeOf } from '../npm/names.ts'
import type { OrgService } from '../orgs/service.ts'
import type { OutboundGuard } from './outbound.ts'

export const WEBHOOK_EVENTS = ['package.published', 'package.unpublished', 'package.deprecated', 'dist-tag.changed', 'token.created', 'token.revoked'] as const
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number]

/** Waits before retries 1 to 5; a sixth failure marks the delivery failed. */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3600_000, 24 * 3600_000]
const DELIVERY_JOB = 'webhook.deliver'
const TIMEOUT_MS = 10_000

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 over "<t>.<body>">`. */
export function signPayload(secret: string, body: string, unixSeconds: number): string {
  const mac = new Bun.CryptoHasher('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')
  return `t=${unixSeconds},v1=${mac}`
}

/** What an event's payload carries in `data`: never a secret. */
function eventData(event: RegistryEvent): Record<string, unknown> | null {
  switch (event.type) {
    case 'package.published':
      return { name: event.name, version: event.version }
    case 'package.unpublished':
      return { name: event.name, version: event.version }
    case 'package.deprecated':
      return { name: event.name, versions: event.versions, message: event.message }
    case 'dist-tag.changed':
      return { name: event.name, tag: event.tag, version: event.version }
    case 'token.created':
    case 'token.revoked':
      return { token: event.token }
    default:
      return null
  }
}

export interface WebhookView {
  id: string
  url: string
  events: string[]
  active: boolean
  owner: { user: string } | { org: string }
  createdBy: string
  createdAt: string
  updatedAt: string
}

export function deliveryView(row: WebhookDeliveryRow) {
  const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString())
  return {
    id: row.id,
    eventId: row.eventId,
    event: row.event,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: iso(row.nextAttemptAt),
    lastAttemptAt: iso(row.lastAttemptAt),
    responseStatus: row.responseStatus,
    responseExcerpt: row.responseExcerpt,
    redeliveryOf: row.redeliveryOf,
    createdAt: iso(row.createdAt),
  }
}

export class WebhookService {
  constructor(
    private readonly db: Database,
    private readonly secrets: SealedBox,
    private readonly jobs: JobQueue,
    private readonly clock: Clock,
    private readonly audit: AuditLog,
    private readonly access: AccessService,
    private readonly orgs: OrgService,
    private readonly outbound: OutboundGuard,
    private readonly log: Logger,
    private readonly userAgent: string,
  ) {
    jobs.register(DELIVERY_JOB, (payload, context) => this.deliver(payload.deliveryId as string, context), {
      backoff: (attempt) => RETRY_DELAYS_MS[attempt - 1] ?? (RETRY_DELAYS_MS.at(-1) as number),
    })
  }

  private async view(row: WebhookRow): Promise<WebhookView> {
    let owner: WebhookView['owner']
    if (row.orgId) {
      const [org] = await this.db.read.select({ slug: orgs.slug }).from(orgs).where(eq(orgs.id, row.orgId))
      owner = { org: org?.slug ?? '' }
    } else {
      const [user] = await this.db.read.select({ username: users.username }).from(users).where(eq(users.id, row.userId ?? ''))
      owner = { user: user?.username ?? '' }
    }
    return {
      id: row.id,
      url: row.url,
      events: row.events,
      active: row.active,
      owner,
      createdBy: row.createdBy,
      createdAt: new Date(row.createdAt).toISOString(),
      updatedAt: new Date(row.updatedAt).toISOString(),
    }
  }

  private assertOrgAdmin(viewer: Viewer, scope: string): void {
    if (viewer.admin || viewer.orgRole(scope) === 'admin') return
    throw new ForbiddenError('ORG_ADMIN_REQUIRED', `webhooks of the org ${scope.slice(1)} are managed by its admins`)
  }

  /** The webhook, for its owner (the user, the org's admins) or a registry admin; 404 for anyone else. */
  private async owned(viewer: Viewer, id: string): Promise<WebhookRow> {
    const [row] = await this.db.primary.select().from(webhooks).where(eq(webhooks.id, id)).limit(1)
    const identity = viewer.identity
    let mine = false
    if (row && identity) {
      if (viewer.admin || row.userId === identity.userId) mine = true
      else if (row.orgId) {
        const [org] = await this.db.primary.select({ slug: orgs.slug }).from(orgs).where(eq(orgs.id, row.orgId))
        mine = org !== undefined && viewer.orgRole(`@${org.slug}`) === 'admin'
      }
    }
    if (!row || !mine) throw new NotFoundError('WEBHOOK_NOT_FOUND', `no webhook ${id}`)
    return row
  }

  async create(viewer: Viewer, input: { url: string; events?: WebhookEvent[] | undefined; org?: string | undefined; secret?: string | undefined }, actor: Actor): Promise<{ webhook: WebhookView; secret: string }> {
    const identity = viewer.identity
    if (!identity) throw new ForbiddenError('SESSION_REQUIRED', 'sign in to create webhooks')
    const org = input.org === undefined ? undefined : await this.orgs.find(input.org)
    if (org) this.assertOrgAdmin(viewer, org.scope)
    await this.outbound.check(input.url)
    const secret = input.secret ?? `whsec_${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')}`
    const now = this.clock.now()
    const row: WebhookRow = {
      id: crypto.randomUUID(),
      userId: org ? null : identity.userId,
      orgId: org?.id ?? null,
      url: input.url,
      events: [...new Set(input.events ?? WEBHOOK_EVENTS)],
      encryptedSecret: this.secrets.seal(Buffer.from(secret)),
      active: true,
      createdBy: identity.username,
      createdAt: now,
      updatedAt: now,
    }
    await this.db.transaction(async (tx) => {
      await tx.insert(webhooks).values(row)
      await this.audit.record(tx, actor, { action: 'webhook.create', target: `webhook:${row.id}`, details: { url: row.url, events: row.events, org: org?.slug } })
    })
    return { webhook: await this.view(row), secret }
  }

  /** Registry admins: all (or one org's); others: their own and those of orgs they administer. */
  async list(viewer: Viewer, orgSlug?: string): Promise<WebhookView[]> {
    const identity = viewer.identity
    if (!identity) return []
    let where
    if (orgSlug !== undefined) {
      const org = await this.orgs.find(orgSlug)
      this.assertOrgAdmin(viewer, org.scope)
      where = eq(webhooks.orgId, org.id)
    } else if (!viewer.admin) {
      const administered = [...(await this.access.orgs()).values()].filter((org) => viewer.orgRole(org.scope) === 'admin').map((org) => org.id)
      where = or(eq(webhooks.userId, identity.userId), administered.length > 0 ? inArray(webhooks.orgId, administered) : undefined)
    }
    const rows = await this.db.primary.select().from(webhooks).where(where).orderBy(desc(webhooks.createdAt))
    return Promise.all(rows.map((row) => this.view(row)))
  }

  async get(viewer: Viewer, id: string): Promise<WebhookView> {
    return this.view(await this.owned(viewer, id))
  }

  async update(viewer: Viewer, id: string, input: { url?: string | undefined; events?: WebhookEvent[] | undefined; active?: boolean | undefined }, actor: Actor): Promise<WebhookView> {
    await this.owned(viewer, id)
    if (input.url !== undefined) await this.outbound.check(input.url)
    const changes = {
      ...(input.url !== undefined ? { url: input.url } : {}),
      ...(input.events !== undefined ? { events: [...new Set(input.events)] } : {}),
      ...(input.active !== undefined ? { active: input.active } : {}),
      updatedAt: this.clock.now(),
    }
    const [row] = await this.db.transaction(async (tx) => {
      const updated = await tx.update(webhooks).set(changes).where(eq(webhooks.id, id)).returning()
      await this.audit.record(tx, actor, { action: 'webhook.update', target: `webhook:${id}`, details: { url: input.url, events: input.events, active: input.active } })
      return updated
    })
    if (!row) throw new NotFoundError('WEBHOOK_NOT_FOUND', `no webhook ${id}`)
    return this.view(row)
  }

  async delete(viewer: Viewer, id: string, actor: Actor): Promise<void> {
    await this.owned(viewer, id)
    await this.db.transaction(async (tx) => {
      await tx.delete(webhooks).where(eq(webhooks.id, id))
      await this.audit.record(tx, actor, { action: 'webhook.delete', target: `webhook:${id}` })
    })
  }

  async deliveries(viewer: Viewer, id: string, limit: number): Promise<WebhookDeliveryRow[]> {
    await this.owned(viewer, id)
    return this.db.primary.select().from(webhookDeliveries).where(eq(webhookDeliveries.webhookId, id)).orderBy(desc(webhookDeliveries.createdAt)).limit(limit)
  }

  /** Sends a delivery's payload again as a new delivery (same event id, so receivers can dedupe). */
  async redeliver(viewer: Viewer, id: string, deliveryId: string, actor: Actor): Promise<WebhookDeliveryRow> {
    await this.owned(viewer, id)
    const [original] = await this.db.primary
      .select()
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.webhookId, id)))
      .limit(1)
    if (!original) throw new NotFoundError('DELIVERY_NOT_FOUND', `no delivery ${deliveryId} of webhook ${id}`)
    const now = this.clock.now()
    const copy: WebhookDeliveryRow = { ...original, id: crypto.randomUUID(), status: 'pending', attempts: 0, nextAttemptAt: now, lastAttemptAt: null, responseStatus: null, responseExcerpt: null, redeliveryOf: original.id, createdAt: now }
    await this.db.transaction(async (tx) => {
      await tx.insert(webhookDeliveries).values(copy)
      await this.audit.record(tx, actor, { action: 'webhook.redeliver', target: `webhook:${id}`, details: { delivery: original.id, redelivery: copy.id } })
    })
    await this.enqueue(copy.id)
    return copy
  }

  private enqueue(deliveryId: string): Promise<void> {
    return this.jobs.enqueue(DELIVERY_JOB, { deliveryId }, { dedupeKey: `webhook:${deliveryId}`, maxAttempts: RETRY_DELAYS_MS.length + 1 })
  }

  /** Event bus listener: runs after the writer's commit, on the instance that wrote. */
  onEvent = (event: RegistryEvent): Promise<void> | undefined => ((WEBHOOK_EVENTS as readonly string[]).includes(event.type) ? this.fanOut(event) : undefined)

  /** The webhooks an event goes to: the package's org and maintainers, or the token's owner and org scopes. */
  private async subscribers(event: RegistryEvent): Promise<WebhookRow[]> {
    let userIds: string[]
    let scopes: string[]
    if (isPackageEvent(event)) {
      const [pkg] = await this.db.primary.select({ maintainers: packages.maintainers }).from(packages).where(eq(packages.name, event.name)).limit(1)
      const names = pkg?.maintainers.map((maintainer) => maintainer.name) ?? []
      userIds = names.length === 0 ? [] : (await this.db.primary.select({ id: users.id }).from(users).where(inArray(users.username, names))).map((user) => user.id)
      scopes = [scopeOf(event.name)].filter((scope): scope is string => scope !== null)
    } else {
      userIds = [event.token.userId]
      scopes = event.token.scopes
    }
    const orgMap = await this.access.orgs()
    const orgIds = scopes.map((scope) => orgMap.get(scope)?.id).filter((id): id is string => id !== undefined)
    if (userIds.length === 0 && orgIds.length === 0) return []
    const rows = await this.db.primary
      .select()
      .from(webhooks)
      .where(and(eq(webhooks.active, true), or(userIds.length > 0 ? inArray(webhooks.userId, userIds) : undefined, orgIds.length > 0 ? inArray(webhooks.orgId, orgIds) : undefined)))
    return rows.filter((row) => row.events.includes(event.type))
  }

  private async fanOut(event: RegistryEvent): Promise<void> {
    const data = eventData(event)
    if (!data) return
    const hooks = await this.subscribers(event)
    if (hooks.length === 0) return
    const now = this.clock.now()
    const eventId = crypto.randomUUID()
    const payload = JSON.stringify({ id: eventId, event: event.type, createdAt: new Date(now).toISOString(), actor: event.actor, data })
    const rows: WebhookDeliveryRow[] = hooks.map((hook) => ({
      id: crypto.randomUUID(),
      webhookId: hook.id,
      eventId,
      event: event.type,
      payload,
      status: 'pending',
      attempts: 0,
      nextAttemptAt: now,
      lastAttemptAt: null,
      responseStatus: null,
      responseExcerpt: null,
      redeliveryOf: null,
      createdAt: now,
    }))
    await this.db.transaction((tx) => tx.insert(webhookDeliveries).values(rows))
    for (const row of rows) await this.enqueue(row.id)
  }

  /** One attempt of a delivery (a job run). Throws to have the queue retry it on the schedule. */
  private async deliver(deliveryId: string, context: JobContext): Promise<void> {
    const [delivery] = await this.db.primary.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deliveryId)).limit(1)
    if (!delivery || delivery.status !== 'pending') return
    const [hook] = await this.db.primary.select().from(webhooks).where(eq(webhooks.id, delivery.webhookId)).limit(1)
    const attempt = delivery.attempts + 1
    const last = context.job.attempts >= context.job.maxAttempts
    const started = this.clock.now()
    let status: number | null = null
    let excerpt: string
    if (!hook?.active) {
      excerpt = 'webhook disabled'
    } else {
      const secret = this.secrets.open(hook.encryptedSecret).toString()
      const headers = {
        'content-type': 'application/json',
        'user-agent': this.userAgent,
        'x-packr-event': delivery.event,
        'x-packr-delivery': delivery.id,
        'x-packr-signature': signPayload(secret, delivery.payload, Math.floor(started / 1000)),
      }
      try {
        const result = await this.outbound.post(hook.url, delivery.payload, headers, AbortSignal.any([context.signal, AbortSignal.timeout(TIMEOUT_MS)]))
        status = result.status
        excerpt = result.excerpt
      } catch (error) {
        excerpt = error instanceof Error ? error.message : String(error)
      }
    }
    const delivered = status !== null && status < 400
    const final = delivered || last || !hook?.active
    await this.db.transaction((tx) =>
      tx
        .update(webhookDeliveries)
        .set({
          status: delivered ? 'delivered' : final ? 'failed' : 'pending',
          attempts: attempt,
          lastAttemptAt: started,
          nextAttemptAt: final ? null : started + (RETRY_DELAYS_MS[context.job.attempts - 1] ?? 0),
          responseStatus: status,
          responseExcerpt: excerpt.slice(0, 2048),
        })
        .where(eq(webhookDeliveries.id, deliveryId)),
    )
    if (!final) throw new Error(status === null ? `delivery failed: ${excerpt.slice(0, 200)}` : `receiver answered ${status}`)
    if (!delivered) this.log.warn('webhook delivery failed for good', { webhook: delivery.webhookId, delivery: delivery.id, attempts: attempt })
  }
}
