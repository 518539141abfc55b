// Brute-force protection: failed logins and refused tokens are counted per client address and per
// user name in a fixed window; past the limit, further attempts get 429 with `Retry-After` before
// any password or signature is checked. Counting the submitted name (existing or not) keeps the
// answer the same for unknown users.
import { RateLimiterMemory } from 'rate-limiter-flexible'
import type { Config } from '../config/index.ts'
import { TooManyRequestsError } from '../errors/index.ts'

export class AuthRateLimiter {
  private readonly byAddress: RateLimiterMemory
  private readonly byUser: RateLimiterMemory
  private readonly loginStarts: RateLimiterMemory

  constructor(private readonly limits: Config['authRateLimit']) {
    this.byAddress = new RateLimiterMemory({ keyPrefix: 'address', points: limits.perAddress, duration: limits.windowSeconds })
    this.byUser = new RateLimiterMemory({ keyPrefix: 'user', points: limits.perUser, duration: limits.windowSeconds })
    this.loginStarts = new RateLimiterMemory({ keyPrefix: 'start', points: limits.perAddress, duration: limits.windowSeconds })
  }

  /** Each device or web login started counts against its address, so nobody can flood pending logins. */
  async consumeLoginStart(address: string | null): Promise<void> {
    if (address === null) return
    try {
      await this.loginStarts.consume(address)
    } catch (rejection) {
      const wait = (rejection as { msBeforeNext?: number }).msBeforeNext ?? this.limits.windowSeconds * 1000
      throw new TooManyRequestsError('TOO_MANY_LOGINS', 'too many logins started from this address; try again later', wait / 1000)
    }
  }

  /** Throws 429 when `address` or `username` has used up its failures for the window. */
  async assertAllowed(address: string | null, username?: string): Promise<void> {
    const [byAddress, byUser] = await Promise.all([
      address === null ? null : this.byAddress.get(address),
      username === undefined ? null : this.byUser.get(username.toLowerCase()),
    ])
    for (const [state, limit, what] of [
      [byAddress, this.limits.perAddress, 'from this address'],
      [byUser, this.limits.perUser, 'for this user'],
    ] as const) {
      if (state && state.consumedPoints >= limit) {
        throw new TooManyRequestsError('TOO_MANY_AUTH_FAILURES', `too many failed authentication attempts ${what}; try again later`, state.msBeforeNext / 1000)
      }
    }
  }

  async recordFailure(address: string | null, username?: string): Promise<void> {
    await Promise.all([
      address === null ? undefined : this.byAddress.penalty(address),
      username === undefined ? undefined : this.byUser.penalty(username.toLowerCase()),
    ])
  }

  /** A successful login clears the user's count (the address keeps its own). */
  async recordSuccess(username: string): Promise<void> {
    await this.byUser.delete(username.toLowerCase())
  }
}
