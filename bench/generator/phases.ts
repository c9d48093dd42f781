import { monitorEventLoopDelay } from 'node:perf_hooks';
import { machineLoad, machineTicks, processTimes, type MachineLoad } from '../measure/proc';
import { round3, type LatencySummary } from '../measure/stats';
import { Recorder } from './recorder';
import type { Talk } from './talk';

/** The figures of one phase. Latencies in ms, CPU in ms (per command in µs). */
export interface PhaseResult {
  rooms: number;
  offered: number;
  sent: number;
  completed: number;
  skipped: number;
  lost: number;
  mismatched: number;
  rejected: Record<string, number>;
  /** emit → the sender's ack. */
  ack: LatencySummary;
  /** emit → the partner's `state` with the new `rev` (the relay: the partner's copy). */
  partner: LatencySummary;
  /** From the first emit to the last command's completion. */
  durationMs: number;
  commandsPerSecond: number;
  serverCpuMs: number;
  serverCpuPerCommandUs: number;
  /** The server's time runnable but waiting for a core (others held it), over the phase. */
  serverRunQueueMs: number;
  generatorCpuMs: number;
  /** How late the generator's own event loop ran during the phase (ms); null when it took no sample. */
  generatorLoopDelay: { p50: number; p99: number; max: number } | null;
  machine: MachineLoad;
  /** Burst only: from each burst's first emit to its last command's completion. */
  completionMs?: number[];
}

/**
 * Sends `count` commands per room, one every `periodMs`, the rooms staggered evenly over
 * one period; resolves when the schedule has run (not when the answers are in).
 */
export function schedule(talks: readonly Talk[], recorder: Recorder, count: number, periodMs: number): Promise<void> {
  const start = performance.now() + 20;
  return Promise.all(
    talks.map(
      (talk, index) =>
        new Promise<void>((resolve) => {
          const offset = (index * periodMs) / talks.length;
          const fire = (k: number) => {
            talk.sendNext(recorder);
            if (k + 1 >= count) return resolve();
            setTimeout(() => fire(k + 1), Math.max(0, start + offset + (k + 1) * periodMs - performance.now()));
          };
          setTimeout(() => fire(0), Math.max(0, start + offset - performance.now()));
        }),
    ),
  ).then(() => undefined);
}

/** Waits for the answers of `recorder`'s commands; those still missing after `drainMs` are lost. */
export async function drain(talks: readonly Talk[], recorder: Recorder, drainMs: number): Promise<void> {
  if (await recorder.drained(drainMs)) return;
  for (const talk of talks) talk.abandon(recorder);
}

/**
 * Every room sends one command at the same instant, `bursts` times, `gapMs` apart; each
 * burst has its own recorder, so its completion time is its own.
 */
export async function bursts(talks: readonly Talk[], count: number, gapMs: number, drainMs: number): Promise<{ recorder: Recorder; completionMs: number[] }> {
  const recorders: Recorder[] = [];
  const drains: Promise<void>[] = [];
  const start = performance.now();
  for (let b = 0; b < count; b += 1) {
    const wait = start + b * gapMs - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    const recorder = new Recorder();
    recorders.push(recorder);
    for (const talk of talks) talk.sendNext(recorder);
    drains.push(drain(talks, recorder, drainMs));
  }
  await Promise.all(drains);
  const completionMs = recorders.map((r) => (r.lost > 0 || r.completed === 0 ? Number.NaN : round3(r.lastDoneAt - r.firstSentAt)));
  return { recorder: Recorder.merge(recorders), completionMs };
}

/** What the server and the machine did while a phase ran, read from outside. */
export interface PhaseWindow {
  serverCpuMs: number;
  serverRunQueueMs: number;
  generatorCpuMs: number;
  /**
   * How late the generator's own event loop ran (ms): a late loop times every answer late.
   * Null for a phase too short for the monitor to take a sample (it samples every millisecond).
   */
  generatorLoopDelay: { p50: number; p99: number; max: number } | null;
  machine: MachineLoad;
}

/** Runs `run` and measures the server's CPU, the generator's own, and the machine's load around it. */
export async function measured<T>(serverPid: number | readonly number[], run: () => Promise<T>): Promise<{ value: T; window: PhaseWindow }> {
  const serverBefore = processTimes(serverPid);
  const selfBefore = process.cpuUsage();
  const ticksBefore = machineTicks();
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  const wallBefore = performance.now();
  const value = await run();
  const wallMs = performance.now() - wallBefore;
  loop.disable();
  const generatorLoopDelay =
    loop.count === 0
      ? null
      : { p50: round3(loop.percentile(50) / 1e6), p99: round3(loop.percentile(99) / 1e6), max: round3(loop.max / 1e6) };
  const serverAfter = processTimes(serverPid);
  const serverCpuMs = serverAfter.cpuMs - serverBefore.cpuMs;
  const serverRunQueueMs = serverAfter.runQueueMs - serverBefore.runQueueMs;
  const self = process.cpuUsage(selfBefore);
  const generatorCpuMs = (self.user + self.system) / 1000;
  return {
    value,
    window: { serverCpuMs, serverRunQueueMs, generatorCpuMs, generatorLoopDelay, machine: machineLoad(ticksBefore, machineTicks(), serverCpuMs + generatorCpuMs, wallMs) },
  };
}

/**
 * The figures of `recorder`'s commands in a measured window. The server's CPU is divided by
 * `commandsInWindow`: every command the window completed, when several kinds of room shared it.
 */
export function phaseResult(recorder: Recorder, rooms: number, window: PhaseWindow, commandsInWindow = recorder.completed): PhaseResult {
  const { ack, partner } = recorder.summary();
  const durationMs = recorder.completed > 0 ? recorder.lastDoneAt - recorder.firstSentAt : Number.NaN;
  return {
    rooms,
    offered: recorder.offered,
    sent: recorder.sent,
    completed: recorder.completed,
    skipped: recorder.skipped,
    lost: recorder.lost,
    mismatched: recorder.mismatched,
    rejected: recorder.rejected,
    ack,
    partner,
    durationMs: round3(durationMs),
    commandsPerSecond: round3(recorder.completed / (durationMs / 1000)),
    serverCpuMs: round3(window.serverCpuMs),
    serverCpuPerCommandUs: round3(commandsInWindow > 0 ? (window.serverCpuMs * 1000) / commandsInWindow : Number.NaN),
    serverRunQueueMs: round3(window.serverRunQueueMs),
    generatorCpuMs: round3(window.generatorCpuMs),
    generatorLoopDelay: window.generatorLoopDelay,
    machine: window.machine,
  };
}

/**
 * A partner's share of a room's floor commands over a 10 s window: the roles swap every 7
 * commands (the listener sends 4 of a turn's 7, the speaker 3), so over the window each sends about half.
 */
const SEAT_SHARE = 1 / 2;

/** Commands per second per room that keep each partner seat at `fraction` of its per-10-s limit. */
export function rateAtLimit(limitPer10s: number, fraction: number): number {
  return (fraction * limitPer10s) / 10 / SEAT_SHARE;
}
