import type { Clock, Timer } from '../../server/clock';

interface Pending {
  at: number;
  fn: () => void;
  cancelled: boolean;
}

/**
 * A clock that moves only when a test moves it. Timers due by the new time fire in
 * deadline order, so a break becomes due at `returnAt` without real waiting.
 */
export class ManualClock implements Clock {
  private pending: Pending[] = [];

  constructor(private time = Date.now()) {}

  now(): number {
    return this.time;
  }

  at(at: number, fn: () => void): Timer {
    const entry: Pending = { at, fn, cancelled: false };
    this.pending.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /** Moves time forward by `ms` and fires every timer that became due. */
  advance(ms: number): void {
    this.set(this.time + ms);
  }

  /** Moves time to `time` (never backwards) and fires every timer that became due. */
  set(time: number): void {
    this.time = Math.max(this.time, time);
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      const due = this.pending.filter((p) => p.at <= this.time).sort((a, b) => a.at - b.at)[0];
      if (due === undefined) return;
      due.cancelled = true;
      due.fn();
    }
  }

  /** How many timers are armed (for tests that check a deadline was scheduled). */
  armed(): number {
    return this.pending.filter((p) => !p.cancelled).length;
  }
}
