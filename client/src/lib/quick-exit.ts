/**
 * The quick exit's history work. Every Duologue page of this tab is an entry in the browser's
 * history; a "Back" after leaving must not land on any of them. The router keeps each entry's
 * place in `history.state.position`; the first Duologue entry's place is noted here once per
 * tab, so the exit can go back to it, make it the neutral page, and push over everything after it.
 */

const FIRST_ENTRY = 'duologue:first-entry';
/** An exit under way: survives the step back when it lands in another document. */
const LEAVING = 'duologue:leaving';

interface Leaving {
  neutral: string;
  title: string;
}

function positionHere(): number | null {
  const position = (window.history.state as { position?: unknown } | null)?.position;
  return typeof position === 'number' && Number.isInteger(position) ? position : null;
}

/** Notes where this tab's Duologue history begins; call it once the router has started. */
export function noteFirstEntry(): void {
  try {
    const here = positionHere();
    if (here !== null && sessionStorage.getItem(FIRST_ENTRY) === null) sessionStorage.setItem(FIRST_ENTRY, String(here));
  } catch {
    // No session storage: the exit replaces the current entry only.
  }
}

/** Makes the entry we stand on the neutral page, drops every entry after it, and loads it. */
function settle({ neutral, title }: Leaving): void {
  try {
    sessionStorage.removeItem(LEAVING);
  } catch {
    // Nothing kept.
  }
  document.title = title;
  window.history.replaceState(null, '', neutral);
  window.history.pushState(null, '', neutral);
  window.location.replace(neutral);
}

/**
 * Leaves for `neutral` so that the history keeps nothing of Duologue: back to this tab's first
 * Duologue entry, which becomes the neutral page, then one more neutral entry over it, which
 * drops every later entry, and the neutral page loaded afresh in place. The router never hears
 * of the step back. Where the first entry is unknown, the current entry alone is replaced.
 */
export function leaveWithoutTrace(neutral: string, title: string): void {
  const leaving: Leaving = { neutral, title };
  let first: number | null = null;
  try {
    const kept = sessionStorage.getItem(FIRST_ENTRY);
    first = kept === null ? null : Number(kept);
    sessionStorage.clear();
    sessionStorage.setItem(LEAVING, JSON.stringify(leaving));
  } catch {
    // As above.
  }
  const here = positionHere();
  const steps = here !== null && first !== null && Number.isInteger(first) ? here - first : 0;
  document.title = title;
  if (steps <= 0) {
    settle(leaving);
    return;
  }
  // Within this document the step back is a `popstate`, heard here before the router's own
  // listener, which must not act on it. Into another document (a reload came between), that
  // document finishes the exit as it starts (`finishLeaving`).
  const arrived = (event: Event): void => {
    event.stopImmediatePropagation();
    settle(leaving);
  };
  window.addEventListener('popstate', arrived, { capture: true, once: true });
  window.history.go(-steps);
}

/**
 * Finishes an exit under way when a page starts (or comes back from the back-forward cache)
 * in the middle of one. True when it did: the app must not start.
 */
export function finishLeaving(): boolean {
  let raw: string | null;
  try {
    raw = sessionStorage.getItem(LEAVING);
  } catch {
    return false;
  }
  if (raw === null) return false;
  try {
    settle(JSON.parse(raw) as Leaving);
  } catch {
    settle({ neutral: '/notes', title: '' });
  }
  return true;
}
