import ipaddr from 'ipaddr.js';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { SeatId } from '../protocol';
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

/** The key a per-seat limit (commands, call signals) counts a seat of a room under. */
export function seatCountKey(roomId: string, seat: SeatId): string {
  return `${roomId}:${seat}`;
}

/** Drops every seat's count of a room from a per-seat limit: nothing naming a deleted room outlives it. */
export async function dropRoomCounts(limiter: RateLimiterAbstract, roomId: string): Promise<void> {
  await Promise.all(SeatId.options.map((seat) => limiter.delete(seatCountKey(roomId, seat))));
}

/**
 * What a per-address limit counts an address under. An IPv6 host is given a whole /64 (a
 * home line gets at least that many addresses), so one network counts once instead of as
 * 2^64 fresh addresses; an IPv4 address, also one mapped into IPv6, counts as itself.
 * Anything that is not an address is counted as it is.
 */
export function addressKey(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  return `${v6.parts.slice(0, 4).map((part) => part.toString(16)).join(':')}::/64`;
}
