// The blob store seam: tarballs live behind this interface, on local disk by default and in an
// S3-compatible bucket for multi-instance deployments. Keys are written once and never rewritten.

export interface BlobInfo {
  key: string
  size: number
  modifiedAt: number
}

export interface StoredBlob {
  size: number
  body: Blob | ReadableStream<Uint8Array>
}

export interface BlobStore {
  readonly kind: 'fs' | 's3'
  /**
   * Stores `data` under `key` durably and atomically: when it resolves, a crash cannot lose or
   * truncate it, and no reader ever sees part of it. A stream is stored without buffering it whole.
   */
  put(key: string, data: Uint8Array | ReadableStream<Uint8Array>): Promise<void>
  /** The blob, or null when there is none under `key`. */
  get(key: string): Promise<StoredBlob | null>
  /** A short-lived URL the client may download `key` from directly, or null to stream it through us. */
  downloadUrl(key: string): Promise<string | null>
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>
  list(): AsyncIterable<BlobInfo>
  /** Removes partial writes older than `olderThanMs` that a crash may have left behind. */
  cleanup(olderThanMs: number): Promise<void>
  /** Releases connections. */
  close(): void
}

/** Rejects keys that could escape the store's root on any backend. */
export function assertSafeKey(key: string): void {
  if (
    key.length === 0 ||
    key.length > 1024 ||
    key.startsWith('/') ||
    key.includes('\\') ||
    key.includes('\0') ||
    key.split('/').some((segment) => segment === '' || segment === '.' || segment === '..')
  ) {
    throw new Error(`unsafe blob key: ${JSON.stringify(key)}`)
  }
}
