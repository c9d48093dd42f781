import type { SeatId } from '@protocol/schemas';

/** What this device keeps about one room: its seat, the key that opens it, and any invites it created. */
export interface SeatRecord {
  seat: SeatId;
  seatKey: string;
  invites?: Partial<Record<SeatId, string>>;
  /** When this device created the room (local ms): the console lists its rooms newest first. */
  createdAt?: number;
  /** The coach lines (by their `at`) this partner put away on this device. */
  coachRead?: number[];
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

/** Every room this device holds a seat in, with its record. */
export function listSeats(): { roomId: string; record: SeatRecord }[] {
  const found: { roomId: string; record: SeatRecord }[] = [];
  try {
    for (let i = 0; i < localStorage.length; i++) {
      const key = localStorage.key(i);
      if (key === null || !key.startsWith(PREFIX)) continue;
      const roomId = key.slice(PREFIX.length);
      const record = loadSeat(roomId);
      if (record !== null) found.push({ roomId, record });
    }
  } catch {
    // Storage refused: this device holds no rooms it can list.
  }
  return found;
}

/** Remembers that this partner put a coach line away, so it stays away after a reload. */
export function markCoachRead(roomId: string, at: number): void {
  const record = loadSeat(roomId);
  if (record === null || record.coachRead?.includes(at)) return;
  saveSeat(roomId, { ...record, coachRead: [...(record.coachRead ?? []), at].slice(-50) });
}

/** Forgets a room on this device: its key, its invites, everything. */
export function forgetSeat(roomId: string): void {
  try {
    localStorage.removeItem(PREFIX + roomId);
  } catch {
    // Nothing stored, nothing to forget.
  }
}
