import type { FastifyBaseLogger } from 'fastify';
import {
  createRoom,
  nextDeadline,
  SECRET_PATTERN,
  summaryOf,
  type CreateRoomBody,
  type CreateRoomResponse,
  type InvitePreviewBody,
  type InvitePreviewResponse,
  type JoinRoomBody,
  type JoinRoomResponse,
  type Room,
  type SeatId,
  type Summary,
} from '../../protocol';
import type { Clock } from '../clock';
import type { RoomStore } from '../store/room-store';
import { fail, type Result, type RoomHost } from './room-host';
import { hashSecret, newSecret } from './secrets';

export { fail, type Failure, type Result } from './room-host';

export interface RoomServiceDeps {
  store: RoomStore;
  clock: Clock;
  host: RoomHost;
  log: FastifyBaseLogger;
  /** Milliseconds in one protocol minute for new rooms. */
  minuteMs: number;
  /** Rooms idle longer than this are deleted. */
  ttlMs: number;
}

const SWEEP_EVERY_MS = 60 * 60 * 1000;

/**
 * Rooms as the HTTP API and the socket handshake see them: creation, seats, keys,
 * deletion, the expiry sweep and the boot. It answers protocol error codes; the HTTP
 * layer alone maps them to statuses.
 */
export class RoomService {
  private sweepTimer: { cancel(): void } | null = null;

  constructor(private readonly deps: RoomServiceDeps) {}

  /** Creates a room; the creator's seat key and the invite codes are returned once and stored only as hashes. */
  async create(body: CreateRoomBody): Promise<CreateRoomResponse> {
    const now = this.deps.clock.now();
    const roomId = newSecret();
    const { room, seat, invites } = createRoom({ ...body, id: roomId, minuteMs: this.deps.minuteMs }, now);
    const seatKey = newSecret();
    const codes = invites.map((invited) => ({ seat: invited, code: newSecret() }));
    await this.deps.store.insertRoom({
      room,
      deadline: nextDeadline(room),
      seatKeys: [{ seat, hash: hashSecret(seatKey) }],
      invites: codes.map(({ seat: invited, code }) => ({ seat: invited, hash: hashSecret(code) })),
    });
    this.deps.log.info({ roomId, seat, method: room.method, moderated: room.seats.moderator !== null }, 'room created');
    return { roomId, seat, seatKey, invites: Object.fromEntries(codes.map(({ seat: s, code }) => [s, code])) };
  }

  /** Claims the seat an invite opens (in the room's host). */
  async join(roomId: string, body: JoinRoomBody): Promise<Result<JoinRoomResponse>> {
    if (!SECRET_PATTERN.test(roomId)) return fail('room_not_found');
    return this.deps.host.join(roomId, body.invite, body.name);
  }

  /**
   * Says what an invite opens, for the join screen before it asks for a name: who invited,
   * in what role, and whether the seat is still open. Names go only to a holder of one of
   * the room's own invite codes; any other code is `invite_invalid`.
   */
  async previewInvite(roomId: string, body: InvitePreviewBody): Promise<Result<InvitePreviewResponse>> {
    if (!SECRET_PATTERN.test(roomId)) return fail('room_not_found');
    const hash = hashSecret(body.invite);
    return this.deps.host.read<Result<InvitePreviewResponse>>(roomId, async (room) => {
      if (room === null) return fail('room_not_found');
      const match = await this.deps.host.matchInvite(roomId, hash);
      if (match === null) return fail('invite_invalid');
      const moderator = room.seats.moderator;
      // The creator, from the `created` event while the timeline still holds it; a room with a
      // moderator seat is a moderator's room (rooms from before the revised section 2 aside).
      const creator = room.timeline.find((e) => e.kind === 'created')?.by ?? (moderator === null ? 'A' : 'moderator');
      const byModerator = moderator !== null && creator === 'moderator';
      const other = match.seat === 'A' ? room.seats.B : match.seat === 'B' ? room.seats.A : null;
      return {
        ok: true,
        value: {
          seat: match.seat,
          status: match.used ? 'used' : 'open',
          inviter: byModerator ? { name: moderator.name ?? '', role: 'moderator' } : { name: room.seats.A.name ?? '', role: 'partner' },
          partnerName: byModerator && other?.joined ? other.name : null,
          phase: room.phase,
        },
      };
    });
  }

  /** Finds the seat a key opens in a room: `room_not_found` or `unauthorized` otherwise. */
  async authenticate(roomId: unknown, seatKey: unknown): Promise<Result<{ seat: SeatId; room: Room }>> {
    if (typeof roomId !== 'string' || !SECRET_PATTERN.test(roomId)) return fail('room_not_found');
    if (typeof seatKey !== 'string' || !SECRET_PATTERN.test(seatKey)) return fail('unauthorized');
    return this.deps.host.authenticate(roomId, seatKey);
  }

  summary(room: Room): Summary {
    return summaryOf(room, this.deps.clock.now());
  }

  /** Deletes a room: every row goes, members get `deleted` and are disconnected. */
  async remove(roomId: string): Promise<boolean> {
    const deleted = await this.deps.host.remove(roomId);
    if (deleted) this.deps.log.info({ roomId }, 'room deleted');
    return deleted;
  }

  /** Deletes the rooms idle longer than the TTL; returns how many went. */
  async sweep(): Promise<number> {
    const cutoff = this.deps.clock.now() - this.deps.ttlMs;
    let count = 0;
    for (const roomId of await this.deps.store.idleSince(cutoff)) {
      if (await this.deps.host.remove(roomId)) count += 1;
      // A deletion is written and checkpointed at once, on the main thread with the inline
      // SQLite writer: the other rooms' commands get a turn between two of them.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (count > 0) this.deps.log.info({ expired: count }, 'expired rooms deleted');
    return count;
  }

  /**
   * Restores the timers after a start: overdue deadlines apply at once, the others
   * are scheduled; expired rooms go, and the sweep repeats every hour.
   */
  async boot(): Promise<void> {
    await this.sweep();
    const now = this.deps.clock.now();
    const pending = await this.deps.store.deadlines();
    for (const { roomId, deadline } of pending) {
      if (deadline <= now) await this.deps.host.tick(roomId);
      else this.deps.host.schedule(roomId, deadline);
    }
    this.deps.log.info({ deadlines: pending.length }, 'rooms restored');
    this.armSweep();
  }

  private armSweep(): void {
    this.sweepTimer = this.deps.clock.at(this.deps.clock.now() + SWEEP_EVERY_MS, () => {
      this.sweep()
        .catch((error: unknown) => this.deps.log.error({ err: error }, 'expiry sweep failed'))
        .finally(() => {
          if (this.sweepTimer !== null) this.armSweep();
        });
    });
  }

  close(): void {
    this.sweepTimer?.cancel();
    this.sweepTimer = null;
  }
}
