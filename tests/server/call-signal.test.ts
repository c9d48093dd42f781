import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyBaseLogger } from 'fastify';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { MAX_CANDIDATE_CHARS, MAX_SDP_CHARS, type CallAck, type CallConfigAck, type CallSignal } from '../../protocol';
import { createLogger } from '../../server/logger';
import type { DuologueServer } from '../../server/realtime/socket-gateway';
import type { ClientSocket } from '../support/member';
import type { Member } from '../support/member';
import { openRoom, type OpenRoom } from '../support/room-setup';
import { logSink, startServer, tempDataDir, type TestServer } from '../support/test-server';

const WAIT_MS = 5000;
const SIGNAL_LIMIT = 20;
/** Two connection names, as phones draw them. */
const LINK_A = 'k3Jx9_Qa-7Lm2Pw0';
const LINK_B = 'Zr81yHq0nV-b_4sT';
const ICE = [{ urls: 'stun:stun.example.org:3478' }, { urls: ['turn:turn.example.org:3478'], username: 'duo', credential: 'turn-pass' }];

/** Every `call:signal` a member's socket receives, in order. */
function inbox(member: Member): CallSignal[] {
  const received: CallSignal[] = [];
  member.socket.on('call:signal', (signal) => received.push(signal));
  return received;
}

function signal(member: Member, payload: unknown): Promise<CallAck> {
  return member.socket.timeout(WAIT_MS).emitWithAck('call:signal', payload as CallSignal);
}

function config(member: Member): Promise<CallConfigAck> {
  return member.socket.timeout(WAIT_MS).emitWithAck('call:config');
}

/**
 * A round trip on a socket: whatever the server sent this socket before the answer has arrived
 * by then (one connection keeps its order), so "nothing arrived" is a fact, not a guess.
 */
async function settle(member: Member): Promise<void> {
  await member.socket.timeout(WAIT_MS).emitWithAck('time');
}

async function until(check: () => boolean, what: string): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > WAIT_MS) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const { lines, stream: sink } = logSink();
const data = tempDataDir();
let server: TestServer;
const rooms: OpenRoom[] = [];

beforeAll(async () => {
  server = await startServer({
    dataDir: data.dir,
    logger: createLogger('info', sink) as FastifyBaseLogger,
    config: { DUOLOGUE_SIGNAL_LIMIT: SIGNAL_LIMIT, DUOLOGUE_ICE_SERVERS: ICE, DUOLOGUE_ICE_TRANSPORT_POLICY: 'relay' },
  });
});
afterAll(async () => {
  for (const room of rooms) room.close();
  await server.close();
  data.remove();
});

async function room(moderated = false): Promise<OpenRoom> {
  const opened = await openRoom(server.url, { moderated });
  rooms.push(opened);
  return opened;
}

describe('the voice call signalling', () => {
  it('relays a partner signal to the other partner only: not back, not the moderator, not another room', async () => {
    const here = await room(true);
    const elsewhere = await room(true);
    const [toA, toB, toModerator] = [inbox(here.A), inbox(here.B), inbox(here.moderator!)];
    const others = elsewhere.all.map(inbox);
    const offer = { kind: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\n', from: LINK_A, to: LINK_B } as const;

    expect(await signal(here.A, offer)).toEqual({ ok: true });
    await until(() => toB.length === 1, 'the offer at B');
    expect(toB[0]).toEqual(offer);
    const candidate = { kind: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host', sdpMid: '0', sdpMLineIndex: 0 }, from: LINK_B, to: LINK_A } as const;
    expect(await signal(here.B, candidate)).toEqual({ ok: true });
    await until(() => toA.length === 1, 'the candidate at A');
    expect(toA[0]).toEqual(candidate);

    await Promise.all([...here.all, ...elsewhere.all].map(settle));
    expect(toA).toHaveLength(1);
    expect(toB).toHaveLength(1);
    expect(toModerator).toEqual([]);
    expect(others.flat()).toEqual([]);
  });

  it('reaches every connection of the other partner (a second device of the seat)', async () => {
    const here = await room();
    const { Member } = await import('../support/member');
    const secondB = await Member.connect(server.url, here.roomId, here.keys.B!);
    const [first, second] = [inbox(here.B), inbox(secondB)];
    expect(await signal(here.A, { kind: 'hello', link: LINK_A })).toEqual({ ok: true });
    await until(() => first.length === 1 && second.length === 1, 'hello on both of B’s connections');
    secondB.close();
  });

  it('relays a "not now" and a hangup as they are, to the other partner only', async () => {
    const here = await room();
    const [toA, toB] = [inbox(here.A), inbox(here.B)];
    expect(await signal(here.B, { kind: 'decline', to: LINK_A })).toEqual({ ok: true });
    expect(await signal(here.A, { kind: 'hangup' })).toEqual({ ok: true });
    await until(() => toA.length === 1 && toB.length === 1, 'the decline at A and the hangup at B');
    await Promise.all(here.all.map(settle));
    expect(toA).toEqual([{ kind: 'decline', to: LINK_A }]);
    expect(toB).toEqual([{ kind: 'hangup' }]);
  });

  it('refuses a malformed or oversized signal with `invalid` and relays nothing', async () => {
    const here = await room();
    const [toA, toB] = [inbox(here.A), inbox(here.B)];
    const bad: unknown[] = [
      null,
      'offer',
      [],
      {},
      { kind: 'ring' },
      { kind: 'offer' },
      { kind: 'offer', sdp: '' },
      { kind: 'offer', sdp: 'x'.repeat(MAX_SDP_CHARS + 1) },
      { kind: 'answer', sdp: 42 },
      { kind: 'candidate', candidate: { candidate: 'x'.repeat(MAX_CANDIDATE_CHARS + 1) } },
      { kind: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: -1 } },
      { kind: 'candidate', candidate: 'c' },
      { kind: 'mute', muted: 'yes' },
      { kind: 'hangup', reason: 'bye' },
      { kind: 'decline' },
      { kind: 'decline', link: LINK_A },
      { kind: 'hello', to: 'moderator' },
    ];
    // The connection names: required, and plain (sent from B: each seat's budget is its own).
    const badLinks: unknown[] = [
      { kind: 'hello' },
      { kind: 'hello', link: 'short' },
      { kind: 'hello', link: 'x'.repeat(65) },
      { kind: 'hello', link: 'has spaces in it' },
      { kind: 'offer', sdp: 'v=0', from: LINK_A },
      { kind: 'answer', sdp: 'v=0', to: LINK_B },
      { kind: 'candidate', candidate: { candidate: 'c' }, from: LINK_A, to: '<script>x</script>' },
    ];
    for (const [member, payload] of [...bad.map((p) => [here.A, p] as const), ...badLinks.map((p) => [here.B, p] as const)]) {
      const ack = await signal(member, payload);
      expect(ack, JSON.stringify(payload).slice(0, 80)).toMatchObject({ ok: false, error: { code: 'invalid', message: expect.any(String) } });
      if (!ack.ok) expect(ack.error.message.length).toBeLessThan(200);
    }
    // The largest allowed description goes through.
    expect(await signal(here.A, { kind: 'offer', sdp: 'x'.repeat(MAX_SDP_CHARS), from: LINK_A, to: LINK_B })).toEqual({ ok: true });
    await until(() => toB.length === 1, 'the one valid offer');
    await Promise.all([settle(here.A), settle(here.B)]);
    expect(toB).toHaveLength(1);
    expect(toA).toEqual([]);
    expect(here.A.socket.connected).toBe(true);
  });

  it('answers `forbidden` to a moderator, who can neither signal nor read the ICE servers', async () => {
    const here = await room(true);
    const [toA, toB] = [inbox(here.A), inbox(here.B)];
    expect(await signal(here.moderator!, { kind: 'hello', link: LINK_A })).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(await config(here.moderator!)).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // The shape comes first, as for commands: a malformed signal from the moderator is `invalid`.
    expect(await signal(here.moderator!, { kind: 'nope' })).toMatchObject({ ok: false, error: { code: 'invalid' } });
    await Promise.all([settle(here.A), settle(here.B)]);
    expect([...toA, ...toB]).toEqual([]);
  });

  it('gives a partner the configured STUN and TURN servers', async () => {
    const here = await room();
    expect(await config(here.A)).toEqual({ ok: true, iceServers: ICE, iceTransportPolicy: 'relay' });
  });

  it('rate limits each seat on its own budget, every signal counted, accepted or not', async () => {
    const here = await room();
    const toB = inbox(here.B);
    const answers: CallAck[] = [];
    for (let i = 0; i < SIGNAL_LIMIT; i++) answers.push(await signal(here.A, i % 2 === 0 ? { kind: 'hello', link: LINK_A } : { kind: 'bogus' }));
    expect(answers.filter((a) => a.ok)).toHaveLength(SIGNAL_LIMIT / 2);
    expect(await signal(here.A, { kind: 'hello', link: LINK_A })).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    expect(await config(here.A)).toMatchObject({ ok: false, error: { code: 'rate_limited' } });
    // The other seat's budget is its own, and commands keep theirs.
    expect(await signal(here.B, { kind: 'hello', link: LINK_B })).toEqual({ ok: true });
    expect(await here.A.send({ type: 'repair', phrase: 'appreciate.thank-you' })).toMatchObject({ ok: true });
    await settle(here.B);
    expect(toB).toHaveLength(SIGNAL_LIMIT / 2);
  });

  it('stores nothing of a call and logs only the kind and the outcome', async () => {
    const here = await room();
    const toB = inbox(here.B);
    const marker = 'Sdp-marker-81723';
    const candidateMarker = 'Candidate-marker-44191';
    expect(await signal(here.A, { kind: 'offer', sdp: `v=0\r\ns=${marker}\r\n`, from: LINK_A, to: LINK_B })).toEqual({ ok: true });
    expect(await signal(here.A, { kind: 'candidate', candidate: { candidate: candidateMarker, sdpMid: '0' }, from: LINK_A, to: LINK_B })).toEqual({ ok: true });
    await until(() => toB.length === 2, 'both signals at B');
    // A stored change afterwards, so the files are written past the signals.
    await here.A.ok({ type: 'checkIn', calm: 5, tendency: 'unsure', safe: true });

    const files = readdirSync(data.dir).map((name) => readFileSync(join(data.dir, name)).toString('latin1'));
    expect(files.length).toBeGreaterThan(0);
    for (const text of files) {
      expect(text).not.toContain(marker);
      expect(text).not.toContain(candidateMarker);
    }
    const log = lines.join('\n');
    expect(log).not.toContain(marker);
    expect(log).not.toContain(candidateMarker);
    expect(log).not.toContain('turn-pass');
    const entries = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((e) => e.msg === 'call signal' && e.roomId === here.roomId);
    expect(entries).toEqual([
      expect.objectContaining({ seat: 'A', kind: 'offer', result: 'ok' }),
      expect.objectContaining({ seat: 'A', kind: 'candidate', result: 'ok' }),
    ]);
    for (const entry of entries) expect(Object.keys(entry).sort()).toEqual(['hostname', 'kind', 'level', 'msg', 'pid', 'result', 'roomId', 'seat', 'time'].sort());
  });
});

describe('the typed call events', () => {
  it('pin the signals both ways', () => {
    const check = (io: DuologueServer, socket: ClientSocket): void => {
      io.to('room:B').emit('call:signal', { kind: 'hello', link: LINK_A });
      // @ts-expect-error the server relays only the protocol's signals
      io.to('room:B').emit('call:signal', { kind: 'ring' });
      socket.emit('call:signal', { kind: 'offer', sdp: 'v=0', from: LINK_A, to: LINK_B }, (ack) => expectTypeOf(ack).toEqualTypeOf<CallAck>());
      // @ts-expect-error an offer carries its description
      socket.emit('call:signal', { kind: 'offer' }, () => undefined);
      socket.emit('call:config', (answer) => expectTypeOf(answer).toEqualTypeOf<CallConfigAck>());
    };
    expectTypeOf(check).toBeFunction();
  });
});
