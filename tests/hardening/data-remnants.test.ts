import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { viewFor, type Method } from '../../protocol';
import { DATABASE_FILE, openSqliteStore } from '../../server/store/sqlite-store';
import { ManualClock } from '../support/manual-clock';
import { startServer, tempDataDir } from '../support/test-server';
import { roomProblems } from './support/invariants';
import { ServerProcess, freePort } from './support/server-process';
import { ackProblems, runSession, type SessionPlan } from './soak/session';
import { Member, openModeratedRoom, request, type AckRecord } from './support/wire';

const DAY = 86_400_000;
const cleanups: Array<() => void> = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

/** The raw bytes of the database and of its WAL and shared-memory files, as the disk holds them. */
function rawFiles(dir: string): Array<{ file: string; bytes: Buffer }> {
  return [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`]
    .map((file) => join(dir, file))
    .filter((file) => existsSync(file))
    .map((file) => ({ file, bytes: readFileSync(file) }));
}

function holders(dir: string, word: string): string[] {
  return rawFiles(dir)
    .filter(({ bytes }) => bytes.includes(Buffer.from(word, 'utf8')))
    .map(({ file }) => file);
}

/** A moderated room with distinctive words in every free-text field, talked through to closing. */
async function wordyRoom(url: string, tag: string, method: Method) {
  const words = {
    topic: `topic-${tag}-Zq81`,
    nameA: `Anna-${tag}-Zq81`,
    nameB: `Bert-${tag}-Zq81`,
    nameModerator: `Mara-${tag}-Zq81`,
    coach: `coach-${tag}-Zq81`,
    note: `note-${tag}-Zq81`,
  };
  const room = await openModeratedRoom(url, { A: words.nameA, B: words.nameB, moderator: words.nameModerator }, { topic: words.topic, method, breakMinutes: 5 });
  const members = {
    A: new Member(url, room.roomId, 'A', room.keys.A),
    B: new Member(url, room.roomId, 'B', room.keys.B),
    moderator: new Member(url, room.roomId, 'moderator', room.keys.moderator),
  };
  await Promise.all(Object.values(members).map((m) => m.connected()));
  for (const [member, command] of [
    [members.A, { type: 'checkIn', calm: 5, tendency: 'pursue', safe: true }],
    [members.B, { type: 'checkIn', calm: 5, tendency: 'withdraw', safe: true }],
    [members.moderator, { type: 'coach', to: 'both', text: words.coach }],
    [members.moderator, { type: 'note', text: words.note }],
    [members.A, { type: 'advance', step: 'share' }],
    [members.B, { type: 'advance', step: 'mirror' }],
    [members.A, { type: 'check', result: 'missed' }],
    [members.A, { type: 'wrapUp' }],
  ] as const) {
    expect(await member.send(command)).toMatchObject({ ok: true });
  }
  return { roomId: room.roomId, words, members, secrets: room.secrets, keyA: room.keys.A, close: () => Object.values(members).forEach((m) => m.close()) };
}

describe('deletion and expiry', () => {
  it('leave none of a room\'s words in the database, its WAL or its shared memory after a clean shutdown', async () => {
    const data = tempDataDir();
    cleanups.push(data.remove);
    const clock = new ManualClock(Date.UTC(2026, 10, 1, 8, 0, 0));
    const server = await startServer({ dataDir: data.dir, clock, config: { DUOLOGUE_ROOM_TTL_DAYS: 30 } });
    const deleted = await wordyRoom(server.url, 'deleted', 'imago');
    const expired = await wordyRoom(server.url, 'expired', 'speaker-listener');
    const survivor = await wordyRoom(server.url, 'survivor', 'imago');
    try {
      expect((await request(server.url, 'DELETE', `/api/rooms/${deleted.roomId}`, { key: deleted.keyA })).status).toBe(204);
      await deleted.members.A.waitFor((m) => m.deleted, 'the deletion');

      // 29 idle days later the survivor changes; two days after that the other room is 31 days idle.
      clock.advance(29 * DAY);
      expect(await survivor.members.moderator.send({ type: 'note', text: 'still here' })).toMatchObject({ ok: true });
      clock.advance(2 * DAY);
      await expired.members.A.waitFor((m) => m.deleted, 'the expiry');
      expect((await request(server.url, 'GET', `/api/rooms/${expired.roomId}/summary`, { key: expired.keyA })).status).toBe(404);
      expect((await request(server.url, 'GET', `/api/rooms/${survivor.roomId}/summary`, { key: survivor.keyA })).status).toBe(200);
    } finally {
      for (const room of [deleted, expired, survivor]) room.close();
      await server.close();
    }

    expect(rawFiles(data.dir).length).toBeGreaterThan(0);
    for (const room of [deleted, expired]) {
      for (const [what, word] of Object.entries(room.words)) expect(holders(data.dir, word), `${what} of the ${room.words.topic} room`).toEqual([]);
      expect(holders(data.dir, room.roomId)).toEqual([]);
    }
    // The check can see words: the surviving room's are all there.
    for (const word of Object.values(survivor.words)) expect(holders(data.dir, word).length, word).toBeGreaterThan(0);
    // The operator holding the files holds no key or invite of any room, only their hashes.
    for (const secret of [...deleted.secrets, ...expired.secrets, ...survivor.secrets]) expect(holders(data.dir, secret)).toEqual([]);
  });
});

describe('a deletion acknowledged just before a SIGKILL', () => {
  it('stays done after the restart, and its words are gone from the files after the next clean stop', async () => {
    const data = tempDataDir();
    cleanups.push(data.remove);
    const server = new ServerProcess({ port: await freePort(), dataDir: data.dir, env: { DUOLOGUE_HTTP_LIMIT: '0', LOG_LEVEL: 'warn' } });
    await server.start();
    let gone: Awaited<ReturnType<typeof wordyRoom>> | null = null;
    let kept: Awaited<ReturnType<typeof wordyRoom>> | null = null;
    try {
      gone = await wordyRoom(server.url, 'killed-delete', 'imago');
      kept = await wordyRoom(server.url, 'killed-keep', 'speaker-listener');
      expect((await request(server.url, 'DELETE', `/api/rooms/${gone.roomId}`, { key: gone.keyA })).status).toBe(204);
      await server.kill();
      gone.close();
      kept.close();
      await server.start();
      expect((await request(server.url, 'GET', `/api/rooms/${gone.roomId}/summary`, { key: gone.keyA })).status).toBe(404);
      expect((await request(server.url, 'GET', `/api/rooms/${kept.roomId}/summary`, { key: kept.keyA })).status).toBe(200);
    } finally {
      gone?.close();
      kept?.close();
      await server.stop();
    }
    for (const word of Object.values(gone.words)) expect(holders(data.dir, word), word).toEqual([]);
    for (const word of Object.values(kept.words)) expect(holders(data.dir, word).length, word).toBeGreaterThan(0);
  });
});

describe('a SIGKILL during writes', () => {
  it('leaves a database that opens, passes integrity_check and holds every acknowledged change; the process logs no words', async () => {
    const data = tempDataDir();
    cleanups.push(data.remove);
    const server = new ServerProcess({
      port: await freePort(),
      dataDir: data.dir,
      env: { DUOLOGUE_TIME_SCALE: '600', DUOLOGUE_HTTP_LIMIT: '0', LOG_LEVEL: 'trace' },
    });
    await server.start();
    const ROOMS = 8;
    const rooms: Array<{ roomId: string; acks: () => AckRecord[]; close: () => void; words: string[] }> = [];
    let sent = 0;
    let signalKill!: (done: Promise<void>) => void;
    const killed = new Promise<Promise<void>>((resolve) => {
      signalKill = resolve;
    });
    const sessions: Array<Promise<unknown>> = [];
    const starts: Array<() => Promise<unknown>> = [];
    try {
      for (let i = 0; i < ROOMS; i += 1) {
        const plan: SessionPlan = {
          method: i % 2 === 0 ? 'imago' : 'speaker-listener',
          moderated: true,
          hesitantCheckIn: false,
          coachLine: `kill-coach-${i}-Wp3`,
          note: `kill-note-${i}-Wp3`,
        };
        const names = [`kill-anna-${i}-Wp3`, `kill-bert-${i}-Wp3`, `kill-mara-${i}-Wp3`];
        const created = await openModeratedRoom(
          server.url,
          { A: names[0]!, B: names[1]!, moderator: names[2]! },
          { topic: `kill-topic-${i}-Wp3`, method: plan.method, breakMinutes: 5 },
        );
        const A = new Member(server.url, created.roomId, 'A', created.keys.A);
        const B = new Member(server.url, created.roomId, 'B', created.keys.B);
        const moderator = new Member(server.url, created.roomId, 'moderator', created.keys.moderator);
        const all = [A, B, moderator];
        await Promise.all(all.map((m) => m.connected()));
        rooms.push({
          roomId: created.roomId,
          acks: () => all.flatMap((m) => m.acks),
          close: () => all.forEach((m) => m.close()),
          words: [...names, `kill-topic-${i}-Wp3`, plan.coachLine, plan.note, ...created.secrets],
        });
        starts.push(() =>
          runSession({ A, B, moderator }, plan, () => {
            sent += 1;
            // Kill while every room has commands on the wire and the writer is busy.
            if (sent === ROOMS * 12) signalKill(server.kill());
          }, () => Date.now()).catch(() => undefined),
        );
      }
      // Every room is set up before any talks, so the kill lands among the commands, not the setup.
      sessions.push(...starts.map((start) => start()));
      const outcome = await Promise.race([
        killed.then(async (done) => {
          await done;
          return 'killed mid-talk';
        }),
        Promise.all(sessions).then(() => 'every talk ended first'),
      ]);
      expect(outcome).toBe('killed mid-talk');
    } finally {
      for (const room of rooms) room.close();
      await Promise.all(sessions);
      await server.stop();
    }

    // Opened as the server opens it after a crash: the WAL is recovered, the file is whole.
    const db = new Database(join(data.dir, DATABASE_FILE));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    db.close();
    const store = openSqliteStore(data.dir);
    let acked = 0;
    try {
      for (const room of rooms) {
        const stored = await store.loadRoom(room.roomId);
        expect(stored).not.toBeNull();
        expect(roomProblems(stored!.room)).toEqual([]);
        const acks = room.acks();
        acked += acks.length;
        // Each room had at most one command in flight when the process died.
        const problems = ackProblems(acks, viewFor(stored!.room, 'A', 0), viewFor(stored!.room, 'moderator', 0), 1);
        expect(problems).toEqual([]);
      }
    } finally {
      await store.close();
    }
    expect(acked).toBeGreaterThanOrEqual(ROOMS * 10);

    const logs = server.lines.join('\n');
    expect(logs).toContain('"msg":"command"');
    for (const word of rooms.flatMap((r) => r.words)) expect(logs).not.toContain(word);
  });
});
