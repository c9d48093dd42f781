import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The `redis-server` binary (Debian's package); REDIS_SERVER names another. */
export const REDIS_SERVER = process.env.REDIS_SERVER ?? 'redis-server';

/** True when `redis-server` runs here. */
export const redisAvailable = spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).status === 0;
/** Under CI=true a missing `redis-server` fails the Redis tests instead of skipping them. */
export const runRedisTests = redisAvailable || process.env.CI === 'true';
/** Why the Redis tests were skipped, for the describe's title. */
export const REDIS_SKIP_REASON = redisAvailable ? '' : ` (skipped: no ${REDIS_SERVER} on this machine; CI=true makes this a failure)`;

export interface RedisInstance {
  url: string;
  port: number;
  dir: string;
  /** The running redis-server's process id (the bench adds its CPU to the servers'). */
  readonly pid: number;
  /** Kills redis-server with a signal and waits for it to go (SIGKILL: no shutdown save, no AOF flush beyond fsync). */
  kill(signal: NodeJS.Signals): Promise<void>;
  /** Starts redis-server again on the same port and folder (it loads its AOF). */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  server.close();
  await once(server, 'close');
  return port;
}

/**
 * Starts a private `redis-server` for one test file (or one bench run): a free port on 127.0.0.1, a temporary
 * folder, and the settings docs/deploy.md asks for (`appendonly yes`, `appendfsync always`,
 * no RDB snapshots). It never relies on a system service.
 */
export async function startRedis(): Promise<RedisInstance> {
  if (!redisAvailable) throw new Error(`${REDIS_SERVER} is missing; the Redis tests need it (apt-get install redis-server).`);
  const dir = mkdtempSync(join(tmpdir(), 'duologue-redis-'));
  const port = await freePort();
  let child: ChildProcess;

  const launch = async (): Promise<void> => {
    child = spawn(
      REDIS_SERVER,
      ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--daemonize', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${output.slice(-2000)}`)), 10_000);
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('Ready to accept connections')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`redis-server exited with ${code}: ${output.slice(-2000)}`));
      });
    });
  };

  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  };

  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    get pid() {
      return child.pid ?? 0;
    },
    kill,
    restart: launch,
    async stop() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
