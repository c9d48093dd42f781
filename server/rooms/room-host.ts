import type { FastifyBaseLogger } from 'fastify';
import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import {
  applyCommand,
  claimSeat,
  isCommandType,
  nextDeadline,
  parseCommand,
  protocolError,
  tick,
  viewFor,
  type CommandAck,
  type HttpErrorCode,
  type ProtocolError,
  type Room,
  type SeatId,
  type StateView,
} from '../../protocol';
import type { Clock, Timer } from '../clock';
import { dropRoomCounts, memoryLimiters, seatCountKey, type LimiterFactory } from '../rate-limits';
import type { Broadcaster } from '../realtime/broadcaster';
import type { Commit, CommitResult, RoomStore, StoredRoom } from '../store/room-store';
import { KeyedQueue } from './keyed-queue';
import { PresenceTracker } from './presence';
import { hashSecret, newSecret, sameHash } from './secrets';

/** A refusal as a protocol error code; the HTTP layer alone turns it into a status. */
export interface Failure {
  ok: false;
  error: ProtocolError<HttpErrorCode>;
}
export type Result<T> = { ok: true; value: T } | Failure;

export function fail(code: HttpErrorCode, message?: string): Failure {
  return { ok: false, error: protocolError(code, message) };
}

/** Where a new connection's first frames go. */
export interface Connection {
  state(view: StateView): void;
  /** The room went away between the handshake and the first state. */
  gone(): void;
}

export interface RoomHostDeps {
  store: RoomStore;
  clock: Clock;
  broadcaster: Broadcaster;
  log: FastifyBaseLogger;
  /** Commands per seat per 10 seconds. */
  commandLimit: number;
  /** Rooms idle longer than this are gone. */
  ttlMs: number;
  /** How many recently used rooms stay in memory (default 5,000). */
  hotRooms?: number;
  /** The level of the line per command: `debug` when a person watches the terminal (default `info`). */
  commandLogLevel?: 'info' | 'debug';
  /** Who is connected: this process's own count (default), or one shared through Redis. */
  presence?: PresenceTracker;
  /** New connections per seat per minute (default 30; 0: no limit). */
  connectLimit?: number;
  /** Where the command and connection limits count (default: this process's memory). */
  limiters?: LimiterFactory;
  /** Drops what other parts keep about a room once it is deleted (the call's signal counts). */
  forgetRoom?: (roomId: string) => Promise<void>;
}

/**
 * New connections a seat may open per minute. A phone on a poor network reconnects a few times a
 * minute at worst; a script holding the key could open and close connections without end, and
 * every time its seat comes online or goes offline each member of the room gets a new state.
 */
const DEFAULT_CONNECT_LIMIT = 30;
// Within one process the queue rules out conflicts; across processes a few retries settle them.
const MAX_ATTEMPTS = 5;
/**
 * A store shared by several processes (Redis): a room under a storm of commands from two
 * processes may conflict more often, so a turn tries longer, after a short random pause that
 * grows with each conflict (so the two stop meeting in step).
 */
const MAX_SHARED_ATTEMPTS = 30;
/** How long a deadline whose commit failed waits before it is tried again. */
const DEADLINE_RETRY_MS = 1000;
/** What a room's turn returns when its commit met a newer version: the turn runs again. */
const CONFLICT = Symbol('conflict');
type Attempt<T> = Promise<T | typeof CONFLICT>;
/** The logger levels at which a line of each level is written; at any other, its entry is not even built. */
const WRITTEN_AT = { info: new Set(['info', 'debug', 'trace']), debug: new Set(['debug', 'trace']) };

/**
 * A room's whole life on the server, one entry point per method: a command, a seat claim,
 * a connection, a deadline, a deletion. Each runs in the room's turn (one writer per room
 * in this process) and reads top to bottom: load → machine → commit (which answers a replayed
 * command id) → fan-out → deadline. The reply is returned only after the commit, so an ack
 * never precedes durability.
 */
export class RoomHost {
  readonly presence: PresenceTracker;
  private readonly queue = new KeyedQueue();
  private readonly timers = new Map<string, Timer>();
  /**
   * Rooms as this host last read or committed them, least recently used first. The store's
   * version check stays the guard: a commit on a version that moved on conflicts, the
   * entry goes, and the turn reads the store again.
   */
  private readonly hot = new Map<string, StoredRoom>();
  private readonly limiter: RateLimiterAbstract;
  private readonly connectLimiter: RateLimiterAbstract | null;
  private closed = false;

  constructor(private readonly deps: RoomHostDeps) {
    this.presence = deps.presence ?? new PresenceTracker();
    const limiters = deps.limiters ?? memoryLimiters;
    this.limiter = limiters({ name: 'command', points: deps.commandLimit, duration: 10 });
    const perMinute = deps.connectLimit ?? DEFAULT_CONNECT_LIMIT;
    this.connectLimiter = perMinute > 0 ? limiters({ name: 'connect', points: perMinute, duration: 60 }) : null;
  }

  /**
   * One command from a seat, in the order of PROTOCOL.md section 4: rate limit, shape,
   * replayed id, then the machine (which checks `stale` first). The replay check is made where
   * it costs least and answers the same: a command the machine refuses is looked up in the
   * store (a retry of an accepted command may be stale by now), and one it accepts is checked
   * by its commit, which writes nothing for an id accepted before (`replayed`).
   */
  async command(roomId: string, seat: SeatId, payload: unknown): Promise<CommandAck> {
    const started = performance.now();
    const ack = await this.decideCommand(roomId, seat, payload);
    const level = this.deps.commandLogLevel ?? 'info';
    if (WRITTEN_AT[level].has(this.deps.log.level)) {
      const type = typeof payload === 'object' && payload !== null ? (payload as { type?: unknown }).type : undefined;
      // What the log keeps of a command: never its words, and only a known type.
      const entry = {
        roomId,
        seat,
        type: isCommandType(type) ? type : 'unknown',
        result: ack.ok ? 'ok' : ack.error.code,
        ms: Math.round((performance.now() - started) * 100) / 100,
      };
      this.deps.log[level](entry, 'command');
    }
    return ack;
  }

  private async decideCommand(roomId: string, seat: SeatId, payload: unknown): Promise<CommandAck> {
    try {
      await this.limiter.consume(seatCountKey(roomId, seat));
    } catch (error) {
      if (error instanceof RateLimiterRes) return { ok: false, error: protocolError('rate_limited') };
      // The count lives in Redis and Redis did not answer: nothing was decided, the phone may retry.
      this.deps.log.error({ err: error, roomId, seat }, 'command limit unavailable');
      return { ok: false, error: protocolError('internal') };
    }
    const parsed = parseCommand(payload);
    if (!parsed.ok) return { ok: false, error: parsed.error };
    const command = parsed.value;
    try {
      return await this.turn(roomId, async (): Attempt<CommandAck> => {
        const now = this.deps.clock.now();
        // A room past its TTL takes no command from a socket that was open before it expired.
        const stored = this.live(await this.load(roomId), now);
        if (stored === null) return { ok: false, error: protocolError('room_not_found') };
        const outcome = applyCommand(stored.room, command, seat, now);
        if (!outcome.ok) {
          const replayed = await this.deps.store.acceptedCommand(roomId, seat, command.id);
          return replayed === null ? { ok: false, error: outcome.error } : { ok: true, rev: replayed };
        }
        const after = outcome.changed ? outcome.room : null;
        const rev = outcome.room.rev;
        const deadline = nextDeadline(outcome.room);
        const commit = { room: after, deadline, acceptedCommand: { seat, commandId: command.id, rev } };
        let result: CommitResult;
        try {
          result = await this.commit(stored, commit);
        } catch (error) {
          // The store could not write (a full disk, a dead writer): a retry of a command accepted
          // before still gets its first answer, as it would have from the store before the machine.
          const replayed = await this.deps.store.acceptedCommand(roomId, seat, command.id).catch(() => null);
          if (replayed !== null) return { ok: true, rev: replayed };
          throw error;
        }
        if (result === 'conflict') return CONFLICT;
        if (result !== 'committed') return { ok: true, rev: result.replayed };
        if (after !== null) this.fanOut(after, outcome.audience, now, seat);
        this.schedule(roomId, deadline);
        return { ok: true, rev };
      });
    } catch (error) {
      this.deps.log.error({ err: error, roomId, seat }, 'command failed');
      return { ok: false, error: protocolError('internal') };
    }
  }

  /** Claims the seat an invite opens: the invite is spent in the same commit that stores the new key. */
  join(roomId: string, invite: string, name: string): Promise<Result<{ seat: SeatId; seatKey: string }>> {
    const hash = hashSecret(invite);
    // One key for every attempt of this join: should a commit be stored but its answer lost
    // (a Redis reply dropped, a writer that died after COMMIT), the retry finds its own key.
    const seatKey = newSecret();
    const keyHash = hashSecret(seatKey);
    return this.turn(roomId, async () => {
      const now = this.deps.clock.now();
      const stored = this.live(await this.load(roomId), now);
      if (stored === null) return fail('room_not_found');
      const match = await this.matchInvite(roomId, hash);
      if (match === null) return fail('invite_invalid');
      if (match.used) {
        const mine = (await this.deps.store.seatKeys(roomId)).some((key) => key.seat === match.seat && sameHash(key.hash, keyHash));
        return mine ? { ok: true, value: { seat: match.seat, seatKey } } : fail('invite_used');
      }
      // "Nothing changes any more" once a talk has ended: its open invites are dead too.
      if (stored.room.phase === 'ended') {
        return fail('invite_invalid', 'This conversation has ended, so its invite no longer opens it.');
      }
      const outcome = claimSeat(stored.room, match.seat, name, now);
      const deadline = nextDeadline(outcome.room);
      const claim = { seat: match.seat, keyHash };
      if ((await this.commit(stored, { room: outcome.room, deadline, claim })) !== 'committed') return CONFLICT;
      this.deps.log.info({ roomId, seat: match.seat }, 'seat claimed');
      this.fanOut(outcome.room, outcome.audience, now);
      this.schedule(roomId, deadline);
      return { ok: true, value: { seat: match.seat, seatKey } };
    });
  }

  /**
   * Counts a seat's new connection against its per-minute limit, before it is let in:
   * `rate_limited` over the limit, `internal` when the count (in Redis) could not be read.
   */
  async admit(roomId: string, seat: SeatId): Promise<'ok' | 'rate_limited' | 'internal'> {
    if (this.connectLimiter === null) return 'ok';
    try {
      await this.connectLimiter.consume(seatCountKey(roomId, seat));
      return 'ok';
    } catch (error) {
      if (error instanceof RateLimiterRes) return 'rate_limited';
      this.deps.log.error({ err: error, roomId, seat }, 'connection limit unavailable');
      return 'internal';
    }
  }

  /** A new connection of a seat: it counts for presence and gets its state at once. */
  connect(roomId: string, seat: SeatId, connection: Connection): Promise<void> {
    const cameOnline = this.presence.add(roomId, seat);
    return this.queue.run(roomId, async () => {
      const stored = await this.load(roomId);
      const now = this.deps.clock.now();
      // Deleted between the handshake and now: the disconnect for the room's sockets missed this one.
      if (stored === null) connection.gone();
      // Everyone learns this seat is online; the new socket gets its state with them.
      else if (cameOnline) this.sendAll(stored.room, now);
      else connection.state(viewFor(stored.room, seat, now, this.presence.of(roomId)));
    });
  }

  /** A connection closed: when its seat went offline, every seat gets a new view (same `rev`). */
  async disconnect(roomId: string, seat: SeatId): Promise<void> {
    if (!this.presence.remove(roomId, seat)) return;
    await this.queue.run(roomId, async () => {
      const stored = await this.load(roomId);
      if (stored !== null) this.sendAll(stored.room, this.deps.clock.now());
    });
  }

  /** Seats of this room went offline elsewhere (their process died): every seat gets a new view. */
  presenceChanged(roomId: string): Promise<void> {
    return this.queue.run(roomId, async () => {
      const stored = await this.load(roomId);
      if (stored !== null) this.sendAll(stored.room, this.deps.clock.now());
    });
  }

  /** Applies the room's due time-driven changes (a break's return time) and stores them. */
  tick(roomId: string): Promise<void> {
    return this.turn(roomId, async () => {
      const now = this.deps.clock.now();
      const stored = this.live(await this.load(roomId), now);
      if (stored === null) return;
      const outcome = tick(stored.room, now);
      // Fired early (a long timer re-armed, or a clock's rounding): wait again.
      if (!outcome.changed) return this.schedule(roomId, nextDeadline(stored.room));
      const deadline = nextDeadline(outcome.room);
      if ((await this.commit(stored, { room: outcome.room, deadline })) !== 'committed') return CONFLICT;
      this.deps.log.info({ roomId, event: 'deadline', rev: outcome.room.rev }, 'deadline applied');
      this.fanOut(outcome.room, outcome.audience, now);
      this.schedule(roomId, deadline);
    });
  }

  /** Deletes a room with every row it owns, then tells and disconnects its members. */
  remove(roomId: string): Promise<boolean> {
    return this.queue.run(roomId, async () => {
      this.hot.delete(roomId);
      const deleted = await this.deps.store.deleteRoom(roomId);
      this.schedule(roomId, null);
      if (deleted) {
        this.deps.broadcaster.deleted(roomId);
        await this.forgetCounts(roomId);
      }
      return deleted;
    });
  }

  /**
   * Drops the room's command and connection counts (and, through `forgetRoom`, its signal counts), so that
   * nothing naming the room outlives it: in Redis they would otherwise stay until their window
   * ends. A failure here is logged; the room is gone.
   */
  private async forgetCounts(roomId: string): Promise<void> {
    try {
      await Promise.all([
        dropRoomCounts(this.limiter, roomId),
        this.connectLimiter === null ? undefined : dropRoomCounts(this.connectLimiter, roomId),
        this.deps.forgetRoom?.(roomId),
      ]);
    } catch (error) {
      this.deps.log.warn({ err: error, roomId }, 'command counts not dropped');
    }
  }

  /** Reads a live room in its turn, so what it answers is never older than what was sent before. */
  read<T>(roomId: string, task: (room: Room | null, now: number) => T | Promise<T>): Promise<T> {
    return this.queue.run(roomId, async () => {
      const now = this.deps.clock.now();
      return task(this.live(await this.load(roomId), now)?.room ?? null, now);
    });
  }

  /** The seat a key opens in a room, read in the room's turn; the room with it. */
  authenticate(roomId: string, seatKey: string): Promise<Result<{ seat: SeatId; room: Room }>> {
    const hash = hashSecret(seatKey);
    return this.read(roomId, async (room) => {
      if (room === null) return fail('room_not_found');
      let seat: SeatId | null = null;
      // Compare with every key, so the timing does not tell which one came close.
      for (const key of await this.deps.store.seatKeys(roomId)) {
        if (sameHash(key.hash, hash)) seat = key.seat;
      }
      return seat === null ? fail('unauthorized') : { ok: true, value: { seat, room } };
    });
  }

  /** The invite a code opens, compared with every invite so the timing tells nothing. */
  async matchInvite(roomId: string, hash: Buffer): Promise<{ seat: SeatId; used: boolean } | null> {
    let match: { seat: SeatId; used: boolean } | null = null;
    for (const invite of await this.deps.store.invites(roomId)) {
      if (sameHash(invite.hash, hash)) match = invite;
    }
    return match;
  }

  /** Arms (or clears) the timer of a room's next time-driven change. */
  schedule(roomId: string, deadline: number | null): void {
    this.timers.get(roomId)?.cancel();
    this.timers.delete(roomId);
    if (deadline === null || this.closed) return;
    this.timers.set(
      roomId,
      this.deps.clock.at(deadline, () => {
        this.timers.delete(roomId);
        this.tick(roomId).catch((error: unknown) => {
          this.deps.log.error({ err: error, roomId }, 'deadline failed');
          // A deadline whose commit failed is tried again shortly: a break must still come due.
          if (!this.timers.has(roomId)) this.schedule(roomId, this.deps.clock.now() + DEADLINE_RETRY_MS);
        });
      }),
    );
  }

  /** Stops every timer and waits for the turns already queued. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    await this.queue.idle();
  }

  /** Runs `attempt` in the room's turn, again when its commit met a newer version. */
  private turn<T>(roomId: string, attempt: () => Attempt<T>): Promise<T> {
    return this.queue.run(roomId, async () => {
      for (let attempts = 1; ; attempts += 1) {
        const result = await attempt();
        if (result !== CONFLICT) return result;
        const shared = this.deps.store.version !== undefined;
        if (attempts >= (shared ? MAX_SHARED_ATTEMPTS : MAX_ATTEMPTS)) throw new Error(`room ${roomId} kept changing under this host`);
        if (shared) await new Promise((resolve) => setTimeout(resolve, Math.random() * 2 ** Math.min(attempts, 5)));
      }
    });
  }

  /**
   * The room as last committed: from memory when hot (trusting what this host wrote, no
   * parse), else from the store, which checks it against the schema once.
   */
  private async load(roomId: string): Promise<StoredRoom | null> {
    // Several processes (Redis): who is connected elsewhere, and whether another process moved
    // the room on, are read before anything is decided on this host's copy (a refusal included).
    let hot = this.hot.get(roomId);
    const presence = this.presence.refresh(roomId);
    const version = hot !== undefined ? this.deps.store.version?.(roomId) : undefined;
    if (presence !== undefined || version !== undefined) {
      const [, stored] = await Promise.all([presence, version]);
      if (hot !== undefined && version !== undefined && stored !== hot.version) {
        this.hot.delete(roomId);
        hot = undefined;
      }
    }
    if (hot !== undefined) {
      this.hot.delete(roomId);
      this.hot.set(roomId, hot);
      return hot;
    }
    const stored = await this.deps.store.loadRoom(roomId);
    if (stored !== null) this.remember(stored);
    return stored;
  }

  private remember(stored: StoredRoom): void {
    this.hot.delete(stored.room.id);
    this.hot.set(stored.room.id, stored);
    const limit = this.deps.hotRooms ?? 5000;
    for (const oldest of this.hot.keys()) {
      if (this.hot.size <= limit) break;
      this.hot.delete(oldest);
    }
  }

  /**
   * A compare-and-set commit on the version `stored` was read at. Memory follows only a
   * committed write: on a conflict or a failure the room is read again; a replayed command
   * wrote nothing, so the room in memory stands.
   */
  private async commit(stored: StoredRoom, change: Omit<Commit, 'roomId' | 'expectedVersion'>): Promise<CommitResult> {
    const roomId = stored.room.id;
    let result: CommitResult;
    try {
      result = await this.deps.store.commit({ roomId, expectedVersion: stored.version, before: stored.room, ...change });
    } catch (error) {
      this.hot.delete(roomId);
      throw error;
    }
    if (result === 'conflict') this.hot.delete(roomId);
    // A write with a new room raises the version by one; side records alone leave it.
    else if (result === 'committed') this.remember(change.room === null ? stored : { room: change.room, version: stored.version + 1 });
    return result;
  }

  /**
   * Sends the new room to the seats the machine found can see the change, one view per
   * seat; a private change reaches only the seats it concerns. The seat whose command it was
   * (`from`) comes last: its phone knows its tap is on its way, and the other phone, whose
   * turn it usually is now, learns of it first. Its ack still follows its own state.
   */
  private fanOut(after: Room, audience: readonly SeatId[], now: number, from?: SeatId): void {
    const presence = this.presence.of(after.id);
    const send = (seat: SeatId) => this.deps.broadcaster.state(after.id, seat, viewFor(after, seat, now, presence));
    for (const seat of audience) if (seat !== from) send(seat);
    if (from !== undefined && audience.includes(from)) send(from);
  }

  /** Sends every seat of `room` its view now (presence changed; same `rev`). */
  private sendAll(room: Room, now: number): void {
    const presence = this.presence.of(room.id);
    for (const seat of seatsOf(room)) this.deps.broadcaster.state(room.id, seat, viewFor(room, seat, now, presence));
  }

  /**
   * An expired room is gone, even before the hourly sweep removes it: it reads as null,
   * and its removal is queued at once.
   */
  private live(stored: StoredRoom | null, now: number): StoredRoom | null {
    if (stored === null || stored.room.updatedAt >= now - this.deps.ttlMs) return stored;
    const roomId = stored.room.id;
    this.remove(roomId).catch((error: unknown) => this.deps.log.error({ err: error, roomId }, 'expiry failed'));
    return null;
  }
}

/** The seats a room has (the moderator seat only when the room is moderated). */
function seatsOf(room: Room): SeatId[] {
  return room.seats.moderator === null ? ['A', 'B'] : ['A', 'B', 'moderator'];
}
