// Builds tar.gz archives byte by byte for the hostile-archive tests: raw (non-UTF-8) names, links,
// absolute and `../` paths, huge or countless entries, streamed through gzip so a test can make a
// 300 MB bomb without holding it in memory.
import { createGzip } from 'node:zlib'

export interface RawEntry {
  /** Entry name as bytes or text (text is encoded as UTF-8). */
  name: string | Uint8Array
  /** Body bytes, or a size for a body of zeros generated on the fly. */
  body?: Uint8Array | { zeros: number }
  type?: 'file' | 'directory' | 'symlink' | 'hardlink'
  linkTarget?: string
}

const TYPE_FLAG = { file: '0', hardlink: '1', symlink: '2', directory: '5' } as const

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0'
}

/** A 512-byte ustar header. */
const encoder = new TextEncoder()

export function tarHeader(entry: RawEntry, size: number): Uint8Array {
  const header = new Uint8Array(512)
  const name = typeof entry.name === 'string' ? encoder.encode(entry.name) : entry.name
  header.set(name.subarray(0, 100), 0)
  const ascii = (text: string, offset: number) => encoder.encodeInto(text, header.subarray(offset))
  ascii(octal(0o644, 8), 100)
  ascii(octal(0, 8), 108)
  ascii(octal(0, 8), 116)
  ascii(octal(size, 12), 124)
  ascii(octal(0, 12), 136)
  ascii('        ', 148)
  ascii(TYPE_FLAG[entry.type ?? 'file'], 156)
  if (entry.linkTarget) ascii(entry.linkTarget.slice(0, 100), 157)
  ascii('ustar\0', 257)
  ascii('00', 263)
  let checksum = 0
  for (let i = 0; i < 512; i++) checksum += header[i] as number
  ascii(checksum.toString(8).padStart(6, '0') + '\0 ', 148)
  return header
}

/** Streams entries through gzip and returns the compressed archive. */
export async function buildTarGz(entries: Iterable<RawEntry>, level = 6): Promise<Uint8Array> {
  const gzip = createGzip({ level })
  const chunks: Buffer[] = []
  gzip.on('data', (chunk: Buffer) => chunks.push(chunk))
  const finished = new Promise<void>((resolve, reject) => {
    gzip.on('end', resolve)
    gzip.on('error', reject)
  })
  // Small pieces (headers, padding) are staged into 1 MB writes: a million entries stay fast.
  const staging = new Uint8Array(1024 * 1024)
  let staged = 0
  const flush = async () => {
    if (staged === 0) return
    const chunk = staging.slice(0, staged)
    staged = 0
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve))
  }
  const write = async (bytes: Uint8Array) => {
    if (staged + bytes.byteLength > staging.byteLength) await flush()
    if (bytes.byteLength >= staging.byteLength) {
      if (!gzip.write(bytes)) await new Promise((resolve) => gzip.once('drain', resolve))
      return
    }
    staging.set(bytes, staged)
    staged += bytes.byteLength
  }
  const zeroChunk = new Uint8Array(1024 * 1024)
  for (const entry of entries) {
    const body = entry.body
    const size = body === undefined ? 0 : body instanceof Uint8Array ? body.byteLength : body.zeros
    await write(tarHeader(entry, size))
    if (body instanceof Uint8Array) await write(body)
    else if (body) for (let left = body.zeros; left > 0; left -= zeroChunk.byteLength) await write(left >= zeroChunk.byteLength ? zeroChunk : zeroChunk.subarray(0, left))
    const padding = (512 - (size % 512)) % 512
    if (padding > 0) await write(new Uint8Array(padding))
  }
  await write(new Uint8Array(1024))
  await flush()
  gzip.end()
  await finished
  return new Uint8Array(Buffer.concat(chunks))
}

export const manifestEntry = (manifest: Record<string, unknown>): RawEntry => ({ name: 'package/package.json', body: new TextEncoder().encode(JSON.stringify(manifest)) })
