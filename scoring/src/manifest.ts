// Typed, forgiving reads of package.json fields. Manifests come from strangers: every field may be
// missing, of the wrong type or absurdly large, so each reader returns a safe default instead.

export type Manifest = Record<string, unknown>

export function stringField(manifest: Manifest, key: string): string | null {
  const value = manifest[key]
  return typeof value === 'string' ? value : null
}

export function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []
}

/** A `{ name: string }` map such as `dependencies` or `scripts`; non-string values are dropped. */
export function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {}
  const out: Record<string, string> = {}
  for (const [key, item] of Object.entries(value)) if (typeof item === 'string') out[key] = item
  return out
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** `bin` as a name → path map (a string `bin` is named after the unscoped package name). */
export function binEntries(manifest: Manifest): Record<string, string> {
  const bin = manifest.bin
  const name = stringField(manifest, 'name') ?? ''
  if (typeof bin === 'string') return { [name.split('/').pop() ?? name]: bin }
  return stringMap(bin)
}

/** The URL in `repository` (string or `{ url }`), if any. */
export function repositoryUrl(manifest: Manifest): string | null {
  const repository = manifest.repository
  if (typeof repository === 'string') return repository
  return isRecord(repository) && typeof repository.url === 'string' ? repository.url : null
}

/** Package path with `./` and leading slashes removed, for matching against tarball entries. */
export function packagePath(path: string): string {
  return path.replace(/^\.?\/+/, '').replace(/\/+$/, '')
}

/** git, URL, file, link, workspace and GitHub-shorthand specifiers: dependencies not fetched from a registry. */
export function isNonRegistrySpec(spec: string): boolean {
  return /^(git(\+[a-z]+)?:|https?:|file:|link:|github:|gitlab:|bitbucket:|workspace:|[\w.-]+\/[\w.-]+(#.*)?$)/i.test(spec.trim())
}
