import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../support/member';
import { openRoom } from '../support/room-setup';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const data = tempDataDir();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ dataDir: data.dir });
});
afterAll(async () => {
  await server.close();
  data.remove();
});

describe('presence and reconnection', () => {
  it('follows connections, counts several tabs per seat, and keeps the rev', async () => {
    const room = await openRoom(server.url, { moderated: true });
    const seen = await room.A.waitFor((s) => s.seats.B.online && s.seats.moderator?.online === true);
    const rev = seen.rev;

    const secondTab = await Member.connect(server.url, room.roomId, room.keys.B!);
    expect(secondTab.state).toMatchObject({ you: 'B', rev });
    const countBefore = room.A.states.length;
    room.B.close();
    // One of B's two tabs is still open: B stays online, and A is sent nothing new about it.
    await secondTab.send({ type: 'repair', phrase: 'appreciate.thank-you' });
    const afterRepair = await room.A.waitFor((s) => s.repairs.length === 1);
    expect(afterRepair.seats.B.online).toBe(true);
    expect(room.A.states.length).toBe(countBefore + 1);

    secondTab.close();
    const offline = await room.A.waitFor((s) => !s.seats.B.online);
    expect(offline.rev).toBe(afterRepair.rev);
    expect((await room.moderator!.waitFor((s) => !s.seats.B.online)).rev).toBe(afterRepair.rev);

    // A reconnect with the seat key gets the full state at once, and everyone sees B back.
    const back = await Member.connect(server.url, room.roomId, room.keys.B!);
    expect(back.state).toMatchObject({ you: 'B', rev: afterRepair.rev, phase: 'checkin' });
    expect(back.state.repairs).toHaveLength(1);
    await room.A.waitFor((s) => s.seats.B.online);
    back.close();
    room.close();
  });

  it('answers `time` with the server clock', async () => {
    const room = await openRoom(server.url);
    const before = Date.now();
    const { now } = await room.A.socket.timeout(2000).emitWithAck('time');
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    room.close();
  });
});
