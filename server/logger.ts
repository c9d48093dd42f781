import pino, { type DestinationStream, type Logger } from 'pino';
import { isOutputGone } from './terminal';

/**
 * Paths pino blanks out, as a second line of defence: the code never logs names,
 * topics, coach lines, notes, invite codes or seat keys in the first place.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'seatKey',
  'invite',
  'name',
  'topic',
  'text',
  '*.seatKey',
  '*.invite',
  '*.name',
  '*.topic',
  '*.text',
];

/** The server's logger: JSON lines on stdout (or `destination`), secrets redacted. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' } }, destination ?? standardOutput());
}

/**
 * Standard output for log lines, which goes quiet when its reader goes away (the terminal
 * closed, a pipe's reader quit) instead of throwing from every later line.
 */
function standardOutput(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false });
  stream.on('error', (error: unknown) => {
    if (!isOutputGone(error)) throw error;
    stream.write = () => true;
  });
  return stream;
}
