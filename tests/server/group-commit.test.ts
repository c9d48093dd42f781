import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom } from '../../protocol';
import { buildApp } from '../../server/app';
import type { RoomStore } from '../../server/store/room-store';
import { openSqliteStore } from '../../server/store/sqlite-store';
import { Member } from '../support/member';
import { openRoom, startDialogue } from '../support/room-setup';
import { ManualClock } from '../support/manual-clock';
import { TEST_CONFIG, tempDataDir } from '../support/test-server';

const data = tempDataDir();
afterAll(() => data.remove());

describe('grouped commits', () => {
  it.each(['inline', 'thread'] as const)('writes the commits of one turn in one transaction, and answers each one apart (writes %s)', async (writer) => {
    const store = openSqliteStore(`${data.dir}/store-${writer}`, { writer });
    const rooms = ['X', 'Y', 'Z'].map((c, i) => createRoom({ name: 'Ann', id: c.repeat(22), minuteMs: 60_000 }, 1000 + i).room);
    for (const room of rooms) await store.insertRoom({ room, deadline: null, seatKeys: [], invites: [] });
    const [x, y, z] = rooms as [(typeof rooms)[0], (typeof rooms)[0], (typeof rooms)[0]];
    const accepted = (commandId: string) => ({ seat: 'A' as const, commandId, rev: 1 });
    // Asked in one turn: Y decided on a version it never had, and Z records the same command id twice
    // (the second is answered as a replay of the first, which it meets in the same transaction).
    const answers = await Promise.allSettled([
      store.commit({ roomId: x.id, expectedVersion: 1, room: { ...x, topic: 'x' }, deadline: null, acceptedCommand: accepted('group-x-1') }),
      store.commit({ roomId: y.id, expectedVersion: 7, room: { ...y, topic: 'y' }, deadline: null, acceptedCommand: accepted('group-y-1') }),
      store.commit({ roomId: z.id, expectedVersion: 1, room: null, deadline: null, acceptedCommand: accepted('group-z-1') }),
      store.commit({ roomId: z.id, expectedVersion: 1, room: null, deadline: null, acceptedCommand: accepted('group-z-1') }),
    ]);
    expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : 'error'))).toEqual(['committed', 'conflict', 'committed', { replayed: 1 }]);
    expect((await store.loadRoom(x.id))?.room.topic).toBe('x');
    expect((await store.loadRoom(y.id))?.room.topic).not.toBe('y');
    expect(await store.acceptedCommand(y.id, 'A', 'group-y-1')).toBeNull();
    expect(await store.acceptedCommand(z.id, 'A', 'group-z-1')).toBe(1);
    await store.close();
  });

  describe('a failed commit', () => {
    let failNext = false;
    const clock = new ManualClock();
    let app: Awaited<ReturnType<typeof buildApp>>;
    let url: string;
    beforeAll(async () => {
      const real = openSqliteStore(`${data.dir}/app`);
      const store: RoomStore = {
        ...real,
        commit: (change) => {
          if (!failNext) return real.commit(change);
          failNext = false;
          return Promise.reject(new Error('disk full (a test)'));
        },
      };
      app = await buildApp({ config: TEST_CONFIG, store, clock, clientDir: null });
      await app.listen({ port: 0, host: '127.0.0.1' });
      const address = app.server.address();
      url = typeof address === 'object' && address !== null ? `http://127.0.0.1:${address.port}` : '';
    });
    afterAll(() => app.close());

    it('answers internal, sends no state and keeps nothing of the change in memory', async () => {
      const room = await openRoom(url);
      await startDialogue(room);
      const rev = room.A.state.rev;
      const seen = room.B.states.length;
      failNext = true;
      const failed = await room.A.send({ type: 'advance', step: 'share' }, 'failed-commit-1');
      expect(failed).toMatchObject({ ok: false, error: { code: 'internal' } });
      // The next command is decided on what is stored: the same step, the same rev.
      expect(await room.A.send({ type: 'advance', step: 'share', rev }, 'failed-commit-2')).toEqual({ ok: true, rev: rev + 1 });
      const after = await room.B.waitFor((s) => s.floor?.step === 'mirror');
      expect(after.rev).toBe(rev + 1);
      expect(room.B.states.length).toBe(seen + 1);
      const fresh = await Member.connect(url, room.roomId, room.keys.B!);
      expect(fresh.state.rev).toBe(rev + 1);
      fresh.close();
      room.close();
    });

    it('still gives a retried command its first answer while the store cannot write', async () => {
      const room = await openRoom(url);
      await startDialogue(room);
      const first = await room.A.send({ type: 'repair', phrase: 'sorry.my-part' }, 'failed-retry-1');
      expect(first.ok).toBe(true);
      // The machine would accept the repair again, so the retry goes to a commit, and that commit fails.
      failNext = true;
      expect(await room.A.send({ type: 'repair', phrase: 'sorry.my-part' }, 'failed-retry-1')).toEqual(first);
      expect(failNext).toBe(false);
      // A new command in the same state is still refused with internal when its commit fails.
      failNext = true;
      expect(await room.A.send({ type: 'repair', phrase: 'sorry.my-part' }, 'failed-retry-2')).toMatchObject({ ok: false, error: { code: 'internal' } });
      room.close();
    });

    it('tries a deadline whose commit failed again, so the break still comes due', async () => {
      const room = await openRoom(url);
      await startDialogue(room);
      expect(await room.A.send({ type: 'flood' }, 'failed-deadline-1')).toMatchObject({ ok: true });
      const onBreak = await room.B.waitFor((s) => s.break !== null);
      failNext = true;
      clock.advance(onBreak.break!.returnAt - clock.now());
      // The first try fails (the store refused it); a second one a moment later is stored.
      await expect.poll(() => failNext).toBe(false);
      expect(room.B.state.break?.due).toBe(false);
      clock.advance(1000);
      const due = await room.B.waitFor((s) => s.break?.due === true);
      expect(due.rev).toBe(onBreak.rev + 1);
      room.close();
    });
  });
});
