import { createAdapter } from '@socket.io/redis-streams-adapter';
import type { FastifyBaseLogger } from 'fastify';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import type { ServerOptions } from 'socket.io';
import type { Presence, SeatId } from '../../protocol';
import { redisLimiters, type LimiterFactory } from '../rate-limits';
import type { RoomHost } from '../rooms/room-host';
import { PresenceTracker } from '../rooms/presence';
import { DEADLINES_KEY, KEY_PREFIX, openRedisStore, roomKeys, STREAM_KEY } from '../store/redis-store';
import type { RoomStore } from '../store/room-store';

/** Every live process, scored by its last heartbeat (epoch ms). */
const PROCESSES_KEY = `${KEY_PREFIX}processes`;
/** The rooms a process holds connections of, so the others can clear them when it dies. */
const processRoomsKey = (processId: string): string => `${KEY_PREFIX}process:${processId}:rooms`;
/** The pub/sub channel of the voice call's signals (docs/protocol.md section 11): never a stream, never stored. */
const SIGNALS_CHANNEL = `${KEY_PREFIX}call-signals`;
/** A process not heard from for this many heartbeats is dead. */
const MISSED_HEARTBEATS = 5;
/** How many overdue deadlines one poll applies at most (the next poll takes the rest). */
const DEADLINES_PER_POLL = 200;
const SEATS: readonly SeatId[] = ['A', 'B', 'moderator'];

// KEYS: room, presence, the process's rooms. ARGV: field, roomId. A deleted room gets no presence back.
const PRESENCE_ADD = `
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('HSET', KEYS[2], ARGV[1], '1')
redis.call('SADD', KEYS[3], ARGV[2])
return 1
`;

interface PresenceScript {
  duologuePresenceAdd(...args: string[]): Promise<number>;
}

/**
 * Presence across processes: this process's own connections (counted as in one process) are
 * also written to the room's `presence` hash as `<seat>:<processId>`, and `refresh` reads the
 * other processes' fields before a view is built. A dead process's fields are cleared by the
 * survivors' sweep (`RedisScaleOut`).
 */
export class RedisPresence extends PresenceTracker {
  /** What the other processes held at the last refresh, per room. */
  private readonly elsewhere = new Map<string, Presence>();

  constructor(
    private readonly redis: Redis,
    readonly processId: string,
    private readonly log: () => FastifyBaseLogger | null,
  ) {
    super();
    redis.defineCommand('duologuePresenceAdd', { numberOfKeys: 3, lua: PRESENCE_ADD });
  }

  override add(roomId: string, seat: SeatId): boolean {
    const cameOnline = super.add(roomId, seat);
    // Sent before the turn's refresh on the same connection, so Redis applies it first.
    if (cameOnline) void this.publish(roomId, seat);
    return cameOnline;
  }

  /**
   * Writes every seat this process holds again: after the others took it for dead (it stalled
   * longer than five heartbeats) and cleared its fields. Resolves with the rooms written.
   */
  async reassert(): Promise<string[]> {
    const rooms: string[] = [];
    for (const [roomId, counts] of this.rooms) {
      for (const seat of Object.keys(counts) as SeatId[]) if (counts[seat] > 0) await this.publish(roomId, seat);
      rooms.push(roomId);
    }
    return rooms;
  }

  private publish(roomId: string, seat: SeatId): Promise<void> {
    const k = roomKeys(roomId);
    return (this.redis as unknown as PresenceScript)
      .duologuePresenceAdd(k.room, k.presence, processRoomsKey(this.processId), this.field(seat), roomId)
      .then(
        () => undefined,
        (error: unknown) => this.log()?.error({ err: error, roomId }, 'presence write failed'),
      );
  }

  override remove(roomId: string, seat: SeatId): boolean {
    const wentOffline = super.remove(roomId, seat);
    if (wentOffline) {
      const failed = (error: unknown): void => this.log()?.error({ err: error, roomId }, 'presence write failed');
      this.redis.hdel(roomKeys(roomId).presence, this.field(seat)).catch(failed);
      // The last connection of the room here: this process holds none of its seats any more.
      if (!this.rooms.has(roomId)) this.redis.srem(processRoomsKey(this.processId), roomId).catch(failed);
    }
    return wentOffline;
  }

  override refresh(roomId: string): Promise<void> {
    return this.redis.hkeys(roomKeys(roomId).presence).then((fields) => {
      const seen: Record<SeatId, boolean> = { A: false, B: false, moderator: false };
      for (const field of fields) {
        const [seat, processId] = field.split(':') as [SeatId, string];
        if (processId !== this.processId && seat in seen) seen[seat] = true;
      }
      if (seen.A || seen.B || seen.moderator) this.elsewhere.set(roomId, seen);
      else this.elsewhere.delete(roomId);
    });
  }

  override of(roomId: string): Presence {
    const here = super.of(roomId);
    const there = this.elsewhere.get(roomId);
    if (there === undefined) return here;
    return { A: here.A || there.A, B: here.B || there.B, moderator: here.moderator || there.moderator };
  }

  private field(seat: SeatId): string {
    return `${seat}:${this.processId}`;
  }
}

/** What several processes share through Redis, handed to `buildApp`. */
export interface ScaleOut {
  store: RoomStore;
  presence: PresenceTracker;
  limiters: LimiterFactory;
  /** Socket.IO's Redis Streams adapter and connection state recovery. */
  socketOptions: Partial<ServerOptions>;
  /**
   * Carries a voice call's signals to a seat's connections on every process, over Redis
   * pub/sub: never through the adapter's stream, which Redis keeps (and writes to its AOF).
   * `deliver` hands a signal to this process's own connections of the seat.
   */
  signals(deliver: (roomId: string, seat: SeatId, signal: unknown) => void): (roomId: string, seat: SeatId, signal: unknown) => void;
  /** Whether Redis answers a PING within a second (the health check). */
  healthy(): Promise<boolean>;
  /** Starts the heartbeat, the sweep of dead processes' seats and the deadline poll. */
  start(host: RoomHost, log: FastifyBaseLogger): Promise<void>;
  /** Stops them, clears this process's presence and closes the connections to Redis. */
  close(): Promise<void>;
}

export interface RedisScaleOptions {
  url: string;
  /** How often this process says it lives (ms); one silent for 5 of these is dead. */
  heartbeatMs: number;
  /** How often overdue deadlines are looked for (ms). */
  deadlinePollMs?: number;
  /** How long a dropped connection may come back with its missed events, on any process (ms). */
  recoveryMs?: number;
}

/**
 * Opens the shared Redis and everything several processes share through it: the store,
 * presence, rate limits, the Socket.IO adapter, and the timers that keep deadlines and
 * presence right when a process dies.
 */
export async function openRedisScaleOut(options: RedisScaleOptions): Promise<ScaleOut> {
  // Auto-pipelining sends the commands of one event-loop turn in one write, in their order.
  // Not lazy: the adapter's own copies of this client (duplicate) then connect by themselves,
  // and ignore their errors, instead of failing the process while Redis is away.
  // While Redis is away a command fails after two more connection attempts (two seconds at
  // most), so a phone gets `internal` soon rather than an answer that never comes.
  const redis = new Redis(options.url, {
    maxRetriesPerRequest: 1,
    retryStrategy: (times) => Math.min(times * 100, 1000),
    enableAutoPipelining: true,
  });
  let log: FastifyBaseLogger | null = null;
  let lastError = '';
  // ioredis reconnects by itself; without a listener it would print every attempt to stderr.
  redis.on('error', (error: Error) => {
    if (error.message !== lastError) log?.warn({ err: error }, 'Redis connection error; reconnecting');
    lastError = error.message;
  });
  redis.on('ready', () => {
    if (lastError !== '') log?.info('Redis connection back');
    lastError = '';
  });
  try {
    await new Promise<void>((resolve, reject) => {
      redis.once('ready', resolve);
      redis.once('error', reject);
    });
  } catch (error) {
    redis.disconnect();
    throw error;
  }
  // Loaded up front, so that a first EVALSHA never falls back to an EVAL sent after later commands.
  await redis.script('LOAD', PRESENCE_ADD);
  // The adapter's own client, with ioredis's defaults: its blocking reads wait out a Redis
  // restart instead of failing in a loop. The adapter makes its copies for reading from it.
  const adapterClient = new Redis(options.url);
  adapterClient.on('error', () => {
    // The main client above logs the same outage once.
  });
  // Pub/sub needs a connection of its own (a subscribed client sends nothing else).
  const subscriber = new Redis(options.url, { lazyConnect: true });
  subscriber.on('error', () => {
    // The main client logs the same outage once.
  });
  const processId = randomUUID();
  const presence = new RedisPresence(redis, processId, () => log);
  const store = openRedisStore(redis);
  const timers: NodeJS.Timeout[] = [];
  const deadMs = options.heartbeatMs * MISSED_HEARTBEATS;
  let closed = false;

  let beating = false;
  /** Says this process lives; if the others had taken it for dead, its seats are written again. */
  const heartbeat = async (host: RoomHost | null): Promise<void> => {
    const added = await redis.zadd(PROCESSES_KEY, Date.now(), processId);
    if (added === 1 && beating && host !== null) {
      const rooms = await presence.reassert();
      log?.warn({ rooms: rooms.length }, 'this process was taken for dead; its seats are online again');
      for (const roomId of rooms) await host.presenceChanged(roomId);
    }
    beating = true;
  };

  /** Clears the seats of processes that stopped beating, and tells their rooms. */
  const sweep = async (host: RoomHost): Promise<void> => {
    const dead = await redis.zrangebyscore(PROCESSES_KEY, '-inf', `(${Date.now() - deadMs}`);
    for (const other of dead) {
      // The one process whose ZREM took it clears it; the others leave it alone.
      if (other === processId || (await redis.zrem(PROCESSES_KEY, other)) !== 1) continue;
      const rooms = await redis.smembers(processRoomsKey(other));
      for (const roomId of rooms) await redis.hdel(roomKeys(roomId).presence, ...SEATS.map((seat) => `${seat}:${other}`));
      await redis.del(processRoomsKey(other));
      log?.warn({ process: other, rooms: rooms.length }, 'a process stopped; its seats are offline');
      for (const roomId of rooms) await host.presenceChanged(roomId);
    }
  };

  /** Applies the overdue deadlines of every process; the version check makes a double apply a no-op. */
  const pollDeadlines = async (host: RoomHost): Promise<void> => {
    const due = await redis.zrangebyscore(DEADLINES_KEY, '-inf', Date.now(), 'LIMIT', 0, DEADLINES_PER_POLL);
    await Promise.all(due.map((roomId) => host.tick(roomId)));
  };

  const every = (ms: number, what: string, task: () => Promise<void>): void => {
    let running = false;
    const timer = setInterval(() => {
      if (running || closed) return;
      running = true;
      task()
        .catch((error: unknown) => log?.error({ err: error }, what))
        .finally(() => {
          running = false;
        });
    }, ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    store,
    presence,
    limiters: redisLimiters(redis),
    socketOptions: {
      adapter: createAdapter(adapterClient, {
        streamName: STREAM_KEY,
        channelPrefix: `${KEY_PREFIX}socket.io`,
        sessionKeyPrefix: `${KEY_PREFIX}sio:session:`,
        // Views are plain JSON: the stream then holds text a deletion can find its room in.
        onlyPlaintext: true,
        // A closing process waits for the stream's blocking read to end: keep it short.
        blockTimeInMs: 1000,
      }),
      connectionStateRecovery: {
        maxDisconnectionDuration: options.recoveryMs ?? 2 * 60 * 1000,
        // A recovered connection is checked again: its room may have been deleted meanwhile.
        skipMiddlewares: false,
      },
    },
    signals(deliver) {
      subscriber.on('message', (channel: string, message: string) => {
        if (channel !== SIGNALS_CHANNEL) return;
        let parsed: { roomId?: unknown; seat?: unknown; signal?: unknown };
        try {
          parsed = JSON.parse(message) as typeof parsed;
        } catch {
          return;
        }
        const seat = parsed.seat;
        if (typeof parsed.roomId !== 'string' || (seat !== 'A' && seat !== 'B' && seat !== 'moderator')) return;
        deliver(parsed.roomId, seat, parsed.signal);
      });
      subscriber
        .connect()
        .then(() => subscriber.subscribe(SIGNALS_CHANNEL))
        .catch((error: unknown) => log?.error({ err: error }, 'call signal channel unavailable'));
      return (roomId, seat, signal) => {
        // Published, not stored: a process that is not listening at this moment misses it, like a phone offline.
        redis.publish(SIGNALS_CHANNEL, JSON.stringify({ roomId, seat, signal })).catch((error: unknown) => {
          log?.error({ err: error, roomId }, 'call signal not published');
        });
      };
    },
    async healthy() {
      const timeout = new Promise<false>((resolve) => setTimeout(() => resolve(false), 1000).unref());
      const ping = redis.ping().then(
        (answer) => answer === 'PONG',
        () => false,
      );
      return Promise.race([ping, timeout]);
    },
    async start(host, logger) {
      log = logger;
      await heartbeat(null);
      every(options.heartbeatMs, 'heartbeat failed', async () => {
        await heartbeat(host);
        await sweep(host);
      });
      every(options.deadlinePollMs ?? 1000, 'deadline poll failed', () => pollDeadlines(host));
    },
    async close() {
      closed = true;
      for (const timer of timers) clearInterval(timer);
      try {
        // Connections closed gracefully already took their fields out; this process's record goes too.
        await redis.zrem(PROCESSES_KEY, processId);
        await redis.del(processRoomsKey(processId));
      } finally {
        await Promise.allSettled([redis.quit(), adapterClient.quit(), subscriber.status === 'wait' ? Promise.resolve(subscriber.disconnect()) : subscriber.quit()]);
      }
    },
  };
}
