import type { SeatId } from '@protocol/schemas';

/**
 * What this device keeps about one room: its seat, the key that opens it, and any invites it
 * created. A seat opened from a seat link knows only its key until the first `state` names it.
 */
export interface SeatRecord {
  seat?: SeatId;
  seatKey: string;
  invites?: Partial<Record<SeatId, string>>;
  /** When this device created the room (local ms): the console lists its rooms newest first. */
  createdAt?: number;
  /** The coach lines (by their `at`) this partner put away on this device. */
  coachRead?: number[];
  /** This partner's check-in said "not safe": the start screen does not list the talk. */
  unsafe?: boolean;
  /**
   * A therapist's device: the partners it has seen answer "not safe" in this room. The room keeps
   * only the latest answer, so a "no" later changed would leave the console no trace after a reload.
   */
  unsafeSeen?: Array<'A' | 'B'>;
}

const PREFIX = 'duologue:seat:';

/** Reads this device's seat in a room, or null when it holds none. */
export function loadSeat(roomId: string): SeatRecord | null {
  try {
    const raw = localStorage.getItem(PREFIX + roomId);
    if (raw === null) return null;
    const parsed = JSON.parse(raw) as Partial<SeatRecord>;
    if (typeof parsed.seatKey !== 'string') return null;
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

/**
 * The shape of a room id, a seat key and an invite code (docs/protocol.md section 9): 22–128
 * base64url characters. Anything else is a link cut short or changed on its way.
 */
export const SECRET_SHAPE = /^[A-Za-z0-9_-]{22,128}$/;

const INVITE_PREFIX = 'duologue:invite:';

const GONE_PREFIX = 'duologue:gone:';

/**
 * Notes for this tab that a room it held a seat in was deleted, so a reload still says so
 * ("this talk was deleted") once the seat itself is forgotten. Only the room id, only for the tab.
 */
export function noteGone(roomId: string): void {
  try {
    sessionStorage.setItem(GONE_PREFIX + roomId, '1');
  } catch {
    // No storage: a reload says this phone holds no place here, which is true too.
  }
}

export function wasGone(roomId: string): boolean {
  try {
    return sessionStorage.getItem(GONE_PREFIX + roomId) === '1';
  } catch {
    return false;
  }
}

/**
 * Keeps an invite code for this tab until it is claimed: the join page takes the code out of
 * the address bar, and a reload before joining must still find it (and, for a code that leads
 * nowhere, say the same again). Session storage ends with the tab.
 */
export function keepInvite(roomId: string, code: string): void {
  try {
    sessionStorage.setItem(INVITE_PREFIX + roomId, code);
  } catch {
    // No storage: the code lives as long as the page.
  }
}

/** The invite code this tab keeps for a room, if any. */
export function keptInvite(roomId: string): string | null {
  try {
    return sessionStorage.getItem(INVITE_PREFIX + roomId);
  } catch {
    return null;
  }
}

/** Forgets the invite code of a room once it was claimed (or cannot be any more). */
export function dropInvite(roomId: string): void {
  try {
    sessionStorage.removeItem(INVITE_PREFIX + roomId);
  } catch {
    // Nothing kept.
  }
}

/**
 * Reads one value from the address's fragment (`#invite=…`, `#key=…`) and takes the whole
 * fragment out of the address bar and this history entry. A fragment never reaches a server
 * or a Referer; removing it keeps it out of a screenshot or a shared address too.
 */
export function takeFromFragment(name: string): string | null {
  const value = new URLSearchParams(window.location.hash.slice(1)).get(name);
  if (window.location.hash) {
    window.history.replaceState(window.history.state, '', window.location.pathname + window.location.search);
  }
  return value;
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

/** Keeps on this device that `partner` was seen answering "not safe" in a room it moderates. */
export function markUnsafeSeen(roomId: string, partner: 'A' | 'B'): void {
  const record = loadSeat(roomId);
  if (record === null || record.unsafeSeen?.includes(partner)) return;
  saveSeat(roomId, { ...record, unsafeSeen: [...(record.unsafeSeen ?? []), partner] });
}

/** Remembers that this partner put a coach line away, so it stays away after a reload. */
export function markCoachRead(roomId: string, at: number): void {
  const record = loadSeat(roomId);
  if (record === null || record.coachRead?.includes(at)) return;
  saveSeat(roomId, { ...record, coachRead: [...(record.coachRead ?? []), at].slice(-50) });
}

/** Forgets a room on this device: its key, its invites, everything. */
export function forgetSeat(roomId: string): void {
  dropInvite(roomId);
  try {
    localStorage.removeItem(PREFIX + roomId);
  } catch {
    // Nothing stored, nothing to forget.
  }
}
