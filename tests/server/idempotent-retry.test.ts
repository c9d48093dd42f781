import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Member } from '../support/member';
import { openRoom, startDialogue } from '../support/room-setup';
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

describe('a command id makes a retry safe', () => {
  it('answers a replayed id with its first answer and applies it once, even from a new connection', async () => {
    const room = await openRoom(server.url);
    await startDialogue(room);
    const first = await room.A.send({ type: 'advance', step: 'share' }, 'retry-advance-1');
    expect(first.ok).toBe(true);
    await room.B.waitFor((s) => s.floor?.step === 'mirror');

    // The same id again, as a phone would after a dropped connection: same answer, nothing moves.
    expect(await room.A.send({ type: 'advance', step: 'share' }, 'retry-advance-1')).toEqual(first);
    const again = await Member.connect(server.url, room.roomId, room.keys.A!);
    expect(await again.send({ type: 'advance', step: 'share' }, 'retry-advance-1')).toEqual(first);
    expect(again.state.floor).toMatchObject({ step: 'mirror', turn: 1 });

    // Ids are per seat: B may use the same id for its own command.
    const mirror = await room.B.send({ type: 'advance', step: 'mirror' }, 'retry-advance-1');
    expect(mirror).toEqual({ ok: true, rev: (first as { rev: number }).rev + 1 });

    // Two repairs with one id count once; the replay keeps its first rev after later changes.
    const repair = await room.A.send({ type: 'repair', phrase: 'sorry.my-part' }, 'retry-repair-1');
    await room.A.ok({ type: 'check', result: 'more' });
    expect(await room.A.send({ type: 'repair', phrase: 'sorry.my-part' }, 'retry-repair-1')).toEqual(repair);
    const view = await room.B.waitFor((s) => s.floor?.step === 'share');
    expect(view.repairs).toHaveLength(1);
    again.close();
    room.close();
  });

  it('does not remember a rejected command: sent again, it is decided again', async () => {
    const room = await openRoom(server.url);
    await startDialogue(room);
    expect(await room.B.send({ type: 'flood', minutes: 3 }, 'retry-flood-01')).toMatchObject({ ok: false, error: { code: 'invalid' } });
    const accepted = await room.B.send({ type: 'flood' }, 'retry-flood-01');
    expect(accepted.ok).toBe(true);
    await room.A.waitFor((s) => s.break?.by === 'B');
    room.close();
  });

  it('applies concurrent commands one at a time', async () => {
    const room = await openRoom(server.url);
    const sends = Array.from({ length: 20 }, (_, i) =>
      room[i % 2 === 0 ? 'A' : 'B'].send({ type: 'repair', phrase: 'appreciate.trying' }, `concurrent-${i}`),
    );
    const acks = await Promise.all(sends);
    const revs = acks.map((ack) => (ack.ok ? ack.rev : -1)).sort((a, b) => a - b);
    // Every accepted change got its own revision.
    expect(new Set(revs).size).toBe(20);
    expect(revs[0]).toBeGreaterThan(0);
    const last = await room.A.waitFor((s) => s.repairs.length === 20);
    expect(last.rev).toBe(revs.at(-1));
    room.close();
  });
});
