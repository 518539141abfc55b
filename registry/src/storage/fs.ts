// Tarballs on local disk. A write goes to a temporary file, is fsynced, then renamed into place,
// so a reader or a crash never sees a partial tarball under its final name.
import { statSync } from 'node:fs'
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises'
import { dirname, join, relative, sep } from 'node:path'
import { assertSafeKey, type BlobInfo, type BlobStore, type StoredBlob } from './blob-store.ts'

const TMP_DIR = '.tmp'

export class FsBlobStore implements BlobStore {
  readonly kind = 'fs' as const

  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    assertSafeKey(key)
    return join(this.root, key)
  }

  async put(key: string, data: Uint8Array | ReadableStream<Uint8Array>): Promise<void> {
    const target = this.pathOf(key)
    const tmpDir = join(this.root, TMP_DIR)
    await mkdir(tmpDir, { recursive: true })
    await mkdir(dirname(target), { recursive: true })
    const tmp = join(tmpDir, `${crypto.randomUUID()}.part`)
    const handle = await open(tmp, 'w', 0o644)
    try {
      if (data instanceof Uint8Array) {
        await handle.writeFile(data)
      } else {
        for await (const chunk of data) await handle.write(chunk)
      }
      await handle.datasync()
    } finally {
      await handle.close()
    }
    try {
      await rename(tmp, target)
    } catch (error) {
      await rm(tmp, { force: true })
      throw error
    }
  }

  async get(key: string): Promise<StoredBlob | null> {
    const path = this.pathOf(key)
    // A synchronous stat of a local file is a few microseconds; the promise version goes through the
    // thread pool and measured at half the tarball GET throughput (docs/benchmarks.md).
    const info = statSync(path, { throwIfNoEntry: false })
    return info?.isFile() ? { size: info.size, body: Bun.file(path) } : null
  }

  async downloadUrl(): Promise<null> {
    return null
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true })
  }

  async *list(): AsyncIterable<BlobInfo> {
    let entries: string[]
    try {
      entries = await readdir(this.root, { recursive: true })
    } catch {
      return
    }
    for (const entry of entries) {
      if (entry === TMP_DIR || entry.startsWith(`${TMP_DIR}${sep}`)) continue
      const path = join(this.root, entry)
      const info = await stat(path).catch(() => null)
      if (!info?.isFile()) continue
      yield { key: relative(this.root, path).split(sep).join('/'), size: info.size, modifiedAt: info.mtimeMs }
    }
  }

  close(): void {}

  async cleanup(olderThanMs: number): Promise<void> {
    const tmpDir = join(this.root, TMP_DIR)
    const cutoff = Date.now() - olderThanMs
    const parts = await readdir(tmpDir).catch(() => [] as string[])
    for (const part of parts) {
      const info = await stat(join(tmpDir, part)).catch(() => null)
      if (info && info.mtimeMs <= cutoff) await rm(join(tmpDir, part), { force: true })
    }
  }
}
