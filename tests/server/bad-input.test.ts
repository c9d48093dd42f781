import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateView } from '../../protocol';
import { api } from '../support/api-client';
import { connectError, Member } from '../support/member';
import { openRoom, startDialogue, type OpenRoom } from '../support/room-setup';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const data = tempDataDir();
let server: TestServer;
let room: OpenRoom;
let other: OpenRoom;
beforeAll(async () => {
  server = await startServer({ dataDir: data.dir });
  room = await openRoom(server.url, { moderated: true });
  other = await openRoom(server.url);
  await startDialogue(room);
});
afterAll(async () => {
  room.close();
  other.close();
  await server.close();
  data.remove();
});

/** What a fresh connection of a seat sees, without the clock and presence. */
async function snapshot(seat: 'A' | 'B' | 'moderator'): Promise<unknown> {
  const member = await Member.connect(server.url, room.roomId, room.keys[seat]!);
  const { serverNow: _now, seats, ...rest } = member.state;
  member.close();
  const strip = (s: StateView['seats']['A'] | null) => (s === null ? null : { ...s, online: null });
  return { ...rest, seats: { A: strip(seats.A), B: strip(seats.B), moderator: strip(seats.moderator) } };
}

const deep = (depth: number): unknown => (depth === 0 ? 'x' : { a: deep(depth - 1) });

const BAD_PAYLOADS: Array<[string, unknown, string]> = [
  ['a string', 'advance', 'invalid'],
  ['a number', 42, 'invalid'],
  ['null', null, 'invalid'],
  ['an array', [{ id: 'array-0001', type: 'advance', step: 'share' }], 'invalid'],
  ['a boolean', true, 'invalid'],
  ['binary', Buffer.from('{"type":"advance"}'), 'invalid'],
  ['no type', { id: 'no-type-0001', step: 'share' }, 'invalid'],
  ['a numeric type', { id: 'num-type-001', type: 7 }, 'invalid'],
  ['an unknown command', { id: 'unknown-0001', type: 'takeOver' }, 'unknown_command'],
  ['a wrong step type', { id: 'wrongtype-01', type: 'advance', step: 5 }, 'invalid'],
  ['a numeric id', { id: 12345678, type: 'advance', step: 'share' }, 'invalid'],
  ['a short id', { id: 'short', type: 'advance', step: 'share' }, 'invalid'],
  ['a long id', { id: 'x'.repeat(65), type: 'advance', step: 'share' }, 'invalid'],
  ['a missing id', { type: 'advance', step: 'share' }, 'invalid'],
  ['a string rev', { id: 'string-rev-1', type: 'advance', step: 'share', rev: '3' }, 'invalid'],
  ['an unknown field', { id: 'unknown-f-01', type: 'advance', step: 'share', force: true }, 'invalid'],
  ['an unknown repair', { id: 'repair-bad-1', type: 'repair', phrase: 'insult.you' }, 'invalid'],
  ['a string calm', { id: 'calm-string1', type: 'checkIn', calm: '7', tendency: 'pursue', safe: true }, 'invalid'],
  ['a fractional flood', { id: 'flood-frac-1', type: 'flood', minutes: 20.5 }, 'invalid'],
  ['a huge flood', { id: 'flood-huge-1', type: 'flood', minutes: 1441 }, 'invalid'],
  // The shape is checked before the seat: too long is `invalid` even from a partner.
  ['a long coach line', { id: 'coach-long-1', type: 'coach', to: 'A', text: 'x'.repeat(281) }, 'invalid'],
  ['deep nesting', { id: 'deep-nest-01', type: 'repair', phrase: deep(200) }, 'invalid'],
  ['a huge string', { id: 'huge-strin-1', type: 'advance', step: 'y'.repeat(60_000) }, 'invalid'],
  ['a __proto__ key', JSON.parse('{"id":"proto-key-01","type":"advance","step":"share","__proto__":{"admin":true}}'), 'invalid'],
  ['a constructor key', { id: 'ctor-key-001', type: 'advance', step: 'share', constructor: { prototype: {} } }, 'invalid'],
];

describe('the bad-input matrix', () => {
  it('refuses every malformed command, keeps the socket, and changes nothing', async () => {
    const before = await Promise.all([snapshot('A'), snapshot('B'), snapshot('moderator')]);
    for (const [what, payload, code] of BAD_PAYLOADS) {
      const ack = await room.A.sendRaw(payload);
      expect(ack, what).toMatchObject({ ok: false, error: { code } });
    }
    // A coach line over its limit from the moderator is refused by shape.
    expect(await room.moderator!.sendRaw({ id: 'coach-long-2', type: 'coach', to: 'A', text: 'x'.repeat(281) })).toMatchObject({
      ok: false,
      error: { code: 'invalid' },
    });
    // No ack callback at all, and an ack in the payload's place: answered or dropped, never a crash.
    room.A.emitRaw({ id: 'no-ack-bad-1', type: 'advance', step: 'dance' });
    room.A.emitRaw();
    const ackOnly = await new Promise((resolve) => room.A.emitRaw(resolve));
    expect(ackOnly).toMatchObject({ ok: false, error: { code: 'invalid' } });
    expect(room.A.socket.connected).toBe(true);

    // A wrong key, a used invite and another room's key open nothing.
    expect(await connectError(server.url, { roomId: room.roomId, seatKey: other.keys.A })).toBe('unauthorized');
    expect(await connectError(server.url, { roomId: room.roomId, seatKey: 'x'.repeat(1000) })).toBe('unauthorized');
    expect(await connectError(server.url, { roomId: { $ne: null }, seatKey: room.keys.A })).toBe('room_not_found');
    const reuse = await api(server.url, `/api/rooms/${other.roomId}/join`, { json: { invite: 'A'.repeat(22), name: 'Eve' } });
    expect(reuse.status).toBe(403);
    const summary = await api(server.url, `/api/rooms/${room.roomId}/summary`, { seatKey: other.keys.B });
    expect(summary.status).toBe(401);

    expect(await Promise.all([snapshot('A'), snapshot('B'), snapshot('moderator')])).toEqual(before);
    // The socket still works: a good command goes through after all that.
    await room.A.ok({ type: 'advance', step: 'share' });
    await room.B.waitFor((s) => s.floor?.step === 'mirror');
  });

  it('closes a connection that sends more than 64 KiB, and the server stays up', async () => {
    const before = await snapshot('B');
    const member = await Member.connect(server.url, room.roomId, room.keys.B!);
    const closed = new Promise<string>((resolve) => member.socket.on('disconnect', (reason) => resolve(reason)));
    member.emitRaw({ id: 'megabyte-001', type: 'advance', step: 'z'.repeat(1024 * 1024) }, () => undefined);
    expect(await closed).toMatch(/transport (close|error)/);
    expect(await snapshot('B')).toEqual(before);
    expect((await api(server.url, '/api/health')).status).toBe(200);
  });

  it('applies a valid command sent without an ack callback', async () => {
    const fresh = await openRoom(server.url);
    await startDialogue(fresh);
    const rev = fresh.B.state.rev;
    fresh.A.emitRaw({ id: 'no-ack-good-1', type: 'advance', step: 'share' });
    const moved = await fresh.B.waitFor((s) => s.floor?.step === 'mirror');
    expect(moved.rev).toBe(rev + 1);
    fresh.close();
  });
});
