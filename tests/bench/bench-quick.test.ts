import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PhaseResult } from '../../bench/generator/phases';
import { defaultOptions } from '../../bench/options';
import { runBench, type BenchReport } from '../../bench/orchestrator';

/**
 * The bench at toy scale against both sides: it checks the harness's own truths (every
 * command acknowledged and seen by the partner with the right rev, nothing lost, figures
 * that mean something, the results file's shape). It asserts no speed: the machines that
 * run the suite are shared, and the speed goals live in the bench's results and docs.
 */
describe('npm run bench, at toy scale', () => {
  let dir: string;
  let report: BenchReport;
  let written: BenchReport;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'duologue-bench-test-'));
    report = await runBench({
      ...defaultOptions(),
      rooms: 10,
      runs: 1,
      quick: true,
      settleMs: 0,
      warmupRounds: 0,
      steadyRounds: 2,
      bursts: 1,
      quietRooms: 10,
      busyRooms: 2,
      notes: 20,
      bystanderRounds: 1,
      sqliteCommits: 200,
      drainMs: 15_000,
      idleMs: 300,
      clientRuns: 0,
      durable: true,
      out: join(dir, 'results.json'),
      log: () => undefined,
    });
    written = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as BenchReport;
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const phasesOf = (r: BenchReport) =>
    r.runs.flatMap((run) => {
      const { steady, burst, bystander } = run.result;
      const named: Array<[string, PhaseResult]> = [
        [`${run.side} steady`, steady],
        [`${run.side} burst`, burst],
      ];
      if (bystander !== null) named.push([`${run.side} quiet alone`, bystander.quietAlone], [`${run.side} quiet beside busy`, bystander.quietWithBusy]);
      return named;
    });

  it('ran Duologue, the relay and the durable relay once each, in turn', () => {
    expect(report.runs.map((r) => `${r.side} ${r.run}`)).toEqual(['duologue 1', 'relay 1', 'durable 1']);
    expect(report.runs[0]!.result.bystander).not.toBeNull();
    expect(report.runs[1]!.result.bystander).toBeNull();
    expect(report.runs[2]!.result.bystander).toBeNull();
    for (const run of report.runs) {
      expect(run.result.idle.durationMs).toBe(300);
      expect(run.result.idle.serverCpuMs).toBeGreaterThanOrEqual(0);
    }
  });

  it('had every command acknowledged and seen by the partner with the new rev, none lost or refused', () => {
    expect(report.problems).toEqual([]);
    for (const [name, phase] of phasesOf(report)) {
      expect(phase.sent, name).toBeGreaterThan(0);
      expect({ name, sent: phase.sent, completed: phase.completed }).toEqual({ name, sent: phase.offered, completed: phase.offered });
      expect({ name, lost: phase.lost, mismatched: phase.mismatched, skipped: phase.skipped, rejected: phase.rejected }).toEqual({
        name,
        lost: 0,
        mismatched: 0,
        skipped: 0,
        rejected: {},
      });
      expect(phase.partner.count, name).toBe(phase.completed);
    }
    // 10 rooms × 2 rounds, and one burst of 10.
    expect(report.runs.map((r) => [r.result.steady.completed, r.result.burst.completed])).toEqual([
      [20, 10],
      [20, 10],
      [20, 10],
    ]);
  });

  it('gives finite, positive figures', () => {
    for (const [name, phase] of phasesOf(report)) {
      for (const value of [
        phase.ack.p50,
        phase.ack.p99,
        phase.partner.p50,
        phase.partner.p95,
        phase.partner.p99,
        phase.partner.max,
        phase.commandsPerSecond,
        phase.serverCpuPerCommandUs,
      ]) {
        expect(Number.isFinite(value) && value > 0, `${name}: ${value}`).toBe(true);
      }
      // The generator's own loop, sampled every millisecond: a phase of seconds has samples (a
      // burst at this scale may be over before the first). Percentiles come from histogram
      // buckets, whose bounds may lie up to 1 % above the largest value recorded.
      const loop = phase.generatorLoopDelay;
      if (name.endsWith('steady')) expect(loop, name).not.toBeNull();
      if (loop !== null) {
        expect(loop.p50, name).toBeGreaterThan(0);
        expect(loop.p99, name).toBeGreaterThanOrEqual(loop.p50);
        expect(loop.max * 1.01, name).toBeGreaterThanOrEqual(loop.p99);
      }
    }
    for (const run of report.runs) {
      expect(run.result.setup.connectMs).toBeGreaterThan(0);
      expect(run.result.rss.afterConnectKiB).toBeGreaterThan(0);
      expect(run.result.burst.completionMs).toHaveLength(1);
      expect(run.result.burst.completionMs![0]).toBeGreaterThan(0);
    }
    expect(report.sqliteCommit!.p50.median).toBeGreaterThan(0);
    expect(report.sqliteCommit!.p99.median).toBeGreaterThanOrEqual(report.sqliteCommit!.p50.median);
  });

  it('writes a results file with every figure, its spread and its ratio', () => {
    expect(written.bench).toBe('duologue-vs-bare-socket.io');
    expect(written.runs).toHaveLength(3);
    expect(written.machine.cpus).toBeGreaterThan(0);
    expect(written.machine.loadBefore).toHaveLength(3);
    const figures = written.comparison.map((row) => row.figure);
    expect(figures).toEqual(expect.arrayContaining(['steady: command → partner state p99', 'steady: server CPU per command', 'burst: command → partner state p99', 'connecting all sockets', 'RSS per socket after connecting']));
    const p50 = written.comparison.find((row) => row.figure === 'steady: command → partner state p50')!;
    expect(p50.duologue.runs).toHaveLength(1);
    expect(p50.ratio).toBe(Math.round((p50.duologue.median / p50.relay.median) * 100) / 100);
    expect(written.goals.map((g) => g.goal)).toContain('lost commands (Duologue)');
    expect(written.goals.find((g) => g.goal === 'lost commands (Duologue)')!.met).toBe(true);
    expect(written.bystander!.ratioP99.runs).toHaveLength(1);
    expect(written.summary).toContain('Goals of issue 10');
  });

  it('puts the durable relay beside the relay, and Duologue against it', () => {
    const cpu = written.durableRelay!.find((row) => row.figure === 'steady: server CPU per command')!;
    const relayCpu = written.comparison.find((row) => row.figure === 'steady: server CPU per command')!;
    expect(cpu.durable.runs).toHaveLength(1);
    expect(cpu.durable.median).toBeGreaterThan(0);
    expect(cpu.relay).toEqual(relayCpu.relay);
    expect(cpu.ratio).toBe(Math.round((cpu.durable.median / cpu.relay.median) * 100) / 100);
    expect(cpu.duologueRatio).toBe(Math.round((relayCpu.duologue.median / cpu.durable.median) * 100) / 100);
    const goal = written.goals.find((g) => g.goal === 'server CPU per command, against the relay per event')!;
    expect(goal.durableRelay).toBe(`×${cpu.ratio}`);
    expect(written.summary).toContain('The durable relay');
  });
});
