// Usage figures from the per-day download counts: the whole registry and its top packages over a
// window, one package per version, and the raw counts as CSV. Days without downloads are zeros, so
// charts and exports have one entry per day.
import type { DailyDownloads, DownloadService } from '../../downloads/service.ts'
import { utcDay } from '../../downloads/service.ts'
import type { Series } from './chart.ts'

export const RANGES = [7, 30, 90, 365] as const
export type Range = (typeof RANGES)[number]

const DAY_MS = 86_400_000
const TOP_PACKAGES = 20
/** Versions drawn as their own line; the rest are summed into one. */
const VERSIONS_DRAWN = 5

export interface Window {
  from: string
  to: string
  /** Every day of the window, `YYYY-MM-DD`. */
  days: string[]
}

export interface Overview {
  window: Window
  totals: number[]
  total: number
  top: Array<{ name: string; count: number }>
}

export interface PackageUsage {
  window: Window
  /** One line per drawn version, plus "other versions" when there are more. */
  series: Series[]
  /** All versions downloaded in the window, most downloaded first. */
  versions: Array<{ version: string; count: number }>
  totals: number[]
  total: number
}

/** The last `days` UTC days up to `now`. */
export function usageWindow(days: number, now = Date.now()): Window {
  const list = Array.from({ length: days }, (_, index) => utcDay(now - (days - 1 - index) * DAY_MS))
  return { from: list[0] as string, to: list.at(-1) as string, days: list }
}

function perDay(window: Window, rows: readonly DailyDownloads[]): number[] {
  const byDay = new Map<string, number>()
  for (const row of rows) byDay.set(row.day, (byDay.get(row.day) ?? 0) + row.count)
  return window.days.map((day) => byDay.get(day) ?? 0)
}

const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0)

/** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break. */
const csvField = (value: string | number) => (/[",\r\n]/.test(String(value)) ? `"${String(value).replaceAll('"', '""')}"` : String(value))

export class UsagePages {
  constructor(private readonly downloads: DownloadService) {}

  async overview(days: Range, now = Date.now()): Promise<Overview> {
    const window = usageWindow(days, now)
    const [daily, top] = await Promise.all([this.downloads.dailyTotals(window.from, window.to), this.downloads.top(window.from, window.to, TOP_PACKAGES)])
    const totals = perDay(window, daily)
    return { window, totals, total: sum(totals), top }
  }

  async package(name: string, days: Range, now = Date.now()): Promise<PackageUsage> {
    const window = usageWindow(days, now)
    const rows = await this.downloads.dailyByVersion(name, window.from, window.to)
    const byVersion = new Map<string, DailyDownloads[]>()
    for (const row of rows) byVersion.set(row.version, [...(byVersion.get(row.version) ?? []), row])
    const versions = [...byVersion]
      .map(([version, list]) => ({ version, count: sum(list.map((row) => row.count)) }))
      .sort((a, b) => b.count - a.count || a.version.localeCompare(b.version))
    const drawn = versions.slice(0, VERSIONS_DRAWN)
    const series: Series[] = drawn.map(({ version }) => ({ label: version, values: perDay(window, byVersion.get(version) ?? []) }))
    const rest = versions.slice(VERSIONS_DRAWN).flatMap(({ version }) => byVersion.get(version) ?? [])
    if (rest.length > 0) series.push({ label: 'other versions', values: perDay(window, rest) })
    const totals = perDay(window, rows)
    return { window, series, versions, totals, total: sum(totals) }
  }

  /** `day,package,version,downloads`, one row per stored count. */
  async csv(days: Range, name?: string, now = Date.now()): Promise<string> {
    const window = usageWindow(days, now)
    const rows = await this.downloads.rows(window.from, window.to, name)
    return `day,package,version,downloads\r\n${rows.map((row) => [row.day, row.name, row.version, row.count].map(csvField).join(',')).join('\r\n')}${rows.length > 0 ? '\r\n' : ''}`
  }
}
