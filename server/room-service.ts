import type { FastifyBaseLogger } from 'fastify';
import {
  claimSeat,
  createRoom,
  nextDeadline,
  protocolError,
  SECRET_PATTERN,
  summaryOf,
  type CreateRoomBody,
  type CreateRoomResponse,
  type HttpErrorCode,
  type InvitePreviewBody,
  type InvitePreviewResponse,
  type JoinRoomBody,
  type JoinRoomResponse,
  type ProtocolError,
  type Room,
  type SeatId,
  type Summary,
} from '../protocol';
import type { Clock } from './clock';
import type { RoomWriter } from './room-writer';
import { hashSecret, newSecret, sameHash } from './secrets';
import type { RoomStore } from './store/room-store';

/** A refusal with the HTTP status that carries it. */
export interface Failure {
  ok: false;
  status: number;
  error: ProtocolError<HttpErrorCode>;
}
export type Result<T> = { ok: true; value: T } | Failure;

function fail(status: number, code: HttpErrorCode, message?: string): Failure {
  return { ok: false, status, error: protocolError(code, message) };
}

export interface RoomServiceDeps {
  store: RoomStore;
  clock: Clock;
  writer: RoomWriter;
  log: FastifyBaseLogger;
  /** Milliseconds in one protocol minute for new rooms. */
  minuteMs: number;
  /** Rooms idle longer than this are deleted. */
  ttlMs: number;
}

const SWEEP_EVERY_MS = 60 * 60 * 1000;

/** Rooms as the HTTP API and the socket handshake see them: creation, seats, keys, deletion. */
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

  /** Claims the seat an invite opens. The invite is spent in the same commit that stores the new key. */
  async join(roomId: string, body: JoinRoomBody): Promise<Result<JoinRoomResponse>> {
    if (!SECRET_PATTERN.test(roomId)) return fail(404, 'room_not_found');
    const hash = hashSecret(body.invite);
    return this.deps.writer.write<Result<JoinRoomResponse>>(roomId, async (stored, now) => {
      if (stored === null || this.expired(stored.room, now)) return { reply: fail(404, 'room_not_found') };
      let match: { seat: SeatId; used: boolean } | null = null;
      // Compare with every invite, so the timing does not tell which one came close.
      for (const invite of await this.deps.store.invites(roomId)) {
        if (sameHash(invite.hash, hash)) match = invite;
      }
      if (match === null) return { reply: fail(403, 'invite_invalid') };
      if (match.used) return { reply: fail(409, 'invite_used') };
      // "Nothing changes any more" once a talk has ended: its open invites are dead too.
      if (stored.room.phase === 'ended') {
        return { reply: fail(403, 'invite_invalid', 'This conversation has ended, so its invite no longer opens it.') };
      }
      const seatKey = newSecret();
      const outcome = claimSeat(stored.room, match.seat, body.name, now);
      this.deps.log.info({ roomId, seat: match.seat }, 'seat claimed');
      return {
        reply: { ok: true, value: { seat: match.seat, seatKey } },
        write: { room: outcome.room, claim: { seat: match.seat, keyHash: hashSecret(seatKey) } },
      };
    });
  }

  /**
   * Says what an invite opens, for the join screen before it asks for a name: who invited,
   * in what role, and whether the seat is still open. Names go only to a holder of one of
   * the room's own invite codes; any other code is `invite_invalid`.
   */
  async previewInvite(roomId: string, body: InvitePreviewBody): Promise<Result<InvitePreviewResponse>> {
    if (!SECRET_PATTERN.test(roomId)) return fail(404, 'room_not_found');
    const hash = hashSecret(body.invite);
    return this.deps.writer.read<Result<InvitePreviewResponse>>(roomId, async (stored, now) => {
      if (stored === null || this.expired(stored.room, now)) return fail(404, 'room_not_found');
      let match: { seat: SeatId; used: boolean } | null = null;
      // Compare with every invite, as a join does, so the timing tells nothing.
      for (const invite of await this.deps.store.invites(roomId)) {
        if (sameHash(invite.hash, hash)) match = invite;
      }
      if (match === null) return fail(403, 'invite_invalid');
      const { room } = stored;
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

  /** Finds the seat a key opens in a room: `room_not_found` (404) or `unauthorized` (401) otherwise. */
  async authenticate(roomId: unknown, seatKey: unknown): Promise<Result<{ seat: SeatId; room: Room }>> {
    if (typeof roomId !== 'string' || !SECRET_PATTERN.test(roomId)) return fail(404, 'room_not_found');
    if (typeof seatKey !== 'string' || !SECRET_PATTERN.test(seatKey)) return fail(401, 'unauthorized');
    const stored = await this.deps.store.loadRoom(roomId);
    if (stored === null || this.expired(stored.room, this.deps.clock.now())) return fail(404, 'room_not_found');
    const hash = hashSecret(seatKey);
    let seat: SeatId | null = null;
    for (const key of await this.deps.store.seatKeys(roomId)) {
      if (sameHash(key.hash, hash)) seat = key.seat;
    }
    if (seat === null) return fail(401, 'unauthorized');
    return { ok: true, value: { seat, room: stored.room } };
  }

  /**
   * An expired room is gone, even before the hourly sweep removes it: it answers
   * `room_not_found`, and its removal is queued at once.
   */
  private expired(room: Room, now: number): boolean {
    if (room.updatedAt >= now - this.deps.ttlMs) return false;
    this.remove(room.id).catch((error: unknown) => this.deps.log.error({ err: error, roomId: room.id }, 'expiry failed'));
    return true;
  }

  summary(room: Room): Summary {
    return summaryOf(room, this.deps.clock.now());
  }

  /** Deletes a room: every row goes, members get `deleted` and are disconnected. */
  async remove(roomId: string): Promise<boolean> {
    const deleted = await this.deps.writer.remove(roomId);
    if (deleted) this.deps.log.info({ roomId }, 'room deleted');
    return deleted;
  }

  /** Deletes the rooms idle longer than the TTL; returns how many went. */
  async sweep(): Promise<number> {
    const cutoff = this.deps.clock.now() - this.deps.ttlMs;
    let count = 0;
    for (const roomId of await this.deps.store.idleSince(cutoff)) {
      if (await this.deps.writer.remove(roomId)) count += 1;
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
      if (deadline <= now) await this.deps.writer.tick(roomId);
      else this.deps.writer.schedule(roomId, deadline);
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
