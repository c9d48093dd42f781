import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';

/**
 * What Linux's /proc says about a process and the machine. The bench reads the server's
 * figures from outside, so the server carries no measuring code.
 */

/** A process's time on a CPU and waiting for one, so far (ms). */
export interface ProcessTimes {
  cpuMs: number;
  /** Runnable but not running: the time the process waited for a core that others held. */
  runQueueMs: number;
}

/**
 * The sum over a process's threads of /proc/<pid>/task/<tid>/schedstat: time on a CPU and
 * time waiting on a run queue, in nanoseconds, so a phase of a few commands still registers.
 * Without schedstat the CPU comes from utime + stime (10 ms ticks) and the wait is unknown (NaN).
 */
export function processTimes(pid: number | readonly number[]): ProcessTimes {
  if (typeof pid !== 'number') {
    // Several server processes (and Redis) serve the load together: their times add up.
    const each = pid.map((one) => processTimes(one));
    return { cpuMs: each.reduce((sum, t) => sum + t.cpuMs, 0), runQueueMs: each.reduce((sum, t) => sum + t.runQueueMs, 0) };
  }
  let cpuNs = 0;
  let waitNs = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const [onCpu, waiting] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ');
        cpuNs += Number(onCpu);
        waitNs += Number(waiting);
      } catch {
        // The thread ended between the listing and the read; its time is lost to this sample.
      }
    }
  } catch {
    // No schedstat on this kernel: the coarser ticks below.
  }
  if (cpuNs > 0) return { cpuMs: cpuNs / 1e6, runQueueMs: waitNs / 1e6 };
  return { cpuMs: statCpuMs(pid), runQueueMs: Number.NaN };
}

/** utime + stime of /proc/<pid>/stat, in milliseconds (every thread, ended ones included). */
export function statCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name in parentheses may hold spaces; the fields after it are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

// USER_HZ is 100 on every Linux build this project runs on (getconf CLK_TCK).
const CLOCK_TICKS_PER_SECOND = 100;

/** Resident memory of a process, in KiB (VmRSS of /proc/<pid>/status). */
export function processRssKiB(pid: number | readonly number[]): number {
  if (typeof pid !== 'number') return pid.reduce((sum, one) => sum + processRssKiB(one), 0);
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]);
}

/** The machine's CPU counters from /proc/stat: busy and total jiffies over all cores. */
export interface MachineTicks {
  busy: number;
  total: number;
}

export function machineTicks(): MachineTicks {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
  const [, ...values] = line.trim().split(/\s+/);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = values.map(Number) as number[];
  const busy = user! + nice! + system! + irq! + softirq! + steal!;
  return { busy, total: busy + idle! + iowait! };
}

/** How busy the machine was between two readings, and how much of it was not the bench. */
export interface MachineLoad {
  /** All cores' busy time over the interval, as a percentage of all cores' time. */
  busyPercent: number;
  /** The same for the processes named as the bench's own (server, generator). */
  benchPercent: number;
  /** What the rest of the machine used meanwhile: the other engineers' tests and browsers. */
  othersPercent: number;
}

/** Compares two /proc/stat readings with the CPU milliseconds the bench's processes used between them. */
export function machineLoad(before: MachineTicks, after: MachineTicks, benchCpuMs: number, wallMs: number): MachineLoad {
  const total = after.total - before.total;
  const busyPercent = total > 0 ? (100 * (after.busy - before.busy)) / total : 0;
  const benchPercent = wallMs > 0 ? (100 * benchCpuMs) / (wallMs * cpus().length) : 0;
  const round1 = (value: number) => Math.round(value * 10) / 10;
  return {
    busyPercent: round1(busyPercent),
    benchPercent: round1(benchPercent),
    othersPercent: round1(Math.max(0, busyPercent - benchPercent)),
  };
}

/** The 1, 5 and 15 minute load averages, rounded. */
export function loadAverages(): [number, number, number] {
  const [one, five, fifteen] = loadavg().map((value) => Math.round(value * 100) / 100);
  return [one!, five!, fifteen!];
}

/** This process's limit of open files (`ulimit -n`), soft and hard; null where /proc does not tell. */
export function openFileLimits(): { soft: number; hard: number } | null {
  const line = readFileSync('/proc/self/limits', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('Max open files'));
  const match = line?.match(/Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/);
  if (!match) return null;
  const value = (raw: string) => (raw === 'unlimited' ? Number.POSITIVE_INFINITY : Number(raw));
  return { soft: value(match[1]!), hard: value(match[2]!) };
}

/**
 * Open files the server and the load generator each need for a bench of `rooms` rooms: two
 * partner sockets per room, three per busy room, and a margin for the database, pipes and
 * the listening socket.
 */
export function filesNeeded(rooms: number, busyRooms: number): number {
  return 2 * rooms + 3 * busyRooms + 200;
}
