/**
 * `npm run bench:host`: Duologue's room host and store alone, without sockets, beside the durable
 * relay's bare commit, alternating, several runs each (bench/host-alone.ts says what each side does).
 *
 *   npm run bench:host                              # 1,000 rooms, 6 rounds, 3 runs
 *   npm run bench:host -- --rooms 200 --rounds 3 --runs 1
 *
 * Writes bench/results/<date>-host-alone[-n].json and prints the medians.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { measureHostAlone, type HostAloneResult, type PerCommand } from './host-alone';
import { loadAverages } from './measure/proc';
import { ratio, spread, type Spread } from './measure/stats';
import { PROJECT_ROOT } from './servers';

const USAGE = 'npm run bench:host -- [--rooms N] [--rounds K] [--runs R] [--out FILE]';

function count(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} takes a whole number above 0, not "${value}".\n${USAGE}`);
  return parsed;
}

let rooms: number;
let rounds: number;
let runs: number;
let out: string | undefined;
try {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { rooms: { type: 'string' }, rounds: { type: 'string' }, runs: { type: 'string' }, out: { type: 'string' } },
  });
  rooms = count(values.rooms, 1000, 'rooms');
  rounds = count(values.rounds, 6, 'rounds');
  runs = count(values.runs, 3, 'runs');
  out = values.out;
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

const startedAt = new Date();
const loadBefore = loadAverages();
const results: HostAloneResult[] = [];
for (let run = 1; run <= runs; run += 1) {
  const dir = mkdtempSync(join(tmpdir(), 'duologue-host-alone-'));
  try {
    console.warn(`[bench:host] run ${run} of ${runs}: ${rooms} rooms, ${rounds} rounds`);
    results.push(await measureHostAlone({ dir, rooms, rounds }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

type Figure = Exclude<keyof PerCommand, 'commands'>;
const FIGURES: Array<[Figure, string]> = [
  ['cpuUs', 'CPU per command (µs)'],
  ['userUs', '  of which user (µs)'],
  ['systemUs', '  of which kernel (µs)'],
  ['wallUs', 'time per command (µs)'],
  ['bytesWritten', 'bytes written per command'],
  ['writeCalls', 'write calls per command'],
];
/** A figure's median and range over the runs, or null where it was not measured (off Linux). */
const spreadOf = (side: 'host' | 'floor', figure: Figure): Spread | null => {
  const values = results.map((r) => r[side][figure]).filter((v): v is number => v !== null);
  return values.length === 0 ? null : spread(values);
};
const lines = [
  `Duologue's room host and store alone (no sockets) against the durable relay's commit: ${rooms} rooms, ${rounds} rounds, ${runs} runs (median, min–max).`,
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}; load average before ${loadBefore.join(' / ')}, after ${loadAverages().join(' / ')}.`,
  '',
  `${'figure'.padEnd(30)}${'host'.padEnd(26)}${'floor'.padEnd(26)}ratio`,
];
for (const [figure, label] of FIGURES) {
  const host = spreadOf('host', figure);
  const floor = spreadOf('floor', figure);
  const show = (s: Spread | null) => (s === null ? '–' : `${s.median} (${s.min}–${s.max})`);
  const times = host === null || floor === null ? null : ratio(host.median, floor.median);
  lines.push(`${label.padEnd(30)}${show(host).padEnd(26)}${show(floor).padEnd(26)}${times === null ? '–' : `×${times}`}`);
}
lines.push(`views serialized per command (bytes): ${spread(results.map((r) => r.host.viewBytes)).median}`);

const file = out ?? nextFile(startedAt.toISOString().slice(0, 10));
const figures = Object.fromEntries(FIGURES.map(([figure]) => [figure, { host: spreadOf('host', figure), floor: spreadOf('floor', figure) }]));
writeFileSync(
  file,
  `${JSON.stringify({ kind: 'host-alone', startedAt: startedAt.toISOString(), rooms, rounds, runs, machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', loadBefore, loadAfter: loadAverages() }, figures, results }, null, 2)}\n`,
);
process.stdout.write(`${lines.join('\n')}\nResults: ${file}\n`);

function nextFile(date: string): string {
  for (let n = 1; ; n += 1) {
    const candidate = join(PROJECT_ROOT, 'bench', 'results', `${date}-host-alone${n === 1 ? '' : `-${n}`}.json`);
    if (!existsSync(candidate)) return candidate;
  }
}
