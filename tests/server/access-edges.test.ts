import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, createRoom } from '../support/api-client';
import { connectError, Member } from '../support/member';
import { ManualClock } from '../support/manual-clock';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const DAY = 24 * 60 * 60 * 1000;
const data = tempDataDir();
const clock = new ManualClock();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ dataDir: data.dir, clock });
});
afterAll(async () => {
  await server.close();
  data.remove();
});

describe('who gets in at the edges', () => {
  it('treats a room past its TTL as gone at once, before the hourly sweep', async () => {
    const room = await createRoom(server.url, { name: 'Ann', topic: 'Holidays' });
    const summary = () => api(server.url, `/api/rooms/${room.roomId}/summary`, { seatKey: room.seatKey });
    clock.advance(30 * DAY - 60_000);
    expect((await summary()).status).toBe(200);
    clock.advance(2 * 60_000);
    const answer = await summary();
    expect(answer.status).toBe(404);
    expect(answer.body).toMatchObject({ error: { code: 'room_not_found' } });
    expect(await connectError(server.url, { roomId: room.roomId, seatKey: room.seatKey })).toBe('room_not_found');
    const join = await api(server.url, `/api/rooms/${room.roomId}/join`, { json: { invite: room.invites.B, name: 'Ben' } });
    expect(join.status).toBe(404);
  });

  it('takes no command on a socket opened before the room expired, and the room stays gone', async () => {
    // A TTL of about 4 s, so that the room expires long before the hourly sweep would come.
    const shortData = tempDataDir();
    const shortClock = new ManualClock();
    const short = await startServer({ dataDir: shortData.dir, clock: shortClock, config: { DUOLOGUE_ROOM_TTL_DAYS: 0.00005 } });
    const room = await createRoom(short.url, { name: 'Ann' });
    const joined = await api<{ seatKey: string }>(short.url, `/api/rooms/${room.roomId}/join`, { json: { invite: room.invites.B, name: 'Ben' } });
    const [a, b] = await Promise.all([Member.connect(short.url, room.roomId, room.seatKey), Member.connect(short.url, room.roomId, joined.body.seatKey)]);
    try {
      shortClock.advance(10_000);
      const ack = await a.send({ type: 'checkIn', calm: 5, tendency: 'pursue', safe: true });
      expect(ack).toMatchObject({ ok: false, error: { code: 'room_not_found' } });
      // Its expiry went ahead at once: both sockets hear the room is gone, and nothing brought it back.
      await a.until(() => (a.deletedCount > 0 ? true : undefined), 'the deletion at A');
      await b.until(() => (b.deletedCount > 0 ? true : undefined), 'the deletion at B');
      expect((await api(short.url, `/api/rooms/${room.roomId}/summary`, { seatKey: room.seatKey })).status).toBe(404);
    } finally {
      a.close();
      b.close();
      await short.close();
      shortData.remove();
    }
  });

  it('refuses an unused invite once the talk has ended, and changes nothing', async () => {
    const room = await createRoom(server.url, { name: 'Mo', as: 'moderator' });
    const moderator = await Member.connect(server.url, room.roomId, room.seatKey);
    await moderator.ok({ type: 'end' });
    const ended = await moderator.waitFor((s) => s.phase === 'ended', 'ended');
    const join = await api(server.url, `/api/rooms/${room.roomId}/join`, { json: { invite: room.invites.A, name: 'Ann' } });
    expect(join.status).toBe(403);
    expect(join.body).toMatchObject({ error: { code: 'invite_invalid' } });
    const summary = await api<{ partners: unknown }>(server.url, `/api/rooms/${room.roomId}/summary`, { seatKey: room.seatKey });
    expect(summary.status).toBe(200);
    // The seat stayed open and the revision did not move.
    const again = await Member.connect(server.url, room.roomId, room.seatKey);
    const view = await again.waitFor((s) => s.phase === 'ended', 'state');
    expect(view.seats.A.joined).toBe(false);
    expect(view.rev).toBe(ended.rev);
    moderator.close();
    again.close();
  });

  it('reads the Bearer scheme whatever its case', async () => {
    const room = await createRoom(server.url, { name: 'Ann' });
    for (const scheme of ['bearer', 'BEARER', 'Bearer']) {
      const answer = await api(server.url, `/api/rooms/${room.roomId}/summary`, {
        headers: { authorization: `${scheme} ${room.seatKey}` },
      });
      expect(answer.status, scheme).toBe(200);
    }
  });
});
