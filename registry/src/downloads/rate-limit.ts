// Per-user download limits for restricted packages: a sustained rate per minute, plus an hourly
// allowance spent only when that rate is exceeded, so a CI install of a few hundred private packages
// goes through at once while a scraper settles at the sustained rate. Counted in memory per instance.
import { BurstyRateLimiter, RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible'
import type { Config } from '../config/index.ts'
import { TooManyRequestsError } from '../errors/index.ts'

export class DownloadRateLimiter {
  private readonly limiter: BurstyRateLimiter | RateLimiterMemory | null

  constructor(limits: Config['downloadRateLimit']) {
    if (limits.perMinute === 0) {
      this.limiter = null
      return
    }
    const sustained = new RateLimiterMemory({ keyPrefix: 'downloads', points: limits.perMinute, duration: 60 })
    this.limiter = limits.burstPerHour > 0 ? new BurstyRateLimiter(sustained, new RateLimiterMemory({ keyPrefix: 'download-burst', points: limits.burstPerHour, duration: 3600 })) : sustained
  }

  /** Counts one download by `userId`; throws 429 with Retry-After past the limit. */
  async consume(userId: string): Promise<void> {
    if (!this.limiter) return
    try {
      await this.limiter.consume(userId)
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection
      throw new TooManyRequestsError('DOWNLOAD_RATE_LIMITED', 'too many downloads of private packages; try again later', rejection.msBeforeNext / 1000)
    }
  }
}
