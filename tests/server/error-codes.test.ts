import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../protocol';
import { api, createRoom } from '../support/api-client';
import { connectError } from '../support/member';
import { openRoom, startDialogue } from '../support/room-setup';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const data = tempDataDir();
const limitedData = tempDataDir();
let server: TestServer;
let limited: TestServer;
beforeAll(async () => {
  server = await startServer({ dataDir: data.dir });
  limited = await startServer({ dataDir: limitedData.dir, config: { DUOLOGUE_COMMAND_LIMIT: 3 } });
});
afterAll(async () => {
  await Promise.all([server.close(), limited.close()]);
  data.remove();
  limitedData.remove();
});

/** Asserts the one error shape of the API, with a sentence in it. */
function expectError(response: { status: number; body: unknown }, status: number, code: string): void {
  expect(response.status).toBe(status);
  const body = ErrorBody.parse(response.body);
  expect(body.error.code).toBe(code);
  expect(body.error.message).toMatch(/^[A-Z].{10,}[.!]$/);
}

describe('every command error code over the socket', () => {
  it('answers each code with a sentence', async () => {
    const room = await openRoom(server.url, { moderated: true });
    const refused = async (send: Promise<unknown>, code: string) => {
      const ack = (await send) as { ok: boolean; error?: { code: string; message: string } };
      expect(ack.ok).toBe(false);
      expect(ack.error?.code).toBe(code);
      expect(ack.error?.message.length).toBeGreaterThan(10);
    };
    await refused(room.A.send({ type: 'ready' }), 'wrong_phase');
    await startDialogue(room);
    await refused(room.A.sendRaw({ id: 'bad-step-1', type: 'advance', step: 'dance' }), 'invalid');
    await refused(room.A.sendRaw({ id: 'unknown-1', type: 'dance' }), 'unknown_command');
    await refused(room.A.send({ type: 'pause' }), 'forbidden');
    await refused(room.moderator!.send({ type: 'flood' }), 'forbidden');
    await refused(room.B.send({ type: 'advance', step: 'share' }), 'not_your_turn');
    await refused(room.A.send({ type: 'advance', step: 'mirror' }), 'wrong_step');
    await refused(room.A.send({ type: 'advance', step: 'share', rev: 0 }), 'stale');
    await room.moderator!.ok({ type: 'pause' });
    await refused(room.A.send({ type: 'advance', step: 'share' }), 'paused');
    await room.moderator!.ok({ type: 'resume' });
    await room.B.ok({ type: 'flood' });
    await refused(room.A.send({ type: 'advance', step: 'share' }), 'on_break');
    await refused(room.A.send({ type: 'extendBreak', minutes: 60 }), 'break_protected');
    await room.moderator!.ok({ type: 'end' });
    await refused(room.A.send({ type: 'repair', phrase: 'sorry.too-harsh' }), 'ended');
    room.close();
  });

  it('limits commands per seat, counting rejected ones too', async () => {
    const room = await openRoom(limited.url);
    await room.A.ok({ type: 'repair', phrase: 'sorry.too-harsh' });
    expect((await room.A.send({ type: 'ready' })).ok).toBe(false);
    await room.A.ok({ type: 'repair', phrase: 'sorry.my-part' });
    expect(await room.A.send({ type: 'repair', phrase: 'sorry.try-again' })).toMatchObject({
      ok: false,
      error: { code: 'rate_limited' },
    });
    // The limit is per seat: B is not held back by A.
    await room.B.ok({ type: 'repair', phrase: 'appreciate.trying' });
    expect((await room.B.waitFor((v) => v.repairs.length === 3)).repairs.map((r) => r.by)).toEqual(['A', 'A', 'B']);
    room.close();
  });
});

describe('every HTTP error code', () => {
  it('refuses bad creations and joins', async () => {
    expectError(await api(server.url, '/api/rooms', { json: {} }), 400, 'invalid');
    expectError(await api(server.url, '/api/rooms', { json: { name: 'Ann', colour: 'red' } }), 400, 'invalid');
    expectError(await api(server.url, '/api/rooms', { json: { name: '   ' } }), 400, 'invalid');
    expectError(await api(server.url, '/api/rooms', { json: { name: 'Ann', breakMinutes: 4 } }), 400, 'invalid');
    expectError(await api(server.url, '/api/rooms', { raw: '{"name":' }), 400, 'invalid');
    expectError(await api(server.url, '/api/rooms', { json: { name: 'Ann', topic: 'x'.repeat(17_000) } }), 413, 'invalid');
    expectError(
      await api(server.url, '/api/rooms', { raw: '<name>Ann</name>', headers: { 'content-type': 'application/xml' } }),
      415,
      'invalid',
    );

    const created = await createRoom(server.url, { name: 'Ann' });
    const join = (roomId: string, invite: string) => api(server.url, `/api/rooms/${roomId}/join`, { json: { invite, name: 'Ben' } });
    expectError(await api(server.url, `/api/rooms/${created.roomId}/join`, { json: { name: 'Ben' } }), 400, 'invalid');
    expectError(await join('A'.repeat(22), created.invites.B!), 404, 'room_not_found');
    expectError(await join('not-a-room', created.invites.B!), 404, 'room_not_found');
    expectError(await join(created.roomId, 'B'.repeat(22)), 403, 'invite_invalid');
    expect((await join(created.roomId, created.invites.B!)).status).toBe(200);
    expectError(await join(created.roomId, created.invites.B!), 409, 'invite_used');
  });

  it('refuses names and topics a partner could not read, saying which field', async () => {
    const created = await createRoom(server.url, { name: 'Ann' });
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['a name of zero-width spaces', { name: '\u200B\u200B' }, 'name'],
      ['a name with a right-to-left override', { name: 'Ann\u202Etxt.exe' }, 'name'],
      ['a name with NUL and BEL', { name: 'Ann\u0000\u0007' }, 'name'],
      ['a topic with an isolate', { name: 'Ann', topic: 'Money\u2066' }, 'topic'],
    ];
    for (const [what, body, field] of cases) {
      const response = await api<ErrorBody>(server.url, '/api/rooms', { json: body });
      expectError(response, 400, 'invalid');
      expect(response.body.error.message, what).toMatch(new RegExp(`^The field "${field}" is not valid: a ${field} `));
    }
    const joined = await api<ErrorBody>(server.url, `/api/rooms/${created.roomId}/join`, { json: { invite: created.invites.B, name: 'Ben\u200F' } });
    expectError(joined, 400, 'invalid');
    expect(joined.body.error.message).toMatch(/^The field "name" is not valid: a name cannot hold control characters/);
    // The invite was not spent on a refused name.
    expect((await api(server.url, `/api/rooms/${created.roomId}/join`, { json: { invite: created.invites.B, name: 'Ben' } })).status).toBe(200);
  });

  it('guards summary, calendar and deletion with the seat key', async () => {
    const one = await createRoom(server.url, { name: 'Ann' });
    const other = await createRoom(server.url, { name: 'Cat' });
    const summary = (roomId: string, seatKey?: string) => api(server.url, `/api/rooms/${roomId}/summary`, { seatKey });
    expectError(await summary(one.roomId), 401, 'unauthorized');
    expectError(await summary(one.roomId, 'C'.repeat(22)), 401, 'unauthorized');
    expectError(await summary(one.roomId, other.seatKey), 401, 'unauthorized');
    expectError(await summary('D'.repeat(22), one.seatKey), 404, 'room_not_found');
    expect((await summary(one.roomId, one.seatKey)).status).toBe(200);
    expectError(
      await api(server.url, `/api/rooms/${one.roomId}/summary`, { headers: { authorization: `Basic ${one.seatKey}` } }),
      401,
      'unauthorized',
    );

    expectError(await api(server.url, `/api/rooms/${one.roomId}/appointment.ics`, { seatKey: one.seatKey }), 404, 'no_appointment');
    expectError(await api(server.url, `/api/rooms/${one.roomId}/appointment.ics`), 401, 'unauthorized');

    const del = (roomId: string, seatKey?: string) => api(server.url, `/api/rooms/${roomId}`, { method: 'DELETE', seatKey });
    expectError(await del(one.roomId, other.seatKey), 401, 'unauthorized');
    expect((await del(one.roomId, one.seatKey)).status).toBe(204);
    expectError(await del(one.roomId, one.seatKey), 404, 'room_not_found');
    expectError(await summary(one.roomId, one.seatKey), 404, 'room_not_found');
  });

  it('answers unknown addresses, health and the repair catalog', async () => {
    expectError(await api(server.url, '/api/nothing-here'), 404, 'not_found');
    expectError(await api(server.url, '/api/rooms', { method: 'PUT', json: {} }), 404, 'not_found');
    expect(await api(server.url, '/api/health')).toMatchObject({ status: 200, body: { ok: true } });
    const repairs = await api<Array<{ id: string; group: string }>>(server.url, '/api/repairs');
    expect(repairs.body).toEqual(
      expect.arrayContaining([
        { id: 'calm.need-break', group: 'calm' },
        { id: 'sorry.too-harsh', group: 'sorry' },
        { id: 'appreciate.thank-you', group: 'appreciate' },
      ]),
    );
  });

  it('limits creations and joins per address', async () => {
    const dir = tempDataDir();
    const strict = await startServer({ dataDir: dir.dir, config: { DUOLOGUE_HTTP_LIMIT: 2 } });
    try {
      const first = await createRoom(strict.url, { name: 'Ann' });
      expect((await api(strict.url, `/api/rooms/${first.roomId}/join`, { json: { invite: first.invites.B, name: 'Ben' } })).status).toBe(200);
      const over = await api(strict.url, '/api/rooms', { json: { name: 'Ann' } });
      expectError(over, 429, 'rate_limited');
      const wait = Number(over.headers.get('retry-after'));
      expect(wait).toBeGreaterThan(0);
      // The sentence names the same wait, not the command limit's "a few seconds".
      expect(over.body).toMatchObject({ error: { message: `Too many new talks or joins from this address. Try again in ${wait} seconds.` } });
      // Reading is not limited.
      expect((await api(strict.url, '/api/health')).status).toBe(200);
    } finally {
      await strict.close();
      dir.remove();
    }
  });
});

describe('the socket handshake', () => {
  it('refuses a wrong key, another room\'s key and an unknown room', async () => {
    const one = await createRoom(server.url, { name: 'Ann' });
    const other = await createRoom(server.url, { name: 'Cat' });
    expect(await connectError(server.url, { roomId: one.roomId, seatKey: other.seatKey })).toBe('unauthorized');
    expect(await connectError(server.url, { roomId: one.roomId, seatKey: 'E'.repeat(22) })).toBe('unauthorized');
    expect(await connectError(server.url, { roomId: one.roomId })).toBe('unauthorized');
    expect(await connectError(server.url, {})).toBe('room_not_found');
    expect(await connectError(server.url, { roomId: 'F'.repeat(22), seatKey: one.seatKey })).toBe('room_not_found');
  });
});
