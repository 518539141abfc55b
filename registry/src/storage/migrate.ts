// `bun run storage:migrate`: copies every live tarball from one store to another and verifies each
// copy against the integrity recorded at publish. The target is the store this configuration uses
// (STORAGE, DATA_DIR, S3_*), the source is described by the same variables prefixed with SOURCE_
// (SOURCE_STORAGE=fs SOURCE_DATA_DIR=./old, or SOURCE_STORAGE=s3 SOURCE_S3_BUCKET=...), and the
// database (DATABASE_URL or DATA_DIR) says which tarballs exist. Safe to rerun: intact copies are
// skipped. Run it while the registry still serves from the source, then switch the registry over.
import { isNull } from 'drizzle-orm'
import ssri from 'ssri'
import { ConfigError, loadConfig, loadStorageConfig, type StorageConfig } from '../config/index.ts'
import { openDatabase, type Database } from '../db/index.ts'
import { versions } from '../db/schema.ts'
import type { BlobStore, StoredBlob } from './blob-store.ts'
import { createBlobStore } from './index.ts'

export interface MigrationReport {
  copied: number
  /** Already in the target with the right content. */
  intact: number
  failed: Array<{ key: string; reason: string }>
}

const CONCURRENCY = 4

function streamOf(blob: StoredBlob): ReadableStream<Uint8Array> {
  return blob.body instanceof Blob ? (blob.body.stream() as ReadableStream<Uint8Array>) : blob.body
}

/** A pass-through stream that computes the sha512 of what flows through it. */
function sha512Tap(): { stream: TransformStream<Uint8Array, Uint8Array>; integrity(): string } {
  const hasher = new Bun.CryptoHasher('sha512')
  return {
    stream: new TransformStream({
      transform(chunk, controller) {
        hasher.update(chunk)
        controller.enqueue(chunk)
      },
    }),
    integrity: () => `sha512-${hasher.digest('base64')}`,
  }
}

function matches(expected: string, actual: string): boolean {
  return ssri.parse(expected).match(actual) !== false
}

async function intactIn(store: BlobStore, key: string, integrity: string): Promise<boolean> {
  const blob = await store.get(key)
  if (!blob) return false
  const tap = sha512Tap()
  for await (const _ of streamOf(blob).pipeThrough(tap.stream)) {
    // Drain: the tap hashes as it goes.
  }
  return matches(integrity, tap.integrity())
}

async function copyOne(source: BlobStore, target: BlobStore, key: string, integrity: string): Promise<'copied' | 'intact' | string> {
  if (await intactIn(target, key, integrity)) return 'intact'
  const blob = await source.get(key)
  if (!blob) return 'missing from the source store'
  const tap = sha512Tap()
  await target.put(key, streamOf(blob).pipeThrough(tap.stream))
  if (!matches(integrity, tap.integrity())) {
    await target.delete(key)
    return 'the source copy does not match its recorded integrity (left out of the target)'
  }
  if (!(await intactIn(target, key, integrity))) return 'the target copy does not match its recorded integrity after writing'
  return 'copied'
}

/** Copies the tarball of every live version from `source` to `target`, verifying each. */
export async function migrateBlobs(db: Database, source: BlobStore, target: BlobStore, onProgress: (done: number, total: number) => void = () => {}): Promise<MigrationReport> {
  const rows = await db.primary.selectDistinct({ key: versions.blobKey, integrity: versions.integrity }).from(versions).where(isNull(versions.unpublishedAt))
  const report: MigrationReport = { copied: 0, intact: 0, failed: [] }
  let next = 0
  let done = 0
  const worker = async () => {
    while (next < rows.length) {
      const { key, integrity } = rows[next++] as { key: string; integrity: string }
      try {
        const outcome = await copyOne(source, target, key, integrity)
        if (outcome === 'copied') report.copied++
        else if (outcome === 'intact') report.intact++
        else report.failed.push({ key, reason: outcome })
      } catch (error) {
        report.failed.push({ key, reason: error instanceof Error ? error.message : String(error) })
      }
      onProgress(++done, rows.length)
    }
  }
  await Promise.all(Array.from({ length: CONCURRENCY }, worker))
  return report
}

function sameStore(a: StorageConfig, b: StorageConfig): boolean {
  if (a.kind === 'fs' && b.kind === 'fs') return a.root === b.root
  return a.kind === 's3' && b.kind === 's3' && a.bucket === b.bucket && a.endpoint === b.endpoint
}

if (import.meta.main) {
  try {
    const config = loadConfig()
    if (!Object.keys(process.env).some((key) => key.startsWith('SOURCE_'))) {
      throw new ConfigError('describe the store to copy from with SOURCE_-prefixed variables, e.g. SOURCE_STORAGE=fs SOURCE_DATA_DIR=./data')
    }
    const sourceConfig = loadStorageConfig(process.env, 'SOURCE_')
    if (sameStore(sourceConfig, config.storage)) throw new ConfigError('the source and the target are the same store')
    const db = await openDatabase(config.database)
    const source = createBlobStore(sourceConfig)
    const target = createBlobStore(config.storage)
    let reported = 0
    const report = await migrateBlobs(db, source, target, (done, total) => {
      if (done === total || done - reported >= 100) {
        reported = done
        console.log(`storage:migrate: ${done}/${total} tarballs checked`)
      }
    })
    source.close()
    target.close()
    await db.close()
    for (const failure of report.failed) console.error(`storage:migrate: FAILED ${failure.key}: ${failure.reason}`)
    console.log(`storage:migrate: ${report.copied} copied, ${report.intact} already intact, ${report.failed.length} failed (${sourceConfig.kind} → ${config.storage.kind})`)
    process.exit(report.failed.length > 0 ? 1 : 0)
  } catch (error) {
    console.error(`storage:migrate: ${error instanceof ConfigError ? error.message : (error as Error).message}`)
    process.exit(1)
  }
}
