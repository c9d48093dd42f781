import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { addressKey, memoryLimiters, type LimiterFactory } from '../rate-limits';

/**
 * Counts failed attempts to open a seat (a wrong seat key, a wrong invite, an unknown
 * room) per client address, on the socket handshake and the keyed HTTP routes alike.
 * Over the limit, every attempt from that address is refused with `rate_limited` for the
 * rest of the minute, the right key included, so a guesser cannot tell a hit from a miss.
 * The keys have 128 bits; this keeps a scan from even starting. 0 turns it off.
 */
export class AuthGuard {
  private readonly limiter: RateLimiterAbstract | null;

  constructor(failuresPerMinute: number, limiters: LimiterFactory = memoryLimiters) {
    this.limiter = failuresPerMinute > 0 ? limiters({ name: 'auth', points: failuresPerMinute, duration: 60 }) : null;
  }

  /**
   * Runs one authentication for `address` (counted per `addressKey`: an IPv6 /64 as one): refused at once while the address is over its
   * failures, counted when it fails. The attempt takes its point before the check and gives it
   * back on success, so attempts begun together cannot all pass a count read before any of
   * them failed (a burst of handshakes on one connection would otherwise be checked by the
   * hundred).
   */
  async attempt<T extends { ok: boolean }>(address: string, authenticate: () => Promise<T>): Promise<T | 'rate_limited'> {
    if (this.limiter === null) return authenticate();
    const key = addressKey(address);
    try {
      await this.limiter.consume(key, 1);
    } catch (error) {
      if (error instanceof RateLimiterRes) return 'rate_limited';
      throw error;
    }
    const result = await authenticate();
    if (result.ok) await this.limiter.reward(key, 1);
    return result;
  }
}
