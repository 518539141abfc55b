// Webhook pages: the list with the create form, the page that shows a new signing secret once, and a
// webhook's page with its delivery log and a Redeliver button per delivery.
import type { WebhookDeliveryRow } from '../../db/schema.ts'
import { html, type SafeHtml } from '../../web/html.ts'
import { layout, type Chrome } from '../../web/layout.ts'
import { WEBHOOK_EVENTS, type WebhookView } from '../../webhooks/service.ts'
import { count, dateTime } from '../components.ts'
import type { WebhookCreateForm } from './model.ts'

export const webhookHref = (id: string) => `/-/web/webhooks/${encodeURIComponent(id)}`

const hidden = (csrf: string) => html`<input type="hidden" name="csrf" value="${csrf}">`
const owner = (webhook: WebhookView) => ('org' in webhook.owner ? `org ${webhook.owner.org}` : webhook.owner.user)
const events = (webhook: WebhookView) => (webhook.events.length === WEBHOOK_EVENTS.length ? 'every event' : webhook.events.join(', '))

export interface WebhooksPageOptions {
  webhooks: WebhookView[]
  /** Orgs the viewer may create webhooks for. */
  orgs: string[]
  csrf: string
  notice?: string | undefined
  error?: string | undefined
  form?: Partial<WebhookCreateForm> | undefined
}

function createForm(options: WebhooksPageOptions): SafeHtml {
  const form = options.form ?? {}
  return html`<section aria-labelledby="create-heading"><h2 id="create-heading">Create a webhook</h2>
${options.error ? html`<p class="error" role="alert" id="create-error">${options.error}</p>` : ''}
<form method="post" action="/-/web/webhooks" id="create-webhook">${hidden(options.csrf)}
<label for="url">URL</label><p class="hint" id="url-hint">Each event is POSTed here, signed with the webhook's secret (X-Packr-Signature). Private and loopback addresses are refused unless WEBHOOK_ALLOWED_HOSTS allows them.</p>
<input id="url" name="url" type="url" required maxlength="2048" aria-describedby="url-hint" placeholder="https://ci.example.com/hooks/packr" value="${form.url}">
<fieldset><legend>Events</legend><p class="hint">None ticked: every event.</p>${WEBHOOK_EVENTS.map(
    (event) =>
      html`<label class="inline"><input type="checkbox" name="events" value="${event}" id="event-${event}"${form.events?.includes(event) ? html` checked` : ''}> ${event}</label><br>`,
  )}</fieldset>
${
  options.orgs.length > 0
    ? html`<label for="org">For</label><select id="org" name="org"><option value="">you</option>${options.orgs.map(
        (slug) => html`<option value="${slug}"${slug === form.org ? html` selected` : ''}>the org ${slug}</option>`,
      )}</select>`
    : ''
}
<button class="primary" type="submit" id="create-submit">Create webhook</button></form></section>`
}

export function webhooksPage(chrome: Chrome, options: WebhooksPageOptions): string {
  return layout({
    title: 'Webhooks',
    chrome: { ...chrome, active: 'webhooks' },
    main: html`<h1>Webhooks</h1>
${options.notice ? html`<p class="notice" role="status" id="notice">${options.notice}</p>` : ''}
<div class="grid"><section aria-labelledby="list-heading"><h2 id="list-heading">Your webhooks (${count(options.webhooks.length)})</h2>${
      options.webhooks.length === 0
        ? html`<p class="muted" id="no-webhooks">No webhooks.</p>`
        : html`<div class="table"><table id="webhooks"><thead><tr><th scope="col">URL</th><th scope="col">Owner</th><th scope="col">Events</th><th scope="col">Active</th><th scope="col">Created</th></tr></thead><tbody>${options.webhooks.map(
            (webhook) =>
              html`<tr id="webhook-${webhook.id}"><th scope="row"><a href="${webhookHref(webhook.id)}">${webhook.url}</a></th><td>${owner(webhook)}</td><td>${events(webhook)}</td><td>${webhook.active ? 'yes' : 'paused'}</td><td>${dateTime(webhook.createdAt)}</td></tr>`,
          )}</tbody></table></div>`
    }</section>
${createForm(options)}</div>`,
  })
}

export function webhookCreatedPage(chrome: Chrome, webhook: WebhookView, secret: string): string {
  return layout({
    title: 'Webhook created',
    chrome: { ...chrome, active: 'webhooks' },
    scripts: true,
    main: html`<h1>Webhook created</h1>
<p class="notice warn" role="status">Copy the signing secret now: it is shown only this once. Receivers use it to check the X-Packr-Signature of each delivery.</p>
<label for="webhook-secret">Signing secret of ${webhook.url}</label>
<div class="snippet"><input id="webhook-secret" class="secret" readonly autocomplete="off" spellcheck="false" value="${secret}"><button type="button" data-copy="webhook-secret" hidden id="copy-secret">Copy</button></div>
<dl class="facts"><dt>Owner</dt><dd>${owner(webhook)}</dd><dt>Events</dt><dd>${events(webhook)}</dd></dl>
<p><a href="${webhookHref(webhook.id)}" id="to-webhook">Open the webhook</a> · <a href="/-/web/webhooks" id="back-to-webhooks">Back to webhooks</a></p>`,
  })
}

export interface WebhookPageOptions {
  webhook: WebhookView
  deliveries: WebhookDeliveryRow[]
  csrf: string
  notice?: string | undefined
}

function deliveryRow(webhook: WebhookView, delivery: WebhookDeliveryRow, csrf: string): SafeHtml {
  return html`<tr id="delivery-${delivery.id}" data-status="${delivery.status}"><td>${delivery.event}${
    delivery.redeliveryOf ? html`<br><span class="muted small">redelivery</span>` : ''
  }</td><td class="status">${delivery.status}</td><td class="num response-status">${delivery.responseStatus ?? '–'}</td><td class="num attempts">${delivery.attempts}</td><td>${
    delivery.lastAttemptAt === null ? 'not yet' : dateTime(delivery.lastAttemptAt)
  }${delivery.nextAttemptAt !== null && delivery.status === 'pending' ? html`<br><span class="muted small">next ${dateTime(delivery.nextAttemptAt)}</span>` : ''}</td><td>${dateTime(delivery.createdAt)}</td><td class="small">${
    delivery.responseExcerpt ? delivery.responseExcerpt.slice(0, 200) : ''
  }</td><td><form method="post" action="${webhookHref(webhook.id)}/deliveries/${delivery.id}/redeliver">${hidden(csrf)}<button type="submit" id="redeliver-${delivery.id}" aria-label="Redeliver ${delivery.event} (delivery ${delivery.id})">Redeliver</button></form></td></tr>`
}

export function webhookPage(chrome: Chrome, options: WebhookPageOptions): string {
  const { webhook } = options
  return layout({
    title: `Webhook ${webhook.url}`,
    chrome: { ...chrome, active: 'webhooks' },
    main: html`<p><a href="/-/web/webhooks">Webhooks</a> ›</p><h1 id="webhook-url">${webhook.url}</h1>
${options.notice ? html`<p class="notice" role="status" id="notice">${options.notice}</p>` : ''}
<dl class="facts"><dt>Owner</dt><dd>${owner(webhook)}</dd><dt>Events</dt><dd>${events(webhook)}</dd><dt>Active</dt><dd>${webhook.active ? 'yes' : 'paused'}</dd><dt>Created</dt><dd>${dateTime(webhook.createdAt)} by ${webhook.createdBy}</dd></dl>
<h2>Deliveries</h2>${
      options.deliveries.length === 0
        ? html`<p class="muted" id="no-deliveries">No deliveries yet: they appear here after the next matching event.</p>`
        : html`<div class="table"><table id="deliveries"><thead><tr><th scope="col">Event</th><th scope="col">Status</th><th scope="col" class="num">Response</th><th scope="col" class="num">Attempts</th><th scope="col">Last attempt</th><th scope="col">Created</th><th scope="col">Answer</th><th scope="col">Actions</th></tr></thead><tbody>${options.deliveries.map(
            (delivery) => deliveryRow(webhook, delivery, options.csrf),
          )}</tbody></table></div>`
    }
<h2>Delete</h2><form method="post" action="${webhookHref(webhook.id)}/delete">${hidden(options.csrf)}<button class="danger" type="submit" id="delete-webhook">Delete this webhook and its delivery log</button></form>`,
  })
}
