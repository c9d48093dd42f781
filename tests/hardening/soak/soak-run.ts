import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StateView } from '../../../protocol';
import Database from 'better-sqlite3';
import { DATABASE_FILE, openSqliteStore } from '../../../server/store/sqlite-store';
import { roomProblems, viewProblems } from '../support/invariants';
import { ServerProcess, freePort } from '../support/server-process';
import { Member, createRoom, joinRoom, request, type AckRecord } from '../support/wire';
import { ackProblems, commandsIn, runSession, type Chaos, type SessionPlan } from './session';

export interface SoakOptions {
  rooms: number;
  /** How many times the server process is SIGKILLed and started again, spread over the run. */
  kills: number;
  /** Rooms driven at the same time. */
  concurrency: number;
  /** Chance, before each command, that a phone drops its connection. */
  dropRate: number;
  /** DUOLOGUE_TIME_SCALE for the server: a 5-minute break lasts 300 000 / scale ms. */
  timeScale: number;
  /** Keeps the data directory (for reading the files afterwards). */
  keepData?: boolean;
  /** Called after the last check, before the data directory is removed. */
  inspect?: (dataDir: string) => Promise<void>;
  progress?: (line: string) => void;
}

export interface SoakReport {
  startedAt: string;
  durationMs: number;
  rooms: number;
  roomsEnded: number;
  /** Rooms read back from the database file after the last stop and checked against the invariants. */
  storedRoomsChecked: number;
  moderatedRooms: number;
  /** Rooms checked, then deleted mid-run; at the end they must be gone. */
  roomsDeleted: number;
  kills: number;
  killAtAcks: number[];
  restartMs: number[];
  clientDrops: number;
  /** Phones whose latest state was the ended room at its final revision when their session finished. */
  clientsConverged: number;
  commandsAcked: number;
  commandsRetried: number;
  acksChecked: number;
  /** Joins whose answer was lost in a kill and whose invite was then already used. */
  ambiguousJoins: number;
  /** The rooms (by index) given up for such a join: they never reach their check or deletion. */
  ambiguousRooms: number[];
  httpRetries: number;
  /** The server process's resident memory, sampled every second (MB): the highest, and the last before the final stop. */
  serverRssMb: { max: number; last: number } | null;
  problems: string[];
  stuck: string[];
  crashes: string[];
  dataDir: string;
}

/** A small deterministic generator, so a failing run can be repeated with its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Retries an HTTP step through a server restart; `fetch` throwing means no answer came. */
async function throughRestarts<T>(step: () => Promise<T>, report: SoakReport, giveUpMs = 60_000): Promise<T> {
  const giveUpAt = Date.now() + giveUpMs;
  let delay = 50;
  for (;;) {
    try {
      return await step();
    } catch (error) {
      if (!(error instanceof TypeError) || Date.now() > giveUpAt) throw error;
      report.httpRetries += 1;
      // Waiting for the server to come back, with backoff.
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 500);
    }
  }
}

class AmbiguousJoin extends Error {}

/** A process's resident set in MB, from /proc (Linux), or null where there is none. */
function residentMb(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Math.round(Number(match[1]) / 102.4) / 10;
  } catch {
    return null;
  }
}

/**
 * Opens the data files the way the server does after its last stop: the database
 * must pass SQLite's own integrity check, and every room in it the machine's invariants.
 */
export async function storedRoomProblems(dataDir: string): Promise<{ problems: string[]; rooms: number; ids: string[] }> {
  const problems: string[] = [];
  const ids: string[] = [];
  let rooms = 0;
  const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok') problems.push(`integrity_check: ${String(check)}`);
  } finally {
    db.close();
  }
  const store = openSqliteStore(dataDir);
  try {
    for (const roomId of await store.idleSince(Number.MAX_SAFE_INTEGER)) {
      const stored = await store.loadRoom(roomId);
      rooms += 1;
      ids.push(roomId);
      problems.push(...roomProblems(stored?.room));
    }
  } finally {
    await store.close();
  }
  return { problems, rooms, ids };
}

/**
 * The soak: many rooms driven through whole sessions by scripted partners over real
 * sockets, while phones drop and reconnect and the server process is SIGKILLed and
 * started again on the same port. At the end every room is read back through a fresh
 * connection and compared with its clients' logs of acks.
 */
export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const rand = random(0x5eed + options.rooms);
  const dataDir = await mkdtemp(join(tmpdir(), 'duologue-soak-'));
  const port = await freePort();
  const server = new ServerProcess({
    port,
    dataDir,
    env: {
      DUOLOGUE_TIME_SCALE: String(options.timeScale),
      // One test address creates every room and holds every socket: the per-address limits are for people, not for this.
      DUOLOGUE_HTTP_LIMIT: '0',
      DUOLOGUE_CONNECTIONS_PER_ADDRESS: '0',
      LOG_LEVEL: 'warn',
    },
  });
  const started = Date.now();
  const report: SoakReport = {
    startedAt: new Date(started).toISOString(),
    durationMs: 0,
    rooms: options.rooms,
    roomsEnded: 0,
    storedRoomsChecked: 0,
    moderatedRooms: 0,
    roomsDeleted: 0,
    kills: 0,
    killAtAcks: [],
    restartMs: [],
    clientDrops: 0,
    clientsConverged: 0,
    commandsAcked: 0,
    commandsRetried: 0,
    acksChecked: 0,
    ambiguousJoins: 0,
    ambiguousRooms: [],
    httpRetries: 0,
    serverRssMb: null,
    problems: [],
    stuck: [],
    crashes: server.crashes,
    dataDir,
  };
  const say = options.progress ?? (() => undefined);
  const members: Member[] = [];
  const acks: AckRecord[] = [];
  const planOf = (index: number): SessionPlan => ({
    method: index % 2 === 0 ? 'imago' : 'speaker-listener',
    moderated: index % 4 === 0,
    hesitantCheckIn: index % 3 === 0,
    coachLine: `soak coach line ${index}`,
    note: `soak note ${index}`,
  });
  // The kills are spread evenly over the acks the whole run will get.
  const expectedAcks = Array.from({ length: options.rooms }, (_, i) => commandsIn(planOf(i))).reduce((a, b) => a + b, 0);
  const killPoints = Array.from({ length: options.kills }, (_, i) => Math.round((expectedAcks * (i + 1)) / (options.kills + 1)));
  let killing: Promise<void> | null = null;

  const maybeKill = (): void => {
    const ackCount = members.reduce((n, m) => n + m.acks.length, 0) + acks.length;
    if (killing !== null || killPoints.length === 0 || ackCount < killPoints[0]!) return;
    killPoints.shift();
    killing = (async () => {
      report.killAtAcks.push(ackCount);
      say(`SIGKILL at ${ackCount} acks`);
      await server.kill();
      report.kills += 1;
      const t0 = Date.now();
      await server.start();
      report.restartMs.push(Date.now() - t0);
      say(`restarted in ${Date.now() - t0} ms`);
    })().finally(() => {
      killing = null;
    });
  };

  const chaos: Chaos = (everyone, sender) => {
    maybeKill();
    if (rand() >= options.dropRate) return;
    report.clientDrops += 1;
    const victim = rand() < 0.6 ? sender : everyone[Math.floor(rand() * everyone.length)]!;
    // Half the drops happen just after the command leaves, so its ack is lost on the way back.
    if (rand() < 0.5) victim.drop();
    else setImmediate(() => victim.drop());
  };

  type Finished = { acks: AckRecord[]; moderated: boolean; keys: Record<string, string>; deleted: boolean };
  const finals = new Map<string, Finished>();
  const deletedRooms = new Set<string>();

  /** Reads a room back through fresh connections and compares it with its clients' acks. */
  const checkRoom = async (roomId: string, room: Finished): Promise<string[]> => {
    const problems: string[] = [];
    const readBack = async (seat: 'A' | 'moderator'): Promise<StateView> => {
      const member = new Member(server.url, roomId, seat, room.keys[seat]!);
      try {
        await member.connected(60_000);
        return member.state!;
      } finally {
        member.close();
      }
    };
    const final = await readBack('A');
    const moderatorView = room.moderated ? await readBack('moderator') : null;
    problems.push(...viewProblems(final));
    if (moderatorView !== null) problems.push(...viewProblems(moderatorView));
    problems.push(...ackProblems(room.acks, final, moderatorView));
    report.acksChecked += room.acks.filter((a) => a.ack.ok).length;
    if (final.phase === 'ended') report.roomsEnded += 1;
    const summary = await throughRestarts(() => request(server.url, 'GET', `/api/rooms/${roomId}/summary`, { key: room.keys.A }), report);
    if (summary.status !== 200) problems.push(`${roomId}: summary answered ${summary.status}`);
    return problems;
  };

  const driveRoom = async (index: number): Promise<void> => {
    const plan = planOf(index);
    if (plan.moderated) report.moderatedRooms += 1;
    // A moderated room (every fourth) is opened by its moderator, who then invites both partners:
    // only a moderator opens one.
    const byModerator = plan.moderated;
    const created = await throughRestarts(
      () =>
        createRoom(server.url, {
          name: byModerator ? `Morgan ${index}` : `Avery ${index}`,
          as: byModerator ? 'moderator' : 'partner',
          topic: `soak topic ${index}`,
          method: plan.method,
          breakMinutes: 5,
        }),
      report,
    );
    const join = async (invite: string | undefined, name: string): Promise<string> => {
      if (invite === undefined) throw new Error('an invite is missing');
      let tries = 0;
      return throughRestarts(async () => {
        tries += 1;
        try {
          return (await joinRoom(server.url, created.roomId, invite, name)).seatKey;
        } catch (error) {
          if (tries > 1 && error instanceof Error && error.message.includes('409')) throw new AmbiguousJoin(error.message);
          throw error;
        }
      }, report);
    };
    const keys: Record<string, string> = byModerator
      ? { moderator: created.seatKey, A: await join(created.invites.A, `Avery ${index}`), B: await join(created.invites.B, `Blake ${index}`) }
      : { A: created.seatKey, B: await join(created.invites.B, `Blake ${index}`) };
    const options2 = { ackTimeoutMs: 3_000, giveUpMs: 120_000 };
    const A = new Member(server.url, created.roomId, 'A', keys.A!, options2);
    const B = new Member(server.url, created.roomId, 'B', keys.B!, options2);
    const moderator = plan.moderated ? new Member(server.url, created.roomId, 'moderator', keys.moderator!, options2) : null;
    const own = [A, B, ...(moderator === null ? [] : [moderator])];
    members.push(...own);
    try {
      await Promise.all(own.map((m) => m.connected(120_000)));
      await runSession({ A, B, moderator }, plan, chaos, () => Date.now());
      // No phone is left behind: each one's latest state is the ended room at its final revision.
      const finalRev = Math.max(...own.flatMap((m) => m.acks.map((a) => (a.ack.ok ? a.ack.rev : 0))));
      await Promise.all(
        own.map((m) => m.waitFor((x) => x.state?.phase === 'ended' && x.state.rev === finalRev, `the ended state at rev ${finalRev}`, 60_000)),
      );
      report.clientsConverged += own.length;
      if (index % 10 === 5) {
        // Every tenth room is checked now and then deleted, through whatever kill comes.
        report.problems.push(...(await checkRoom(created.roomId, { acks: own.flatMap((m) => m.acks), moderated: plan.moderated, keys, deleted: false })));
        await throughRestarts(async () => {
          const answer = await request(server.url, 'DELETE', `/api/rooms/${created.roomId}`, { key: keys.B });
          // 404: an earlier try was carried out, and its answer died with the server.
          if (answer.status !== 204 && answer.status !== 404) throw new Error(`DELETE answered ${answer.status}`);
        }, report);
        report.roomsDeleted += 1;
        deletedRooms.add(created.roomId);
      }
    } finally {
      for (const m of own) {
        report.commandsRetried += m.retries;
        m.close();
        members.splice(members.indexOf(m), 1);
        acks.push(...m.acks);
      }
      finals.set(created.roomId, { acks: own.flatMap((m) => m.acks), moderated: plan.moderated, keys, deleted: deletedRooms.has(created.roomId) });
    }
  };

  const sampler = setInterval(() => {
    const rss = residentMb(server.pid);
    if (rss === null) return;
    report.serverRssMb = { max: Math.max(report.serverRssMb?.max ?? 0, rss), last: rss };
  }, 1_000);
  try {
    await server.start();
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < options.rooms) {
        const index = next;
        next += 1;
        try {
          await driveRoom(index);
        } catch (error) {
          if (error instanceof AmbiguousJoin) {
            report.ambiguousJoins += 1;
            report.ambiguousRooms.push(index);
          }
          else report.stuck.push(`room #${index}: ${error instanceof Error ? error.message : String(error)}`);
        }
        if (index % 20 === 19) say(`${index + 1} rooms done`);
      }
    };
    await Promise.all(Array.from({ length: options.concurrency }, worker));
    // A kill still in progress finishes before the checks.
    while (killing !== null) await killing;
    report.commandsAcked = acks.length;

    // Read every room back through a fresh connection of its own seats.
    for (const [roomId, room] of finals) {
      if (!room.deleted) {
        report.problems.push(...(await checkRoom(roomId, room)));
        continue;
      }
      // An acknowledged deletion stays done: no key opens the room, no row of it is left.
      const gone = await request(server.url, 'GET', `/api/rooms/${roomId}/summary`, { key: room.keys.A });
      if (gone.status !== 404) report.problems.push(`${roomId}: deleted, but the summary answered ${gone.status}`);
    }
    await server.stop();
    const stored = await storedRoomProblems(dataDir);
    report.problems.push(...stored.problems);
    report.storedRoomsChecked = stored.rooms;
    for (const roomId of stored.ids) if (deletedRooms.has(roomId)) report.problems.push(`${roomId}: deleted, but still stored`);
    await options.inspect?.(dataDir);
  } finally {
    clearInterval(sampler);
    await server.stop();
    report.durationMs = Date.now() - started;
    if (!options.keepData) await rm(dataDir, { recursive: true, force: true });
  }
  return report;
}
