// Reading and writing npm configuration files the way npm keys credentials: by "nerf dart"
// (`//host:port/path/:_authToken=...`), so npm, pnpm, yarn and bun all pick the token up.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs'

/** `//127.0.0.1:4873/` for `http://127.0.0.1:4873`: the credential key prefix npm uses. */
export function nerfDart(registry: string): string {
  const url = new URL(registry.endsWith('/') ? registry : `${registry}/`)
  return `//${url.host}${url.pathname}`
}

function readLines(path: string): string[] {
  return existsSync(path) ? readFileSync(path, 'utf8').split(/\r?\n/) : []
}

/** The token saved for `registry` in the npmrc at `path`, if any. */
export function readToken(path: string, registry: string): string | undefined {
  const prefix = `${nerfDart(registry)}:_authToken=`
  const line = readLines(path).find((candidate) => candidate.trim().startsWith(prefix))
  return line?.trim().slice(prefix.length) || undefined
}

/** The default registry configured in the npmrc at `path`, if any. */
export function readRegistry(path: string): string | undefined {
  const line = readLines(path).find((candidate) => /^\s*registry\s*=/.test(candidate))
  return line?.split('=').slice(1).join('=').trim() || undefined
}

/** Sets (replacing any previous one) the token for `registry`; the file stays private to the user. */
export function writeToken(path: string, registry: string, token: string): void {
  const prefix = `${nerfDart(registry)}:_authToken=`
  const lines = readLines(path).filter((line) => !line.trim().startsWith(prefix))
  while (lines.length > 0 && lines.at(-1) === '') lines.pop()
  lines.push(`${prefix}${token}`)
  writeFileSync(path, `${lines.join('\n')}\n`, { mode: 0o600 })
  chmodSync(path, 0o600)
}

/** A project `.npmrc` that sends `scope` (or everything) to `registry` with the token from `${NPM_TOKEN}`. */
export function projectNpmrc(registry: string, scope: string | undefined): string {
  const base = registry.endsWith('/') ? registry : `${registry}/`
  const route = scope ? `${scope}:registry=${base}` : `registry=${base}`
  return `${route}\n${nerfDart(registry)}:_authToken=\${NPM_TOKEN}\n`
}
