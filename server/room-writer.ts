import type { FastifyBaseLogger } from 'fastify';
import { nextDeadline, tick, type Room, type SeatId } from '../protocol';
import { publishChange, type Broadcaster } from './broadcaster';
import type { Clock, Timer } from './clock';
import type { PresenceTracker } from './presence';
import { KeyedQueue } from './room-queue';
import type { Commit, RoomStore, StoredRoom } from './store/room-store';

/** What a decision wants written; the room is null when only the side records change. */
export type Write = Pick<Commit, 'acceptedCommand' | 'claim'> & { room: Room | null };

/** The answer of a decision, and what to store before that answer may be given. */
export interface Decision<T> {
  reply: T;
  write?: Write;
}

export interface RoomWriterDeps {
  store: RoomStore;
  clock: Clock;
  broadcaster: Broadcaster;
  presence: PresenceTracker;
  log: FastifyBaseLogger;
}

// Within one process the queue rules out conflicts; across processes a few retries settle them.
const MAX_ATTEMPTS = 5;

/**
 * The write path of every room: one writer per room, a compare-and-set commit,
 * then the new views to the seats that can see the change, and the room's next
 * deadline scheduled on the injected clock.
 */
export class RoomWriter {
  private readonly queue = new KeyedQueue();
  private readonly timers = new Map<string, Timer>();
  private closed = false;

  constructor(private readonly deps: RoomWriterDeps) {}

  /**
   * Decides on the current room and commits what the decision asks, retrying on a
   * conflict. The reply is returned only after the commit, so an ack never precedes durability.
   */
  write<T>(roomId: string, decide: (stored: StoredRoom | null, now: number) => Decision<T> | Promise<Decision<T>>): Promise<T> {
    return this.queue.run(roomId, async () => {
      for (let attempt = 1; ; attempt += 1) {
        const stored = await this.deps.store.loadRoom(roomId);
        const now = this.deps.clock.now();
        const decision = await decide(stored, now);
        if (decision.write === undefined || stored === null) return decision.reply;
        const after = decision.write.room ?? stored.room;
        const deadline = nextDeadline(after);
        const result = await this.deps.store.commit({
          roomId,
          expectedVersion: stored.version,
          deadline,
          ...decision.write,
        });
        if (result === 'conflict') {
          if (attempt < MAX_ATTEMPTS) continue;
          throw new Error(`room ${roomId} kept changing under this writer`);
        }
        if (decision.write.room !== null) {
          publishChange(this.deps.broadcaster, stored.room, after, this.deps.presence.of(roomId), now);
        }
        this.schedule(roomId, deadline);
        return decision.reply;
      }
    });
  }

  /** The rev first answered to an accepted command id (read inside the room's turn). */
  acceptedCommand(roomId: string, seat: SeatId, commandId: string): Promise<number | null> {
    return this.deps.store.acceptedCommand(roomId, seat, commandId);
  }

  /** Runs a read in the room's turn, so what it sends is never older than what was sent before. */
  read<T>(roomId: string, task: (stored: StoredRoom | null, now: number) => T | Promise<T>): Promise<T> {
    return this.queue.run(roomId, async () => task(await this.deps.store.loadRoom(roomId), this.deps.clock.now()));
  }

  /** Sends every seat its view, e.g. when presence changed (same `rev`). */
  publishAll(roomId: string): Promise<void> {
    return this.read(roomId, (stored, now) => {
      if (stored !== null) this.sendAll(stored.room, now);
    });
  }

  /** Sends every seat of `room` its view now; call it from inside the room's turn (`read`). */
  sendAll(room: Room, now: number): void {
    publishChange(this.deps.broadcaster, null, room, this.deps.presence.of(room.id), now);
  }

  /** Deletes a room with every row it owns, then tells and disconnects its members. */
  remove(roomId: string): Promise<boolean> {
    return this.queue.run(roomId, async () => {
      const deleted = await this.deps.store.deleteRoom(roomId);
      this.schedule(roomId, null);
      if (deleted) this.deps.broadcaster.deleted(roomId);
      return deleted;
    });
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
        this.tick(roomId).catch((error: unknown) => this.deps.log.error({ err: error, roomId }, 'deadline failed'));
      }),
    );
  }

  /** Applies the room's due time-driven changes (a break's return time) and stores them. */
  tick(roomId: string): Promise<void> {
    return this.write(roomId, (stored, now) => {
      if (stored === null) return { reply: undefined };
      const outcome = tick(stored.room, now);
      if (!outcome.changed) {
        // Fired early (a long timer re-armed, or a clock's rounding): wait again.
        this.schedule(roomId, nextDeadline(stored.room));
        return { reply: undefined };
      }
      this.deps.log.info({ roomId, event: 'deadline', rev: outcome.room.rev }, 'deadline applied');
      return { reply: undefined, write: { room: outcome.room } };
    });
  }

  /** Stops every timer and waits for the writes already queued. */
  async close(): Promise<void> {
    this.closed = true;
    for (const timer of this.timers.values()) timer.cancel();
    this.timers.clear();
    await this.queue.idle();
  }
}
