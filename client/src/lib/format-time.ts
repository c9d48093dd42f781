/** Clock and date wording, in the reader's locale and time zone. */

/** "19:40" or "7:40 PM", as the locale writes a time of day. */
export function clockTime(epochMs: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, { hour: 'numeric', minute: '2-digit' }).format(epochMs);
}

/** "Tue 14 May, 19:40": a day and a time, for a next talk. */
export function dayAndTime(epochMs: number, locale: string): string {
  return new Intl.DateTimeFormat(locale, {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: 'numeric',
    minute: '2-digit',
  }).format(epochMs);
}

const HALF_DAY_MS = 12 * 60 * 60 * 1000;

/** A break's time: the time of day, with the day too when it is half a day or more from `now`. */
export function breakTime(epochMs: number, now: number, locale: string): string {
  return epochMs - now >= HALF_DAY_MS ? dayAndTime(epochMs, locale) : clockTime(epochMs, locale);
}

/** "12:05" or "1:02:05": a countdown, never below zero. */
export function countdown(ms: number): string {
  const total = Math.max(0, Math.ceil(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** The value a `datetime-local` input takes for an instant, in local time. */
export function toLocalInput(epochMs: number): string {
  const d = new Date(epochMs);
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}T${two(d.getHours())}:${two(d.getMinutes())}`;
}
