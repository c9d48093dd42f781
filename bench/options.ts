import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { SqliteWriterMode } from '../server/store/sqlite-store';

/** Everything a bench run is told; `npm run bench` fills it from flags. */
export interface BenchOptions {
  rooms: number;
  /** Runs per side, alternating Duologue and relay. */
  runs: number;
  quick: boolean;
  settleMs: number;
  warmupRounds: number;
  steadyRounds: number;
  intervalMs: number;
  bursts: number;
  burstGapMs: number;
  /** 0 skips the bystander phase. */
  quietRooms: number;
  busyRooms: number;
  notes: number;
  noteLength: number;
  bystanderRounds: number;
  /** Each busy room's partners send at this fraction of the command limit. */
  busyFraction: number;
  /** The measuring server's `DUOLOGUE_COMMAND_LIMIT` (its default, 50 per 10 s). */
  commandLimit: number;
  /** Durable commits timed per run for the SQLite floor. */
  sqliteCommits: number;
  drainMs: number;
  /** The idle window: every socket open, no command (ms). */
  idleMs: number;
  connectConcurrency: number;
  /** Browser runs of the client step; 0 skips the step. */
  clientRuns: number;
  /** Only the client step, no load. */
  clientOnly: boolean;
  /** Duologue processes sharing one Redis (`--processes N --redis`); 1 with SQLite by default. */
  processes: number;
  /** Rooms in Redis (a redis-server of the bench's own, `appendfsync always`) instead of SQLite. */
  redis: boolean;
  /**
   * A third side in every run (`--durable`): the durable relay (bench/durable-relay.ts), the bare
   * relay plus one fsync'd commit and a copy to the sender, the floor of any server keeping the contract.
   */
  durable: boolean;
  /** Where Duologue's SQLite writes run (`DUOLOGUE_SQLITE_WRITER`): a thread of their own, or inline. */
  sqliteWriter: SqliteWriterMode;
  /** Where the JSON goes; by default bench/results/<date>-<rooms>[-quick].json. */
  out: string | null;
  /** When set, each measured Duologue server writes a V8 CPU profile (`--cpu-prof`) here. */
  profileDir: string | null;
  /** When set, the measured Duologue server (one process) writes a V8 heap snapshot here after the bursts. */
  heapDir: string | null;
  /** Progress lines (stderr), or nothing. */
  log: (line: string) => void;
}

/** The full bench of issue 10: R = 1,000, three runs per side, every phase at its full length. */
export function defaultOptions(): BenchOptions {
  return {
    rooms: 1000,
    runs: 3,
    quick: false,
    settleMs: 1000,
    warmupRounds: 1,
    steadyRounds: 10,
    intervalMs: 2000,
    bursts: 5,
    burstGapMs: 1000,
    quietRooms: 100,
    busyRooms: 8,
    notes: 200,
    noteLength: 2000,
    bystanderRounds: 10,
    busyFraction: 0.9,
    commandLimit: 50,
    sqliteCommits: 3000,
    drainMs: 30_000,
    idleMs: 4000,
    connectConcurrency: 100,
    clientRuns: 3,
    clientOnly: false,
    processes: 1,
    redis: false,
    durable: false,
    sqliteWriter: 'inline',
    out: null,
    profileDir: null,
    heapDir: null,
    log: (line) => console.warn(`[bench] ${line}`),
  };
}

/** The short version: the same phases, fewer rounds, no browser unless asked. */
export function quickOptions(base: BenchOptions = defaultOptions()): BenchOptions {
  return { ...base, quick: true, steadyRounds: 3, bursts: 2, bystanderRounds: 3, sqliteCommits: 1000, clientRuns: 0, idleMs: 2000 };
}

const USAGE = `npm run bench -- [--rooms N] [--runs K] [--quick] [--client | --no-client | --client-only] [--processes N --redis] [--durable] [--sqlite-writer thread|inline] [--out FILE] [--profile DIR] [--heap DIR]`;

/** Reads the command line; throws with the usage on a bad flag. */
export function optionsFromArgs(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      rooms: { type: 'string' },
      runs: { type: 'string' },
      quick: { type: 'boolean', default: false },
      client: { type: 'boolean' },
      'no-client': { type: 'boolean' },
      'client-only': { type: 'boolean', default: false },
      processes: { type: 'string' },
      redis: { type: 'boolean', default: false },
      durable: { type: 'boolean', default: false },
      'sqlite-writer': { type: 'string' },
      out: { type: 'string' },
      profile: { type: 'string' },
      heap: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) throw new Error(USAGE);
  const base = values.quick ? quickOptions() : defaultOptions();
  const whole = (name: string, raw: string | undefined, fallback: number, min: number) => {
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) throw new Error(`--${name} must be a whole number of at least ${min}, not ${JSON.stringify(raw)}. ${USAGE}`);
    return value;
  };
  const clientRuns = values['no-client'] ? 0 : values.client || values['client-only'] ? Math.max(base.clientRuns, 3) : base.clientRuns;
  const processes = whole('processes', values.processes, base.processes, 1);
  if (processes > 1 && !values.redis) throw new Error(`--processes ${processes} needs --redis: several processes share their rooms through Redis. ${USAGE}`);
  const sqliteWriter = values['sqlite-writer'] ?? base.sqliteWriter;
  if (sqliteWriter !== 'thread' && sqliteWriter !== 'inline') {
    throw new Error(`--sqlite-writer is thread or inline, not ${JSON.stringify(sqliteWriter)}. ${USAGE}`);
  }
  return {
    ...base,
    sqliteWriter,
    processes,
    redis: values.redis,
    durable: values.durable,
    // The busy rooms are seeded into an SQLite folder; in Redis mode the bystander phase is left out.
    quietRooms: values.redis ? 0 : base.quietRooms,
    rooms: whole('rooms', values.rooms, base.rooms, 1),
    runs: whole('runs', values.runs, base.runs, 1),
    clientRuns,
    clientOnly: values['client-only'],
    out: values.out ?? null,
    profileDir: values.profile ?? null,
    // The server resolves its --diagnostic-dir from the project's folder, the generator from its own.
    heapDir: values.heap === undefined ? null : resolve(values.heap),
  };
}
