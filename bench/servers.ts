import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { SqliteWriterMode } from '../server/store/sqlite-store';

/** The project's root (bench/ sits directly under it). */
export const PROJECT_ROOT = join(import.meta.dirname, '..');

/** The sides the bench compares: Duologue, the bare relay, and (with `--durable`) the durable relay. */
export type Side = 'duologue' | 'relay' | 'durable';

/** A server process the bench started, with what the load generator needs to reach and measure it. */
export interface BenchServer {
  side: Side;
  url: string;
  pid: number;
  /** Lines the server wrote to stdout or stderr (at LOG_LEVEL=warn: warnings and errors only). */
  output: string[];
  stop(): Promise<void>;
}

/** Asks the kernel for a free port on the loopback address. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  probe.listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const address = probe.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

export interface DuologueServerOptions {
  dataDir: string;
  /** Commands per seat per 10 s (`DUOLOGUE_COMMAND_LIMIT`); the server's default is 50. */
  commandLimit?: number;
  /** Writes a V8 CPU profile of the server into this folder when it exits. */
  profileDir?: string | null;
  /** Lets SIGURG write a heap snapshot into this folder (not SIGUSR2: the server stops gracefully on that one). */
  heapDir?: string | null;
  /** Rooms in this Redis instead of SQLite. */
  redisUrl?: string;
  sqliteWriter?: SqliteWriterMode;
}

/**
 * Starts the real server the way `npm start` does (`node --import tsx server/start.ts`,
 * client build check skipped), with SQLite in `dataDir`, time scale 1, no HTTP limit, no cap on
 * connections per address (every bench socket comes from 127.0.0.1) and warnings-only logs, on a free port; resolves once `/api/health` answers.
 */
export function startDuologue(options: DuologueServerOptions): Promise<BenchServer> {
  const profile = [
    ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
    ...(options.heapDir ? ['--heapsnapshot-signal=SIGURG', `--diagnostic-dir=${options.heapDir}`] : []),
  ];
  return startProcess('duologue', join('server', 'start.ts'), '/api/health', profile, {
    HOST: '127.0.0.1',
    DUOLOGUE_DATA_DIR: options.dataDir,
    DUOLOGUE_TIME_SCALE: '1',
    DUOLOGUE_HTTP_LIMIT: '0',
    // Every generator socket comes from one address; the server's per-address cap (64) would refuse most.
    DUOLOGUE_CONNECTIONS_PER_ADDRESS: '0',
    DUOLOGUE_COMMAND_LIMIT: String(options.commandLimit ?? 50),
    DUOLOGUE_SKIP_CLIENT_BUILD: '1',
    LOG_LEVEL: 'warn',
    DUOLOGUE_SQLITE_WRITER: options.sqliteWriter ?? 'inline',
    ...(options.redisUrl === undefined ? {} : { REDIS_URL: options.redisUrl }),
  });
}

/** Starts the bare Socket.IO relay (bench/bare-relay.ts) with the same loader, on a free port. */
export function startRelay(): Promise<BenchServer> {
  return startProcess('relay', join('bench', 'bare-relay.ts'), '/socket.io/?EIO=4&transport=polling', [], {});
}

/**
 * Starts the durable relay (bench/durable-relay.ts), the floor under any server that keeps the
 * contract: its SQLite file in `dataDir`, with the store's own settings.
 */
export function startDurableRelay(dataDir: string): Promise<BenchServer> {
  return startProcess('durable', join('bench', 'durable-relay.ts'), '/socket.io/?EIO=4&transport=polling', [], {
    DUOLOGUE_DURABLE_DB: join(dataDir, 'durable-relay.sqlite'),
  });
}

async function startProcess(
  side: Side,
  entry: string,
  readyPath: string,
  nodeFlags: string[],
  env: Record<string, string>,
): Promise<BenchServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', entry], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim() !== '') output.push(line.slice(0, 2000));
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(child, `${url}${readyPath}`, output);
  return {
    side,
    url,
    pid: child.pid!,
    output,
    stop: () => stopProcess(child),
  };
}

async function waitUntilAnswering(child: ChildProcess, url: string, output: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}: ${output.join('\n').slice(0, 2000)}`);
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`the server did not answer ${url} within 60 s: ${output.join('\n').slice(0, 2000)}`);
}

/** SIGTERM (the server closes its sockets and checkpoints its database), then SIGKILL after 15 s. */
export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}
