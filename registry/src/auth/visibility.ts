// Which packages a caller may see in agent answers. Every package name the agent API (and the MCP
// server on top of it) would put in an answer goes through `Visibility.canSee`: search hits,
// comparisons, recommendations, dependency graphs, direct lookups. Two rules combine: a token limited
// to scopes or a package list sees only those, and a restricted package is seen only by those
// entitled to read it (the same `Viewer` decision the npm routes make).
import type { AccessService } from '../access/service.ts'
import type { CatalogService } from '../catalog/service.ts'
import type { PackumentCache } from '../packages/cache.ts'
import type { Identity } from '../tokens/service.ts'
import { packageInReach } from './policy.ts'

export interface Visibility {
  /** May this caller see `name`? A name it may not see is answered exactly like one that does not exist. */
  canSee(name: string): boolean
  /** Why some packages are invisible, said in not-found answers (names nothing outside the caller's reach). */
  limitation: string | null
}

export class PackageVisibility {
  constructor(
    private readonly access: AccessService,
    private readonly catalog: CatalogService,
    private readonly packuments: PackumentCache,
  ) {}

  /** The viewer for a caller (null: anonymous), resolved once per request. */
  async viewer(identity: Identity | null): Promise<Visibility> {
    const viewer = await this.access.viewerFor(identity)
    const limited = identity !== null && (identity.scopes.length > 0 || identity.packages !== null)
    const reach = limited ? [...identity.scopes, ...(identity.packages ?? [])] : []
    return {
      canSee: (name) => {
        if (limited && !packageInReach(identity, name)) return false
        const listing = this.catalog.entry(name)?.listing
        if (listing) return this.catalog.visibleTo(viewer, listing)
        // Not in the catalog yet (published moments ago), or not in this registry at all.
        const row = this.packuments.cached(name)?.loaded.row
        return row ? viewer.canRead(row) : true
      },
      limitation: limited ? `this token is limited to ${reach.length > 0 ? reach.join(', ') : 'no packages'}` : null,
    }
  }
}
