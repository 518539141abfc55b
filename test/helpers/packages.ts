// Builds real package tarballs and the publish documents npm sends, without the npm CLI.
import type { ZlibCompressionOptions } from 'bun'
import { packTar } from 'modern-tar'
import ssri from 'ssri'

export type Manifest = Record<string, unknown> & { name: string; version: string }

/**
 * A gzipped tarball laid out like `npm pack`: every file under `package/`. `gzipLevel: 0` stores
 * without compressing (still valid gzip), for large random payloads that would not shrink anyway.
 */
export async function packTarball(
  manifest: Manifest,
  files: Record<string, string | Uint8Array> = {},
  options: { gzipLevel?: ZlibCompressionOptions['level'] } = {},
): Promise<Uint8Array> {
  const all: Record<string, string | Uint8Array> = { 'package.json': JSON.stringify(manifest, null, 2), ...files }
  const entries = Object.entries(all).map(([path, body]) => {
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body
    return { header: { name: `package/${path}`, size: bytes.byteLength, type: 'file' as const, mode: 0o644 }, body: bytes }
  })
  return Bun.gzipSync(await packTar(entries), { level: options.gzipLevel })
}

export interface PublishDocument {
  _id: string
  name: string
  'dist-tags': Record<string, string>
  versions: Record<string, Record<string, unknown>>
  _attachments: Record<string, { content_type: string; data: string; length: number }>
  access: null
}

/** The JSON body of `npm publish` for `manifest` with `tarball` (defaults to a packed tarball of it). */
export async function publishDocument(manifest: Manifest, options: { tarball?: Uint8Array; tag?: string } = {}): Promise<PublishDocument> {
  const tarball = options.tarball ?? (await packTarball(manifest))
  const integrity = ssri.fromData(tarball, { algorithms: ['sha512'] }).toString()
  const shasum = new Bun.CryptoHasher('sha1').update(tarball).digest('hex')
  return {
    _id: manifest.name,
    name: manifest.name,
    'dist-tags': { [options.tag ?? 'latest']: manifest.version },
    versions: {
      [manifest.version]: {
        ...manifest,
        _id: `${manifest.name}@${manifest.version}`,
        dist: { integrity, shasum, tarball: `http://ignored.example/${manifest.name}/-/${manifest.name}-${manifest.version}.tgz` },
      },
    },
    _attachments: {
      [`${manifest.name}-${manifest.version}.tgz`]: {
        content_type: 'application/octet-stream',
        data: Buffer.from(tarball).toString('base64'),
        length: tarball.byteLength,
      },
    },
    access: null,
  }
}

export function escapeName(name: string): string {
  return name.replace('/', '%2f')
}
