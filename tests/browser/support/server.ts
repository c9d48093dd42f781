import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnServer, type ServerProcess } from '../../support/server-process';

/** One protocol minute in this many ms: a 20-minute break lasts about 4 s. */
export const TIME_SCALE = 300;

/** A real server for a browser test: its own data directory, scaled time, no HTTP limit. */
export interface BrowserTestServer {
  url: string;
  process: ServerProcess;
  stop(): Promise<void>;
}

/** Starts `node --import tsx server/start.ts` on a free port with a temp data directory. */
export async function startServer(): Promise<BrowserTestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'duologue-browser-'));
  const process = await spawnServer({
    DUOLOGUE_DATA_DIR: dataDir,
    DUOLOGUE_HTTP_LIMIT: '0',
    DUOLOGUE_TIME_SCALE: String(TIME_SCALE),
  });
  return {
    url: process.url,
    process,
    async stop() {
      await process.kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
