// npm's `/-/v1/search` on top of the catalog: npm's qualifiers (keywords:, author:, maintainer:,
// scope:) become a filter, ranking comes from the catalog's index, and `score.detail` carries the
// package's real sub-scores.
import type { Viewer } from '../access/service.ts'
import type { CatalogService, Listing } from '../catalog/service.ts'
import type { SearchResponse } from './model.ts'

const QUALIFIER = /(?:^|\s)(keywords|author|maintainer|scope):(\S+)/g

type Filter = (listing: Listing) => boolean

function parseQuery(text: string): { query: string; filters: Filter[] } {
  const filters: Filter[] = []
  const query = text
    .replace(QUALIFIER, (_, qualifier: string, value: string) => {
      const wanted = value.toLowerCase()
      if (qualifier === 'keywords') filters.push((listing) => listing.keywords.some((keyword) => wanted.split(',').includes(keyword.toLowerCase())))
      if (qualifier === 'author') filters.push((listing) => listing.publisher?.username.toLowerCase() === wanted)
      if (qualifier === 'maintainer') filters.push((listing) => listing.maintainers.some((maintainer) => maintainer.username.toLowerCase() === wanted))
      if (qualifier === 'scope') filters.push((listing) => listing.scope === wanted.replace(/^@/, ''))
      return ' '
    })
    .trim()
  return { query, filters }
}

export class SearchService {
  constructor(private readonly catalog: CatalogService) {}

  /**
   * Hits `viewer` may read: restricted packages others may not read are left out of hits and total
   * alike. `only` narrows further (the dashboard's scope and capability filters, one scope's packages).
   */
  search(text: string, size: number, from: number, viewer: Viewer | null = null, only?: (listing: Listing) => boolean): SearchResponse {
    const { query, filters } = parseQuery(text)
    if (only) filters.push(only)
    const accept = (name: string) => {
      const listing = this.catalog.entry(name)?.listing
      return listing !== undefined && this.catalog.visibleTo(viewer, listing) && filters.every((filter) => filter(listing))
    }
    let page: Array<{ name: string; score: number }>
    let total: number
    if (query === '') {
      const names = this.catalog.names().filter(accept)
      total = names.length
      page = names.slice(from, from + size).map((name) => ({ name, score: 1 }))
    } else {
      const results = this.catalog.search(query, { limit: size, offset: from, accept })
      total = results.total
      page = results.hits
    }
    const top = page[0]?.score ?? 1
    return {
      objects: page.map(({ name, score }) => {
        const { listing, score: quality } = this.catalog.entry(name) as NonNullable<ReturnType<CatalogService['entry']>>
        return {
          package: {
            name: listing.name,
            scope: listing.scope,
            version: listing.version,
            description: listing.description,
            keywords: listing.keywords,
            date: listing.date,
            links: listing.links,
            ...(listing.publisher ? { publisher: listing.publisher } : {}),
            maintainers: listing.maintainers,
          },
          score: {
            final: quality ? quality.final / 100 : 0,
            detail: {
              quality: quality?.subScores.quality.ratio ?? 0,
              popularity: quality?.subScores.popularity.ratio ?? 0,
              maintenance: quality?.subScores.maintenance.ratio ?? 0,
            },
          },
          searchScore: top > 0 ? score / top : 0,
        }
      }),
      total,
      time: new Date().toUTCString(),
    }
  }
}

/** Keeps one scope's packages; `scope` is `@acme` or `acme`. */
export const inScope = (scope: string) => {
  const wanted = scope.replace(/^@/, '')
  return (listing: Listing) => listing.scope === wanted
}
