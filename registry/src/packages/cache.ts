// Serialized packuments in memory. Install speed for npm and yarn is decided by full-packument
// latency, so both forms are built and gzipped once per change and served with ETag revalidation.
// Writers invalidate by name, which other instances hear about too; a load that raced a write is
// served once but never stored.
import type { Cluster } from '../cluster/index.ts'
import type { Db } from '../db/index.ts'
import { buildAbbreviatedPackument, buildFullPackument, type PackumentUrls } from '../npm/packument.ts'
import type { LoadedPackage, PackageService, TarballRef } from './service.ts'

/** npm's media type for the abbreviated (install) packument. */
export const ABBREVIATED_CONTENT_TYPE = 'application/vnd.npm.install-v1+json'

/** Below this size gzip saves less than its headers and CPU cost. */
const COMPRESS_MIN_BYTES = 1024

const PACKUMENT_HEADERS = { vary: 'Accept, Accept-Encoding, Authorization', 'cache-control': 'private, max-age=0, must-revalidate' }

/** A body and the response headers that go with it, built once: Response copies a Headers faster than it converts an object. */
export interface Encoded {
  body: Uint8Array<ArrayBuffer>
  headers: Headers
}

/** One serialized form of a packument (full or abbreviated), with its ETag and gzipped twin. */
export class Representation {
  readonly etag: string
  readonly identity: Encoded
  readonly gzip: Encoded | null

  constructor(json: string, contentType: string) {
    const body = new TextEncoder().encode(json)
    this.etag = `"${Bun.hash(body).toString(36)}"`
    const headers = { ...PACKUMENT_HEADERS, 'content-type': contentType, etag: this.etag }
    this.identity = { body, headers: new Headers(headers) }
    this.gzip =
      body.byteLength >= COMPRESS_MIN_BYTES
        ? { body: Bun.gzipSync(body, { level: 6 }) as Uint8Array<ArrayBuffer>, headers: new Headers({ ...headers, 'content-encoding': 'gzip' }) }
        : null
  }

  get size(): number {
    return this.identity.body.byteLength + (this.gzip?.body.byteLength ?? 0)
  }
}

export class CachedPackage {
  readonly full: Representation
  readonly abbreviated: Representation

  constructor(
    readonly loaded: LoadedPackage,
    urls: PackumentUrls,
  ) {
    this.full = new Representation(JSON.stringify(buildFullPackument(loaded.state, urls)), 'application/json')
    this.abbreviated = new Representation(JSON.stringify(buildAbbreviatedPackument(loaded.state, urls)), ABBREVIATED_CONTENT_TYPE)
  }

  tarball(version: string): TarballRef | undefined {
    return this.loaded.tarballs.get(version)
  }

  get size(): number {
    return 512 + this.full.size + this.abbreviated.size
  }
}

interface Slot {
  /** null: the name is known not to exist. */
  entry: CachedPackage | null
  /** Read since eviction last passed over this slot. */
  used: boolean
}

/** Size charged for remembering that a name does not exist. */
const MISSING_SIZE = 64

export class PackumentCache {
  /**
   * Eviction is second-chance (CLOCK), an LRU approximation whose hits only set a flag: reordering
   * the map on every hit cost more than the rest of a cached read. Eviction walks from the front,
   * moving flagged slots to the back (clearing the flag) and dropping the first unflagged one.
   */
  private readonly entries = new Map<string, Slot>()
  private readonly loading = new Map<string, Promise<CachedPackage | null>>()
  private readonly generations = new Map<string, number>()
  private bytes = 0

  constructor(
    private readonly packages: PackageService,
    private readonly urls: PackumentUrls,
    private readonly maxBytes: number,
    private readonly cluster: Cluster,
  ) {}

  /** The package when it is cached (and so known to exist), without loading anything on a miss. */
  cached(name: string): CachedPackage | undefined {
    const slot = this.entries.get(name)
    if (!slot?.entry) return undefined
    slot.used = true
    return slot.entry
  }

  /** The cached package (null: no such package), loading it on a miss; concurrent misses share one load. */
  get(name: string): CachedPackage | null | Promise<CachedPackage | null> {
    const slot = this.entries.get(name)
    if (slot) {
      slot.used = true
      return slot.entry
    }
    let pending = this.loading.get(name)
    if (!pending) {
      pending = this.load(name).finally(() => this.loading.delete(name))
      this.loading.set(name, pending)
    }
    return pending
  }

  /** Loads straight from the primary, bypassing the cache (for `?write=true` reads). */
  async fresh(name: string, primary: Db): Promise<CachedPackage | null> {
    const loaded = await this.packages.load(name, primary)
    return loaded ? new CachedPackage(loaded, this.urls) : null
  }

  /** After a local write committed `revision` of `name`: drops it here and on every other instance. */
  invalidate(name: string, revision: number): void {
    this.evict(name, revision)
    this.cluster.broadcast({ type: 'package', name, revision })
  }

  /** Drops `name` from this instance only (another instance wrote it). */
  evict(name: string, revision: number): void {
    this.packages.expectRevision(name, revision)
    this.generations.set(name, (this.generations.get(name) ?? 0) + 1)
    this.drop(name)
  }

  /** Drops every entry of this instance (after cluster messages may have been lost). */
  clear(): void {
    for (const name of [...this.entries.keys(), ...this.loading.keys()]) {
      this.generations.set(name, (this.generations.get(name) ?? 0) + 1)
      this.drop(name)
    }
  }

  get stats(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes }
  }

  private async load(name: string): Promise<CachedPackage | null> {
    const generation = this.generations.get(name) ?? 0
    const loaded = await this.packages.load(name)
    const entry = loaded ? new CachedPackage(loaded, this.urls) : null
    if ((this.generations.get(name) ?? 0) === generation) this.store(name, entry)
    return entry
  }

  private store(name: string, entry: CachedPackage | null): void {
    this.drop(name)
    this.entries.set(name, { entry, used: true })
    this.bytes += entry?.size ?? MISSING_SIZE
    while (this.bytes > this.maxBytes && this.entries.size > 1) {
      const [oldest, slot] = this.entries.entries().next().value as [string, Slot]
      if (slot.used) {
        slot.used = false
        this.entries.delete(oldest)
        this.entries.set(oldest, slot)
      } else {
        this.drop(oldest)
      }
    }
  }

  private drop(name: string): void {
    const existing = this.entries.get(name)
    if (existing === undefined) return
    this.entries.delete(name)
    this.bytes -= existing.entry?.size ?? MISSING_SIZE
  }
}
