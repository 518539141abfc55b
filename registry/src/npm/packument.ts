// Builds the two packument forms npm clients read: the full document (`application/json`) and the
// abbreviated "corgi" (`application/vnd.npm.install-v1+json`). Pure: state in, JSON-ready objects out.
import semver from 'semver'
import type { Maintainer, PackageMetadata } from '../db/schema.ts'

export interface VersionState {
  version: string
  /** The stored version document (including `dist.integrity`/`dist.shasum`, without `dist.tarball`). */
  manifest: Record<string, unknown>
  publishedAt: number
  deprecated: string | null
}

export interface PackageState {
  name: string
  revision: number
  distTags: Record<string, string>
  maintainers: Maintainer[]
  createdAt: number
  modifiedAt: number
  /** Live (not unpublished) versions. */
  versions: VersionState[]
  /** README of the `latest` version. */
  readme: string | null
  /** Users who starred the package (npm star), served as the full packument's `users`. */
  starredBy: string[]
  /** Package-level overrides of the latest version's description, keywords, homepage and repository. */
  metadata: PackageMetadata
}

/** Absolute URLs minted into version documents. */
export interface PackumentUrls {
  tarball(name: string, version: string): string
  attestations(name: string, version: string): string
}

/** Fields of a version document that the abbreviated packument keeps (npm's corgi plus npmjs's extras). */
const CORGI_FIELDS = [
  'name',
  'version',
  'deprecated',
  'dependencies',
  'optionalDependencies',
  'devDependencies',
  'bundleDependencies',
  'bundledDependencies',
  'peerDependencies',
  'peerDependenciesMeta',
  'acceptDependencies',
  'bin',
  'directories',
  'dist',
  'engines',
  'cpu',
  'os',
  'libc',
  'funding',
  '_hasShrinkwrap',
  'hasInstallScript',
] as const

/** Top-level fields of the full packument copied from the `latest` version. */
const HOISTED_FIELDS = ['description', 'homepage', 'keywords', 'repository', 'author', 'bugs', 'license', 'readmeFilename'] as const

/** `_rev` in CouchDB's `N-hash` form; only equality matters to clients. */
export function revisionTag(name: string, revision: number): string {
  const hash = new Bun.CryptoHasher('md5').update(`${name}\0${revision}`).digest('hex')
  return `${revision}-${hash}`
}

/** Parses the number out of a `_rev` a client sent back; null when it is not ours. */
export function parseRevision(rev: string | undefined): number | null {
  if (!rev) return null
  const match = /^(\d+)-[0-9a-f]{32}$/.exec(rev)
  return match ? Number(match[1]) : null
}

export function sortedVersions(versions: VersionState[]): VersionState[] {
  return [...versions].sort((a, b) => semver.compare(a.version, b.version))
}

/** The live version `spec` names: a dist-tag, an exact version, or the highest match of a semver range. */
export function resolveVersion(pkg: Pick<PackageState, 'versions' | 'distTags'>, spec: string): VersionState | undefined {
  const available = pkg.versions.map((version) => version.version)
  const resolved = pkg.distTags[spec] ?? (available.includes(spec) ? spec : semver.validRange(spec) ? semver.maxSatisfying(available, spec) : null)
  return pkg.versions.find((candidate) => candidate.version === resolved)
}

/** The version document as served: the stored manifest, its URLs, and its deprecation. */
export function renderVersion(name: string, state: VersionState, urls: PackumentUrls): Record<string, unknown> {
  const stored = state.manifest.dist as Record<string, unknown>
  const dist: Record<string, unknown> = { ...stored, tarball: urls.tarball(name, state.version) }
  if (stored.attestations) dist.attestations = { ...(stored.attestations as Record<string, unknown>), url: urls.attestations(name, state.version) }
  const doc: Record<string, unknown> = { ...state.manifest, dist }
  if (state.deprecated) doc.deprecated = state.deprecated
  else delete doc.deprecated
  return doc
}

function isoTime(ms: number): string {
  return new Date(ms).toISOString()
}

export function buildFullPackument(pkg: PackageState, urls: PackumentUrls): Record<string, unknown> {
  const ordered = sortedVersions(pkg.versions)
  const versions: Record<string, unknown> = {}
  const time: Record<string, string> = { created: isoTime(pkg.createdAt), modified: isoTime(pkg.modifiedAt) }
  for (const state of ordered) {
    versions[state.version] = renderVersion(pkg.name, state, urls)
    time[state.version] = isoTime(state.publishedAt)
  }
  const latest = pkg.versions.find((state) => state.version === pkg.distTags.latest) ?? ordered.at(-1)
  const doc: Record<string, unknown> = {
    _id: pkg.name,
    _rev: revisionTag(pkg.name, pkg.revision),
    name: pkg.name,
    'dist-tags': pkg.distTags,
    versions,
    time,
    maintainers: pkg.maintainers,
    users: Object.fromEntries(pkg.starredBy.map((username) => [username, true])),
  }
  for (const field of HOISTED_FIELDS) {
    const value = latest?.manifest[field]
    if (value !== undefined) doc[field] = value
  }
  const { repository, ...overrides } = pkg.metadata
  Object.assign(doc, overrides)
  if (repository !== undefined) doc.repository = { type: 'git', url: repository }
  doc.readme = pkg.readme ?? ''
  return doc
}

export function buildAbbreviatedPackument(pkg: PackageState, urls: PackumentUrls): Record<string, unknown> {
  const versions: Record<string, unknown> = {}
  for (const state of sortedVersions(pkg.versions)) {
    const full = renderVersion(pkg.name, state, urls)
    const abbreviated: Record<string, unknown> = {}
    for (const field of CORGI_FIELDS) {
      if (full[field] !== undefined) abbreviated[field] = full[field]
    }
    versions[state.version] = abbreviated
  }
  return { name: pkg.name, modified: isoTime(pkg.modifiedAt), 'dist-tags': pkg.distTags, versions }
}
