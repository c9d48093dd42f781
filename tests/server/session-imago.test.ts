import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Summary } from '../../protocol';
import { api } from '../support/api-client';
import { openRoom, startDialogue, type OpenRoom } from '../support/room-setup';
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

/** Waits until every member holds a state with this rev, and returns A's. */
async function settled(room: OpenRoom, rev: number) {
  const views = await Promise.all(room.all.map((m) => m.waitFor((s) => s.rev >= rev, `rev ${rev}`)));
  return views[0]!;
}

describe('a full imago session with a moderator watching', () => {
  it('runs from the lobby to the summary', async () => {
    const room = await openRoom(server.url, { method: 'imago', moderated: true });
    expect(room.A.state.phase).toBe('checkin');
    expect(room.A.state.you).toBe('A');
    expect(room.moderator!.state.you).toBe('moderator');
    expect(room.A.state.seats.B).toMatchObject({ name: 'Ben', joined: true });

    // A's answer stays private until it is a visible "done"; the moderator sees it at once.
    await room.A.ok({ type: 'checkIn', calm: 3, tendency: 'pursue', safe: false });
    const modView = await room.moderator!.waitFor((s) => s.checkin !== null && 'A' in s.checkin && s.checkin.A !== null);
    expect(modView.checkin).toMatchObject({ A: { calm: 3, safe: false } });
    expect(room.B.state.seats.A.checkedIn).toBe(false);
    expect(room.B.state.checkin).toBeNull();

    await startDialogue(room);
    let floor = room.A.state.floor!;
    expect(floor).toMatchObject({ speaker: 'A', listener: 'B', step: 'share', turn: 1 });

    // One whole imago turn for A, with a missed mirror on the way.
    const turn = async (speaker: OpenRoom['A'], listener: OpenRoom['A'], missed: boolean) => {
      await speaker.ok({ type: 'advance', step: 'share' });
      await listener.ok({ type: 'advance', step: 'mirror' });
      if (missed) {
        await speaker.ok({ type: 'check', result: 'missed' });
        const clarifying = await listener.waitFor((s) => s.floor?.clarifying === true);
        expect(clarifying.floor?.step).toBe('share');
        await speaker.ok({ type: 'advance', step: 'share' });
        await listener.ok({ type: 'advance', step: 'mirror' });
      }
      await speaker.ok({ type: 'check', result: 'complete' });
      await listener.ok({ type: 'advance', step: 'summary' });
      await listener.ok({ type: 'advance', step: 'validate' });
      await listener.ok({ type: 'advance', step: 'empathize' });
      return speaker.ok({ type: 'advance', step: 'heard' });
    };
    let rev = await turn(room.A, room.B, true);
    floor = (await settled(room, rev)).floor!;
    expect(floor).toMatchObject({ speaker: 'B', listener: 'A', step: 'share', turn: 2, clarifying: false });

    await room.moderator!.ok({ type: 'coach', to: 'B', text: 'Slow down a little.' });
    const coached = await room.B.waitFor((s) => s.coach.length === 1);
    expect(coached.coach[0]?.text).toBe('Slow down a little.');
    expect(room.A.state.coach).toEqual([]);

    rev = await turn(room.B, room.A, false);
    await settled(room, rev);
    await room.A.ok({ type: 'repair', phrase: 'appreciate.thank-you' });
    await room.B.ok({ type: 'wrapUp' });
    await room.A.ok({ type: 'proposeTime', at: new Date(Date.now() + 86_400_000).toISOString() });
    await room.B.ok({ type: 'acceptTime' });
    rev = await room.A.ok({ type: 'end' });
    const ended = await settled(room, rev);
    expect(ended.phase).toBe('ended');
    expect(ended.appointment?.accepted).toBe(true);
    expect(ended.repairs).toEqual([expect.objectContaining({ by: 'A', phrase: 'appreciate.thank-you' })]);
    expect(room.moderator!.state.phase).toBe('ended');

    const summary = await api(server.url, `/api/rooms/${room.roomId}/summary`, { seatKey: room.keys.B! });
    expect(summary.status).toBe(200);
    const parsed = Summary.parse(summary.body);
    expect(parsed.partners.A).toMatchObject({ turns: 2, missedMirrors: 0, repairs: 1 });
    expect(parsed.partners.B).toMatchObject({ turns: 1, missedMirrors: 1, repairs: 0 });
    expect(parsed.endedAt).not.toBeNull();
    expect(JSON.stringify(summary.body)).not.toMatch(/Ann|Ben|dishes/);

    const ics = await api<string>(server.url, `/api/rooms/${room.roomId}/appointment.ics`, { seatKey: room.keys.A! });
    expect(ics.status).toBe(200);
    expect(ics.headers.get('content-type')).toContain('text/calendar');
    expect(ics.body).toContain('BEGIN:VEVENT');
    expect(ics.body).not.toMatch(/Ann|Ben|dishes/);
    room.close();
  });
});
