import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** The repository root, where `npm start` runs. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Exactly what `npm start` runs (package.json), without npm in between, so a signal reaches node itself. */
export const START_COMMAND = ['--import', 'tsx', 'server/start.ts'] as const;

/** A port that was free a moment ago: the server is started on it again and again, so clients can reconnect. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

export interface ServerProcessOptions {
  port: number;
  dataDir: string;
  /** Extra environment (DUOLOGUE_TIME_SCALE, limits, LOG_LEVEL ...). */
  env?: Record<string, string>;
  /** How long to wait for the first healthy answer. */
  startTimeoutMs?: number;
}

/**
 * The real server process, started as `npm start` starts it. Every line it writes is
 * kept, so tests can read its logs; it is never left running after a test.
 */
export class ServerProcess {
  readonly url: string;
  readonly lines: string[] = [];
  private child: ChildProcess | null = null;
  private exited: Promise<number | null> | null = null;
  private expectedExit = false;
  /** Exits that nobody asked for: a crash. */
  readonly crashes: string[] = [];

  constructor(private readonly options: ServerProcessOptions) {
    this.url = `http://127.0.0.1:${options.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null;
  }

  /** Starts the process and resolves once `/api/health` answers. */
  async start(): Promise<void> {
    if (this.child !== null) throw new Error('the server process is already running');
    const child = spawn(process.execPath, [...START_COMMAND], {
      cwd: ROOT,
      env: {
        ...process.env,
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(this.options.port),
        DUOLOGUE_DATA_DIR: this.options.dataDir,
        // The suite builds the client once; a server must not start a build of its own mid-test.
        DUOLOGUE_SKIP_CLIENT_BUILD: '1',
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.expectedExit = false;
    for (const stream of [child.stdout, child.stderr]) {
      let pending = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        pending += chunk;
        const parts = pending.split('\n');
        pending = parts.pop() ?? '';
        this.lines.push(...parts);
      });
      stream?.on('end', () => {
        if (pending !== '') this.lines.push(pending);
      });
    }
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        if (!this.expectedExit) this.crashes.push(`exited by itself with code ${code} signal ${signal}`);
        this.child = null;
        resolve(code);
      });
    });
    await this.waitHealthy(this.options.startTimeoutMs ?? 30_000);
  }

  private async waitHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let delay = 20;
    for (;;) {
      if (this.child === null) {
        throw new Error(`the server process exited during start:\n${this.lines.slice(-20).join('\n')}`);
      }
      try {
        const response = await fetch(`${this.url}/api/health`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        throw new Error(`the server did not answer within ${timeoutMs} ms:\n${this.lines.slice(-20).join('\n')}`);
      }
      // Polling a condition with backoff, not a fixed wait for an assumed start time.
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 200);
    }
  }

  /** SIGKILL: no shutdown hook runs; whatever was not committed is gone. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM: a clean shutdown (checkpointed database, closed sockets). */
  async stop(): Promise<number | null> {
    return this.signal('SIGTERM');
  }

  private async signal(signal: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    const exited = this.exited;
    if (child === null || exited === null) return null;
    this.expectedExit = true;
    child.kill(signal);
    return exited;
  }
}
