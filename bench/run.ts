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
import { optionsFromArgs, type BenchOptions } from './options';
import { runBench } from './orchestrator';

let options: BenchOptions;
try {
  options = optionsFromArgs(process.argv.slice(2));
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

const report = await runBench(options);
process.stdout.write(report.summary);
// Lost or rejected commands make the bench fail; missed speed goals do not (they are findings).
process.exitCode = report.problems.length > 0 ? 1 : 0;
