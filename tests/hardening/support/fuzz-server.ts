/**
 * A Duologue server in a child process of its own, for the wire fuzzer: `buildApp`
 * on 127.0.0.1 port 0, a temp data dir, a manual clock. It answers the parent over IPC
 * with the stored room (to compare before and after a command) and its heap after a
 * full collection (run with --expose-gc), so the fuzzer measures the server alone.
 */
import { Writable } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import { buildApp } from '../../../server/app';
import { createLogger } from '../../../server/logger';
import { openSqliteStore } from '../../../server/store/sqlite-store';
import { ManualClock } from '../../support/manual-clock';

export type FuzzRequest =
  | { seq: number; op: 'room'; roomId: string }
  | { seq: number; op: 'heap' }
  | { seq: number; op: 'clock'; to: number }
  | { seq: number; op: 'close' };

export type FuzzReply =
  | { op: 'ready'; port: number; now: number }
  | { seq: number; op: 'room'; room: unknown; version: number | null }
  | { seq: number; op: 'heap'; heapUsed: number; rss: number; gc: boolean; logLines: number }
  | { seq: number; op: 'done' }
  | { op: 'error'; message: string };

const [dataDir, startAt, commandLimit] = process.argv.slice(2);
if (dataDir === undefined || startAt === undefined) throw new Error('usage: fuzz-server <dataDir> <startAt> [commandLimit]');

const send = (reply: FuzzReply): void => {
  process.send?.(reply);
};

// Every log line is formatted and then dropped: logging runs as it does in production.
let logLines = 0;
const sink = new Writable({
  write(_chunk, _encoding, done) {
    logLines += 1;
    done();
  },
});

const clock = new ManualClock(Number(startAt));
const store = openSqliteStore(dataDir);
const app = await buildApp({
  config: {
    DUOLOGUE_TIME_SCALE: 1,
    DUOLOGUE_ROOM_TTL_DAYS: 30,
    DUOLOGUE_COMMAND_LIMIT: Number(commandLimit ?? 1_000_000),
    DUOLOGUE_HTTP_LIMIT: 0,
    DUOLOGUE_ORIGIN: undefined,
    DUOLOGUE_PUBLIC_URL: undefined,
    DUOLOGUE_HEADERS_TIMEOUT_MS: 10_000,
    DUOLOGUE_REQUEST_TIMEOUT_MS: 30_000,
    DUOLOGUE_KEEP_ALIVE_TIMEOUT_MS: 5_000,
    DUOLOGUE_CONNECTIONS_PER_ADDRESS: 0,
    LOG_LEVEL: 'info',
  },
  store,
  clock,
  logger: createLogger('info', sink) as FastifyBaseLogger,
  clientDir: null,
});
await app.listen({ port: 0, host: '127.0.0.1' });
const address = app.server.address();
send({ op: 'ready', port: typeof address === 'object' && address !== null ? address.port : 0, now: clock.now() });

process.on('message', (message: FuzzRequest) => {
  void (async () => {
    switch (message.op) {
      case 'room': {
        const stored = await store.loadRoom(message.roomId);
        send({ seq: message.seq, op: 'room', room: stored?.room ?? null, version: stored?.version ?? null });
        return;
      }
      case 'heap': {
        const gc = (globalThis as { gc?: () => void }).gc;
        gc?.();
        gc?.();
        const usage = process.memoryUsage();
        send({ seq: message.seq, op: 'heap', heapUsed: usage.heapUsed, rss: usage.rss, gc: gc !== undefined, logLines });
        return;
      }
      case 'clock':
        clock.set(message.to);
        send({ seq: message.seq, op: 'done' });
        return;
      case 'close':
        await app.close();
        send({ seq: message.seq, op: 'done' });
        process.disconnect?.();
        return;
    }
  })().catch((error: unknown) => send({ op: 'error', message: String(error) }));
});
