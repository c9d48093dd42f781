import type { FastifyInstance } from 'fastify';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApp, type AppConfig } from '../../server/app';
import type { Clock } from '../../server/clock';
import { openSqliteStore } from '../../server/store/sqlite-store';

export const TEST_CONFIG: AppConfig = {
  DUOLOGUE_TIME_SCALE: 1,
  DUOLOGUE_ROOM_TTL_DAYS: 30,
  DUOLOGUE_COMMAND_LIMIT: 1000,
  DUOLOGUE_HTTP_LIMIT: 0,
  DUOLOGUE_ORIGIN: undefined,
  DUOLOGUE_PUBLIC_URL: undefined,
  DUOLOGUE_HEADERS_TIMEOUT_MS: 10_000,
  DUOLOGUE_REQUEST_TIMEOUT_MS: 30_000,
  DUOLOGUE_KEEP_ALIVE_TIMEOUT_MS: 5_000,
  // Every test client comes from 127.0.0.1; the cap has its own test.
  DUOLOGUE_CONNECTIONS_PER_ADDRESS: 0,
  LOG_LEVEL: 'silent',
};

/** A fresh data directory, removed by the returned function. */
export function tempDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'duologue-test-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface TestServer {
  app: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  dataDir: string;
  clock?: Clock;
  config?: Partial<AppConfig>;
  clientDir?: string | null;
  logger?: Parameters<typeof buildApp>[0]['logger'];
  requestLogLevel?: Parameters<typeof buildApp>[0]['requestLogLevel'];
}

/** `buildApp` on a real SQLite store, listening on 127.0.0.1 at a free port. */
export async function startServer(options: TestServerOptions): Promise<TestServer> {
  const app = await buildApp({
    config: { ...TEST_CONFIG, ...options.config },
    store: openSqliteStore(options.dataDir),
    clock: options.clock,
    clientDir: options.clientDir ?? null,
    logger: options.logger,
    requestLogLevel: options.requestLogLevel,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  if (typeof address !== 'object' || address === null) throw new Error('the server has no address');
  return { app, url: `http://127.0.0.1:${address.port}`, close: () => app.close() };
}

/** A stream a logger can write to, keeping each JSON line it receives (empty lines dropped). */
export function logSink(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter((line) => line !== ''));
      done();
    },
  });
  return { lines, stream };
}
