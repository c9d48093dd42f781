import { fork } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, getPriority, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { measureClient, type ClientResult } from './client-step';
import { rateAtLimit } from './generator/phases';
import type { LoadPlan, LoadResult } from './generator/run-load';
import type { RoomKeys } from './generator/setup';
import type { GeneratorAnswer, GeneratorTask } from './load-generator';
import { loadAverages } from './measure/proc';
import { spread, type LatencySummary, type Spread } from './measure/stats';
import type { BenchOptions } from './options';
import {
  compare,
  compareDurable,
  goals,
  lostOf,
  problemsOf,
  summarizeBystander,
  summaryText,
  type BystanderSummary,
  type ComparisonRow,
  type DurableRow,
  type GoalRow,
} from './report';
import { startRedis, type RedisInstance } from '../tests/support/redis-server';
import { PROJECT_ROOT, startDuologue, startDurableRelay, startRelay, type BenchServer, type Side } from './servers';
import { measureSqliteCommit } from './sqlite-commit';

/** One run of one side, as the results file keeps it. */
export interface RunRecord {
  side: Side;
  run: number;
  loadBefore: number[];
  loadAfter: number[];
  /** What the server wrote to stdout/stderr at LOG_LEVEL=warn (nothing, normally). */
  serverOutput: string[];
  result: LoadResult;
}

/** Everything a bench run measured: the shape of bench/results/<date>-<rooms>.json. */
export interface BenchReport {
  bench: 'duologue-vs-bare-socket.io';
  date: string;
  startedAt: string;
  finishedAt: string;
  options: Omit<BenchOptions, 'log' | 'out'> & { busyRate: number };
  machine: {
    cpus: number;
    model: string;
    memoryGiB: number;
    kernel: string;
    node: string;
    niceness: number;
    loadBefore: number[];
    loadAfter: number[];
  };
  sqliteCommit: { runs: LatencySummary[]; p50: Spread; p99: Spread } | null;
  runs: RunRecord[];
  comparison: ComparisonRow[];
  /** With `--durable`: the durable relay against the relay, and Duologue against it; otherwise null. */
  durableRelay: DurableRow[] | null;
  bystander: BystanderSummary | null;
  goals: GoalRow[];
  client: ClientResult | null;
  problems: string[];
  file: string;
  summary: string;
}

/** Runs one task in a fresh load-generator process and resolves with its answer. */
function inGenerator(task: GeneratorTask): Promise<GeneratorAnswer> {
  const child = fork(join(PROJECT_ROOT, 'bench', 'load-generator.ts'), [], {
    cwd: PROJECT_ROOT,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let answered = false;
    child.once('message', (answer: GeneratorAnswer) => {
      answered = true;
      resolve(answer);
    });
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`the load generator exited with ${code} before answering`));
    });
    child.send(task);
  });
}

async function seed(options: BenchOptions, dataDir: string): Promise<RoomKeys[]> {
  // 200 notes at the default 50 per 10 s would take 40 s a room: this server's limit is high.
  const server = await startDuologue({ dataDir, commandLimit: 1_000_000 });
  try {
    const answer = await inGenerator({
      task: 'seed',
      plan: { url: server.url, rooms: options.busyRooms, notes: options.notes, noteLength: options.noteLength },
    });
    if (!answer.ok) throw new Error(`seeding the busy rooms failed: ${answer.error}`);
    if (answer.task !== 'seed') throw new Error('the generator answered another task');
    return answer.result;
  } finally {
    await server.stop();
  }
}

async function oneRun(side: Side, run: number, options: BenchOptions, work: string, template: string | null, busy: RoomKeys[]): Promise<RunRecord> {
  const loadBefore = loadAverages();
  let server: BenchServer;
  let dataDir: string | null = null;
  let redis: RedisInstance | null = null;
  const more: BenchServer[] = [];
  if (side === 'duologue') {
    dataDir = join(work, `duologue-${run}`);
    if (template !== null) cpSync(template, dataDir, { recursive: true });
    if (options.redis) {
      // A fresh redis-server per run (the tests' own, set up as docs/deploy.md asks); every Duologue process shares it.
      redis = await startRedis();
    }
    const start = () => startDuologue({ dataDir: dataDir!, commandLimit: options.commandLimit, redisUrl: redis?.url, profileDir: options.profileDir, heapDir: options.heapDir, sqliteWriter: options.sqliteWriter });
    server = await start();
    for (let i = 1; i < options.processes; i += 1) more.push(await start());
  } else if (side === 'durable') {
    dataDir = join(work, `durable-${run}`);
    mkdirSync(dataDir);
    server = await startDurableRelay(dataDir);
  } else {
    server = await startRelay();
  }
  const servers = [server, ...more];
  const plan: LoadPlan = {
    side,
    url: server.url,
    urls: servers.length > 1 ? servers.map((s) => s.url) : undefined,
    serverPid: redis === null && servers.length === 1 ? server.pid : [...servers.map((s) => s.pid), ...(redis === null ? [] : [redis.pid])],
    rooms: options.rooms,
    intervalMs: options.intervalMs,
    settleMs: options.settleMs,
    warmupRounds: options.warmupRounds,
    steadyRounds: options.steadyRounds,
    bursts: options.bursts,
    burstGapMs: options.burstGapMs,
    connectConcurrency: options.connectConcurrency,
    drainMs: options.drainMs,
    idleMs: options.idleMs,
    heapDir: side === 'duologue' && servers.length === 1 ? options.heapDir : null,
    bystander:
      side === 'duologue' && options.quietRooms > 0 && busy.length > 0
        ? {
            quietRooms: Math.min(options.quietRooms, options.rooms),
            rounds: options.bystanderRounds,
            busy,
            busyRate: rateAtLimit(options.commandLimit, options.busyFraction),
          }
        : null,
  };
  try {
    const answer = await inGenerator({ task: 'load', plan });
    const said = servers.flatMap((s) => s.output);
    if (!answer.ok) throw new Error(`the ${side} run ${run} failed: ${answer.error}\nserver said: ${said.join('\n').slice(0, 2000)}`);
    if (answer.task !== 'load') throw new Error('the generator answered another task');
    return { side, run, loadBefore, loadAfter: loadAverages(), serverOutput: said, result: answer.result };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.stop();
    if (dataDir !== null) rmSync(dataDir, { recursive: true, force: true });
  }
}

const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

function resultsFile(options: BenchOptions, date: string): string {
  if (options.out !== null) return options.out;
  const shape = options.redis ? `-redis-${options.processes}p` : '';
  const name = options.clientOnly ? `${date}-client` : `${date}-${options.rooms}${shape}${options.quick ? '-quick' : ''}`;
  // A second run on the same day keeps the first one's file.
  for (let n = 1; ; n += 1) {
    const file = join(PROJECT_ROOT, 'bench', 'results', `${name}${n === 1 ? '' : `-${n}`}.json`);
    if (!existsSync(file)) return file;
  }
}

/**
 * The bench of issue 10: for each of `runs` rounds, Duologue then the bare relay (then, with
 * `--durable`, the durable relay), each in
 * its own server process, driven by a load generator in a second process; the SQLite
 * commit floor beside them; the client step last. Writes the results file and returns it.
 */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const startedAt = new Date();
  const date = startedAt.toISOString().slice(0, 10);
  const loadBefore = loadAverages();
  const work = mkdtempSync(join(tmpdir(), 'duologue-bench-'));
  if (options.heapDir !== null) mkdirSync(options.heapDir, { recursive: true });
  const runs: RunRecord[] = [];
  const commits: LatencySummary[] = [];
  let client: ClientResult | null = null;
  try {
    if (!options.clientOnly) {
      let template: string | null = null;
      let busy: RoomKeys[] = [];
      if (options.quietRooms > 0 && options.busyRooms > 0) {
        template = join(work, 'busy-template');
        const started = performance.now();
        busy = await seed(options, template);
        options.log(`seeded ${options.busyRooms} busy rooms with ${options.notes} notes of ${options.noteLength} characters (${elapsed(started)})`);
      }
      for (let run = 1; run <= options.runs; run += 1) {
        commits.push(measureSqliteCommit(work, options.sqliteCommits));
        const sides: Side[] = options.durable ? ['duologue', 'relay', 'durable'] : ['duologue', 'relay'];
        for (const side of sides) {
          const started = performance.now();
          runs.push(await oneRun(side, run, options, work, template, busy));
          options.log(`run ${run}/${options.runs}: ${side}, ${options.rooms} rooms (${elapsed(started)})`);
        }
      }
    }
    if (options.clientRuns > 0) {
      const started = performance.now();
      client = await measureClient(options.clientRuns);
      options.log(`client: production build and ${options.clientRuns} cold opens with the CPU throttled 4× (${elapsed(started)})`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }

  const of = (side: Side) => runs.filter((r) => r.side === side).map((r) => r.result);
  const comparison = runs.length > 0 ? compare(of('duologue'), of('relay')) : [];
  const durableRelay = options.durable && runs.length > 0 ? compareDurable(of('duologue'), of('relay'), of('durable')) : null;
  const bystander = summarizeBystander(of('duologue'));
  // The goal is Duologue's: the relay's own losses are listed among the problems.
  const lost = lostOf(of('duologue'));
  const goalRows = runs.length > 0 ? goals(comparison, bystander, lost, durableRelay ?? []) : [];
  const problems = problemsOf(runs.map((r) => ({ side: r.side, run: r.run, result: r.result, serverOutput: r.serverOutput })));
  const sqliteCommit =
    commits.length > 0 ? { runs: commits, p50: spread(commits.map((c) => c.p50)), p99: spread(commits.map((c) => c.p99)) } : null;
  const file = resultsFile(options, date);
  const machine = {
    cpus: cpus().length,
    model: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    niceness: getPriority(),
    loadBefore,
    loadAfter: loadAverages(),
  };
  const shape = options.redis
    ? `Duologue: ${options.processes} process${options.processes === 1 ? '' : 'es'} sharing one redis-server (appendfsync always), A's sockets on the first, B's on the second; server CPU adds up every Duologue process and redis-server. The relay: one process.\n`
    : '';
  const summary = shape + summaryText({
    rooms: options.rooms,
    runs: options.runs,
    rows: comparison,
    durable: durableRelay ?? [],
    bystander,
    goalRows,
    sqlite: sqliteCommit,
    client,
    machine: { cpus: machine.cpus, model: machine.model, loadBefore: machine.loadBefore, loadAfter: machine.loadAfter },
    problems,
    file,
  });
  const { log: _log, out: _out, ...kept } = options;
  const report: BenchReport = {
    bench: 'duologue-vs-bare-socket.io',
    date,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    options: { ...kept, busyRate: rateAtLimit(options.commandLimit, options.busyFraction) },
    machine,
    sqliteCommit,
    runs,
    comparison,
    durableRelay,
    bystander,
    goals: goalRows,
    client,
    problems,
    file,
    summary,
  };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return report;
}
