import type { Presence, SeatId } from '../../protocol';

type Counts = Record<SeatId, number>;

/**
 * Which seats of a room have at least one live connection in this process.
 * Several tabs per seat are allowed, so it counts connections rather than flags.
 */
export class PresenceTracker {
  protected readonly rooms = new Map<string, Counts>();

  /** Counts a connection; true when the seat just came online. */
  add(roomId: string, seat: SeatId): boolean {
    const counts = this.rooms.get(roomId) ?? { A: 0, B: 0, moderator: 0 };
    this.rooms.set(roomId, counts);
    counts[seat] += 1;
    return counts[seat] === 1;
  }

  /** Forgets a connection; true when the seat just went offline. */
  remove(roomId: string, seat: SeatId): boolean {
    const counts = this.rooms.get(roomId);
    if (counts === undefined || counts[seat] === 0) return false;
    counts[seat] -= 1;
    if (counts.A + counts.B + counts.moderator === 0) this.rooms.delete(roomId);
    return counts[seat] === 0;
  }

  /**
   * Brings `of` up to date with the connections other processes hold, before a view is built
   * (several processes sharing Redis); one process alone knows them all and answers undefined.
   */
  refresh(_roomId: string): Promise<void> | undefined {
    return undefined;
  }

  of(roomId: string): Presence {
    const counts = this.rooms.get(roomId);
    return { A: (counts?.A ?? 0) > 0, B: (counts?.B ?? 0) > 0, moderator: (counts?.moderator ?? 0) > 0 };
  }
}
