// Client addresses and CIDR allow-lists (IPv4 and IPv6) for tokens restricted to a network.
import ipaddr from 'ipaddr.js'
import { BadRequestError } from '../errors/index.ts'

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number]

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) is compared as the IPv4 address it carries. */
function parseAddress(address: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  return ipaddr.isValid(address) ? ipaddr.process(address) : null
}

/**
 * The client's address: the socket peer, or, behind `trustedHops` proxies, the X-Forwarded-For entry
 * the outermost trusted proxy appended (entries further left were written by the client and can lie).
 */
export function clientAddress(request: Request, peer: string | undefined, trustedHops: number): string | null {
  let address = peer ?? null
  if (trustedHops > 0) {
    const forwarded = (request.headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
    const candidate = forwarded[Math.max(0, forwarded.length - trustedHops)]
    if (candidate) address = candidate
  }
  const parsed = address === null ? null : parseAddress(address)
  return parsed ? parsed.toString() : null
}

/**
 * Validates and canonicalises an allow-list: `10.0.0.0/8`, `2001:db8::/32`, or a single address
 * (`192.0.2.7` means `/32`). Throws 400 naming the first bad entry.
 */
export function normalizeCidrList(list: readonly string[]): string[] {
  return list.map((entry) => {
    const value = entry.trim()
    if (ipaddr.isValidCIDR(value)) {
      const [address, bits] = ipaddr.parseCIDR(value)
      const base = address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() ? (address as ipaddr.IPv6).toIPv4Address() : address
      return `${base.toString()}/${base.kind() === address.kind() ? bits : bits - 96}`
    }
    const single = parseAddress(value)
    if (single) return `${single.toString()}/${single.kind() === 'ipv4' ? 32 : 128}`
    throw new BadRequestError('INVALID_CIDR', `invalid CIDR range ${JSON.stringify(entry)}: use forms such as 10.0.0.0/8 or 2001:db8::/32`)
  })
}

/** Parsed ranges, for checking many addresses against one list. */
export function parseCidrList(list: readonly string[]): Range[] {
  return list.map((entry) => ipaddr.parseCIDR(entry))
}

export function addressInRanges(address: string | null, ranges: readonly Range[]): boolean {
  const parsed = address === null ? null : parseAddress(address)
  if (!parsed) return false
  return ranges.some((range) => range[0].kind() === parsed.kind() && parsed.match(range))
}
