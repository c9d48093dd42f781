import { createHash } from 'node:crypto';
import { createEvent } from 'ics';

/**
 * An iCalendar file for an agreed time. Its title is neutral: a calendar is often
 * seen by others, so it names no topic and no person.
 */
export function appointmentCalendar(roomId: string, at: number): string {
  const { error, value } = createEvent({
    productId: 'duologue',
    // Stable per room and time, so a re-download updates the same entry; the room id stays out of it.
    uid: `${createHash('sha256').update(`${roomId}:${at}`).digest('hex').slice(0, 32)}@duologue`,
    title: 'Time to talk',
    start: at,
    startInputType: 'utc',
    startOutputType: 'utc',
    duration: { hours: 1 },
  });
  if (error !== null && error !== undefined) throw error;
  if (value === undefined || value === null) throw new Error('the calendar file came out empty');
  return value;
}
