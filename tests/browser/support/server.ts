import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer, type ServerProcess } from '../../support/server-process';

/**
 * Breaks run this many times faster: a 20-minute break lasts 12 s, long enough for the
 * checks and screenshots taken during it on a busy two-core machine (at 300, 4 s were not).
 */
export const TIME_SCALE = 100;

/** A real server for a browser test: its own data directory, scaled time, no HTTP limit. */
export interface BrowserTestServer {
  url: string;
  dataDir: string;
  process: ServerProcess;
  /** Stops the process; the data directory goes too unless `keepData`. */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * Starts `node --import tsx server/start.ts` with a temp data directory, on a free port
 * unless `port` is given (a restart comes back on the same address and data). `timeScale`
 * lengthens the breaks for a test that reads a break's screens at leisure.
 */
export async function startServer(
  options: { dataDir?: string; port?: number; timeScale?: number; env?: Record<string, string> } = {},
): Promise<BrowserTestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'duologue-browser-'));
  const process = await spawnServer({
    PORT: String(options.port ?? 0),
    DUOLOGUE_DATA_DIR: dataDir,
    DUOLOGUE_HTTP_LIMIT: '0',
    DUOLOGUE_TIME_SCALE: String(options.timeScale ?? TIME_SCALE),
    ...options.env,
  });
  return {
    url: process.url,
    dataDir,
    process,
    async stop({ keepData = false } = {}) {
      await process.kill('SIGTERM');
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
