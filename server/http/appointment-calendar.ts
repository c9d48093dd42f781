import { createHash } from 'node:crypto';
import { createEvent } from 'ics';

/** How long before the agreed time the calendar reminds. */
const REMINDER_MINUTES = 15;

/**
 * An iCalendar file for an agreed time, with a reminder before it and, when there is one,
 * the room's link (`roomUrl`: the room's address, which opens the room on the device that
 * holds its seat key and on no other). Its title is neutral: a calendar is often seen by
 * others, so it names no topic and no person.
 */
export function appointmentCalendar(roomId: string, at: number, roomUrl: string | null): string {
  const made = calendarEvent(roomId, at, roomUrl);
  // The ics package takes no IPv6 literal in a URL: such a calendar goes without the link.
  return made.ok || roomUrl === null ? unwrap(made) : unwrap(calendarEvent(roomId, at, null));
}

type Made = { ok: true; value: string } | { ok: false; error: Error };

function unwrap(made: Made): string {
  if (!made.ok) throw made.error;
  return made.value;
}

function calendarEvent(roomId: string, at: number, roomUrl: string | null): Made {
  const { error, value } = createEvent({
    productId: 'duologue',
    // Stable per room and time, so a re-download updates the same entry; the room id stays out of it.
    uid: `${createHash('sha256').update(`${roomId}:${at}`).digest('hex').slice(0, 32)}@duologue`,
    title: 'Time to talk',
    start: at,
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { hours: 1 },
    ...(roomUrl === null ? {} : { url: roomUrl }),
    alarms: [{ action: 'display', description: 'Time to talk', trigger: { minutes: REMINDER_MINUTES, before: true } }],
  });
  if (error !== null && error !== undefined) return { ok: false, error };
  if (value === undefined || value === null) return { ok: false, error: new Error('the calendar file came out empty') };
  return { ok: true, value };
}

// A host name (labels of letters, digits and inner hyphens), an IPv4 address, or an IPv6
// address in brackets; then an optional port.
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const HOST_HEADER = new RegExp(`^(?:${LABEL}(?:\\.${LABEL})*|\\[[0-9A-Fa-f:.]{2,45}\\])(?::(\\d{1,5}))?$`);

/**
 * The origin a phone reached this server at, from its `Host` header, or null when the header
 * is not a plain host and port (so a forged one cannot turn the calendar's link into another
 * address with a path or a user name in it). `protocol` is the request's (`https` when the
 * server has a certificate, or a trusted proxy says so).
 */
export function originFromHost(host: string | undefined, protocol: 'http' | 'https' = 'http'): string | null {
  if (host === undefined || host.length > 255) return null;
  const match = HOST_HEADER.exec(host);
  if (match === null) return null;
  if (match[1] !== undefined && Number(match[1]) > 65535) return null;
  try {
    return new URL(`${protocol}://${host}`).origin;
  } catch {
    return null;
  }
}
