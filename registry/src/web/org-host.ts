// Org vanity hosts: with ORG_BASE_DOMAIN=packr.example.com, a browser on acme.packr.example.com sees
// the org acme's page at `/`. The host is the request's Host header; X-Forwarded-Host counts only
// behind trusted proxies (TRUST_PROXY), read the way X-Forwarded-For is (auth/network.ts), since
// anyone can send that header straight to the registry.

/** A single DNS label: `acme`, not `x.acme`. */
const LABEL = /^[a-z0-9](?:[a-z0-9_-]{0,62})$/

/** The host name the browser asked for: lower-case, without port or trailing dot. */
function requestedHost(request: Request, trustedHops: number): string | null {
  let host = request.headers.get('host')
  if (trustedHops > 0) {
    const forwarded = (request.headers.get('x-forwarded-host') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
    const candidate = forwarded[Math.max(0, forwarded.length - trustedHops)]
    if (candidate) host = candidate
  }
  if (!host) return null
  return host
    .toLowerCase()
    .replace(/:\d+$/, '')
    .replace(/\.$/, '')
}

/** The org slug when the request's host is exactly `<org>.<baseDomain>` (case-insensitive), else null. */
export function orgFromHost(request: Request, baseDomain: string | undefined, trustedHops: number): string | null {
  if (!baseDomain) return null
  const host = requestedHost(request, trustedHops)
  const suffix = `.${baseDomain}`
  if (!host?.endsWith(suffix)) return null
  const label = host.slice(0, -suffix.length)
  return LABEL.test(label) ? label : null
}
