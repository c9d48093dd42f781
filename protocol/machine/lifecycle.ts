import type { CreateRoomBody, Partner, SeatId, TimelineEvent } from '../schemas';
import type { PartnerStats, Room } from '../room';
import { copyForChange, finish, maybeStartDialogue, type Accepted } from './apply';

export type NewRoomOptions = CreateRoomBody & {
  id: string;
  /** Milliseconds in one protocol minute (60 000 / DUOLOGUE_TIME_SCALE). */
  minuteMs: number;
};

const freshStats = (): PartnerStats => ({ floorMs: 0, turns: 0, missedMirrors: 0, breaks: [], breakCount: 0, repairs: 0 });

/**
 * The room as its creator leaves it: their seat claimed, the others open. Only a moderator
 * opens a moderated room; a partner's room has no moderator seat (PROTOCOL.md section 2).
 */
export function createRoom(options: NewRoomOptions, now: number): { room: Room; seat: SeatId; invites: Partner[] } {
  const asModerator = options.as === 'moderator';
  const seat: SeatId = asModerator ? 'moderator' : 'A';
  const open = { name: null, joined: false };
  const mine = { name: options.name.trim(), joined: true };
  const room: Room = {
    version: 1,
    id: options.id,
    rev: 0,
    createdAt: now,
    updatedAt: now,
    method: options.method ?? 'imago',
    topic: (options.topic ?? '').trim(),
    breakMinutes: options.breakMinutes ?? 20,
    firstSpeaker: options.firstSpeaker ?? 'A',
    minuteMs: options.minuteMs,
    phase: 'lobby',
    seats: {
      A: seat === 'A' ? mine : { ...open },
      B: { ...open },
      moderator: asModerator ? mine : null,
    },
    checkin: { A: null, B: null },
    floor: null,
    break: null,
    paused: false,
    appointment: null,
    repairs: [],
    coach: [],
    notes: [],
    timeline: [{ at: now, kind: 'created', by: seat }],
    stats: { dialogueStartedAt: null, endedAt: null, shareClock: null, A: freshStats(), B: freshStats() },
  };
  const invites: Partner[] = asModerator ? ['A', 'B'] : ['B'];
  return { room, seat, invites };
}

/**
 * A seat is claimed with its invite (checked by the server). When both partner
 * seats are taken, `lobby` turns into `checkin` by itself.
 */
export function claimSeat(room: Room, seat: SeatId, name: string, now: number): Accepted {
  const next = copyForChange(room);
  const record = seat === 'moderator' ? next.seats.moderator : next.seats[seat];
  if (record === null) throw new Error(`seat ${seat} does not exist in room ${room.id}`);
  record.name = name.trim();
  record.joined = true;
  const events: TimelineEvent[] = [{ at: now, kind: 'joined', seat }];
  if (next.phase === 'lobby' && next.seats.A.joined && next.seats.B.joined) {
    next.phase = 'checkin';
    maybeStartDialogue(next, now, (e) => events.push({ at: now, ...e }));
  }
  return finish(room, next, events, now);
}

/** When the next time-driven change of the room is due, or null when none is pending. */
export function nextDeadline(room: Room): number | null {
  if (room.break !== null && !room.break.due && room.phase !== 'ended') return room.break.returnAt;
  return null;
}

/** Applies every time-driven change due at `now`: a break whose return time passed becomes `due`. */
export function tick(room: Room, now: number): Accepted {
  const deadline = nextDeadline(room);
  if (deadline === null || now < deadline || room.break === null) {
    return { ok: true, room, events: [], changed: false, audience: [] };
  }
  const next = copyForChange(room);
  next.break!.due = true;
  return finish(room, next, [{ at: now, kind: 'breakDue', by: room.break.by as Partner }], now);
}
