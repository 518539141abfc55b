// Small pieces the dashboard's pages share: links to packages, dates, numbers, score badges, copyable
// snippets, pagination.
import { html, type SafeHtml } from '../web/html.ts'

/** The dashboard page of a package; scoped names keep their slash (`/-/web/packages/@acme/widget`). */
export const packageHref = (name: string) => `/-/web/packages/${name.split('/').map((part) => encodeURIComponent(part).replace(/^%40/, '@')).join('/')}`

export const packageLink = (name: string, id?: string) => html`<a href="${packageHref(name)}"${id ? html` id="${id}"` : ''}>${name}</a>`

const iso = (time: number | string) => new Date(time).toISOString()

/** A date people read (`2026-11-22`), machine-readable in `datetime`. */
export const date = (time: number | string) => html`<time datetime="${iso(time)}">${iso(time).slice(0, 10)}</time>`

/** Date and time to the minute, UTC. */
export const dateTime = (time: number | string) => html`<time datetime="${iso(time)}">${iso(time).slice(0, 16).replace('T', ' ')} UTC</time>`

export const count = (value: number) => value.toLocaleString('en-US')

export function scoreBadge(score: number | null, id?: string): SafeHtml {
  const level = score === null ? 'none' : score >= 70 ? 'good' : score >= 40 ? 'fair' : 'poor'
  const label = score === null ? 'Score: not analysed yet' : `Score ${score} out of 100`
  return html`<span class="score ${level}"${id ? html` id="${id}"` : ''} title="${label}" aria-label="${label}">${score ?? '–'}</span>`
}

/** A command with a copy button (shown only when the dashboard script runs). */
export function snippet(id: string, label: string, command: string): SafeHtml {
  return html`<div class="snippet"><span class="who">${label}</span><code id="${id}">${command}</code><button type="button" data-copy="${id}" hidden aria-label="Copy the ${label} command">Copy</button></div>`
}

/** Previous/next links keeping the other query parameters. */
export function pager(path: string, query: Record<string, string | undefined>, page: number, pages: number): SafeHtml {
  if (pages <= 1) return html``
  const href = (target: number) => {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) if (value) params.set(key, value)
    params.set('page', String(target))
    return `${path}?${params}`
  }
  return html`<nav class="pager" aria-label="Pages">${page > 1 ? html`<a href="${href(page - 1)}" rel="prev" id="page-prev">Previous</a>` : ''}<span>Page ${page} of ${pages}</span>${
    page < pages ? html`<a href="${href(page + 1)}" rel="next" id="page-next">Next</a>` : ''
  }</nav>`
}
