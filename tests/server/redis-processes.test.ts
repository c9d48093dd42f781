import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Summary, type CommandAck, type SeatId, type StateView } from '../../protocol';
import { KEY_PREFIX } from '../../server/store/redis-store';
import { api, createRoom, joinRoom } from '../support/api-client';
import { Member, type ClientSocket } from '../support/member';
import { REDIS_SKIP_REASON, runRedisTests, startRedis, type RedisInstance } from '../support/redis-server';
import { spawnServer, type ServerProcess } from '../support/server-process';
import { tempDataDir } from '../support/test-server';

// One protocol minute is 100 ms: a 30-minute break lasts 3 s of real time.
const MINUTE = 100;
const HEARTBEAT_MS = 500;

/** Waits for a state longer than `Member.waitFor`'s 5 s, checking every 25 ms. */
async function eventually(member: Member, predicate: (s: StateView) => boolean, what: string, ms = 20_000): Promise<StateView> {
  const until = Date.now() + ms;
  for (;;) {
    const last = member.states.at(-1);
    if (last !== undefined && predicate(last)) return last;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}; last state: ${JSON.stringify(last ?? null).slice(0, 400)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe.skipIf(!runRedisTests)(`several server processes sharing one Redis${REDIS_SKIP_REASON}`, () => {
  const data = tempDataDir();
  let redis: RedisInstance;
  let client: Redis;
  const servers: ServerProcess[] = [];
  const members: Member[] = [];

  beforeAll(async () => {
    redis = await startRedis();
    client = new Redis(redis.url);
    const env = {
      REDIS_URL: redis.url,
      // Unused with Redis; set so that nothing is written in the project folder.
      DUOLOGUE_DATA_DIR: data.dir,
      DUOLOGUE_TIME_SCALE: String(60_000 / MINUTE),
      DUOLOGUE_HEARTBEAT_MS: String(HEARTBEAT_MS),
      DUOLOGUE_COMMAND_LIMIT: '10000',
      DUOLOGUE_HTTP_LIMIT: '0',
    };
    servers.push(...(await Promise.all([spawnServer(env), spawnServer(env), spawnServer(env)])));
  }, 60_000);

  afterAll(async () => {
    for (const member of members) member.close();
    await Promise.all(servers.map((s) => s.kill('SIGKILL')));
    await client?.quit();
    await redis?.stop();
    data.remove();
  });

  /** A moderated room made on process 1: A joins through process 1, B through 2, the moderator's seat is 3's. */
  async function spreadRoom(): Promise<{ roomId: string; keys: Record<SeatId, string>; A: Member; B: Member; moderator: Member }> {
    const [p1, p2, p3] = servers as [ServerProcess, ServerProcess, ServerProcess];
    const created = await createRoom(p3.url, { name: 'Mo', as: 'moderator', method: 'imago', topic: 'The dishes' });
    const a = await joinRoom(p1.url, created.roomId, created.invites.A!, 'Ann');
    const b = await joinRoom(p2.url, created.roomId, created.invites.B!, 'Ben');
    const keys = { A: a.seatKey, B: b.seatKey, moderator: created.seatKey };
    const A = await Member.connect(p1.url, created.roomId, keys.A);
    const B = await Member.connect(p2.url, created.roomId, keys.B);
    const moderator = await Member.connect(p3.url, created.roomId, keys.moderator);
    members.push(A, B, moderator);
    return { roomId: created.roomId, keys, A, B, moderator };
  }

  it('lets a moderator on a third process see both check-ins, while neither partner sees the other’s', async () => {
    const room = await spreadRoom();
    await room.A.ok({ type: 'checkIn', calm: 6, tendency: 'pursue', safe: true });
    const afterA = await room.moderator.waitFor((s) => s.checkin !== null && 'A' in s.checkin && s.checkin.A !== null);
    expect(afterA.checkin).toMatchObject({ A: { calm: 6, tendency: 'pursue' }, B: null });
    await room.B.ok({ type: 'checkIn', calm: 4, tendency: 'withdraw', safe: true });
    const both = await room.moderator.waitFor((s) => s.phase === 'dialogue');
    expect(both.checkin).toMatchObject({ A: { calm: 6 }, B: { calm: 4 } });
    await Promise.all([room.A, room.B].map((m) => m.waitFor((s) => s.phase === 'dialogue')));
    // Every view each partner ever got holds their own answer at most.
    for (const [member, own] of [
      [room.A, 6],
      [room.B, 4],
    ] as const) {
      for (const view of member.states) {
        if (view.checkin !== null) expect(view.checkin).toMatchObject({ calm: own });
      }
    }
    // Across processes each view travels addressed to one seat's own Socket.IO room.
    const entries = (await client.xrange('duologue:socket.io', '-', '+')) as Array<[string, string[]]>;
    let checked = 0;
    for (const [, fields] of entries) {
      const data = fields[fields.indexOf('data') + 1] ?? '';
      if (!data.includes(room.roomId)) continue;
      const message = JSON.parse(data) as { opts?: { rooms?: string[] }; packet?: { data?: [string, StateView] } };
      const [event, view] = message.packet?.data ?? [];
      if (event !== 'state' || view === undefined) continue;
      expect(message.opts?.rooms).toEqual([`${room.roomId}:${view.you}`]);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(3);
  });

  it('carries a call signal from a partner on process 1 to the other on process 2, and keeps none of it in Redis', async () => {
    const room = await spreadRoom();
    const received: unknown[] = [];
    room.B.socket.on('call:signal', (signal) => received.push(signal));
    const heard: unknown[] = [];
    room.moderator.socket.on('call:signal', (signal) => heard.push(signal));
    const sdp = `v=0\r\no=- ${randomUUID()} 2 IN IP4 127.0.0.1\r\ns=-\r\n`;
    expect(await room.A.socket.timeout(5000).emitWithAck('call:signal', { kind: 'offer', sdp, from: 'link-of-A-1234', to: 'link-of-B-5678' })).toEqual({ ok: true });
    await expect.poll(() => received, { timeout: 5000 }).toEqual([{ kind: 'offer', sdp, from: 'link-of-A-1234', to: 'link-of-B-5678' }]);
    expect(heard).toEqual([]);
    // The adapter's stream (kept by Redis, written to its AOF) never carried it, nor any key.
    const entries = (await client.xrange('duologue:socket.io', '-', '+')) as Array<[string, string[]]>;
    expect(entries.some(([, fields]) => fields.join(' ').includes('call:signal'))).toBe(false);
    for (const key of await client.keys('*')) {
      const type = await client.type(key);
      const text =
        type === 'string' ? await client.get(key) : type === 'hash' ? JSON.stringify(await client.hgetall(key)) : type === 'stream' ? JSON.stringify(await client.xrange(key, '-', '+')) : '';
      expect(text ?? '', key).not.toContain(sdp.slice(0, 30));
    }
  });

  it('runs a whole turn and a break with A on process 1 and B on process 2', async () => {
    const room = await spreadRoom();
    await room.A.ok({ type: 'checkIn', calm: 6, tendency: 'pursue', safe: true });
    await room.B.ok({ type: 'checkIn', calm: 4, tendency: 'withdraw', safe: true });
    await room.A.waitFor((s) => s.phase === 'dialogue');
    await room.A.ok({ type: 'advance', step: 'share' });
    await room.B.ok({ type: 'advance', step: 'mirror' });
    await room.A.ok({ type: 'check', result: 'complete' });
    await room.B.ok({ type: 'advance', step: 'summary' });
    await room.B.ok({ type: 'advance', step: 'validate' });
    await room.B.ok({ type: 'advance', step: 'empathize' });
    const heard = await room.A.ok({ type: 'advance', step: 'heard' });
    const next = await room.B.waitFor((s) => s.rev === heard);
    expect(next.floor).toMatchObject({ speaker: 'B', listener: 'A', step: 'share', turn: 2 });
    expect((await room.moderator.waitFor((s) => s.rev === heard)).floor?.turn).toBe(2);

    // B floods on process 2; the break falls due on its own and reaches A on process 1.
    const floodRev = await room.B.ok({ type: 'flood', minutes: 20 });
    const onA = await room.A.waitFor((s) => s.rev === floodRev && s.break !== null);
    expect(onA.break).toMatchObject({ by: 'B', due: false });
    await room.A.ok({ type: 'ready' });
    const due = await eventually(room.A, (s) => s.break?.due === true, 'the break to fall due');
    expect(due.break?.ready).toEqual({ A: true, B: false });
    // Applied once: one rev past A's ready, on every seat.
    const views = await Promise.all([room.B, room.moderator].map((m) => m.waitFor((s) => s.break?.due === true)));
    expect(views.map((v) => v.rev)).toEqual([due.rev, due.rev]);
    await room.B.ok({ type: 'ready' });
    const resumed = await room.A.waitFor((s) => s.break === null);
    expect(resumed.floor).toMatchObject({ speaker: 'B', step: 'share', turn: 2 });
    const summary = await api(servers[2]!.url, `/api/rooms/${room.roomId}/summary`, { seatKey: room.keys.moderator });
    expect(Summary.parse(summary.body).partners.B.breaks).toHaveLength(1);
  });

  it('takes a storm of commands on one room through two processes: none lost, none doubled', async () => {
    const room = await spreadRoom();
    await room.A.ok({ type: 'checkIn', calm: 6, tendency: 'pursue', safe: true });
    await room.B.ok({ type: 'checkIn', calm: 4, tendency: 'withdraw', safe: true });
    const start = (await room.moderator.waitFor((s) => s.phase === 'dialogue')).rev;
    // A second device of each partner, on the other process.
    const A2 = await Member.connect(servers[1]!.url, room.roomId, room.keys.A);
    const B2 = await Member.connect(servers[0]!.url, room.roomId, room.keys.B);
    members.push(A2, B2);
    const PER_DEVICE = 30;
    const sent: Array<{ seat: 'A' | 'B'; id: string; ack: Promise<CommandAck> }> = [];
    for (let i = 0; i < PER_DEVICE; i += 1) {
      for (const [seat, device] of [
        ['A', room.A],
        ['A', A2],
        ['B', room.B],
        ['B', B2],
      ] as const) {
        const id = randomUUID();
        sent.push({ seat, id, ack: device.send({ type: 'repair', phrase: 'appreciate.trying' }, id) });
      }
    }
    const acks = await Promise.all(sent.map((s) => s.ack));
    const accepted = acks.flatMap((ack, i) => (ack.ok ? [{ ...sent[i]!, rev: ack.rev }] : []));
    // Every command was acknowledged; a lost race was decided again, not refused.
    expect(acks.filter((a) => !a.ok)).toEqual([]);
    // Each acknowledged change has a rev of its own, one after another.
    const revs = accepted.map((a) => a.rev).sort((x, y) => x - y);
    expect(revs).toEqual(Array.from({ length: sent.length }, (_, i) => start + 1 + i));
    const last = await room.moderator.waitFor((s) => s.rev === start + sent.length, 'the last rev');
    expect(last.rev).toBe(start + sent.length);
    // A retry of an acknowledged id on the other process gets the same rev, and changes nothing.
    const first = accepted[0]!;
    const retried = await (first.seat === 'A' ? A2 : B2).send({ type: 'repair', phrase: 'appreciate.trying' }, first.id);
    expect(retried).toEqual({ ok: true, rev: first.rev });
    const summary = await api(servers[0]!.url, `/api/rooms/${room.roomId}/summary`, { seatKey: room.keys.A });
    const partners = Summary.parse(summary.body).partners;
    const count = (seat: 'A' | 'B') => accepted.filter((a) => a.seat === seat).length;
    expect(partners.A.repairs).toBe(count('A'));
    expect(partners.B.repairs).toBe(count('B'));
  });

  it('recovers a dropped connection on another process, with the events it missed', async () => {
    const room = await spreadRoom();
    // A's phone on process 1 loses its connection (the transport closes, as on a network drop).
    const seen = room.A.states.length;
    const socket = room.A.socket as unknown as { _pid?: string; _lastOffset?: string; io: { engine: { close(): void } } };
    expect(socket._pid).toBeDefined();
    const { _pid: pid, _lastOffset: offset } = socket;
    const dropped = new Promise<void>((resolve) => room.A.socket.once('disconnect', () => resolve()));
    socket.io.engine.close();
    await dropped;
    await room.moderator.waitFor((s) => !s.seats.A.online, 'A offline');
    // Meanwhile B checks in: A's view changes (B is checked in), and the moderator's.
    await room.B.ok({ type: 'checkIn', calm: 4, tendency: 'withdraw', safe: true });
    await room.moderator.waitFor((s) => s.seats.B.checkedIn);
    // Process 1 keeps the dropped connection's session in Redis when it sees the drop; on a loaded
    // machine that can come after the others' views, so the phone comes back once it is there.
    await expect.poll(() => client.exists(`${KEY_PREFIX}sio:session:${pid}`), { timeout: 10_000 }).toBe(1);
    // The phone comes back on process 3 with its session id and last offset, as socket.io-client
    // keeps them on a reconnection (a proxy sent it elsewhere).
    const back: ClientSocket = io(servers[2]!.url, {
      auth: { roomId: room.roomId, seatKey: room.keys.A },
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      autoConnect: false,
    });
    Object.assign(back, { _pid: pid, _lastOffset: offset });
    const states: StateView[] = [];
    back.on('state', (view) => states.push(view));
    back.connect();
    await new Promise<void>((resolve, reject) => {
      back.once('connect', () => resolve());
      back.once('connect_error', reject);
    });
    expect(back.recovered).toBe(true);
    await expect.poll(() => states.some((s) => s.seats.B.checkedIn && s.seats.A.online), { timeout: 5000 }).toBe(true);
    // The views sent while it was away are replayed before the fresh one: B's check-in, and A itself going offline.
    const fresh = states.at(-1)!;
    expect(states.length).toBeGreaterThanOrEqual(2);
    expect(states.slice(0, -1).some((s) => s.seats.B.checkedIn && !s.seats.A.online)).toBe(true);
    expect(fresh.seats.A.online).toBe(true);
    expect(room.A.states.length).toBe(seen);
    back.disconnect();
  });

  it('survives a process killed mid-break: phones move to another, presence follows, the break falls due on time', async () => {
    const room = await spreadRoom();
    await room.A.ok({ type: 'checkIn', calm: 6, tendency: 'pursue', safe: true });
    await room.B.ok({ type: 'checkIn', calm: 4, tendency: 'withdraw', safe: true });
    await room.A.waitFor((s) => s.phase === 'dialogue');
    await room.A.ok({ type: 'advance', step: 'share' });
    // A floods through process 1, which holds the break's timer; then process 1 dies.
    const floodRev = await room.A.ok({ type: 'flood', minutes: 80 });
    const onBreak = await room.B.waitFor((s) => s.rev === floodRev && s.break !== null);
    const returnAt = onBreak.break!.returnAt;
    expect(onBreak.seats.A.online).toBe(true);
    const killedAt = Date.now();
    await servers[0]!.kill('SIGKILL');
    expect(returnAt - Date.now()).toBeGreaterThan(1500);

    // B on process 2 sees A go offline (well within 30 s).
    const offline = await eventually(room.B, (s) => !s.seats.A.online, 'A offline');
    expect(offline.break).not.toBeNull();
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    // A's phone reconnects to process 3 and carries on.
    const A = await Member.connect(servers[2]!.url, room.roomId, room.keys.A);
    members.push(A);
    expect(A.state.break).toMatchObject({ by: 'A', returnAt });
    await eventually(room.B, (s) => s.seats.A.online, 'A online again');
    // The break falls due on time though the process that armed it is gone.
    const due = await eventually(room.B, (s) => s.break?.due === true, 'the break to fall due');
    const late = Date.now() - returnAt;
    expect(late).toBeGreaterThanOrEqual(0);
    // Within the survivors' deadline poll (every second) and some slack for a loaded machine.
    expect(late).toBeLessThan(3000);
    await A.waitFor((s) => s.rev === due.rev);
    // Applied exactly once: the next change is one rev on.
    const readyRev = await A.ok({ type: 'ready' });
    expect(readyRev).toBe(due.rev + 1);
  });
});
