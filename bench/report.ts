import type { ClientResult } from './client-step';
import type { LoadResult } from './generator/run-load';
import type { PhaseResult } from './generator/phases';
import { ratio, spread, type LatencySummary, type Spread } from './measure/stats';

/** One figure of both sides: each side's median with its spread, and Duologue / relay. */
export interface ComparisonRow {
  figure: string;
  unit: string;
  duologue: Spread;
  relay: Spread;
  ratio: number | null;
}

/** A goal of issue 10 item 5 against today's figure. */
export interface GoalRow {
  goal: string;
  limit: string;
  measured: string;
  met: boolean;
  /** With `--durable`: the same figure's ratio for the durable relay, the floor under the goal. */
  durableRelay?: string;
}

/**
 * With `--durable`: one figure of the durable relay (the bare relay plus one fsync'd commit and
 * a copy to the sender), against the bare relay, and Duologue against it.
 */
export interface DurableRow {
  figure: string;
  unit: string;
  durable: Spread;
  relay: Spread;
  /** durable relay / bare relay */
  ratio: number | null;
  /** Duologue / durable relay */
  duologueRatio: number | null;
}

export interface BystanderSummary {
  quietAlone: { p50: Spread; p95: Spread; p99: Spread };
  quietWithBusy: { p50: Spread; p95: Spread; p99: Spread };
  /** How late the generator's own event loop ran (p99, ms): its lateness is in every latency it times. */
  generatorLoopDelayP99: { alone: Spread; withBusy: Spread };
  /** with busy rooms / without, per run, for each percentile. */
  ratioP50: Spread;
  ratioP99: Spread;
  busy: { p50: Spread; p99: Spread; commandsPerSecond: Spread; offered: number; skipped: number; rejected: number };
}

type Pick = (result: LoadResult) => number | null;

/** The runs that measured a figure: a run in which no command completed has no latency (null), not a latency of 0. */
const measured = (values: Array<number | null>): number[] => values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));

const median = (values: number[]) => spread(values).median;

/**
 * The median completion time of the bursts that completed whole. A burst with a lost command, or
 * one in which no room could send (each still waiting for its previous answer, at a load the
 * server falls behind on), has none; when no burst completed, there is no figure (null), not 0.
 */
export function burstCompletion(completionMs: ReadonlyArray<number | null>): number | null {
  const whole = completionMs.filter((ms): ms is number => typeof ms === 'number' && Number.isFinite(ms));
  return whole.length === 0 ? null : median(whole);
}
const phases = (r: LoadResult): PhaseResult[] => [r.steady, r.burst, ...(r.bystander === null ? [] : [r.bystander.quietAlone, r.bystander.quietWithBusy, r.bystander.busy])];
const total = (r: LoadResult, count: (p: PhaseResult) => number) => phases(r).reduce((sum, p) => sum + count(p), 0);
const rejectedOf = (p: PhaseResult) => Object.values(p.rejected).reduce((sum, n) => sum + n, 0);

function latencyRows(prefix: string, pick: (r: LoadResult) => LatencySummary): Array<[string, string, Pick]> {
  return (['p50', 'p95', 'p99', 'max'] as const).map((p) => [`${prefix} ${p}`, 'ms', (r: LoadResult) => pick(r)[p]]);
}

/** Every figure compared, in the order the summary prints them. */
const FIGURES: Array<[string, string, Pick]> = [
  ...latencyRows('steady: command → partner state', (r) => r.steady.partner),
  ...latencyRows('steady: command → ack', (r) => r.steady.ack),
  ['steady: commands per second', 'cmd/s', (r) => r.steady.commandsPerSecond],
  ['steady: server CPU per command', 'µs', (r) => r.steady.serverCpuPerCommandUs],
  ['idle: server CPU per second (sockets open, no command)', 'ms/s', (r) => (r.idle ? (1000 * r.idle.serverCpuMs) / r.idle.durationMs : null)],
  ...latencyRows('burst: command → partner state', (r) => r.burst.partner),
  ...latencyRows('burst: command → ack', (r) => r.burst.ack),
  ['burst: completion (median of the bursts)', 'ms', (r) => burstCompletion(r.burst.completionMs ?? [])],
  ['burst: commands per second', 'cmd/s', (r) => r.burst.commandsPerSecond],
  ['burst: server CPU per command', 'µs', (r) => r.burst.serverCpuPerCommandUs],
  ['steady: the generator\'s event-loop delay p99', 'ms', (r) => r.steady.generatorLoopDelay?.p99 ?? null],
  ['connecting all sockets', 'ms', (r) => r.setup.connectMs],
  ['server RSS idle', 'MiB', (r) => r.rss.idleKiB / 1024],
  ['server RSS after connecting', 'MiB', (r) => r.rss.afterConnectKiB / 1024],
  ['server RSS after traffic', 'MiB', (r) => r.rss.afterTrafficKiB / 1024],
  ['RSS per socket after connecting', 'KiB', (r) => r.rss.perSocketConnectKiB],
  ['RSS per socket after traffic', 'KiB', (r) => r.rss.perSocketTrafficKiB],
  ['server busy on a core during steady', '%', (r) => (100 * r.steady.serverCpuMs) / r.steady.durationMs],
  ['server waiting for a core during steady', '%', (r) => (100 * r.steady.serverRunQueueMs) / r.steady.durationMs],
  ['generator CPU, steady', 'ms', (r) => r.steady.generatorCpuMs],
  ['machine busy during steady (all cores)', '%', (r) => r.steady.machine.busyPercent],
  ['others than the bench during steady', '%', (r) => r.steady.machine.othersPercent],
  ['commands not sent (previous unanswered)', '', (r) => r.steady.skipped + r.burst.skipped],
  ['lost commands', '', (r) => r.steady.lost + r.burst.lost],
  ['rejected commands', '', (r) => rejectedOf(r.steady) + rejectedOf(r.burst)],
];

/** Compares the sides figure by figure: medians over the runs, with min–max and the ratio. */
export function compare(duologue: LoadResult[], relay: LoadResult[]): ComparisonRow[] {
  return FIGURES.map(([figure, unit, pick]) => {
    const d = spread(measured(duologue.map(pick)));
    const r = spread(measured(relay.map(pick)));
    return { figure, unit, duologue: d, relay: r, ratio: ratio(d.median, r.median) };
  });
}

/** The durable relay figure by figure, against the bare relay and under Duologue. */
export function compareDurable(duologue: LoadResult[], relay: LoadResult[], durable: LoadResult[]): DurableRow[] {
  const underDuologue = compare(duologue, durable);
  return compare(durable, relay).map((row, i) => ({
    figure: row.figure,
    unit: row.unit,
    durable: row.duologue,
    relay: row.relay,
    ratio: row.ratio,
    duologueRatio: underDuologue[i]!.ratio,
  }));
}

/** The figures of the durable relay the summary prints: those a goal of item 5 is set on. */
const DURABLE_SHOWN = new Set([
  'steady: command → partner state p50',
  'steady: command → partner state p95',
  'steady: command → partner state p99',
  'steady: server CPU per command',
  'burst: command → partner state p99',
  'burst: server CPU per command',
  'connecting all sockets',
  'RSS per socket after connecting',
  'server busy on a core during steady',
]);

/** The quiet rooms beside busy ones, against the same rooms alone (Duologue). */
export function summarizeBystander(duologue: LoadResult[]): BystanderSummary | null {
  const runs = duologue.map((r) => r.bystander).filter((b) => b !== null);
  if (runs.length === 0) return null;
  const of = (pick: (b: (typeof runs)[number]) => number | null) => spread(measured(runs.map(pick)));
  return {
    quietAlone: { p50: of((b) => b.quietAlone.partner.p50), p95: of((b) => b.quietAlone.partner.p95), p99: of((b) => b.quietAlone.partner.p99) },
    quietWithBusy: {
      p50: of((b) => b.quietWithBusy.partner.p50),
      p95: of((b) => b.quietWithBusy.partner.p95),
      p99: of((b) => b.quietWithBusy.partner.p99),
    },
    generatorLoopDelayP99: {
      alone: of((b) => b.quietAlone.generatorLoopDelay?.p99 ?? null),
      withBusy: of((b) => b.quietWithBusy.generatorLoopDelay?.p99 ?? null),
    },
    ratioP50: of((b) => ratio(b.quietWithBusy.partner.p50, b.quietAlone.partner.p50) ?? Number.NaN),
    ratioP99: of((b) => ratio(b.quietWithBusy.partner.p99, b.quietAlone.partner.p99) ?? Number.NaN),
    busy: {
      p50: of((b) => b.busy.partner.p50),
      p99: of((b) => b.busy.partner.p99),
      commandsPerSecond: of((b) => b.busy.commandsPerSecond),
      offered: runs.reduce((sum, b) => sum + b.busy.offered, 0),
      skipped: runs.reduce((sum, b) => sum + b.busy.skipped, 0),
      rejected: runs.reduce((sum, b) => sum + rejectedOf(b.busy), 0),
    },
  };
}

/** The goals of issue 10 item 5, each against the medians measured (and, with `--durable`, the durable relay's ratio beside it). */
export function goals(rows: ComparisonRow[], bystander: BystanderSummary | null, lost: number, durable: DurableRow[] = []): GoalRow[] {
  const row = (figure: string) => rows.find((r) => r.figure === figure);
  const against = (goal: string, figure: string, limit: number): GoalRow => {
    const found = row(figure);
    const value = found?.ratio ?? Number.NaN;
    const goalRow: GoalRow = { goal, limit: `≤ ${limit}×`, measured: Number.isFinite(value) ? `×${value}` : 'not measured', met: value <= limit };
    const floor = durable.find((r) => r.figure === figure)?.ratio;
    if (floor !== undefined) goalRow.durableRelay = floor === null ? 'not measured' : `×${floor}`;
    return goalRow;
  };
  const list = [
    against('command → partner state p50, against the relay', 'steady: command → partner state p50', 3),
    against('command → partner state p95, against the relay', 'steady: command → partner state p95', 2.5),
    against('command → partner state p99, against the relay', 'steady: command → partner state p99', 2),
    against('server CPU per command, against the relay per event', 'steady: server CPU per command', 2),
    against("a burst's p99 (command → partner state), against the relay", 'burst: command → partner state p99', 2),
    against('RSS per socket (after connecting), against the relay', 'RSS per socket after connecting', 1.3),
    against('connecting all sockets, against the relay', 'connecting all sockets', 1.5),
  ];
  const quiet = bystander?.ratioP99.median ?? Number.NaN;
  list.push({
    goal: "bystander: quiet rooms' p99 beside busy rooms, against the same rooms alone",
    limit: '≤ 2×',
    measured: Number.isFinite(quiet) ? `×${quiet}` : 'not measured',
    met: quiet <= 2,
  });
  list.push({ goal: 'lost commands (Duologue)', limit: '0', measured: String(lost), met: lost === 0 });
  return list;
}

/** Every lost, rejected or mismatched command, dropped socket and server warning, in words. */
export function problemsOf(runs: Array<{ side: string; run: number; result: LoadResult; serverOutput: string[] }>): string[] {
  const problems: string[] = [];
  for (const { side, run, result, serverOutput } of runs) {
    const where = `${side} run ${run}`;
    const lost = total(result, (p) => p.lost);
    const mismatched = total(result, (p) => p.mismatched);
    const rejected = phases(result).flatMap((p) => Object.entries(p.rejected));
    if (lost > 0) problems.push(`${where}: ${lost} commands lost`);
    if (mismatched > 0) problems.push(`${where}: ${mismatched} acks or states with an unexpected rev`);
    for (const [code, count] of rejected) problems.push(`${where}: ${count} commands rejected with ${code}`);
    if (result.disconnects > 0) {
      const why = Object.entries(result.dropReasons ?? {})
        .map(([reason, d]) => `${d.count} ${reason} (${(d.firstMs / 1000).toFixed(1)}–${(d.lastMs / 1000).toFixed(1)} s after the load began)`)
        .join(', ');
      problems.push(`${where}: ${result.disconnects} sockets dropped${why === '' ? '' : `: ${why}`}`);
    }
    if (serverOutput.length > 0) problems.push(`${where}: the server wrote ${serverOutput.length} lines, first: ${serverOutput[0]!.slice(0, 300)}`);
  }
  return problems;
}

/** Sum of lost commands over every run and phase. */
export function lostOf(results: LoadResult[]): number {
  return results.reduce((sum, r) => sum + total(r, (p) => p.lost), 0);
}

const show = (s: Spread) => (Number.isFinite(s.median) ? `${format(s.median)} (${format(s.min)}–${format(s.max)})` : '–');

function format(value: number): string {
  if (!Number.isFinite(value)) return '–';
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/** The human-readable summary printed at the end of a run. */
export function summaryText(input: {
  rooms: number;
  runs: number;
  rows: ComparisonRow[];
  durable?: DurableRow[];
  bystander: BystanderSummary | null;
  goalRows: GoalRow[];
  sqlite: { p50: Spread; p99: Spread } | null;
  client: ClientResult | null;
  machine: { cpus: number; model: string; loadBefore: number[]; loadAfter: number[] };
  problems: string[];
  file: string;
}): string {
  const lines: string[] = [];
  if (input.rows.length > 0) {
    lines.push(`Duologue against a bare Socket.IO relay: ${input.rooms} rooms, ${input.runs} runs per side (median, min–max over runs).`);
  }
  lines.push(
    `Machine: ${input.machine.cpus} × ${input.machine.model}; load average before ${input.machine.loadBefore.join(' / ')}, after ${input.machine.loadAfter.join(' / ')}.`,
  );
  if (input.rows.length > 0) {
    lines.push('');
    const width = Math.max(...input.rows.map((r) => r.figure.length + r.unit.length + 3));
    lines.push(`${'figure'.padEnd(width)}  ${'Duologue'.padEnd(26)}${'relay'.padEnd(26)}ratio`);
    for (const r of input.rows) {
      const name = r.unit === '' ? r.figure : `${r.figure} (${r.unit})`;
      lines.push(`${name.padEnd(width)}  ${show(r.duologue).padEnd(26)}${show(r.relay).padEnd(26)}${r.ratio === null ? '–' : `×${r.ratio}`}`);
    }
  }
  const durable = (input.durable ?? []).filter((r) => DURABLE_SHOWN.has(r.figure));
  if (durable.length > 0) {
    lines.push('');
    lines.push("The durable relay (the relay, one fsync'd SQLite commit per event, a copy to every member): the floor under any server that keeps the contract.");
    const width = Math.max(...durable.map((r) => r.figure.length + r.unit.length + 3));
    lines.push(`${'figure'.padEnd(width)}  ${'durable relay'.padEnd(26)}${'/ relay'.padEnd(10)}Duologue / durable relay`);
    for (const r of durable) {
      const name = r.unit === '' ? r.figure : `${r.figure} (${r.unit})`;
      const times = (x: number | null) => (x === null ? '–' : `×${x}`);
      lines.push(`${name.padEnd(width)}  ${show(r.durable).padEnd(26)}${times(r.ratio).padEnd(10)}${times(r.duologueRatio)}`);
    }
  }
  if (input.bystander !== null) {
    const b = input.bystander;
    lines.push('');
    lines.push('Bystander (Duologue): quiet rooms command → partner state, alone and beside busy rooms (ms):');
    lines.push(`  alone        p50 ${show(b.quietAlone.p50)}   p95 ${show(b.quietAlone.p95)}   p99 ${show(b.quietAlone.p99)}`);
    lines.push(`  beside busy  p50 ${show(b.quietWithBusy.p50)}   p95 ${show(b.quietWithBusy.p95)}   p99 ${show(b.quietWithBusy.p99)}`);
    lines.push(`  the generator's own event-loop delay p99: alone ${show(b.generatorLoopDelayP99.alone)}, beside busy ${show(b.generatorLoopDelayP99.withBusy)}`);
    lines.push(`  ratio        p50 ×${show(b.ratioP50)}   p99 ×${show(b.ratioP99)}`);
    lines.push(`  busy rooms   p50 ${show(b.busy.p50)}   p99 ${show(b.busy.p99)}   ${show(b.busy.commandsPerSecond)} cmd/s`);
    lines.push(
      `               ${b.busy.offered} commands scheduled, ${b.busy.skipped} not sent (the previous one unanswered), ${b.busy.rejected} rejected`,
    );
  }
  if (input.sqlite !== null) {
    lines.push('');
    lines.push(`One durable SQLite commit (WAL, synchronous=FULL): p50 ${show(input.sqlite.p50)} ms, p99 ${show(input.sqlite.p99)} ms.`);
  }
  if (input.client !== null) {
    const c = input.client;
    lines.push('');
    lines.push(
      `Client: ${c.gzip.entryAndEagerKiB} KiB gzipped entry + eager chunks; ${c.gzip.loadedForDialogueKiB} KiB loaded to the dialogue screen; ${c.gzip.allScriptsKiB} KiB all scripts.`,
    );
    lines.push(`  dialogue screen usable at ${show(c.interactive.dialogueReadyMs)} ms with the CPU throttled ${c.interactive.cpuThrottle}×.`);
  }
  if (input.goalRows.length > 0) {
    lines.push('');
    lines.push('Goals of issue 10 (item 5):');
    for (const g of input.goalRows) {
      const floor = g.durableRelay === undefined ? '' : `; the durable relay ${g.durableRelay}`;
      lines.push(`  ${g.met ? 'met    ' : 'not yet'}  ${g.goal}: ${g.measured} (goal ${g.limit}${floor})`);
    }
  }
  lines.push('');
  if (input.rows.length > 0) {
    const clean = input.problems.length === 0;
    lines.push(clean ? 'No lost, rejected or mismatched commands; no dropped sockets.' : `PROBLEMS:\n  ${input.problems.join('\n  ')}`);
  }
  lines.push(`Results: ${input.file}`);
  return `${lines.join('\n')}\n`;
}
