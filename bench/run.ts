/**
 * `npm run bench`: Duologue against a bare Socket.IO relay, measured from outside
 * (issue 10). See docs/performance.md for what it does and what it found.
 *
 *   npm run bench                         # 1,000 rooms, 3 runs per side, the client step
 *   npm run bench -- --rooms 100 --runs 1 --quick
 *   npm run bench -- --client-only
 *
 * The machine is shared: run it under `nice -n 10`, which its processes inherit.
 */
import { filesNeeded, openFileLimits } from './measure/proc';
import { optionsFromArgs, type BenchOptions } from './options';
import { runBench } from './orchestrator';

let options: BenchOptions;
try {
  options = optionsFromArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

// Each side's server and the generator hold every socket open at once: say so before starting.
const limits = openFileLimits();
const needed = filesNeeded(options.rooms, options.busyRooms);
if (!options.clientOnly && limits !== null && limits.soft < needed) {
  const raise =
    limits.hard >= needed
      ? `Raise it first with \`ulimit -n ${needed}\` (this machine allows up to ${limits.hard}).`
      : `This machine's hard limit is ${limits.hard}, so at most ${Math.floor((limits.hard - 200 - 3 * options.busyRooms) / 2)} rooms fit.`;
  console.error(
    `${options.rooms} rooms need about ${needed} open files in the server and in the load generator each, and this shell allows ${limits.soft}. ${raise}`,
  );
  process.exit(2);
}

const report = await runBench(options);
process.stdout.write(report.summary);
// Lost or rejected commands make the bench fail; missed speed goals do not (they are findings).
process.exitCode = report.problems.length > 0 ? 1 : 0;
