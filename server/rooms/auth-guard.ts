import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
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

  constructor(failuresPerMinute: number, limiters: LimiterFactory = memoryLimiters) {
    this.limiter = failuresPerMinute > 0 ? limiters({ name: 'auth', points: failuresPerMinute, duration: 60 }) : null;
  }

  /**
   * Runs one authentication for `address` (counted per `addressKey`: an IPv6 /64 as one): refused
   * at once while the address is over its failures. Each attempt takes a point before it is
   * checked and hands it back when the key was right, so only failures stay counted, and
   * attempts checked at the same time (in other processes, sharing the count in Redis) each
   * hold a point of their own: no more of them can be checked than the limit allows. Within
   * this process an address's attempts run one after another, so right keys that arrive
   * together (a console opening all its rooms, phones behind one router) cost nothing.
   */
  async attempt<T extends { ok: boolean }>(
    address: string,
    authenticate: () => Promise<T>,
    /** Told, on a refusal, how long the address waits before it is checked again (whole seconds, at least 1). */
    refused?: (retryAfterSeconds: number) => void,
  ): Promise<T | 'rate_limited'> {
    const limiter = this.limiter;
    if (limiter === null) return authenticate();
    const key = addressKey(address);
    return this.queue.run(key, async () => {
      try {
        await limiter.consume(key);
      } catch (error) {
        if (error instanceof RateLimiterRes) {
          refused?.(Math.max(1, Math.ceil(error.msBeforeNext / 1000)));
          return 'rate_limited' as const;
        }
        throw error;
      }
      let result: T;
      try {
        result = await authenticate();
      } catch (error) {
        // Not a guess that failed, but the check itself: the point goes back.
        await limiter.reward(key, 1).catch(() => undefined);
        throw error;
      }
      // A right key is let in even if its point cannot be handed back (the count in Redis did not
      // answer): the point then stays counted until the window ends, which errs on the safe side.
      if (result.ok) await limiter.reward(key, 1).catch(() => undefined);
      return result;
    });
  }
}
