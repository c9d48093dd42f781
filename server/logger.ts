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
  return pino(
    { level, redact: { paths: REDACTED_PATHS, censor: '[redacted]' }, serializers: { err: loggableError } },
    destination ?? standardOutput(),
  );
}

/**
 * An error as the log keeps it: pino's standard fields, without what a client library hung on
 * it. ioredis puts the failed command on its errors (`command: { name, args }`): a commit's
 * arguments hold a whole room (names, topics, check-ins, notes), an AUTH's the password.
 */
export function loggableError(error: Error): ReturnType<typeof pino.stdSerializers.err> {
  const serialized = pino.stdSerializers.err(error) as ReturnType<typeof pino.stdSerializers.err> & Record<string, unknown>;
  for (const key of ['command', 'args', 'previousErrors', 'lastNodeError']) delete serialized[key];
  return serialized;
}

type Output = ReturnType<typeof pino.destination>;
/** The standard output streams of this process's loggers. */
const outputs = new Set<Output>();

/**
 * Standard output for log lines, which goes quiet when its reader goes away (the terminal
 * closed, a pipe's reader quit) instead of throwing from every later line.
 */
function standardOutput(): DestinationStream {
  const stream = pino.destination({ dest: 1, sync: false });
  outputs.add(stream);
  stream.on('error', (error: unknown) => {
    if (!isOutputGone(error)) throw error;
    quiet(stream);
  });
  return stream;
}

/**
 * Drops what is still buffered and every later line. Pino flushes its output synchronously
 * at exit, and sonic-boom's flush retries a write that fails with EIO or EBADF forever: on a
 * terminal that hung up (or whose descriptor is closed) the process would never exit.
 */
function quiet(stream: Output): void {
  stream.write = () => true;
  stream.flushSync = () => undefined;
  stream.flush = (callback?: (error?: Error) => void) => callback?.();
}

/** Silences the loggers' standard output, before a hung-up terminal's descriptors are let go. */
export function silenceStandardOutput(): void {
  for (const stream of outputs) quiet(stream);
}
