import { z } from 'zod'

const access = z.enum(['public', 'restricted'])

const signature = z.object({ keyid: z.string(), sig: z.string() })

const version = z.object({
  version: z.string(),
  description: z.string().nullable(),
  /** Tarball bytes. */
  size: z.number().int(),
  integrity: z.string().describe('sha512 SRI string, as in dist.integrity'),
  shasum: z.string().describe('sha1 hex, as in dist.shasum'),
  sha256: z.string().describe('sha256 hex, sent as X-Package-SHA256 on download'),
  signature: signature.nullable().describe("The registry's ECDSA signature of name@version:integrity (X-Package-Signature)"),
  publishedAt: z.string(),
  publishedBy: z.string().nullable(),
  deprecated: z.string().nullable(),
  /** Dist-tags pointing at this version. */
  tags: z.array(z.string()),
  /** Whether the analysis behind the score has run (it runs in the background after a publish). */
  analyzed: z.boolean(),
  /** Quality score (0-100) as of now; null until analysed, or when the tarball could not be analysed. */
  score: z.number().nullable(),
})

const summary = z.object({
  name: z.string(),
  scope: z.string().nullable(),
  access,
  description: z.string(),
  keywords: z.array(z.string()),
  /** The version `latest` points at; null for a package created empty. */
  latest: z.string().nullable(),
  /** Quality score of the latest version (0-100), once its analysis finished. */
  score: z.number().nullable(),
  modifiedAt: z.string(),
})

/**
 * What an admin sets on a package. The metadata fields override what the packument and search would
 * take from the latest version (version documents never change); `null` removes an override.
 */
const changes = {
  description: z.string().max(4096).nullable().optional(),
  keywords: z.array(z.string().min(1).max(128)).max(64).nullable().optional(),
  homepage: z.url({ protocol: /^https?$/ }).max(2048).nullable().optional(),
  repository: z.string().min(1).max(2048).nullable().optional().describe('Repository URL (git+https://..., https://...)'),
  access: access.optional().describe('Visibility, as npm access set status=public|private'),
  maintainers: z.array(z.string().min(1).max(64)).min(1).max(100).optional().describe('User names; replaces the owners'),
}

export const PackageApiModel = {
  listQuery: z.object({
    q: z.string().max(256).optional().describe('Search text (ranked like npm search); without it, packages are listed by name'),
    scope: z.string().regex(/^@?[a-z0-9][a-z0-9._~-]*$/, 'must be a scope like @acme').max(214).optional(),
    offset: z.coerce.number().int().min(0).max(100_000).default(0),
    limit: z.coerce.number().int().min(1).max(100).default(20),
  }),
  list: z.object({ total: z.number().int(), offset: z.number().int(), limit: z.number().int(), packages: z.array(summary) }),
  details: summary.extend({
    homepage: z.string().nullable(),
    repository: z.string().nullable(),
    license: z.string().nullable(),
    distTags: z.record(z.string(), z.string()),
    maintainers: z.array(z.object({ name: z.string(), email: z.string().optional() })),
    createdAt: z.string(),
    /** Live versions, newest (by semver) first. */
    versions: z.array(version),
  }),
  create: z.strictObject({ name: z.string().min(1).max(214), ...changes }),
  update: z.strictObject(changes),
  upload: z.object({
    tarball: z.file().describe("The package tarball (.tgz); its package.json names the package and version"),
    tag: z.string().max(128).optional().describe('Dist-tag to point at the version (default latest)'),
  }),
  uploaded: version.extend({ name: z.string(), created: z.boolean().describe('false when this exact tarball was already published') }),
  downloadQuery: z.object({ version: z.string().min(1).max(256).optional().describe('Version, dist-tag or range (default latest)') }),
  deleted: z.object({ ok: z.string() }),
}

export type PackageSummary = z.infer<typeof summary>
export type PackageDetails = z.infer<typeof PackageApiModel.details>
export type VersionView = z.infer<typeof version>
