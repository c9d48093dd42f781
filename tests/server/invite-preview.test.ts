import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody, InvitePreviewResponse } from '../../protocol';
import { api, createRoom, joinRoom } from '../support/api-client';
import { connectError, Member } from '../support/member';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const data = tempDataDir();
const guardedData = tempDataDir();
const limitedData = tempDataDir();
let server: TestServer;
/** Two servers whose failed-attempt and join limits are 3 a minute, one for each limit. */
let guarded: TestServer;
let limited: TestServer;
beforeAll(async () => {
  server = await startServer({ dataDir: data.dir });
  guarded = await startServer({ dataDir: guardedData.dir, config: { DUOLOGUE_HTTP_LIMIT: 3 } });
  limited = await startServer({ dataDir: limitedData.dir, config: { DUOLOGUE_HTTP_LIMIT: 3 } });
});
afterAll(async () => {
  await Promise.all([server.close(), guarded.close(), limited.close()]);
  for (const dir of [data, guardedData, limitedData]) dir.remove();
});

function preview(url: string, roomId: string, invite: unknown) {
  return api<unknown>(url, `/api/rooms/${roomId}/invite`, { json: { invite } });
}

async function previewOk(url: string, roomId: string, invite: string): Promise<InvitePreviewResponse> {
  const answer = await preview(url, roomId, invite);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  return InvitePreviewResponse.parse(answer.body);
}

describe('POST /api/rooms/:roomId/invite says what an invite opens, before a name is asked', () => {
  it("names the partner who invited, and says when the seat was claimed", async () => {
    const created = await createRoom(server.url, { name: 'Alex', topic: 'Evenings' });
    expect(await previewOk(server.url, created.roomId, created.invites.B!)).toEqual({
      seat: 'B',
      status: 'open',
      inviter: { name: 'Alex', role: 'partner' },
      partnerName: null,
      phase: 'lobby',
    });
    await joinRoom(server.url, created.roomId, created.invites.B!, 'Sam');
    expect(await previewOk(server.url, created.roomId, created.invites.B!)).toMatchObject({ seat: 'B', status: 'used', phase: 'checkin' });
  });

  it("names the moderator who invited, and the other partner once they are in", async () => {
    const created = await createRoom(server.url, { name: 'Dr. Weber', as: 'moderator' });
    expect(await previewOk(server.url, created.roomId, created.invites.A!)).toEqual({
      seat: 'A',
      status: 'open',
      inviter: { name: 'Dr. Weber', role: 'moderator' },
      partnerName: null,
      phase: 'lobby',
    });
    await joinRoom(server.url, created.roomId, created.invites.B!, 'Sam');
    expect(await previewOk(server.url, created.roomId, created.invites.A!)).toMatchObject({
      status: 'open',
      inviter: { name: 'Dr. Weber', role: 'moderator' },
      partnerName: 'Sam',
    });
  });

  it('says a talk has ended, and that a deleted one is gone', async () => {
    const created = await createRoom(server.url, { name: 'Alex' });
    const sam = await joinRoom(server.url, created.roomId, created.invites.B!, 'Sam');
    const a = await Member.connect(server.url, created.roomId, created.seatKey);
    const b = await Member.connect(server.url, created.roomId, sam.seatKey);
    await a.ok({ type: 'checkIn', calm: 6, tendency: 'pursue', safe: true });
    await b.ok({ type: 'checkIn', calm: 6, tendency: 'withdraw', safe: true });
    await a.waitFor((v) => v.phase === 'dialogue');
    await a.ok({ type: 'wrapUp' });
    await a.ok({ type: 'end' });
    a.close();
    b.close();
    expect(await previewOk(server.url, created.roomId, created.invites.B!)).toMatchObject({ status: 'used', phase: 'ended' });

    const gone = await createRoom(server.url, { name: 'Alex' });
    expect((await api(server.url, `/api/rooms/${gone.roomId}`, { method: 'DELETE', seatKey: gone.seatKey })).status).toBe(204);
    const answer = await preview(server.url, gone.roomId, gone.invites.B!);
    expect(answer.status).toBe(404);
    expect(ErrorBody.parse(answer.body).error.code).toBe('room_not_found');
  });

  it('reveals no name without one of the room\'s own invite codes', async () => {
    const created = await createRoom(server.url, { name: 'Alexandrine' });
    const other = await createRoom(server.url, { name: 'Other' });
    for (const [invite, status, code] of [
      ['W'.repeat(22), 403, 'invite_invalid'],
      [other.invites.B!, 403, 'invite_invalid'],
      [created.seatKey, 403, 'invite_invalid'],
      ['short', 400, 'invalid'],
      [undefined, 400, 'invalid'],
    ] as const) {
      const answer = await preview(server.url, created.roomId, invite);
      expect(answer.status).toBe(status);
      expect(ErrorBody.parse(answer.body).error.code).toBe(code);
      expect(JSON.stringify(answer.body)).not.toContain('Alexandrine');
    }
    const unknown = await preview(server.url, 'R'.repeat(22), created.invites.B!);
    expect(unknown.status).toBe(404);
    const extra = await api(server.url, `/api/rooms/${created.roomId}/invite`, { json: { invite: created.invites.B, name: 'x' } });
    expect(extra.status).toBe(400);
  });

  it('counts a wrong code as a failed attempt: over the limit even the right seat key is refused', async () => {
    const created = await guarded.app.rooms.create({ name: 'Alex' });
    for (let i = 0; i < 3; i += 1) expect((await preview(guarded.url, created.roomId, `${'W'.repeat(21)}${i}`)).status).toBe(403);
    // The handshake has no per-minute limit of its own: only the failures counted above refuse it.
    expect(await connectError(guarded.url, { roomId: created.roomId, seatKey: created.seatKey })).toBe('rate_limited');
  });

  it('is limited per address like a join, even with the right code', async () => {
    const created = await limited.app.rooms.create({ name: 'Alex' });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await preview(limited.url, created.roomId, created.invites.B!)).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
  });
});
