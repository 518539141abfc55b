// Line charts as inline SVG, drawn on the server: they need no script, scale with the page, and carry
// a text title and summary for screen readers (the figures are also in a table beside each chart).
import { html, type SafeHtml } from '../../web/html.ts'
import { count } from '../components.ts'

export interface Series {
  label: string
  /** One value per day, in the order of `days`. */
  values: number[]
}

/** Colours with at least 4.5:1 contrast on white, in the order series are drawn. */
const PALETTE = ['#0b57d0', '#b3261e', '#146c2e', '#8a4b00', '#6a1b9a', '#00695c', '#52525b']
const WIDTH = 720
const HEIGHT = 260
const LEFT = 56
const RIGHT = 12
const TOP = 12
const BOTTOM = 28

/** The smallest 1, 2 or 5 × 10^n at or above `value` (at least 1). */
function niceCeiling(value: number): number {
  if (value <= 1) return 1
  const power = 10 ** Math.floor(Math.log10(value))
  return ([1, 2, 5, 10].find((step) => step * power >= value) as number) * power
}

const fixed = (value: number) => Math.round(value * 10) / 10

export function lineChart(options: { id: string; title: string; days: string[]; series: Series[] }): SafeHtml {
  const { id, days, series } = options
  const max = niceCeiling(Math.max(0, ...series.flatMap((line) => line.values)))
  const plotWidth = WIDTH - LEFT - RIGHT
  const plotHeight = HEIGHT - TOP - BOTTOM
  const x = (index: number) => fixed(LEFT + (days.length <= 1 ? plotWidth / 2 : (index / (days.length - 1)) * plotWidth))
  const y = (value: number) => fixed(TOP + plotHeight - (value / max) * plotHeight)
  const total = series.reduce((sum, line) => sum + line.values.reduce((a, b) => a + b, 0), 0)
  const ticks = [0, max / 2, max]
  const labelled = days.length <= 1 ? [0] : [0, Math.floor((days.length - 1) / 2), days.length - 1]
  const summary = `${count(total)} downloads from ${days[0]} to ${days.at(-1)}${series.length > 1 ? `, in ${series.length} series` : ''}.`
  const svg = html`<svg class="chart" id="${id}" viewBox="0 0 ${WIDTH} ${HEIGHT}" role="img" aria-labelledby="${id}-title ${id}-desc" xmlns="http://www.w3.org/2000/svg">
<title id="${id}-title">${options.title}</title><desc id="${id}-desc">${summary}</desc>
${ticks.map((tick) => html`<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(tick)}" y2="${y(tick)}" stroke="#e4e4e7"/><text x="${LEFT - 6}" y="${y(tick) + 4}" text-anchor="end">${count(tick)}</text>`)}
${labelled.map((index) => html`<text x="${x(index)}" y="${HEIGHT - 8}" text-anchor="${index === 0 && days.length > 1 ? 'start' : index === days.length - 1 && days.length > 1 ? 'end' : 'middle'}">${days[index]}</text>`)}
${series.map((line, index) => {
  const colour = PALETTE[index % PALETTE.length] as string
  const points = line.values.map((value, day) => `${x(day)},${y(value)}`).join(' ')
  return html`<g class="series" data-label="${line.label}"><polyline fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round" points="${points}"/>${
    days.length <= 31 ? line.values.map((value, day) => html`<circle cx="${x(day)}" cy="${y(value)}" r="2.5" fill="${colour}"/>`) : ''
  }</g>`
})}</svg>`
  const legend = series.length > 1
    ? html`<ul class="legend" aria-hidden="true">${series.map(
        (line, index) => html`<li><svg width="14" height="14" viewBox="0 0 14 14"><rect width="14" height="14" rx="2" fill="${PALETTE[index % PALETTE.length]}"/></svg>${line.label}</li>`,
      )}</ul>`
    : ''
  return html`${svg}${legend}`
}
