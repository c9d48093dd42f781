import { afterAll, describe, expect, it } from 'vitest';
import { Member } from '../support/member';
import { openRoom, startDialogue } from '../support/room-setup';
import { spawnServer, type ServerProcess } from '../support/server-process';
import { tempDataDir } from '../support/test-server';

const data = tempDataDir();
const running: ServerProcess[] = [];
afterAll(async () => {
  await Promise.all(running.map((p) => p.kill('SIGKILL')));
  data.remove();
});

// One protocol minute is 100 ms here, so the 20-minute minimum is 2 s of real time.
const env = { DUOLOGUE_DATA_DIR: data.dir, DUOLOGUE_TIME_SCALE: '600' };

describe('the real server process killed with SIGKILL', () => {
  it('keeps every acknowledged change and the break deadlines', { timeout: 60_000 }, async () => {
    const first = await spawnServer(env);
    running.push(first);
    const room = await openRoom(first.url, { moderated: true });
    await startDialogue(room);
    await room.A.ok({ type: 'advance', step: 'share' });
    await room.B.ok({ type: 'flood', minutes: 30 });
    const acked = [
      await room.A.send({ type: 'ready' }),
      await room.A.send({ type: 'repair', phrase: 'calm.need-break' }),
      await room.moderator!.send({ type: 'note', text: 'Stayed calm.' }),
      await room.B.send({ type: 'repair', phrase: 'appreciate.trying' }),
    ];
    expect(acked.every((ack) => ack.ok)).toBe(true);
    const lastRev = Math.max(...acked.map((ack) => (ack.ok ? ack.rev : -1)));
    const startedAt = room.A.state.break?.startedAt ?? 0;
    // Killed right after the last ack, with no chance to flush or checkpoint.
    await first.kill('SIGKILL');
    room.close();

    const second = await spawnServer(env);
    running.push(second);
    const A = await Member.connect(second.url, room.roomId, room.keys.A!);
    const moderator = await Member.connect(second.url, room.roomId, room.keys.moderator!);
    const view = A.state;
    expect(view.rev).toBeGreaterThanOrEqual(lastRev);
    expect(view.break).toMatchObject({
      by: 'B',
      startedAt,
      minUntil: startedAt + 20 * 100,
      returnAt: startedAt + 30 * 100,
      ready: { A: true, B: false },
    });
    expect(view.repairs.map((r) => r.phrase)).toEqual(['calm.need-break', 'appreciate.trying']);
    expect(view.floor).toMatchObject({ speaker: 'A', step: 'mirror', turn: 1 });
    expect(moderator.state.notes.map((n) => n.text)).toEqual(['Stayed calm.']);
    // The deadline was restored: the break falls due by the server's own timer.
    await A.until(() => (A.state.break?.due === true ? true : undefined), 'the restored deadline');
    const B = await Member.connect(second.url, room.roomId, room.keys.B!);
    await B.ok({ type: 'ready' });
    await A.waitFor((s) => s.break === null && s.floor?.step === 'mirror');
    for (const member of [A, B, moderator]) member.close();
    await second.kill('SIGTERM');
    expect(second.child.exitCode).toBe(0);
  });
});
