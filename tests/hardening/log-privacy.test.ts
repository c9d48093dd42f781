import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../server/logger';
import { ManualClock } from '../support/manual-clock';
import { logSink, startServer, tempDataDir, type TestServer } from '../support/test-server';
import { rawRequest } from '../support/raw-http';
import { Member, openModeratedRoom, request } from './support/wire';

/** Words that must never reach a log line: every one of them is unique to this test. */
const WORDS = {
  nameA: 'Avery-Lq7Name',
  nameB: 'Blake-Lq7Name',
  nameModerator: 'Morgan-Lq7Name',
  topic: 'Topic-Lq7-the-money-we-owe',
  coach: 'Coach-Lq7-breathe-first',
  coachB: 'Coach-Lq7-for-blake',
  note: 'Note-Lq7-they-seem-flooded',
};

const { lines, stream: sink } = logSink();
const data = tempDataDir();
const clock = new ManualClock(Date.UTC(2026, 10, 25, 9, 0, 0));
let server: TestServer;

beforeAll(async () => {
  // Trace: the most the logger can say. The command limit is low enough to reach `rate_limited`.
  server = await startServer({
    dataDir: data.dir,
    clock,
    config: { DUOLOGUE_COMMAND_LIMIT: 40 },
    logger: createLogger('trace', sink) as FastifyBaseLogger,
  });
});
afterAll(async () => {
  await server.close();
  data.remove();
});

describe('a person reading the server logs', () => {
  it('finds ids, seats, command types and outcomes from a whole session, and never its words or secrets', async () => {
    const url = server.url;
    const created = await openModeratedRoom(url, { A: WORDS.nameA, B: WORDS.nameB, moderator: WORDS.nameModerator }, { topic: WORDS.topic, breakMinutes: 5 });
    const secrets: string[] = created.secrets;
    const A = new Member(url, created.roomId, 'A', created.keys.A);
    const B = new Member(url, created.roomId, 'B', created.keys.B);
    const M = new Member(url, created.roomId, 'moderator', created.keys.moderator);
    const all = [A, B, M];
    try {
      await Promise.all(all.map((m) => m.connected()));
      const ok = async (member: Member, command: Parameters<Member['send']>[0]): Promise<void> => {
        const ack = await member.send(command);
        expect(ack, `${member.seat} ${command.type}`).toMatchObject({ ok: true });
      };
      await ok(A, { type: 'checkIn', calm: 4, tendency: 'pursue', safe: true });
      await ok(B, { type: 'checkIn', calm: 6, tendency: 'withdraw', safe: true });
      await ok(M, { type: 'coach', to: 'both', text: WORDS.coach });
      await ok(M, { type: 'coach', to: 'B', text: WORDS.coachB });
      await ok(M, { type: 'note', text: WORDS.note });
      await ok(A, { type: 'advance', step: 'share' });
      await ok(B, { type: 'advance', step: 'mirror' });
      await ok(A, { type: 'check', result: 'missed' });
      await ok(B, { type: 'flood' });
      clock.advance(5 * 60_000);
      await B.waitFor((m) => m.state?.break?.due === true, 'the break to be due');
      await ok(A, { type: 'ready' });
      await ok(B, { type: 'ready' });
      await ok(A, { type: 'repair', phrase: 'appreciate.thank-you' });
      await ok(A, { type: 'wrapUp' });
      await ok(B, { type: 'proposeTime', at: new Date(clock.now() + 86_400_000).toISOString() });
      await ok(A, { type: 'acceptTime' });
      expect((await request(url, 'GET', `/api/rooms/${created.roomId}/appointment.ics`, { key: created.keys.A })).status).toBe(200);
      expect((await request(url, 'GET', `/api/rooms/${created.roomId}/summary`, { key: created.keys.B })).status).toBe(200);

      // Hostile input that carries the words where a careless log line would echo them.
      await A.emitRaw({ id: 'abcdefgh12', type: WORDS.nameA });
      await A.emitRaw({ id: WORDS.topic, type: 'note', text: WORDS.note });
      await A.emitRaw({ id: 'abcdefgh12', type: 'advance', step: 'share', [WORDS.nameB]: WORDS.topic });
      await request(url, 'POST', '/api/rooms', { body: { name: WORDS.nameA, topic: WORDS.topic, [WORDS.coach]: 1 } });
      await request(url, 'POST', `/api/rooms/${created.roomId}/join`, { body: { invite: created.invites.B, name: WORDS.nameB } });
      await request(url, 'POST', `/api/rooms/${created.roomId}/join?invite=${created.invites.B}&name=${WORDS.nameB}`, {
        body: { invite: 'x', name: WORDS.nameB },
      });
      await request(url, 'GET', `/api/rooms/${created.roomId}/summary?key=${created.keys.B}`, { key: `${created.keys.B}x` });
      await request(url, 'GET', `/${WORDS.topic}/${created.keys.B}`);
      // Words, or a seat key sent in the room id's place (a client that swapped its arguments), in a real route's path.
      await request(url, 'GET', `/api/rooms/${encodeURIComponent(`${WORDS.nameA} ${WORDS.topic}`)}/summary`, { key: created.keys.B });
      await request(url, 'POST', `/api/rooms/${created.keys.A}/join`, { body: { invite: created.invites.B, name: 'x' } });
      await request(url, 'GET', `/api/rooms/${created.keys.moderator}/summary`, { key: created.keys.moderator });
      await request(url, 'POST', '/api/rooms', { body: `{"name":"${WORDS.nameA}",`, headers: { 'content-type': 'application/json' } });
      // Requests Node's HTTP parser refuses before any route sees them, and headers over the
      // limit: the raw bytes hold the seat key, an invite and a name.
      const refused = [
        `GET /api/rooms/${created.roomId}/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${created.keys.B}\r\nBad Header: ${WORDS.topic}\r\n\r\n`,
        `POST /api/rooms/${created.roomId}/join HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n` +
          `Content-Length: 80\r\nTransfer-Encoding: chunked\r\n\r\n{"invite":"${created.invites.B}","name":"${WORDS.nameB}"}`,
        `GET /api/rooms/${created.roomId}/summary HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${created.keys.moderator}\r\n` +
          `X-Note: ${WORDS.note} ${'n'.repeat(20_000)}\r\n\r\n`,
        `GET /${WORDS.coach}/${created.keys.B}%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`,
      ];
      const statuses = [];
      for (const text of refused) statuses.push((await rawRequest(url, text)).status);
      expect(statuses).toEqual([400, 400, 431, 400]);
      // Over the command limit, the payload is not even parsed; its type must still not be echoed.
      for (let i = 0; i < 45; i += 1) await A.emitRaw({ id: `rate-limit-${i}`, type: `${WORDS.coach}-${i}`, text: WORDS.note });
      expect(await A.emitRaw({ id: 'abcdefgh12', type: 'ready' })).toMatchObject({ ok: false, error: { code: 'rate_limited' } });

      await ok(B, { type: 'end' });
      expect((await request(url, 'DELETE', `/api/rooms/${created.roomId}`, { key: created.keys.moderator })).status).toBe(204);
      await A.waitFor((m) => m.deleted, 'the deletion');
    } finally {
      for (const m of all) m.close();
    }

    // Raw bytes would be logged as a Buffer's JSON (`{"type":"Buffer","data":[71,69,…]}`): read them as text too.
    const text = lines.map(withBuffersDecoded).join('\n');
    for (const [what, word] of Object.entries(WORDS)) expect(text, what).not.toContain(word);
    // Not even a piece of one (a sliced type, a truncated id).
    for (const word of Object.values(WORDS)) expect(text).not.toContain(word.slice(0, 9));
    for (const secret of secrets) expect(text).not.toContain(secret);
    for (const secret of secrets) expect(text).not.toContain(secret.slice(0, 12));

    // The log is not empty: it holds what an operator needs.
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const commands = entries.filter((e) => e.msg === 'command');
    expect(commands.length).toBeGreaterThan(60);
    expect(commands).toContainEqual(expect.objectContaining({ roomId: created.roomId, seat: 'moderator', type: 'coach', result: 'ok' }));
    expect(commands).toContainEqual(expect.objectContaining({ seat: 'A', result: 'rate_limited' }));
    expect(entries.filter((e) => e.msg === 'request').length).toBeGreaterThan(8);
    expect(entries).toContainEqual(expect.objectContaining({ msg: 'request', route: '/api/rooms/:roomId/summary', roomId: created.roomId, status: 200 }));
  });
});

/** A log line with every serialized Buffer in it replaced by its bytes read as text. */
function withBuffersDecoded(line: string): string {
  return line.replace(/\{"type":"Buffer","data":\[([\d,]*)\]\}/g, (_match, bytes: string) =>
    JSON.stringify(Buffer.from(bytes === '' ? [] : bytes.split(',').map(Number)).toString('latin1')),
  );
}
