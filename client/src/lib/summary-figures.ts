import type { Summary } from '@protocol/schemas';

/**
 * How long the two talked: from the dialogue's start to its end (or `now` while it lasts),
 * with every break either of them called left out, as far as it lay in that span. Moderator
 * pauses are not in the summary and stay in. Null before the dialogue began.
 */
export function talkingMs(summary: Summary, now: number): number | null {
  const start = summary.dialogueStartedAt;
  if (start === null) return null;
  const end = summary.endedAt ?? now;
  const breaks = [...summary.partners.A.breaks, ...summary.partners.B.breaks];
  const onBreak = breaks.reduce((sum, b) => {
    const from = Math.max(start, b.startedAt);
    const to = Math.min(end, b.endedAt ?? end);
    return sum + Math.max(0, to - from);
  }, 0);
  return Math.max(0, end - start - onBreak);
}

/** A span of time as the summaries say it: seconds under a minute, whole minutes above. */
export function spanText(ms: number, t: (key: string, values: Record<string, number>) => string): string {
  return ms < 60_000 ? t('common.seconds', { n: Math.round(ms / 1000) }) : t('common.minutes', { n: Math.round(ms / 60_000) });
}
