import { viewFor, visibleFingerprint, type Presence, type Room, type SeatId, type StateView } from '../protocol';

/** Sends to the members of a room, wherever they are connected. */
export interface Broadcaster {
  /** Sends a seat's view to every connection of that seat. */
  state(roomId: string, seat: SeatId, view: StateView): void;
  /** Tells every member the room is gone, and disconnects them. */
  deleted(roomId: string): void;
}

/** The seats a room has (the moderator seat only when the room is moderated). */
export function seatsOf(room: Room): SeatId[] {
  return room.seats.moderator === null ? ['A', 'B'] : ['A', 'B', 'moderator'];
}

/**
 * After a stored change, sends a new view to the seats that can see a difference;
 * a private change reaches only the seats it concerns. With `before` null, every seat is sent one.
 */
export function publishChange(
  broadcaster: Broadcaster,
  before: Room | null,
  after: Room,
  presence: Presence,
  now: number,
): SeatId[] {
  const seats = seatsOf(after).filter(
    (seat) => before === null || visibleFingerprint(before, seat) !== visibleFingerprint(after, seat),
  );
  for (const seat of seats) broadcaster.state(after.id, seat, viewFor(after, seat, now, presence));
  return seats;
}
