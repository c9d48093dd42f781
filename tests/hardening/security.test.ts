import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Manager } from 'socket.io-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Summary, type SeatId } from '../../protocol';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';
import { Member, commandId, createRoom, handshake, joinRoom, openModeratedRoom, request, type ModeratedRoom } from './support/wire';

/** A moderated room with every seat joined and connected. */
async function fullRoom(url: string): Promise<{ created: ModeratedRoom; keys: Record<SeatId, string>; members: Record<SeatId, Member> }> {
  const created = await openModeratedRoom(url, { A: 'Avery', B: 'Blake', moderator: 'Morgan' }, { topic: 'money', breakMinutes: 5 });
  const keys: Record<SeatId, string> = created.keys;
  const members = {
    A: new Member(url, created.roomId, 'A', keys.A),
    B: new Member(url, created.roomId, 'B', keys.B),
    moderator: new Member(url, created.roomId, 'moderator', keys.moderator),
  };
  await Promise.all(Object.values(members).map((m) => m.connected()));
  return { created, keys, members };
}

const opened: Member[] = [];
const servers: Array<{ server: TestServer; remove: () => void }> = [];

async function serve(config: Parameters<typeof startServer>[0]['config'] = {}, clientDir: string | null = null): Promise<TestServer> {
  const data = tempDataDir();
  const server = await startServer({ dataDir: data.dir, config, clientDir });
  servers.push({ server, remove: data.remove });
  return server;
}

afterEach(() => {
  for (const m of opened.splice(0)) m.close();
});

afterAll(async () => {
  for (const { server, remove } of servers) {
    await server.close();
    remove();
  }
});

describe('a stranger holding a link, or only a room id', () => {
  let url: string;
  beforeAll(async () => {
    url = (await serve()).url;
  });

  it('cannot claim a seat with an invite that was used, nor with another room\'s invite', async () => {
    const x = await createRoom(url, { name: 'Avery', topic: 'x' });
    const y = await createRoom(url, { name: 'Casey', topic: 'y' });
    const first = await joinRoom(url, x.roomId, x.invites.B!, 'Blake');
    const reuse = await request(url, 'POST', `/api/rooms/${x.roomId}/join`, { body: { invite: x.invites.B, name: 'Mallory' } });
    expect(reuse.status).toBe(409);
    expect(reuse.body).toMatchObject({ error: { code: 'invite_used' } });
    const crossed = await request(url, 'POST', `/api/rooms/${y.roomId}/join`, { body: { invite: x.invites.B, name: 'Mallory' } });
    expect(crossed.status).toBe(403);
    expect(crossed.body).toMatchObject({ error: { code: 'invite_invalid' } });
    // The seat is still the first claimant's, under the first name.
    const blake = new Member(url, x.roomId, 'B', first.seatKey);
    opened.push(blake);
    await blake.connected();
    expect(blake.state?.seats.B.name).toBe('Blake');
    // An invite is not a seat key.
    expect(await handshake(url, { roomId: x.roomId, seatKey: x.invites.B })).toEqual({ ok: false, message: 'unauthorized' });
  });

  it('cannot smuggle prototype keys through an HTTP body', async () => {
    for (const body of ['{"name":"Avery","__proto__":{"as":"moderator"}}', '{"name":"Avery","constructor":{"prototype":{"as":"moderator"}}}']) {
      const answer = await fetch(`${url}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(answer.status, body).toBe(400);
      // Said as what it is: the body is JSON, but with a key no field has.
      expect(await answer.json()).toMatchObject({ error: { code: 'invalid', message: expect.stringMatching(/"__proto__" or "constructor" key/) } });
    }
    // Broken JSON is still called that.
    const broken = await fetch(`${url}/api/rooms`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"Avery",' });
    expect(await broken.json()).toMatchObject({ error: { code: 'invalid', message: 'The request body is not valid JSON.' } });
    // And nothing was polluted on the way.
    expect(({} as Record<string, unknown>).as).toBeUndefined();
  });

  it('learns nothing and changes nothing with the room id alone', async () => {
    const { created } = await fullRoom(url).then((room) => {
      opened.push(...Object.values(room.members));
      return room;
    });
    const id = created.roomId;
    for (const [method, path] of [
      ['GET', `/api/rooms/${id}/summary`],
      ['GET', `/api/rooms/${id}/appointment.ics`],
      ['DELETE', `/api/rooms/${id}`],
    ] as const) {
      const anonymous = await request(url, method, path);
      expect(anonymous.status, `${method} ${path}`).toBe(401);
      const forged = await request(url, method, path, { key: 'A'.repeat(22) });
      expect(forged.status, `${method} ${path}`).toBe(401);
    }
    expect(await handshake(url, { roomId: id })).toEqual({ ok: false, message: 'unauthorized' });
    const join = await request(url, 'POST', `/api/rooms/${id}/join`, { body: { name: 'Mallory' } });
    expect(join.status).toBe(400);
    expect((await request(url, 'GET', `/api/rooms/${id}/summary`, { key: created.keys.A })).status).toBe(200);
  });
});

describe('another room\'s key', () => {
  it('opens neither the socket, the summary, the calendar nor the delete of another room', async () => {
    const { url } = await serve();
    const x = await fullRoom(url);
    const y = await fullRoom(url);
    opened.push(...Object.values(x.members), ...Object.values(y.members));
    for (const seat of ['A', 'B', 'moderator'] as const) {
      const key = x.keys[seat];
      expect(await handshake(url, { roomId: y.created.roomId, seatKey: key })).toEqual({ ok: false, message: 'unauthorized' });
      for (const [method, path] of [
        ['GET', 'summary'],
        ['GET', 'appointment.ics'],
        ['DELETE', ''],
      ] as const) {
        const answer = await request(url, method, `/api/rooms/${y.created.roomId}${path === '' ? '' : `/${path}`}`, { key });
        expect(answer.status).toBe(401);
        expect(answer.body).toMatchObject({ error: { code: 'unauthorized' } });
      }
    }
    expect((await handshake(url, { roomId: y.created.roomId, seatKey: y.keys.A })).ok).toBe(true);
  });
});

describe('each partner', () => {
  it('can send no moderator command, and a refused one changes nothing anyone sees', async () => {
    const { url } = await serve();
    const { members } = await fullRoom(url);
    opened.push(...Object.values(members));
    await members.A.send({ type: 'checkIn', calm: 5, tendency: 'pursue', safe: true });
    await members.B.send({ type: 'checkIn', calm: 5, tendency: 'pursue', safe: true });
    await members.moderator.waitFor((m) => m.state?.phase === 'dialogue', 'dialogue');
    const moderatorOnly = [
      { type: 'pause' },
      { type: 'resume' },
      { type: 'setFloor', speaker: 'B' },
      { type: 'setStep', step: 'heard' },
      { type: 'endBreak' },
      { type: 'coach', to: 'both', text: 'a line' },
      { type: 'note', text: 'a note' },
    ] as const;
    const before = JSON.stringify(members.moderator.state);
    for (const partner of [members.A, members.B]) {
      for (const command of moderatorOnly) {
        const ack = await partner.send(command);
        expect(ack, `${partner.seat} ${command.type}`).toMatchObject({ ok: false, error: { code: 'forbidden' } });
      }
    }
    // A fresh connection reads exactly what the moderator saw before (apart from the clock).
    const check = new Member(url, members.A.roomId, 'moderator', members.moderator.seatKey);
    opened.push(check);
    await check.connected();
    const strip = (text: string): unknown => ({ ...(JSON.parse(text) as object), serverNow: 0 });
    expect(strip(JSON.stringify(check.state))).toEqual(strip(before));
    // And the reverse: the moderator cannot act as a partner.
    for (const command of [{ type: 'advance', step: 'share' }, { type: 'flood' }, { type: 'wrapUp' }] as const) {
      expect(await members.moderator.send(command)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    }
  });

  it("never receives the other partner's check-in answers, coach lines meant for the other, or notes", async () => {
    const { url } = await serve();
    const { members } = await fullRoom(url);
    opened.push(...Object.values(members));
    // Every frame each partner's connection receives, before Socket.IO decodes it.
    const frames: Record<'A' | 'B', string[]> = { A: [], B: [] };
    for (const seat of ['A', 'B'] as const) {
      members[seat].socket.io.engine.on('packet', (packet: { data?: unknown }) => {
        if (typeof packet.data === 'string') frames[seat].push(packet.data);
      });
    }
    const statesOfA = (): number => frames.A.filter((f) => f.includes('"state"')).length;

    const before = statesOfA();
    await members.B.send({ type: 'checkIn', calm: 2, tendency: 'withdraw', safe: false });
    await members.A.socket.timeout(5_000).emitWithAck('time');
    // B's private answer sent A nothing at all: no one can tell from the wire it happened.
    expect(statesOfA()).toBe(before);
    await members.B.send({ type: 'checkIn', calm: 3, tendency: 'withdraw', safe: true });
    await members.A.send({ type: 'checkIn', calm: 9, tendency: 'pursue', safe: true });
    const statesOfB = (): number => frames.B.filter((f) => f.includes('"state"')).length;
    // A round trip on each connection first: every state sent before it has arrived.
    for (const seat of ['A', 'B'] as const) await members[seat].socket.timeout(5_000).emitWithAck('time');
    const seenByB = statesOfB();
    await members.moderator.send({ type: 'coach', to: 'A', text: 'COACH-FOR-AVERY-ONLY' });
    await members.B.socket.timeout(5_000).emitWithAck('time');
    // A coach line to A sends B nothing; a coach line to B sends A nothing; a note sends neither anything.
    expect(statesOfB()).toBe(seenByB);
    const seenByA = statesOfA();
    await members.moderator.send({ type: 'coach', to: 'B', text: 'COACH-FOR-BLAKE-ONLY' });
    await members.A.socket.timeout(5_000).emitWithAck('time');
    expect(statesOfA()).toBe(seenByA);
    await members.B.waitFor((m) => m.state?.coach.some((c) => c.text === 'COACH-FOR-BLAKE-ONLY') === true, 'its coach line');
    await members.B.socket.timeout(5_000).emitWithAck('time');
    const beforeNote = [statesOfA(), statesOfB()];
    await members.moderator.send({ type: 'note', text: 'NOTE-FOR-MODERATOR' });
    for (const seat of ['A', 'B'] as const) await members[seat].socket.timeout(5_000).emitWithAck('time');
    expect([statesOfA(), statesOfB()]).toEqual(beforeNote);
    await members.moderator.send({ type: 'coach', to: 'both', text: 'COACH-FOR-BOTH' });
    await members.moderator.waitFor((m) => m.state?.notes.length === 1, 'the note');
    await Promise.all(
      (['A', 'B'] as const).map((seat) => members[seat].waitFor((m) => m.state?.coach.some((c) => c.text === 'COACH-FOR-BOTH') === true, 'the shared line')),
    );
    for (const seat of ['A', 'B'] as const) await members[seat].socket.timeout(5_000).emitWithAck('time');

    const wireA = frames.A.join('\n');
    const wireB = frames.B.join('\n');
    expect(wireA).not.toContain('withdraw');
    expect(wireA).not.toContain('COACH-FOR-BLAKE-ONLY');
    expect(wireB).not.toContain('COACH-FOR-AVERY-ONLY');
    expect(wireB).not.toContain('"pursue"');
    for (const wire of [wireA, wireB]) {
      expect(wire).not.toContain('NOTE-FOR-MODERATOR');
      expect(wire).toContain('COACH-FOR-BOTH');
    }
    expect(members.A.state?.checkin).toEqual({ calm: 9, tendency: 'pursue', safe: true });
    expect(members.moderator.state?.checkin).toEqual({
      A: { calm: 9, tendency: 'pursue', safe: true },
      B: { calm: 3, tendency: 'withdraw', safe: true },
    });
    // The summary is content-free.
    const summary = await request(url, 'GET', `/api/rooms/${members.A.roomId}/summary`, { key: members.A.seatKey });
    expect(Summary.safeParse(summary.body).success).toBe(true);
    // Nothing keyed is kept by a shared cache or the browser's history.
    expect(summary.headers.get('cache-control')).toContain('no-store');
    expect(JSON.stringify(summary.body)).not.toMatch(/Avery|Blake|Morgan|money|COACH|NOTE|withdraw/);
  });
});

describe('a device that used to hold a seat', () => {
  it('is told the room is gone, disconnected, and refused from then on', async () => {
    const { url } = await serve();
    const { created, keys, members } = await fullRoom(url);
    opened.push(...Object.values(members));
    expect((await request(url, 'DELETE', `/api/rooms/${created.roomId}`, { key: keys.B })).status).toBe(204);
    await members.A.waitFor((m) => m.deleted && !m.socket.connected, 'deleted and disconnected');
    for (const seat of ['A', 'B', 'moderator'] as const) {
      expect(await handshake(url, { roomId: created.roomId, seatKey: keys[seat] })).toEqual({ ok: false, message: 'room_not_found' });
      expect((await request(url, 'GET', `/api/rooms/${created.roomId}/summary`, { key: keys[seat] })).status).toBe(404);
    }
  });
});

describe('one connection', () => {
  it('opens one seat: CONNECT packets sent while the first is checked are refused, and another is allowed once its socket closes', async () => {
    const { url } = await serve();
    const created = await createRoom(url, { name: 'Avery' });
    const manager = new Manager(url, { transports: ['websocket'], reconnection: false, autoConnect: false });
    await new Promise<void>((resolve, reject) => manager.open((error) => (error ? reject(error) : resolve())));
    const received: string[] = [];
    manager.engine.on('message', (data) => received.push(String(data)));
    try {
      const connect = '0' + JSON.stringify({ roomId: created.roomId, seatKey: created.seatKey });
      // Five CONNECTs back to back, as one request can carry hundreds: the first is still being checked when the others arrive.
      for (let i = 0; i < 5; i += 1) manager.engine.write(connect);
      const opened = () => received.filter((m) => m.startsWith('0{"sid"')).length;
      const refused = () => received.filter((m) => m === '4{"message":"invalid"}').length;
      await expect.poll(() => [opened(), refused()]).toEqual([1, 4]);
      await expect.poll(() => received.filter((m) => m.startsWith('2["state"')).length).toBe(1);
      // Closing the seat's socket frees the connection for one new seat.
      manager.engine.write('1');
      await new Promise((resolve) => setTimeout(resolve, 200));
      manager.engine.write(connect);
      await expect.poll(opened).toBe(2);
      expect(refused()).toBe(4);
      // A CONNECT on a connection whose seat is open: Socket.IO itself closes the connection.
      const closed = new Promise((resolve) => manager.engine.once('close', resolve));
      manager.engine.write(connect);
      await closed;
      expect(opened()).toBe(2);
    } finally {
      manager.engine.close();
    }
  });
});

describe("a seat's connections per minute", () => {
  it('are limited, so a script holding a key cannot flicker its presence on the partner\'s phone without end', async () => {
    const { url } = await serve({ DUOLOGUE_CONNECT_LIMIT: 5 });
    const created = await createRoom(url, { name: 'Avery' });
    const joined = await joinRoom(url, created.roomId, created.invites.B!, 'Blake');
    const partner = new Member(url, created.roomId, 'B', joined.seatKey);
    opened.push(partner);
    await partner.connected();
    const statesBefore = partner.states.length;
    const answers: string[] = [];
    for (let i = 0; i < 7; i += 1) {
      const attempt = await handshake(url, { roomId: created.roomId, seatKey: created.seatKey });
      answers.push(attempt.ok ? 'open' : attempt.message);
    }
    expect(answers).toEqual([...Array(5).fill('open'), 'rate_limited', 'rate_limited']);
    // Every open and close the limit let through reached the partner; the refused ones did not.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(partner.states.length - statesBefore).toBeLessThanOrEqual(10);
    // The partner's own seat counts apart: their phone reconnects as before.
    expect(await handshake(url, { roomId: created.roomId, seatKey: joined.seatKey })).toMatchObject({ ok: true });
  });
});

describe('seat-key and invite guessing', () => {
  it('is rate limited per address on the socket handshake, even for the right key once over the limit', async () => {
    const { url } = await serve({ DUOLOGUE_HTTP_LIMIT: 10 });
    const created = await createRoom(url, { name: 'Avery' });
    const answers: string[] = [];
    for (let i = 0; i < 14; i += 1) {
      const guess = await handshake(url, { roomId: created.roomId, seatKey: commandId().replace(/-/g, '').slice(0, 22) });
      answers.push(guess.ok ? 'open' : guess.message);
    }
    expect(answers.slice(0, 10)).toEqual(Array(10).fill('unauthorized'));
    expect(answers.slice(10)).toEqual(Array(4).fill('rate_limited'));
    expect(await handshake(url, { roomId: created.roomId, seatKey: created.seatKey })).toEqual({ ok: false, message: 'rate_limited' });
  });

  it('is rate limited per address on the keyed HTTP routes and on joins', async () => {
    const { url } = await serve({ DUOLOGUE_HTTP_LIMIT: 10 });
    const created = await createRoom(url, { name: 'Avery' });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      statuses.push((await request(url, 'GET', `/api/rooms/${created.roomId}/summary`, { key: 'B'.repeat(22) })).status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const limited = await request(url, 'GET', `/api/rooms/${created.roomId}/summary`, { key: created.seatKey });
    expect(limited.status).toBe(429);
    expect(limited.body).toMatchObject({ error: { code: 'rate_limited' } });
    // The wait is said, in the header and the sentence alike: the rest of the minute.
    const wait = Number(limited.headers.get('retry-after'));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect((limited.body as { error: { message: string } }).error.message).toContain(`Try again in ${wait} second`);

    const { url: other } = await serve({ DUOLOGUE_HTTP_LIMIT: 10 });
    const room = await createRoom(other, { name: 'Avery' });
    const joins: number[] = [];
    for (let i = 0; i < 12; i += 1) {
      joins.push((await request(other, 'POST', `/api/rooms/${room.roomId}/join`, { body: { invite: 'C'.repeat(22), name: 'M' } })).status);
    }
    expect(joins.filter((s) => s === 403).length).toBeLessThanOrEqual(10);
    expect(joins.slice(-2)).toEqual([429, 429]);
  });
});

describe('the page and the API in a browser', () => {
  it('carry a Content-Security-Policy and the other security headers', async () => {
    const clientDir = mkdtempSync(join(tmpdir(), 'duologue-client-'));
    writeFileSync(join(clientDir, 'index.html'), '<!doctype html><title>Duologue</title><div id="app"></div>');
    try {
      const { url } = await serve({}, clientDir);
      // The Socket.IO engine's own answers too: its handshake, and a later long-polling answer,
      // the kind that carries states. The POST asks to join the namespace without a seat key;
      // the GET brings the refusal at once (a GET with nothing to bring would wait for the ping).
      const opened = await (await fetch(`${url}/socket.io/?EIO=4&transport=polling`)).text();
      const sid = (JSON.parse(opened.slice(1)) as { sid: string }).sid;
      const session = `/socket.io/?EIO=4&transport=polling&sid=${sid}`;
      expect((await fetch(`${url}${session}`, { method: 'POST', body: '40' })).status).toBe(200);
      for (const path of ['/', '/join/AAAAAAAAAAAAAAAAAAAAAA', '/api/health', '/socket.io/?EIO=4&transport=polling', session]) {
        const response = await fetch(`${url}${path}`);
        expect(response.status, path).toBe(200);
        if (path === session) expect(await response.text()).toMatch(/^44/);
        const csp = response.headers.get('content-security-policy') ?? '';
        const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name, values]));
        expect(directives.get('default-src'), path).toEqual(["'self'"]);
        expect(directives.get('script-src'), path).toEqual(["'self'"]);
        expect(directives.get('object-src'), path).toEqual(["'none'"]);
        expect(directives.get('base-uri'), path).toEqual(["'self'"]);
        expect(directives.get('frame-ancestors'), path).toEqual(["'self'"]);
        expect(directives.get('connect-src'), path).toEqual(["'self'"]);
        expect(csp).not.toContain('unsafe-eval');
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        expect(response.headers.get('x-frame-options')).toBe('SAMEORIGIN');
        // The room id in /join/<roomId> never leaves in a Referer.
        expect(response.headers.get('referrer-policy')).toBe('no-referrer');
        expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin');
        expect(response.headers.get('x-powered-by')).toBeNull();
      }
    } finally {
      rmSync(clientDir, { recursive: true, force: true });
    }
  });
});

describe('cross-origin use', () => {
  const ORIGIN = 'https://duologue.example';

  it('answers CORS only to DUOLOGUE_ORIGIN, and refuses a socket handshake from any other origin', async () => {
    const { url } = await serve({ DUOLOGUE_ORIGIN: ORIGIN });
    const created = await createRoom(url, { name: 'Avery' });
    const allowed = await request(url, 'OPTIONS', '/api/rooms', { headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
    const foreign = await request(url, 'OPTIONS', '/api/rooms', { headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();

    const auth = { roomId: created.roomId, seatKey: created.seatKey };
    expect((await handshake(url, auth, { extraHeaders: { origin: ORIGIN } })).ok).toBe(true);
    expect((await handshake(url, auth)).ok).toBe(true);
    const refused = await handshake(url, auth, { extraHeaders: { origin: 'https://evil.example' } });
    expect(refused.ok).toBe(false);
    // Long-polling too: the engine refuses the handshake before any room is looked at.
    const polling = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://evil.example' } });
    expect(polling.status).toBe(403);
    const pollingAllowed = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: ORIGIN } });
    expect(pollingAllowed.status).toBe(200);
    expect(pollingAllowed.headers.get('access-control-allow-origin')).toBe(ORIGIN);
  });

  it('gives no CORS header to any origin when DUOLOGUE_ORIGIN is unset', async () => {
    const { url } = await serve();
    const answer = await request(url, 'GET', '/api/health', { headers: { origin: 'https://duologue.example' } });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    const polling = await fetch(`${url}/socket.io/?EIO=4&transport=polling`, { headers: { origin: 'https://evil.example' } });
    expect(polling.headers.get('access-control-allow-origin')).toBeNull();
  });
});
