// Download usage for charts, built on the per-day counts of `downloads/`: one series per package (and
// per version for a single package), every day of the range present (zero when nothing happened),
// and the top packages of the range.
import { and, desc, eq, gte, inArray, like, lte, sum } from 'drizzle-orm'
import type { Viewer } from '../access/service.ts'
import type { AccessService } from '../access/service.ts'
import type { Database } from '../db/index.ts'
import { downloadCounts } from '../db/schema.ts'
import { BadRequestError, ForbiddenError } from '../errors/index.ts'
import type { OrgService } from '../orgs/service.ts'

const DAY_MS = 86_400_000
const MAX_DAYS = 366

export interface Series {
  package: string
  /** Null for the package's total. */
  version: string | null
  total: number
  points: Array<{ day: string; count: number }>
}

export interface Usage {
  from: string
  to: string
  total: number
  top: Array<{ package: string; downloads: number }>
  series: Series[]
}

const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

function daysBetween(from: string, to: string): string[] {
  const days: string[] = []
  for (let at = Date.parse(`${from}T00:00:00Z`); at <= Date.parse(`${to}T00:00:00Z`); at += DAY_MS) days.push(utcDay(at))
  return days
}

export class UsageService {
  constructor(
    private readonly db: Database,
    private readonly access: AccessService,
    private readonly orgs: OrgService,
  ) {}

  /**
   * Registry admins see everything; others one package they may write, or an org they administer or
   * maintain in.
   */
  async usage(viewer: Viewer, query: { package?: string | undefined; org?: string | undefined; from?: string | undefined; to?: string | undefined; top: number }, now = Date.now()): Promise<Usage> {
    const to = query.to ?? utcDay(now)
    const from = query.from ?? utcDay(Date.parse(`${to}T00:00:00Z`) - 29 * DAY_MS)
    const days = daysBetween(from, to)
    if (days.length === 0 || days.length > MAX_DAYS) throw new BadRequestError('INVALID_RANGE', `from must not be after to, and the range at most ${MAX_DAYS} days`)
    let where = and(gte(downloadCounts.day, from), lte(downloadCounts.day, to))
    if (query.package !== undefined) {
      const row = await this.access.readablePackage(viewer, query.package)
      if (!viewer.canWrite(row)) throw new ForbiddenError('NOT_A_MAINTAINER', `usage of ${row.name} is for those who may write it`)
      where = and(where, eq(downloadCounts.packageName, row.name))
    } else if (query.org !== undefined) {
      const org = await this.orgs.find(query.org)
      const role = viewer.orgRole(org.scope)
      if (!viewer.admin && role !== 'admin' && role !== 'maintainer') throw new ForbiddenError('ORG_ADMIN_REQUIRED', `usage of ${org.scope} is for its admins and maintainers`)
      where = and(where, like(downloadCounts.packageName, `${org.scope}/%`))
    } else if (!viewer.admin) {
      throw new ForbiddenError('ADMIN_REQUIRED', 'registry-wide usage is for registry admins; ask for one package or one org')
    }
    const top = await this.db.read
      .select({ package: downloadCounts.packageName, downloads: sum(downloadCounts.count).mapWith(Number) })
      .from(downloadCounts)
      .where(where)
      .groupBy(downloadCounts.packageName)
      .orderBy(desc(sum(downloadCounts.count)), downloadCounts.packageName)
      .limit(query.top)
    const charted = top.map((entry) => entry.package)
    const rows =
      charted.length === 0
        ? []
        : await this.db.read
            .select({ package: downloadCounts.packageName, version: downloadCounts.version, day: downloadCounts.day, count: downloadCounts.count })
            .from(downloadCounts)
            .where(and(where, inArray(downloadCounts.packageName, charted)))
    const series = new Map<string, Series>()
    const add = (pkg: string, version: string | null, day: string, count: number) => {
      const key = `${pkg}\0${version ?? ''}`
      let entry = series.get(key)
      if (!entry) {
        entry = { package: pkg, version, total: 0, points: days.map((d) => ({ day: d, count: 0 })) }
        series.set(key, entry)
      }
      const point = entry.points[days.indexOf(day)]
      if (point) point.count += count
      entry.total += count
    }
    for (const row of rows) {
      add(row.package, null, row.day, row.count)
      if (query.package !== undefined) add(row.package, row.version, row.day, row.count)
    }
    const ordered = [...series.values()].sort((a, b) => charted.indexOf(a.package) - charted.indexOf(b.package) || (a.version === null ? -1 : b.version === null ? 1 : b.total - a.total))
    const [grand] = await this.db.read.select({ total: sum(downloadCounts.count).mapWith(Number) }).from(downloadCounts).where(where)
    return { from, to, total: grand?.total ?? 0, top, series: ordered }
  }
}
