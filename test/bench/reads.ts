// The read scenarios, built from what each registry actually serves: packument paths in npm's
// encoding, the ETags each registry issued (for 304 revalidation) and the tarball URLs each minted.
import { escapeName } from '../helpers/packages.ts'
import { mapConcurrently } from './pool.ts'
import type { WrkRequest } from './wrk.ts'

/** What npm sends for an install (abbreviated) packument. */
export const CORGI_ACCEPT = 'application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*'
const GZIP = { 'accept-encoding': 'gzip, deflate' }

export type ReadScenario = 'full' | 'abbreviated' | 'revalidate' | 'tarball'

export const READ_SCENARIOS: Record<ReadScenario, string> = {
  full: 'full packument GET (Accept: application/json, gzip)',
  abbreviated: 'abbreviated packument GET (npm install Accept header, gzip)',
  revalidate: 'abbreviated packument revalidation (If-None-Match → 304)',
  tarball: 'tarball GET',
}

/** A fixed-seed shuffle, so every run and every registry sees the names in the same order. */
export function shuffled<T>(items: T[], seed = 42): T[] {
  const out = [...items]
  let state = seed
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648
    const j = state % (i + 1)
    ;[out[i], out[j]] = [out[j] as T, out[i] as T]
  }
  return out
}

/**
 * The requests for every scenario against one registry, checked on the way: each packument answers
 * 200 with an ETag, each ETag revalidates to 304, each tarball answers 200.
 */
export async function readRequests(baseUrl: string, names: string[]): Promise<Record<ReadScenario, WrkRequest[]>> {
  const packuments = await mapConcurrently(names, async (name) => {
    const path = `/${escapeName(name)}`
    const response = await fetch(`${baseUrl}${path}`, { headers: { accept: CORGI_ACCEPT, ...GZIP } })
    if (response.status !== 200) throw new Error(`${baseUrl}${path} answered ${response.status}`)
    const etag = response.headers.get('etag')
    const doc = (await response.json()) as { versions: Record<string, { dist: { tarball: string } }> }
    const tarballs = Object.values(doc.versions).map((version) => new URL(version.dist.tarball).pathname)
    if (etag) {
      const again = await fetch(`${baseUrl}${path}`, { headers: { accept: CORGI_ACCEPT, ...GZIP, 'if-none-match': etag } })
      if (again.status !== 304) throw new Error(`${baseUrl}${path} with If-None-Match ${etag} answered ${again.status}, not 304`)
    }
    return { path, etag, tarballs }
  })
  const tarballPaths = packuments.flatMap((packument) => packument.tarballs)
  await mapConcurrently(tarballPaths, async (path) => {
    const response = await fetch(`${baseUrl}${path}`)
    await response.arrayBuffer()
    if (response.status !== 200) throw new Error(`${baseUrl}${path} answered ${response.status}`)
  })
  const withEtag = packuments.filter((packument) => packument.etag !== null)
  return {
    full: packuments.map(({ path }) => ({ path, headers: { accept: 'application/json', ...GZIP } })),
    abbreviated: packuments.map(({ path }) => ({ path, headers: { accept: CORGI_ACCEPT, ...GZIP } })),
    revalidate: withEtag.map(({ path, etag }) => ({ path, headers: { accept: CORGI_ACCEPT, ...GZIP, 'if-none-match': etag as string } })),
    tarball: shuffled(tarballPaths).map((path) => ({ path })),
  }
}
