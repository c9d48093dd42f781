import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { claimSeat, createRoom, type SeatId } from '../../protocol';
import { RoomHost } from '../../server/rooms/room-host';
import type { Broadcaster } from '../../server/realtime/broadcaster';
import { openSqliteStore } from '../../server/store/sqlite-store';
import { ManualClock } from '../support/manual-clock';
import { tempDataDir } from '../support/test-server';

const data = tempDataDir();
afterAll(() => data.remove());

describe("a command's new states", () => {
  it('reach the other seats before the seat whose command it was', async () => {
    const store = openSqliteStore(data.dir);
    const clock = new ManualClock();
    const sent: Array<{ seat: SeatId; rev: number }> = [];
    const broadcaster: Broadcaster = { state: (_room, seat, view) => sent.push({ seat, rev: view.rev }), deleted: () => undefined };
    const host = new RoomHost({ store, clock, broadcaster, log: pino({ level: 'silent' }), commandLimit: 50, ttlMs: 86_400_000 });
    try {
      // A therapist's room with both partners in: A speaks first.
      const created = createRoom({ name: 'Dr. Weber', as: 'moderator', id: 'M'.repeat(22), minuteMs: 60_000 }, clock.now());
      let room = claimSeat(created.room, 'A', 'Alex', clock.now()).room;
      room = claimSeat(room, 'B', 'Sam', clock.now()).room;
      await store.insertRoom({ room, deadline: null, seatKeys: [], invites: [] });
      const checkIn = { type: 'checkIn', calm: 5, tendency: 'unsure', safe: true };
      expect(await host.command(room.id, 'A', { id: 'order-checkin-A', ...checkIn })).toMatchObject({ ok: true });
      expect(await host.command(room.id, 'B', { id: 'order-checkin-B', ...checkIn })).toMatchObject({ ok: true });

      // A's floor command: B and the therapist hear of it first, A last.
      sent.length = 0;
      const share = await host.command(room.id, 'A', { id: 'order-share-A', type: 'advance', step: 'share' });
      expect(share).toMatchObject({ ok: true });
      expect(sent.map((s) => s.seat)).toEqual(['B', 'moderator', 'A']);
      // B's: A and the therapist first, B last.
      sent.length = 0;
      expect(await host.command(room.id, 'B', { id: 'order-mirror-B', type: 'advance', step: 'mirror' })).toMatchObject({ ok: true });
      expect(sent.map((s) => s.seat)).toEqual(['A', 'moderator', 'B']);
      expect(new Set(sent.map((s) => s.rev)).size).toBe(1);
    } finally {
      await host.close();
      await store.close();
    }
  });
});
