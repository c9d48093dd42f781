import type { Clock, Timer } from '../../../server/clock';

/**
 * A clock that moves only when told: `now` stays put, and a timer fires when
 * `advance` or `set` passes its time. It lets a test predict the server's `now`.
 */
export class ManualClock implements Clock {
  private timers = new Set<{ at: number; fn: () => void }>();

  constructor(private current: number) {}

  now(): number {
    return this.current;
  }

  at(at: number, fn: () => void): Timer {
    const timer = { at, fn };
    this.timers.add(timer);
    return { cancel: () => this.timers.delete(timer) };
  }

  /** Moves time forward and fires every timer that came due, in time order. */
  set(to: number): void {
    this.current = Math.max(this.current, to);
    const due = [...this.timers].filter((t) => t.at <= this.current).sort((a, b) => a.at - b.at);
    for (const timer of due) {
      this.timers.delete(timer);
      timer.fn();
    }
  }

  advance(ms: number): void {
    this.set(this.current + ms);
  }

  get pending(): number {
    return this.timers.size;
  }
}
