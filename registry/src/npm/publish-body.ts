// Validation of npm's publish document (`PUT /:pkg` with `_attachments`): one version, one tarball,
// names and versions that agree with the URL, and a tarball whose bytes match the claimed integrity.
// Pure: no storage, no database. Whatever passes here is safe to store.
import semver from 'semver'
import ssri from 'ssri'
import { BadRequestError, PayloadTooLargeError } from '../errors/index.ts'
import { assertPublishableName } from './names.ts'

export interface PublishDocument {
  _id?: string | undefined
  name: string
  'dist-tags'?: Record<string, string> | undefined
  versions: Record<string, Record<string, unknown>>
  /** npm's base64 tarball (and provenance bundle); absent when the tarball arrives as bytes (multipart). */
  _attachments?: Record<string, { data: string; length?: number | undefined; content_type?: string | undefined }> | undefined
  access?: string | null | undefined
  readme?: string | undefined
}

export interface ValidatedPublish {
  name: string
  version: string
  /** The client's version document, with fields the registry owns removed. */
  manifest: Record<string, unknown>
  tarball: Uint8Array
  /** sha512 SRI string, computed by the registry. */
  integrity: string
  /** sha1 hex, computed by the registry. */
  shasum: string
  /** Tags to point at this version. */
  tags: string[]
  readme: string | null
  /** Provenance bundle sent as `<name>-<version>.sigstore`, kept verbatim for the attestations route. */
  provenance: string | null
}

/**
 * Fields a client may send that the registry sets itself (or stores elsewhere). Bun puts unchecked
 * copies of the tarball's integrity (`_integrity`, `integrity`, `shasum`) beside `dist`; only the
 * registry's own `dist` may state them.
 */
const REGISTRY_OWNED = ['readme', 'deprecated', '_rev', '_revisions', '_attachments', '_integrity', 'integrity', 'shasum', '_npmUser', 'maintainers', '_id']

const isSigstore = (key: string) => key.endsWith('.sigstore')

/** A tarball that arrived as bytes (multipart upload) rather than base64 in `_attachments`. */
export interface UploadedTarball {
  bytes: Uint8Array
  /**
   * The version document was read from this very tarball (a bare `.tgz` upload), so there is no
   * client-computed digest to compare; otherwise `dist.integrity` or `dist.shasum` is required, as in npm's document.
   */
  manifestFromTarball: boolean
}

function assertTarballSize(size: number, maxTarballSize: number): void {
  if (size > maxTarballSize) throw new PayloadTooLargeError('TARBALL_TOO_LARGE', `tarball exceeds the limit of ${maxTarballSize} bytes`)
}

/** The tarball and provenance bundle of npm's document: exactly one `.tgz` attachment for `version`, decoded. */
function decodeAttachments(body: PublishDocument, version: string, maxTarballSize: number): { tarball: Uint8Array; provenance: string | null } {
  const attachments = Object.entries(body._attachments ?? {})
  const tarballs = attachments.filter(([filename]) => !isSigstore(filename))
  if (tarballs.length !== 1) throw new BadRequestError('ONE_TARBALL_PER_PUBLISH', `a publish must attach exactly one tarball (got ${tarballs.length})`)
  const [filename, attachment] = tarballs[0] as [string, NonNullable<PublishDocument['_attachments']>[string]]
  if (!filename.endsWith(`-${version}.tgz`)) {
    throw new BadRequestError('ATTACHMENT_MISMATCH', `attachment ${JSON.stringify(filename)} does not belong to version ${version}`)
  }
  if (typeof attachment.data !== 'string' || attachment.data.length === 0) throw new BadRequestError('EMPTY_TARBALL', 'the tarball attachment has no data')
  // base64 expands 3 bytes to 4: refuse an oversized tarball before decoding it.
  assertTarballSize(Math.floor((attachment.data.length * 3) / 4) - 2, maxTarballSize)
  const tarball = new Uint8Array(Buffer.from(attachment.data, 'base64'))
  assertTarballSize(tarball.byteLength, maxTarballSize)
  if (attachment.length !== undefined && attachment.length !== tarball.byteLength) {
    throw new BadRequestError('LENGTH_MISMATCH', `attachment length ${attachment.length} does not match the decoded tarball (${tarball.byteLength} bytes)`)
  }
  const sigstore = attachments.find(([filename]) => isSigstore(filename))
  return { tarball, provenance: sigstore ? sigstore[1].data : null }
}

export function validatePublish(urlName: string, body: PublishDocument, maxTarballSize: number, uploaded?: UploadedTarball): ValidatedPublish {
  const name = body.name
  if (name !== urlName) throw new BadRequestError('NAME_MISMATCH', `package name ${JSON.stringify(name)} does not match the URL (${urlName})`)
  if (body._id !== undefined && body._id !== name) throw new BadRequestError('NAME_MISMATCH', `_id ${JSON.stringify(body._id)} does not match name ${name}`)
  assertPublishableName(name)

  const versionKeys = Object.keys(body.versions)
  if (versionKeys.length !== 1) throw new BadRequestError('ONE_VERSION_PER_PUBLISH', `a publish must contain exactly one version (got ${versionKeys.length})`)
  const key = versionKeys[0] as string
  const manifest = body.versions[key] as Record<string, unknown>
  const version = manifest.version
  if (typeof version !== 'string' || version !== key) {
    throw new BadRequestError('VERSION_MISMATCH', `version ${JSON.stringify(version)} does not match its key in versions (${key})`)
  }
  if (semver.valid(version) !== version) throw new BadRequestError('INVALID_VERSION', `${JSON.stringify(version)} is not a valid semver version`)
  if (manifest.name !== name) throw new BadRequestError('NAME_MISMATCH', `versions[${version}].name ${JSON.stringify(manifest.name)} does not match ${name}`)

  let tarball: Uint8Array
  let provenance: string | null = null
  if (uploaded) {
    if (body._attachments !== undefined) throw new BadRequestError('ONE_TARBALL_PER_PUBLISH', 'an uploaded tarball comes without _attachments')
    if (uploaded.bytes.byteLength === 0) throw new BadRequestError('EMPTY_TARBALL', 'the uploaded tarball is empty')
    assertTarballSize(uploaded.bytes.byteLength, maxTarballSize)
    tarball = uploaded.bytes
  } else {
    ;({ tarball, provenance } = decodeAttachments(body, version, maxTarballSize))
  }

  const computed = ssri.fromData(tarball, { algorithms: ['sha512', 'sha1'] })
  const integrity = computed.sha512?.[0]?.toString() as string
  const shasum = Buffer.from(computed.sha1?.[0]?.digest ?? '', 'base64').toString('hex')
  const dist = (manifest.dist ?? {}) as { integrity?: unknown; shasum?: unknown }
  if (dist.integrity === undefined && dist.shasum === undefined && !uploaded?.manifestFromTarball) {
    throw new BadRequestError('MISSING_INTEGRITY', 'dist.integrity (sha512) or dist.shasum (sha1) is required')
  }
  // ssri.parse returns null for a string that holds no SRI entry at all.
  if (dist.integrity !== undefined && (typeof dist.integrity !== 'string' || !ssri.parse(dist.integrity)?.match(computed))) {
    throw new BadRequestError('INTEGRITY_MISMATCH', `dist.integrity does not match the tarball (the registry computed ${integrity})`)
  }
  if (dist.shasum !== undefined && dist.shasum !== shasum) {
    throw new BadRequestError('SHASUM_MISMATCH', `dist.shasum does not match the tarball (the registry computed ${shasum})`)
  }

  const tags: string[] = []
  for (const [tag, target] of Object.entries(body['dist-tags'] ?? {})) {
    if (target === version) tags.push(tag)
  }

  const readme = typeof manifest.readme === 'string' && manifest.readme.length > 0 ? manifest.readme : typeof body.readme === 'string' && body.readme.length > 0 ? body.readme : null

  const cleaned: Record<string, unknown> = { ...manifest }
  for (const field of REGISTRY_OWNED) delete cleaned[field]
  return {
    name,
    version,
    manifest: cleaned,
    tarball,
    integrity,
    shasum,
    tags,
    readme,
    provenance,
  }
}
