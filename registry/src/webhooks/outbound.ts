// Webhook URLs may not reach the registry's own network: a host name is resolved and every address
// it resolves to must be a public unicast one (IPv4 and IPv6; IPv4-mapped IPv6 is judged as IPv4),
// unless WEBHOOK_ALLOWED_HOSTS names the host, the address or a range holding it. Redirects are
// followed by hand and every hop is checked the same way. The check runs again before each request,
// so a name that later resolves somewhere private is caught then (a DNS answer that changes between
// the check and the connection itself is not: put an egress proxy in front for that).
import { lookup } from 'node:dns/promises'
import ipaddr from 'ipaddr.js'
import { BadRequestError } from '../errors/index.ts'

const MAX_REDIRECTS = 3
const EXCERPT_BYTES = 2048

export interface OutboundResult {
  status: number
  excerpt: string
}

type Address = ipaddr.IPv4 | ipaddr.IPv6

const refused = (url: string, why: string) => new BadRequestError('WEBHOOK_URL_REFUSED', `webhook URL ${url} is refused: ${why}`)

export class OutboundGuard {
  private readonly hosts = new Set<string>()
  private readonly ranges: Array<[Address, number]> = []

  constructor(allowed: readonly string[]) {
    for (const entry of allowed) {
      if (ipaddr.isValidCIDR(entry)) this.ranges.push(ipaddr.parseCIDR(entry))
      else if (ipaddr.isValid(entry)) {
        const address = ipaddr.process(entry)
        this.ranges.push([address, address.kind() === 'ipv4' ? 32 : 128])
      } else this.hosts.add(entry.toLowerCase())
    }
  }

  private allowedAddress(address: Address): boolean {
    return this.ranges.some(([base, bits]) => base.kind() === address.kind() && address.match(base, bits))
  }

  /** Throws 400 naming the reason unless `raw` may be called. */
  async check(raw: string): Promise<URL> {
    let url: URL
    try {
      url = new URL(raw)
    } catch {
      throw refused(raw, 'not an absolute URL')
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refused(raw, 'only http and https are supported')
    if (url.username || url.password) throw refused(raw, 'credentials in the URL are not allowed; receivers authenticate deliveries by their signature')
    const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase()
    if (this.hosts.has(host)) return url
    let addresses: string[]
    if (ipaddr.isValid(host)) addresses = [host]
    else {
      try {
        addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address)
      } catch {
        throw refused(raw, `the host name ${host} does not resolve`)
      }
    }
    for (const text of addresses) {
      const address = ipaddr.process(text)
      if (this.allowedAddress(address)) continue
      const range = address.range()
      if (range !== 'unicast') throw refused(raw, `${host} resolves to ${address.toString()}, a ${range} address (allow it with WEBHOOK_ALLOWED_HOSTS)`)
    }
    return url
  }

  /** POSTs `body`, following redirects (each hop checked); throws on connection errors and refused hops. */
  async post(raw: string, body: string, headers: Record<string, string>, signal: AbortSignal): Promise<OutboundResult> {
    let target = raw
    for (let hop = 0; ; hop++) {
      const url = await this.check(target)
      const response = await fetch(url, { method: 'POST', body, headers, redirect: 'manual', signal })
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location && hop < MAX_REDIRECTS) {
        await response.body?.cancel()
        target = new URL(location, url).toString()
        continue
      }
      const bytes = new Uint8Array(await response.arrayBuffer())
      return { status: response.status, excerpt: new TextDecoder().decode(bytes.subarray(0, EXCERPT_BYTES)) }
    }
  }
}
