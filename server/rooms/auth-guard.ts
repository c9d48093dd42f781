import type { RateLimiterAbstract } from 'rate-limiter-flexible';
import { addressKey, memoryLimiters, type LimiterFactory } from '../rate-limits';
import { KeyedQueue } from './keyed-queue';

/**
 * Counts failed attempts to open a seat (a wrong seat key, a wrong invite, an unknown
 * room) per client address, on the socket handshake and the keyed HTTP routes alike.
 * Over the limit, every attempt from that address is refused with `rate_limited` for the
 * rest of the minute, the right key included, so a guesser cannot tell a hit from a miss.
 * The keys have 128 bits; this keeps a scan from even starting. 0 turns it off.
 */
export class AuthGuard {
  private readonly limiter: RateLimiterAbstract | null;
  private readonly queue = new KeyedQueue();

  constructor(
    private readonly failuresPerMinute: number,
    limiters: LimiterFactory = memoryLimiters,
  ) {
    this.limiter = failuresPerMinute > 0 ? limiters({ name: 'auth', points: failuresPerMinute, duration: 60 }) : null;
  }

  /**
   * Runs one authentication for `address` (counted per `addressKey`: an IPv6 /64 as one): refused
   * at once while the address is over its failures, counted when it fails. The attempts of one
   * address run one after another in this process, so guesses that arrive together cannot all
   * be checked against a count none of them has raised yet, while right keys that arrive
   * together (a console opening all its rooms, phones behind one router) cost nothing.
   */
  async attempt<T extends { ok: boolean }>(address: string, authenticate: () => Promise<T>): Promise<T | 'rate_limited'> {
    const limiter = this.limiter;
    if (limiter === null) return authenticate();
    const key = addressKey(address);
    return this.queue.run(key, async () => {
      const used = await limiter.get(key);
      if (used !== null && used.consumedPoints >= this.failuresPerMinute) return 'rate_limited' as const;
      const result = await authenticate();
      if (!result.ok) await limiter.penalty(key, 1);
      return result;
    });
  }
}
