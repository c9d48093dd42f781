import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app';
import type { RoomStore } from '../../server/store/room-store';
import { openSqliteStore } from '../../server/store/sqlite-store';
import { createRoom, joinRoom } from '../support/api-client';
import { ManualClock } from '../support/manual-clock';
import { Member } from '../support/member';
import { TEST_CONFIG, tempDataDir } from '../support/test-server';

const data = tempDataDir();
afterAll(() => data.remove());

/**
 * A write that is stored but whose answer never arrives, as when a Redis reply is lost and
 * ioredis sends the script again: the second run finds the version moved on and answers
 * `conflict`. The host decides again; a join must not then refuse its own, already spent invite.
 */
describe('a stored write whose answer was lost', () => {
  let loseNextClaim = false;
  let lost = 0;
  let app: Awaited<ReturnType<typeof buildApp>>;
  let url: string;
  let real: RoomStore;

  beforeAll(async () => {
    real = openSqliteStore(`${data.dir}/app`);
    const store: RoomStore = {
      ...real,
      commit: async (change) => {
        const result = await real.commit(change);
        if (!loseNextClaim || change.claim === undefined || result !== 'committed') return result;
        loseNextClaim = false;
        lost += 1;
        // Stored, but the host hears what a resent script would answer.
        return 'conflict';
      },
    };
    app = await buildApp({ config: TEST_CONFIG, store, clock: new ManualClock(), clientDir: null });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const address = app.server.address();
    url = typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : '';
  });
  afterAll(() => app.close());

  it('answers a join with the key it stored, and that key opens the seat', async () => {
    const room = await createRoom(url, { name: 'Ann' });
    loseNextClaim = true;
    const joined = await joinRoom(url, room.roomId, room.invites.B!, 'Ben');
    expect(lost).toBe(1);
    expect(joined.seat).toBe('B');
    const ben = await Member.connect(url, room.roomId, joined.seatKey);
    expect(ben.state.seats.B).toMatchObject({ joined: true, name: 'Ben' });
    ben.close();
    // The invite is spent all the same: another join with it is refused.
    const again = await fetch(`${url}/api/rooms/${room.roomId}/join`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ invite: room.invites.B, name: 'Eve' }),
    });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe('invite_used');
  });
});
