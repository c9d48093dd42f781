import { summarize, type LatencySummary } from '../measure/stats';

/**
 * The figures of one phase's commands, as the load generator sees them: when each was
 * emitted, when its sender got the ack, and when the partner got the change.
 */
export class Recorder {
  readonly ackMs: number[] = [];
  readonly partnerMs: number[] = [];
  /** Commands the schedule wanted to send. */
  offered = 0;
  sent = 0;
  completed = 0;
  /** Not sent, because the room's previous command was still unanswered (its `rev` would be stale). */
  skipped = 0;
  /** Sent, and never both acknowledged and seen by the partner before the phase's drain ended. */
  lost = 0;
  /** An ack or a partner `state` with a `rev` other than the one the command must produce. */
  mismatched = 0;
  /** Acks `{ ok: false }`, by error code. */
  readonly rejected: Record<string, number> = {};
  firstSentAt = Number.POSITIVE_INFINITY;
  lastDoneAt = 0;
  private inFlight = 0;
  private waiters: Array<() => void> = [];

  /** A command left the generator at `at` (performance.now()). */
  noteSent(at: number): void {
    this.sent += 1;
    this.inFlight += 1;
    this.firstSentAt = Math.min(this.firstSentAt, at);
  }

  /** Both halves arrived: the ack after `ackMs`, the partner's state after `partnerMs`. */
  noteDone(ackMs: number, partnerMs: number, doneAt: number): void {
    this.ackMs.push(ackMs);
    this.partnerMs.push(partnerMs);
    this.completed += 1;
    this.lastDoneAt = Math.max(this.lastDoneAt, doneAt);
    this.settle();
  }

  noteRejected(code: string): void {
    this.rejected[code] = (this.rejected[code] ?? 0) + 1;
    this.settle();
  }

  noteLost(): void {
    this.lost += 1;
    this.settle();
  }

  /** Resolves once every command sent so far has an outcome, or after `timeoutMs` (false then). */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((waiter) => waiter !== done);
        resolve(false);
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(done);
    });
  }

  /** Latencies of this phase (ms). */
  summary(): { ack: LatencySummary; partner: LatencySummary } {
    return { ack: summarize(this.ackMs), partner: summarize(this.partnerMs) };
  }

  /** The counts of every recorder together, with their samples. */
  static merge(recorders: readonly Recorder[]): Recorder {
    const merged = new Recorder();
    for (const r of recorders) {
      merged.ackMs.push(...r.ackMs);
      merged.partnerMs.push(...r.partnerMs);
      merged.offered += r.offered;
      merged.sent += r.sent;
      merged.completed += r.completed;
      merged.skipped += r.skipped;
      merged.lost += r.lost;
      merged.mismatched += r.mismatched;
      for (const [code, count] of Object.entries(r.rejected)) merged.rejected[code] = (merged.rejected[code] ?? 0) + count;
      merged.firstSentAt = Math.min(merged.firstSentAt, r.firstSentAt);
      merged.lastDoneAt = Math.max(merged.lastDoneAt, r.lastDoneAt);
    }
    return merged;
  }

  private settle(): void {
    this.inFlight -= 1;
    if (this.inFlight > 0) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}
