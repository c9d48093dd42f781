import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { KEY_PREFIX } from './store/redis-store';

/** What a limiter counts: `points` per `duration` seconds, per key, under a name of its own. */
export interface LimiterOptions {
  /** Which limit this is (`command`, `http`, `auth`); it keeps the limits' counts apart in a shared store. */
  name: string;
  points: number;
  duration: number;
}

/** Makes the rate limiters: in memory for one process, in Redis when several share the counts. */
export type LimiterFactory = (options: LimiterOptions) => RateLimiterAbstract;

/** One process: counts in this process's memory. */
export const memoryLimiters: LimiterFactory = ({ points, duration }) => new RateLimiterMemory({ points, duration });

/**
 * Several processes: rate-limiter-flexible's Redis store, so an address or a seat counts the
 * same whichever process it reaches. Keys read `duologue:rl:<name>:<key>`.
 */
export function redisLimiters(redis: Redis): LimiterFactory {
  return ({ name, points, duration }) => new RateLimiterRedis({ storeClient: redis, keyPrefix: `${KEY_PREFIX}rl:${name}`, points, duration });
}
