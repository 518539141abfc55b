// Blob storage for tarballs: the interface, its implementations, and the one the configuration picks.
import type { StorageConfig } from '../config/index.ts'
import type { BlobStore } from './blob-store.ts'
import { FsBlobStore } from './fs.ts'
import { S3BlobStore } from './s3.ts'

export { assertSafeKey, type BlobInfo, type BlobStore, type StoredBlob } from './blob-store.ts'
export { FsBlobStore } from './fs.ts'
export { S3BlobStore } from './s3.ts'

export function createBlobStore(config: StorageConfig): BlobStore {
  return config.kind === 'fs' ? new FsBlobStore(config.root) : new S3BlobStore(config)
}
