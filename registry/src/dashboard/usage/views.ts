// Usage pages: downloads over time for the registry (with its top packages) or for one package (per
// version), as SVG charts with the figures in tables beside them, and links to the CSV export.
import { html, type SafeHtml } from '../../web/html.ts'
import { layout, type Chrome } from '../../web/layout.ts'
import { count, packageLink } from '../components.ts'
import { lineChart } from './chart.ts'
import { RANGES, type Overview, type PackageUsage, type Range } from './service.ts'

function rangeLinks(days: Range, name: string | undefined): SafeHtml {
  const href = (range: number) => `/-/web/usage?${new URLSearchParams({ ...(name ? { package: name } : {}), days: String(range) })}`
  return html`<nav aria-label="Time range"><ul class="tags">${RANGES.map(
    (range) => html`<li><a href="${href(range)}"${range === days ? html` aria-current="true"` : ''}>${range} days</a></li>`,
  )}</ul></nav>`
}

const csvLink = (days: Range, name: string | undefined) =>
  html`<p><a href="/-/web/usage/csv?${new URLSearchParams({ ...(name ? { package: name } : {}), days: String(days) }).toString()}" id="csv-export" download>Download as CSV</a> (day, package, version, downloads)</p>`

function dailyTable(days: readonly string[], columns: Array<{ label: string; values: readonly number[] }>): SafeHtml {
  return html`<details><summary>Daily figures</summary><div class="table"><table><thead><tr><th scope="col">Day</th>${columns.map((column) => html`<th scope="col" class="num">${column.label}</th>`)}</tr></thead><tbody>${days.map(
    (day, index) => html`<tr><th scope="row">${day}</th>${columns.map((column) => html`<td class="num">${count(column.values[index] ?? 0)}</td>`)}</tr>`,
  )}</tbody></table></div></details>`
}

export function overviewPage(chrome: Chrome, days: Range, overview: Overview): string {
  const { window } = overview
  return layout({
    title: 'Usage',
    chrome: { ...chrome, active: 'usage' },
    main: html`<h1>Usage</h1>${rangeLinks(days, undefined)}
<p><strong id="total-downloads">${count(overview.total)}</strong> downloads in the last ${days} days (${window.from} to ${window.to}, UTC).</p>
${lineChart({ id: 'downloads-chart', title: `Downloads per day, all packages, last ${days} days`, days: window.days, series: [{ label: 'all packages', values: overview.totals }] })}
${dailyTable(window.days, [{ label: 'Downloads', values: overview.totals }])}
${csvLink(days, undefined)}
<h2>Top packages</h2>${
      overview.top.length === 0
        ? html`<p class="muted">No downloads in this period.</p>`
        : html`<div class="table"><table id="top-packages"><thead><tr><th scope="col">#</th><th scope="col">Package</th><th scope="col" class="num">Downloads</th><th scope="col">Usage</th></tr></thead><tbody>${overview.top.map(
            (item, index) =>
              html`<tr><td>${index + 1}</td><td>${packageLink(item.name)}</td><td class="num">${count(item.count)}</td><td><a href="/-/web/usage?${new URLSearchParams({ package: item.name, days: String(days) }).toString()}" aria-label="Usage of ${item.name}">per version</a></td></tr>`,
          )}</tbody></table></div>`
    }`,
  })
}

export function packageUsagePage(chrome: Chrome, name: string, days: Range, usage: PackageUsage): string {
  const { window } = usage
  return layout({
    title: `Usage of ${name}`,
    chrome: { ...chrome, active: 'usage' },
    main: html`<p><a href="/-/web/usage?days=${days}">Usage</a> ›</p><h1>Usage of ${name}</h1>${rangeLinks(days, name)}
<p><strong id="total-downloads">${count(usage.total)}</strong> downloads in the last ${days} days (${window.from} to ${window.to}, UTC). ${packageLink(name)}</p>
${
  usage.series.length === 0
    ? html`<p class="muted">No downloads in this period.</p>`
    : html`${lineChart({ id: 'versions-chart', title: `Downloads per day of ${name} by version, last ${days} days`, days: window.days, series: usage.series })}
${dailyTable(window.days, usage.series)}`
}
<h2>Versions</h2>${
      usage.versions.length === 0
        ? html`<p class="muted">No version was downloaded in this period.</p>`
        : html`<div class="table"><table id="version-downloads"><thead><tr><th scope="col">Version</th><th scope="col" class="num">Downloads</th></tr></thead><tbody>${usage.versions.map(
            (item) => html`<tr><th scope="row">${item.version}</th><td class="num">${count(item.count)}</td></tr>`,
          )}</tbody></table></div>`
    }
${csvLink(days, name)}`,
  })
}
