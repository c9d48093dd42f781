/**
 * `npm run soak`: the full soak of issue 5. 200 rooms driven through whole sessions by
 * scripted partners, phones dropping and reconnecting, the server process SIGKILLed and
 * started again twice. Prints the figures as JSON; exits 1 when anything was lost or stuck.
 *
 *   npm run soak -- --rooms 200 --kills 2 --concurrency 50 --drop-rate 0.05 --time-scale 600
 */
import { parseArgs } from 'node:util';
import { runSoak } from '../tests/hardening/soak/soak-run';

const { values } = parseArgs({
  options: {
    rooms: { type: 'string', default: '200' },
    kills: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '50' },
    'drop-rate': { type: 'string', default: '0.05' },
    'time-scale': { type: 'string', default: '600' },
  },
});

const number = (name: keyof typeof values): number => {
  const value = Number(values[name]);
  if (!Number.isFinite(value) || value < 0) {
    console.error(`--${name} must be a non-negative number, not ${JSON.stringify(values[name])}`);
    process.exit(2);
  }
  return value;
};

const report = await runSoak({
  rooms: number('rooms'),
  kills: number('kills'),
  concurrency: Math.max(1, number('concurrency')),
  dropRate: number('drop-rate'),
  timeScale: Math.max(1, number('time-scale')),
  progress: (line) => console.warn(`[soak] ${line}`),
});

process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
const failed = report.problems.length + report.stuck.length + report.crashes.length > 0 || report.kills !== number('kills');
if (failed) console.error('[soak] FAILED: see problems, stuck and crashes above.');
process.exitCode = failed ? 1 : 0;
