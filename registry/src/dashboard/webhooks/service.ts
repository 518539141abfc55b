// What the webhook pages show and do, on the webhook service (no HTTP): the webhooks a person owns
// and those of orgs they administer (admins: all), creating one (the same URL checks as the API,
// WEBHOOK_ALLOWED_HOSTS included; the secret is returned once), deleting one, and its delivery log
// with redelivery. The service answers 404 for a webhook the viewer does not own.
import type { AccessService, Viewer } from '../../access/service.ts'
import type { Actor } from '../../audit/service.ts'
import { assertPersonal } from '../../auth/policy.ts'
import type { WebhookDeliveryRow } from '../../db/schema.ts'
import type { WebhookService, WebhookView } from '../../webhooks/service.ts'
import type { WebhookCreateForm } from './model.ts'

/** Deliveries shown on a webhook's page, newest first. */
export const DELIVERIES_SHOWN = 50

export class WebhookPages {
  constructor(
    private readonly webhooks: WebhookService,
    private readonly access: AccessService,
  ) {}

  /** Webhooks are managed by people, not tokens (the API's rule). */
  private personal(viewer: Viewer): void {
    if (viewer.identity) assertPersonal(viewer.identity, 'manage webhooks')
  }

  /** The viewer's webhooks and the orgs they may create webhooks for. */
  async list(viewer: Viewer): Promise<{ webhooks: WebhookView[]; orgs: string[] }> {
    this.personal(viewer)
    const [webhooks, orgs] = await Promise.all([this.webhooks.list(viewer), this.access.orgs()])
    const administered = [...orgs.values()].filter((org) => viewer.admin || viewer.orgRole(org.scope) === 'admin').map((org) => org.slug)
    return { webhooks, orgs: administered.sort() }
  }

  create(viewer: Viewer, form: WebhookCreateForm, actor: Actor): Promise<{ webhook: WebhookView; secret: string }> {
    this.personal(viewer)
    return this.webhooks.create(viewer, { url: form.url, events: form.events?.length ? form.events : undefined, org: form.org }, actor)
  }

  async detail(viewer: Viewer, id: string): Promise<{ webhook: WebhookView; deliveries: WebhookDeliveryRow[] }> {
    this.personal(viewer)
    const webhook = await this.webhooks.get(viewer, id)
    return { webhook, deliveries: await this.webhooks.deliveries(viewer, id, DELIVERIES_SHOWN) }
  }

  delete(viewer: Viewer, id: string, actor: Actor): Promise<void> {
    this.personal(viewer)
    return this.webhooks.delete(viewer, id, actor)
  }

  redeliver(viewer: Viewer, id: string, deliveryId: string, actor: Actor): Promise<WebhookDeliveryRow> {
    this.personal(viewer)
    return this.webhooks.redeliver(viewer, id, deliveryId, actor)
  }
}
