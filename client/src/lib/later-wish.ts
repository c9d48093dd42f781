import type { SeatId, StateView } from '@protocol/schemas';

/**
 * Where in the timeline `seat` first asked for another time and still means it, or -1: their
 * first proposal since their own check-in. A check-in made after a proposal says "now is fine"
 * and sets it aside; a proposal made after one's own check-in is a wish to stop for today.
 */
function asksLaterFrom(view: StateView, seat: SeatId): number {
  const events = view.timeline;
  const checkedIn = events.findLastIndex((event) => event.kind === 'checkedIn' && event.by === seat);
  return events.findIndex((event, i) => i > checkedIn && event.kind === 'timeProposed' && event.by === seat);
}

/**
 * The partner asked to talk another time and still means it, and it was their wish, not an answer
 * to this partner's own: whoever asked first keeps it when the other answers with a time of
 * their own, and it stays theirs once a time is agreed.
 */
export function partnerAsksLater(view: StateView | null, me: SeatId | null, partner: SeatId | null): boolean {
  if (view === null || view.appointment === null || me === null || partner === null) return false;
  const theirs = asksLaterFrom(view, partner);
  const mine = asksLaterFrom(view, me);
  // The view holds the last 50 events: with neither proposal among them, the one who made the
  // time on the table is the best reading left.
  if (theirs < 0 && mine < 0 && view.timeline[0]?.kind !== 'created') return view.appointment.by === partner;
  return theirs >= 0 && (mine < 0 || theirs < mine);
}
