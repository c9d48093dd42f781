import type { TimelineLine } from '@protocol/console-facts';
import type { Partner, SeatId, StateView } from '@protocol/schemas';
import { i18n } from '../i18n';
import { clockTime, dayAndTime } from './format-time';

/**
 * The console's sentences for the facts it reads off a moderator's view. The facts come from
 * `protocol/console-facts.ts`; this module only puts them into the reader's words.
 */

function t(key: string, params: Record<string, unknown> = {}): string {
  return i18n.global.t(key, params);
}

/** A partner by name, or by seat ("First partner") until they join; the moderator is "You". */
export function seatName(view: StateView, seat: SeatId): string {
  if (seat === 'moderator') return t('console.timeline.you');
  return view.seats[seat].name ?? t(`console.seat.${seat}`);
}

/** "Alex & Sam", or the seats' words for those who have not joined yet. */
export function coupleName(view: StateView): string {
  return `${seatName(view, 'A')} & ${seatName(view, 'B')}`;
}

/**
 * What the console calls a room: its partners' names once one has joined, else when it was
 * opened (the partners' names reach the server only with their joins).
 */
export function roomTitle(view: StateView | null, openedAt: number | null): string {
  if (view && (view.seats.A.name || view.seats.B.name)) return coupleName(view);
  const at = openedAt ?? view?.timeline.find((e) => e.kind === 'created')?.at;
  return at === undefined ? t('console.list.unknown') : t('console.list.openedAt', { time: dayAndTime(at, i18n.global.locale.value) });
}

/** A time of day in the reader's locale. */
export function clockOf(at: number): string {
  return clockTime(at, i18n.global.locale.value);
}

/** One timeline line as a sentence: "Sam mirrored", "Alex: not quite, say it again". */
export function timelineSentence(view: StateView, line: TimelineLine): string {
  const name = (seat: SeatId | null | undefined): string => (seat ? seatName(view, seat) : '');
  const time = line.time === undefined ? '' : line.what === 'timeProposed' || line.what === 'timeAccepted' ? dayAndTime(line.time, i18n.global.locale.value) : clockOf(line.time);
  return t(`console.timeline.${line.what}`, {
    who: name(line.who),
    speaker: name(line.speaker),
    turn: line.turn ?? '',
    step: line.step ? t(`dialogue.steps.${line.step}`) : '',
    phrase: line.phrase ? t(`repairs.phrases.${line.phrase}`) : '',
    time,
  });
}

/** Whom a coach line went to, in words. */
export function coachRecipient(view: StateView, to: Partner | 'both' | undefined): string {
  return to === undefined || to === 'both' ? t('console.coach.toBoth') : t('console.coach.toWhom', { name: seatName(view, to) });
}

/**
 * The name to put in the new-room form when the console learns `known` (the therapist's name in
 * the newest room it has heard from), or null to leave the field: a name is filled in while the
 * field is empty or still holds the one filled in before (`filled`), never over a typed one.
 */
export function offeredName(field: string, filled: string, known: string): string | null {
  if (known === '' || known === field) return null;
  return field === '' || field === filled ? known : null;
}
