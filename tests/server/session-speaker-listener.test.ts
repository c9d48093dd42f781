import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api } from '../support/api-client';
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

describe('a full speaker-listener session led by a moderator', () => {
  it('runs with pauses, floor and step changes, coaching and notes', async () => {
    const room = await openRoom(server.url, { method: 'speaker-listener', moderated: true, extra: { firstSpeaker: 'B' } });
    const mod = room.moderator!;
    expect(mod.state.seats.moderator).toMatchObject({ name: 'Mo', joined: true });
    expect(room.A.state.seats).toMatchObject({ A: { name: 'Ann' }, B: { name: 'Ben' } });

    await startDialogue(room);
    // The moderator sees both check-in answers; each partner only their own.
    expect(mod.state.checkin).toMatchObject({ A: { calm: 6 }, B: { calm: 4 } });
    expect(room.A.state.checkin).toMatchObject({ calm: 6 });
    expect(room.A.state.floor).toMatchObject({ speaker: 'B', step: 'share', turn: 1 });

    // B speaks, A mirrors, B confirms: speaker-listener goes from check straight to heard.
    await room.B.ok({ type: 'advance', step: 'share' });
    await room.A.ok({ type: 'advance', step: 'mirror' });
    await room.B.ok({ type: 'check', result: 'complete' });
    expect((await room.A.waitFor((s) => s.floor?.step === 'heard')).floor?.speaker).toBe('B');
    await room.B.ok({ type: 'advance', step: 'heard' });
    await room.A.waitFor((s) => s.floor?.speaker === 'A' && s.floor.turn === 2);

    // A pause freezes partner commands; a second pause is accepted and changes nothing.
    const pausedRev = await mod.ok({ type: 'pause' });
    expect(await mod.send({ type: 'pause' })).toEqual({ ok: true, rev: pausedRev });
    expect(await room.A.send({ type: 'advance', step: 'share' })).toMatchObject({ ok: false, error: { code: 'paused' } });
    await room.B.ok({ type: 'repair', phrase: 'calm.slow-down' });
    await mod.ok({ type: 'resume' });

    // A note is the moderator's alone: partners are sent nothing, and rev does not move.
    const before = { A: room.A.states.length, B: room.B.states.length, rev: mod.state.rev };
    await mod.ok({ type: 'note', text: 'Ben softened after the repair.' });
    const noted = await mod.waitFor((s) => s.notes.length === 1);
    expect(noted.rev).toBe(before.rev);
    await mod.ok({ type: 'coach', to: 'both', text: 'Take your time.' });
    await room.A.waitFor((s) => s.coach.length === 1);
    expect(room.A.states.length).toBe(before.A + 1);
    expect(room.A.state.notes).toEqual([]);
    expect(mod.state.coach).toEqual([expect.objectContaining({ to: 'both', text: 'Take your time.' })]);

    await mod.ok({ type: 'setStep', step: 'check' });
    await room.A.waitFor((s) => s.floor?.step === 'check' && s.floor.speaker === 'A');
    expect(await mod.send({ type: 'setStep', step: 'summary' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    await mod.ok({ type: 'setFloor', speaker: 'B' });
    const handed = await room.B.waitFor((s) => s.floor?.speaker === 'B' && s.floor.turn === 3);
    expect(handed.floor).toMatchObject({ step: 'share', clarifying: false });

    const endRev = await mod.ok({ type: 'end' });
    await Promise.all(room.all.map((m) => m.waitFor((s) => s.rev === endRev && s.phase === 'ended')));
    const summary = await api<{ partners: Record<'A' | 'B', { turns: number; repairs: number }> }>(
      server.url,
      `/api/rooms/${room.roomId}/summary`,
      { seatKey: room.keys.moderator! },
    );
    expect(summary.body.partners.B).toMatchObject({ turns: 2, repairs: 1 });
    expect(summary.body.partners.A).toMatchObject({ turns: 1, repairs: 0 });
    room.close();
  });
});
