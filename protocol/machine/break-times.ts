import type { BREAK_CAP_MINUTES as SchemaCap, BreakState } from '../schemas';

/**
 * The 24 h cap of every break, in protocol minutes. The schemas' constant sits beside zod,
 * which a phone's bundle leaves out; the type keeps the two equal.
 */
export const BREAK_CAP_MINUTES: typeof SchemaCap = 1440;

/**
 * A break duration in whole milliseconds for a room whose minute lasts `minuteMs` (60 000
 * divided by `DUOLOGUE_TIME_SCALE`): a scale that does not divide 60 000 would otherwise leave
 * fractions in deadlines that are epoch milliseconds. The machine and the phones both use it.
 */
export function breakMs(minuteMs: number, minutes: number): number {
  return Math.round(minutes * minuteMs);
}

/** When a break called now for `minutes` would end, as the machine will set it. */
export function returnAtFor(minuteMs: number, now: number, minutes: number): number {
  return now + breakMs(minuteMs, minutes);
}

/** One way to extend a break: `more` minutes later than it now ends, sent as `minutes`. */
export interface Extension {
  /** How much later than the current return time (or than now, once the break is due). */
  more: number;
  /** The whole minutes `extendBreak` carries: the new return time is `now + minutes`. */
  minutes: number;
  /** The return time the extension sets, when sent at `now`. */
  returnAt: number;
}

/**
 * The `extendBreak` that moves a break's return time `more` minutes later. The contract
 * counts an extension from now (`returnAt = now + minutes`), so "10 min more" asks for the
 * time left plus ten, rounded up to whole minutes. Once the break is due, "more" counts from now.
 */
export function extensionFor(brk: Pick<BreakState, 'returnAt'>, minuteMs: number, now: number, more: number): Extension {
  const target = Math.max(brk.returnAt, now) + breakMs(minuteMs, more);
  const minutes = Math.max(1, Math.ceil((target - now) / minuteMs));
  return { more, minutes, returnAt: returnAtFor(minuteMs, now, minutes) };
}

/** The extensions among `choices` (minutes more) that the 24 h cap still allows at `now`. */
export function extensionsFor(
  brk: Pick<BreakState, 'returnAt' | 'startedAt'>,
  minuteMs: number,
  now: number,
  choices: readonly number[],
): Extension[] {
  const cap = brk.startedAt + breakMs(minuteMs, BREAK_CAP_MINUTES);
  return choices.map((more) => extensionFor(brk, minuteMs, now, more)).filter((e) => e.returnAt <= cap);
}
