import type { SeatId } from '@protocol/schemas';

/** What this device keeps about one room: its seat, the key that opens it, and any invites it created. */
export interface SeatRecord {
  seat: SeatId;
  seatKey: string;
  invites?: Partial<Record<SeatId, string>>;
}

const PREFIX = 'duologue:seat:';

/** Reads this device's seat in a room, or null when it holds none. */
export function loadSeat(roomId: string): SeatRecord | null {
  try {
    const raw = localStorage.getItem(PREFIX + roomId);
    if (raw === null) return null;
    const parsed = JSON.parse(raw) as Partial<SeatRecord>;
    if (typeof parsed.seatKey !== 'string' || typeof parsed.seat !== 'string') return null;
    return parsed as SeatRecord;
  } catch {
    return null;
  }
}

/** Keeps this device's seat in a room, so a reload or a phone that slept comes back to it. */
export function saveSeat(roomId: string, record: SeatRecord): void {
  try {
    localStorage.setItem(PREFIX + roomId, JSON.stringify(record));
  } catch {
    // Private modes may refuse storage: the talk still works until the tab closes.
  }
}

/** Forgets a room on this device: its key, its invites, everything. */
export function forgetSeat(roomId: string): void {
  try {
    localStorage.removeItem(PREFIX + roomId);
  } catch {
    // Nothing stored, nothing to forget.
  }
}
