import type { Partner, SeatId, SeatView, StateView } from '../schemas';
import type { Room } from '../room';
import { otherPartner } from './steps';

/** How many entries of each list a view carries. */
export const VIEW_LIST_LIMIT = 50;

export type Presence = Readonly<Record<SeatId, boolean>>;
const NOBODY_ONLINE: Presence = { A: false, B: false, moderator: false };

function last<T>(list: readonly T[]): T[] {
  return list.slice(-VIEW_LIST_LIMIT);
}

/** A partner's check-in counts as done for others only when it was answered with `safe: true`. */
export function checkedIn(room: Room, p: Partner): boolean {
  return room.checkin[p]?.safe === true;
}

/**
 * The per-seat projection of PROTOCOL.md section 5. A partner sees only their own
 * check-in answer, only coach lines sent to them and no notes; the moderator sees all.
 */
export function viewFor(room: Room, seat: SeatId, now: number, online: Presence = NOBODY_ONLINE): StateView {
  const seatView = (id: SeatId): SeatView | null => {
    const record = id === 'moderator' ? room.seats.moderator : room.seats[id];
    if (record === null) return null;
    return {
      name: record.name,
      joined: record.joined,
      online: online[id],
      checkedIn: id === 'moderator' ? false : checkedIn(room, id),
    };
  };
  const isModerator = seat === 'moderator';
  const floor =
    room.floor === null
      ? null
      : {
          speaker: room.floor.speaker,
          listener: otherPartner(room.floor.speaker),
          step: room.floor.step,
          turn: room.floor.turn,
          clarifying: room.floor.clarifying,
          stepSince: room.floor.stepSince,
        };
  return {
    roomId: room.id,
    rev: room.rev,
    serverNow: now,
    you: seat,
    topic: room.topic,
    method: room.method,
    settings: { breakMinutes: room.breakMinutes, minuteMs: room.minuteMs },
    phase: room.phase,
    seats: {
      A: seatView('A') as SeatView,
      B: seatView('B') as SeatView,
      moderator: seatView('moderator'),
    },
    checkin: isModerator ? { A: room.checkin.A, B: room.checkin.B } : room.checkin[seat],
    floor,
    break: room.break === null ? null : { ...room.break, ready: { ...room.break.ready } },
    paused: room.paused,
    appointment: room.appointment === null ? null : { ...room.appointment },
    repairs: last(room.repairs),
    coach: isModerator
      ? last(room.coach)
      : last(room.coach.filter((c) => c.to === seat || c.to === 'both')).map((c) => ({ at: c.at, text: c.text })),
    notes: isModerator ? last(room.notes) : [],
    timeline: last(room.timeline),
  };
}

/**
 * A fingerprint of everything a seat can see, leaving out `rev`, `serverNow` and
 * presence, so that two rooms can be compared from one seat's point of view.
 */
export function visibleFingerprint(room: Room, seat: SeatId): string {
  const { rev: _rev, serverNow: _now, ...rest } = viewFor(room, seat, 0);
  return JSON.stringify(rest);
}
