import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../support/manual-clock';
import { openRoom, startDialogue } from '../support/room-setup';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const MINUTE = 60_000;
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

describe('the flooded break, driven by the injected clock', () => {
  it('freezes both screens, is protected, falls due at returnAt by itself, and resumes at the exact step', async () => {
    const room = await openRoom(server.url, { method: 'speaker-listener' });
    await startDialogue(room);
    await room.A.ok({ type: 'advance', step: 'share' });
    const before = await room.B.waitFor((s) => s.floor?.step === 'mirror');
    const startedAt = clock.now();

    // B, the listener, floods in the middle of the mirror and commits to 30 minutes.
    const floodRev = await room.B.ok({ type: 'flood', minutes: 30 });
    const [onA, onB] = await Promise.all(room.all.map((m) => m.waitFor((s) => s.rev === floodRev && s.break !== null)));
    for (const view of [onA!, onB!]) {
      expect(view.break).toEqual({
        by: 'B',
        startedAt,
        minUntil: startedAt + 20 * MINUTE,
        returnAt: startedAt + 30 * MINUTE,
        due: false,
        ready: { A: false, B: false },
      });
      expect(view.floor).toEqual(before.floor);
    }

    // Frozen: nothing moves the conversation; protected: A cannot shorten or end it.
    expect(await room.B.send({ type: 'advance', step: 'mirror' })).toMatchObject({ ok: false, error: { code: 'on_break' } });
    expect(await room.A.send({ type: 'wrapUp' })).toMatchObject({ ok: false, error: { code: 'on_break' } });
    expect(await room.A.send({ type: 'flood' })).toMatchObject({ ok: false, error: { code: 'on_break' } });
    expect(await room.A.send({ type: 'extendBreak', minutes: 60 })).toMatchObject({ ok: false, error: { code: 'break_protected' } });
    expect(await room.B.send({ type: 'ready' })).toMatchObject({ ok: false, error: { code: 'break_protected' } });
    expect(await room.B.send({ type: 'extendBreak', minutes: 10 })).toMatchObject({ ok: false, error: { code: 'invalid' } });

    // The other partner may say ready at any time; a repair goes through too.
    await room.A.ok({ type: 'ready' });
    await room.A.ok({ type: 'repair', phrase: 'calm.need-break' });
    const readyRev = (await room.B.waitFor((s) => s.break?.ready.A === true && s.repairs.length === 1)).rev;

    // Just before returnAt nothing happens; at returnAt `due` reaches both sockets with no client action.
    clock.set(startedAt + 30 * MINUTE - 1);
    clock.set(startedAt + 30 * MINUTE);
    const due = await Promise.all(room.all.map((m) => m.waitFor((s) => s.break?.due === true, 'due')));
    for (const view of due) {
      expect(view.rev).toBe(readyRev + 1);
      expect(view.timeline.at(-1)).toMatchObject({ kind: 'breakDue', at: startedAt + 30 * MINUTE });
    }

    // An extension clears `due` and keeps A's ready; the new deadline falls due in turn.
    clock.advance(2 * MINUTE);
    await room.B.ok({ type: 'extendBreak', minutes: 5 });
    const extended = await room.A.waitFor((s) => s.break?.due === false);
    expect(extended.break).toMatchObject({ returnAt: startedAt + 37 * MINUTE, ready: { A: true, B: false } });
    clock.set(startedAt + 37 * MINUTE);
    await Promise.all(room.all.map((m) => m.waitFor((s) => s.break?.due === true, 'due again')));

    // Both ready after the minimum: the talk resumes exactly where it stopped.
    const endRev = await room.B.ok({ type: 'ready' });
    const resumed = await Promise.all(room.all.map((m) => m.waitFor((s) => s.rev === endRev)));
    for (const view of resumed) {
      expect(view.break).toBeNull();
      expect(view.phase).toBe('dialogue');
      expect(view.floor).toEqual(before.floor);
    }
    await room.B.ok({ type: 'advance', step: 'mirror' });
    await room.A.waitFor((s) => s.floor?.step === 'check');
    room.close();
  });

  it('lets a due break be left with wrapUp, and a moderator end a break at once', async () => {
    const room = await openRoom(server.url, { moderated: true });
    await startDialogue(room);
    await room.A.ok({ type: 'flood' });
    await room.moderator!.ok({ type: 'endBreak' });
    await Promise.all(room.all.map((m) => m.waitFor((s) => s.break === null && s.phase === 'dialogue')));

    await room.A.ok({ type: 'flood' });
    clock.advance(20 * MINUTE);
    await room.B.waitFor((s) => s.break?.due === true);
    await room.B.ok({ type: 'wrapUp' });
    await Promise.all(room.all.map((m) => m.waitFor((s) => s.phase === 'closing' && s.break === null)));
    room.close();
  });
});
