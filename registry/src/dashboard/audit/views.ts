// The audit log page: the filter form (GET, so a filtered view is a link), the events as a table, and
// a link to older events. Details are shown as stored: the log redacts secrets when it records them.
import type { AuditPage } from '../../audit/service.ts'
import { html } from '../../web/html.ts'
import { layout, type Chrome } from '../../web/layout.ts'
import { dateTime } from '../components.ts'
import type { AuditPageQuery } from './model.ts'

const FILTERS = [
  ['actor', 'Actor', 'User name', 'text'],
  ['action', 'Action', 'package.publish, or package.*', 'text'],
  ['target', 'Target or package', '@acme/widget, org:acme, or @acme/*', 'text'],
  ['from', 'From', '', 'date'],
  ['to', 'To', '', 'date'],
] as const

function link(query: AuditPageQuery, cursor: string | undefined): string {
  const params = new URLSearchParams()
  for (const [name] of FILTERS) if (query[name]) params.set(name, query[name] as string)
  if (cursor) params.set('cursor', cursor)
  return `/-/web/audit${params.size > 0 ? `?${params}` : ''}`
}

const details = (value: Record<string, unknown> | null) => (value === null ? '' : JSON.stringify(value))

export function auditPage(chrome: Chrome, query: AuditPageQuery, page: AuditPage): string {
  const filtered = FILTERS.some(([name]) => query[name])
  return layout({
    title: 'Audit log',
    chrome: { ...chrome, active: 'audit' },
    main: html`<h1>Audit log</h1>
<form method="get" action="/-/web/audit" class="filters" id="audit-filters">${FILTERS.map(
      ([name, label, placeholder, type]) => html`<div><label for="filter-${name}">${label}</label><input id="filter-${name}" name="${name}" type="${type}" value="${query[name]}"${placeholder ? html` placeholder="${placeholder}"` : ''}></div>`,
    )}<div class="actions"><button class="primary" type="submit" id="filter-submit">Filter</button>${filtered ? html`<a class="button" href="/-/web/audit" id="filter-clear">Clear</a>` : ''}</div></form>
${
  page.events.length === 0
    ? html`<p class="muted" id="no-events">${query.cursor ? 'No older events.' : 'No events match.'}</p>`
    : html`<div class="table"><table id="audit-events"><thead><tr><th scope="col">Time</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Target</th><th scope="col">From</th><th scope="col">Details</th></tr></thead><tbody>${page.events.map(
        (event) =>
          html`<tr data-action="${event.action}"><td class="nowrap">${dateTime(event.at)}</td><td class="actor">${event.actor ?? html`<span class="muted">system</span>`}</td><td class="action"><code>${event.action}</code></td><td class="target">${event.target}</td><td>${event.clientAddress ?? ''}</td><td class="small"><code>${details(event.details)}</code></td></tr>`,
      )}</tbody></table></div>`
}
<nav class="pager" aria-label="Pages">${query.cursor ? html`<a id="page-newest" href="${link(query, undefined)}">Newest</a>` : ''}${page.next ? html`<a id="page-next" href="${link(query, page.next)}" rel="next">Older events</a>` : ''}</nav>`,
  })
}
