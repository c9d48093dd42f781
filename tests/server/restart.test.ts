import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { Member } from '../support/member';
import { openRoom, startDialogue } from '../support/room-setup';
import { startServer, tempDataDir } from '../support/test-server';

const MINUTE = 60_000;
const data = tempDataDir();
afterAll(() => data.remove());

describe('a restart on the same data directory', () => {
  it('restores rooms, seats and deadlines, and the clients carry on', async () => {
    const t0 = Date.now();
    const first = await startServer({ dataDir: data.dir, clock: new ManualClock(t0) });
    const soon = await openRoom(first.url, { moderated: true });
    await startDialogue(soon);
    await soon.A.ok({ type: 'advance', step: 'share' });
    await soon.B.ok({ type: 'flood', minutes: 25 });
    await soon.A.ok({ type: 'ready' });
    const later = await openRoom(first.url);
    await startDialogue(later);
    await later.A.ok({ type: 'flood', minutes: 60 });
    const repairAck = await later.A.send({ type: 'repair', phrase: 'calm.breathe' }, 'before-restart-1');
    expect(repairAck.ok).toBe(true);
    const soonBefore = await soon.B.waitFor((s) => s.break?.ready.A === true);
    const laterBefore = await later.B.waitFor((s) => s.break !== null && s.repairs.length === 1);
    const disconnected = new Promise((resolve) => soon.A.socket.on('disconnect', resolve));
    await first.close();
    await disconnected;

    // Thirty minutes later: `soon` is overdue and falls due at boot; `later` is scheduled.
    const clock = new ManualClock(t0 + 30 * MINUTE);
    const second = await startServer({ dataDir: data.dir, clock });
    try {
      const A = await Member.connect(second.url, soon.roomId, soon.keys.A!);
      const B = await Member.connect(second.url, soon.roomId, soon.keys.B!);
      const moderator = await Member.connect(second.url, soon.roomId, soon.keys.moderator!);
      const restored = await A.waitFor((s) => s.break?.due === true);
      expect(restored.rev).toBe(soonBefore.rev + 1);
      expect(restored.break).toEqual({ ...soonBefore.break, due: true });
      expect(restored.floor).toEqual(soonBefore.floor);
      expect(restored.seats.B).toMatchObject({ name: 'Ben', joined: true });

      // They carry on: B comes back, and the talk resumes at B's mirror.
      await B.ok({ type: 'ready' });
      const resumed = await moderator.waitFor((s) => s.break === null);
      expect(resumed.floor).toMatchObject({ speaker: 'A', step: 'mirror', turn: 1 });
      await B.ok({ type: 'advance', step: 'mirror' });
      await A.waitFor((s) => s.floor?.step === 'check');

      const laterA = await Member.connect(second.url, later.roomId, later.keys.A!);
      expect(laterA.state.break).toEqual(laterBefore.break);
      clock.set(laterBefore.break!.returnAt);
      await laterA.waitFor((s) => s.break?.due === true, 'the rescheduled deadline');
      // The replay record survived too: an old id answers its first answer and adds nothing.
      expect(await laterA.send({ type: 'repair', phrase: 'calm.breathe' }, 'before-restart-1')).toEqual(repairAck);
      await laterA.ok({ type: 'ready' });
      expect((await laterA.waitFor((s) => s.break?.ready.A === true)).repairs).toHaveLength(1);
      for (const member of [A, B, moderator, laterA]) member.close();
    } finally {
      await second.close();
    }
  });
});
