import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { processRssKiB } from '../measure/proc';
import { round3 } from '../measure/stats';
import type { Side } from '../servers';
import { bursts, drain, measured, phaseResult, schedule, type PhaseResult } from './phases';
import { Recorder } from './recorder';
import { checkIn, createRoom, inPool, talkFor, type RoomKeys } from './setup';
import type { Talk } from './talk';

/** What one run of the load generator does against one server. */
export interface LoadPlan {
  side: Side;
  url: string;
  /** Several Duologue processes sharing Redis: partner A's sockets go to the first, B's to the second. */
  urls?: string[];
  /** The server's process, read from /proc for CPU and RSS; with several, all of them (and Redis), added up. */
  serverPid: number | number[];
  rooms: number;
  /** Steady: one command per room every `intervalMs`, for `steadyRounds` rounds. */
  intervalMs: number;
  /** A pause after both processes started, before anything is read or timed. */
  settleMs: number;
  /** Unrecorded steady rounds first, so that neither side is measured while its JIT warms up. */
  warmupRounds: number;
  steadyRounds: number;
  bursts: number;
  burstGapMs: number;
  /** Sockets (and HTTP calls) in flight at once while connecting. */
  connectConcurrency: number;
  /** How long a phase waits for its last answers before counting them lost. */
  drainMs: number;
  /** A window with every socket open and no command sent, to see what the server spends on nothing. */
  idleMs: number;
  /** Duologue only: busy rooms beside quiet ones. */
  bystander: BystanderPlan | null;
  /** Where the server writes a heap snapshot on SIGURG (`--heap`): asked for after the bursts. */
  heapDir?: string | null;
}

export interface BystanderPlan {
  /** The first `quietRooms` of the run's rooms run steady, alone and then beside the busy rooms. */
  quietRooms: number;
  rounds: number;
  /** Rooms holding many long notes, each with a moderator (seeded before the run). */
  busy: RoomKeys[];
  /** Commands per second each busy room sends. */
  busyRate: number;
}

export interface LoadResult {
  side: Side;
  rooms: number;
  sockets: number;
  setup: {
    /** Duologue: creating every room and claiming its invite over HTTP. */
    createRoomsMs: number | null;
    /** From the first socket's connect to the last socket's `connect` event. */
    connectMs: number;
    /** Duologue: from the first connect to the last socket's first `state`. */
    firstStateMs: number | null;
    /** Duologue: both check-ins of every room until every socket sees the dialogue. */
    checkInMs: number | null;
  };
  rss: {
    idleKiB: number;
    afterConnectKiB: number;
    afterTrafficKiB: number;
    /** (after connecting − idle) / sockets. */
    perSocketConnectKiB: number;
    /** (after steady and burst − idle) / sockets. */
    perSocketTrafficKiB: number;
  };
  /** Every socket open, no command: the server's CPU spent on timers, pings and the like. */
  idle: { durationMs: number; serverCpuMs: number };
  steady: PhaseResult;
  burst: PhaseResult;
  bystander: { quietAlone: PhaseResult; quietWithBusy: PhaseResult; busy: PhaseResult } | null;
  /** Sockets that closed during the run (none expected). */
  disconnects: number;
  /** Dropped sockets by Socket.IO's reason, with the first and last drop in ms after the load began. */
  dropReasons: Record<string, { count: number; firstMs: number; lastMs: number }>;
}

/** Connects every room's sockets; for Duologue also waits for each socket's first state. */
async function connectAll(talks: Talk[], side: Side, concurrency: number): Promise<{ connectMs: number; firstStateMs: number | null }> {
  const started = performance.now();
  let lastConnect = started;
  let lastState = started;
  await inPool(talks, Math.max(1, Math.floor(concurrency / 2)), async (talk) => {
    await talk.connect();
    lastConnect = Math.max(lastConnect, performance.now());
    if (side === 'duologue') {
      await talk.whenState(() => true);
      lastState = Math.max(lastState, performance.now());
    }
  });
  return { connectMs: round3(lastConnect - started), firstStateMs: side === 'duologue' ? round3(lastState - started) : null };
}

/**
 * One run: set the rooms up, connect, check in, then the steady, burst and (Duologue)
 * bystander phases, measuring the server from outside throughout.
 */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const { side, url, serverPid } = plan;
  // Both processes have just started: let their JIT's background work settle before anything is timed.
  await new Promise((resolve) => setTimeout(resolve, plan.settleMs));
  const idleKiB = processRssKiB(serverPid);
  const loadStarted = performance.now();

  let createRoomsMs: number | null = null;
  let rooms: RoomKeys[];
  if (side === 'duologue') {
    const started = performance.now();
    rooms = await inPool(Array.from({ length: plan.rooms }), plan.connectConcurrency, () => createRoom(url, 'partner'));
    createRoomsMs = round3(performance.now() - started);
  } else {
    rooms = Array.from({ length: plan.rooms }, (_, i) => ({ roomId: `relay-room-${i}`, keys: {} }));
  }
  const talks = rooms.map((room) => talkFor(side, plan.urls ?? url, room));
  const everyTalk = [...talks];
  try {
    const { connectMs, firstStateMs } = await connectAll(talks, side, plan.connectConcurrency);
    const afterConnectKiB = processRssKiB(serverPid);
    let checkInMs: number | null = null;
    if (side === 'duologue') {
      const started = performance.now();
      await inPool(talks, plan.connectConcurrency, (talk) => checkIn(talk));
      checkInMs = round3(performance.now() - started);
    }

    if (plan.warmupRounds > 0) {
      const warmup = new Recorder();
      await schedule(talks, warmup, plan.warmupRounds, plan.intervalMs);
      await drain(talks, warmup, plan.drainMs);
    }
    const idleRun = await measured(serverPid, () => new Promise((resolve) => setTimeout(resolve, plan.idleMs)));
    const idle = { durationMs: plan.idleMs, serverCpuMs: round3(idleRun.window.serverCpuMs) };
    const steadyRun = await measured(serverPid, async () => {
      const recorder = new Recorder();
      await schedule(talks, recorder, plan.steadyRounds, plan.intervalMs);
      await drain(talks, recorder, plan.drainMs);
      return recorder;
    });
    const steady = phaseResult(steadyRun.value, talks.length, steadyRun.window);
    const burstRun = await measured(serverPid, () => bursts(talks, plan.bursts, plan.burstGapMs, plan.drainMs));
    const burst = { ...phaseResult(burstRun.value.recorder, talks.length, burstRun.window), completionMs: burstRun.value.completionMs };
    const afterTrafficKiB = processRssKiB(serverPid);
    if (plan.heapDir && typeof serverPid === 'number') await heapSnapshot(serverPid, plan.heapDir, url);
    const sockets = talks.length * 2;

    let bystander: LoadResult['bystander'] = null;
    if (plan.bystander !== null && side === 'duologue') {
      const { quietRooms, rounds, busy, busyRate } = plan.bystander;
      const quiet = talks.slice(0, quietRooms);
      const busyTalks = busy.map((room) => talkFor(side, plan.urls ?? url, room));
      everyTalk.push(...busyTalks);
      // The busy rooms are connected in both halves, so only their traffic differs.
      await connectAll(busyTalks, side, plan.connectConcurrency);
      const steadyQuiet = async () => {
        const recorder = new Recorder();
        await schedule(quiet, recorder, rounds, plan.intervalMs);
        await drain(quiet, recorder, plan.drainMs);
        return recorder;
      };
      const alone = await measured(serverPid, steadyQuiet);
      const busyPeriod = 1000 / busyRate;
      const busyCount = Math.floor((rounds * plan.intervalMs) / busyPeriod);
      const together = await measured(serverPid, async () => {
        const busyRecorder = new Recorder();
        const busyRun = schedule(busyTalks, busyRecorder, busyCount, busyPeriod).then(() => drain(busyTalks, busyRecorder, plan.drainMs));
        const quietRecorder = await steadyQuiet();
        await busyRun;
        return { quietRecorder, busyRecorder };
      });
      const { quietRecorder, busyRecorder } = together.value;
      const inWindow = quietRecorder.completed + busyRecorder.completed;
      bystander = {
        quietAlone: phaseResult(alone.value, quiet.length, alone.window),
        quietWithBusy: phaseResult(quietRecorder, quiet.length, together.window, inWindow),
        busy: phaseResult(busyRecorder, busyTalks.length, together.window, inWindow),
      };
    }

    return {
      side,
      rooms: plan.rooms,
      sockets,
      setup: { createRoomsMs, connectMs, firstStateMs, checkInMs },
      rss: {
        idleKiB,
        afterConnectKiB,
        afterTrafficKiB,
        perSocketConnectKiB: round3((afterConnectKiB - idleKiB) / sockets),
        perSocketTrafficKiB: round3((afterTrafficKiB - idleKiB) / sockets),
      },
      idle,
      steady,
      burst,
      bystander,
      disconnects: everyTalk.reduce((sum, talk) => sum + talk.disconnects, 0),
      dropReasons: dropReasons(everyTalk, loadStarted),
    };
  } finally {
    for (const talk of everyTalk) talk.close();
  }
}

/** Groups the dropped sockets by reason, timed from the start of the load. */
function dropReasons(talks: Talk[], startedAt: number): LoadResult['dropReasons'] {
  const reasons: LoadResult['dropReasons'] = {};
  for (const { reason, at } of talks.flatMap((talk) => talk.dropped)) {
    const ms = Math.round(at - startedAt);
    const entry = (reasons[reason] ??= { count: 0, firstMs: ms, lastMs: ms });
    entry.count += 1;
    entry.firstMs = Math.min(entry.firstMs, ms);
    entry.lastMs = Math.max(entry.lastMs, ms);
  }
  return reasons;
}

/**
 * Asks the server for a heap snapshot (SIGURG, `--heapsnapshot-signal`) with every socket still
 * open. The server writes it on its one thread, so once the file is there and the server answers
 * a request again, the snapshot is whole; then a pause lets the sockets' pings catch up.
 */
async function heapSnapshot(pid: number, dir: string, url: string): Promise<void> {
  const before = new Set(readdirSync(dir));
  process.kill(pid, 'SIGURG');
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const file = readdirSync(dir).find((name) => name.endsWith('.heapsnapshot') && !before.has(name));
    if (file === undefined || statSync(join(dir, file)).size === 0) continue;
    await fetch(`${url}/api/health`).then((response) => response.arrayBuffer());
    await new Promise((resolve) => setTimeout(resolve, 3000));
    return;
  }
  throw new Error(`the server wrote no heap snapshot in ${dir} within 3 minutes`);
}
