import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { forgetSeat, listSeats, loadSeat, markUnsafeSeen, saveSeat } from '../../client/src/lib/seat-keys';

/** The browser's localStorage, as a plain map: Node has none. */
function stubStorage(): Map<string, string> {
  const items = new Map<string, string>();
  vi.stubGlobal('localStorage', {
    getItem: (key: string) => items.get(key) ?? null,
    setItem: (key: string, value: string) => void items.set(key, String(value)),
    removeItem: (key: string) => void items.delete(key),
    key: (i: number) => [...items.keys()][i] ?? null,
    get length() {
      return items.size;
    },
  });
  vi.stubGlobal('sessionStorage', { getItem: () => null, setItem: () => undefined, removeItem: () => undefined });
  return items;
}

const ROOM = 'room-0123456789abcdefghij';

describe('the partners a therapist\'s browser saw answer "not safe"', () => {
  let items: Map<string, string>;
  beforeEach(() => {
    items = stubStorage();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('are kept with the room\'s record, each once, and go when the room is forgotten', () => {
    saveSeat(ROOM, { seat: 'moderator', seatKey: 'k'.repeat(22), createdAt: 1 });
    markUnsafeSeen(ROOM, 'B');
    markUnsafeSeen(ROOM, 'B');
    markUnsafeSeen(ROOM, 'A');
    expect(loadSeat(ROOM)).toMatchObject({ seat: 'moderator', seatKey: 'k'.repeat(22), unsafeSeen: ['B', 'A'] });
    expect(listSeats().find((s) => s.roomId === ROOM)?.record.unsafeSeen).toEqual(['B', 'A']);
    forgetSeat(ROOM);
    expect(loadSeat(ROOM)).toBeNull();
    expect([...items.keys()]).toEqual([]);
  });

  it('are not kept for a room this browser holds no key to', () => {
    markUnsafeSeen(ROOM, 'A');
    expect(items.size).toBe(0);
  });
});
