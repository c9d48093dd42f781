import { fork, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Room } from '../../../protocol';
import type { FuzzReply, FuzzRequest } from './fuzz-server';
import { ROOT } from './server-process';

type Pending = (reply: FuzzReply) => void;
type RequestBody = FuzzRequest extends infer R ? (R extends { seq: number } ? Omit<R, 'seq'> : never) : never;

/** The parent's side of `fuzz-server.ts`: starts it, asks it things, notices if it dies. */
export class FuzzServerHandle {
  readonly url: string;
  /** Set when the child exits without being asked to. */
  crashed: string | null = null;
  private seq = 0;
  private readonly pending = new Map<number, Pending>();
  private closing = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly port: number,
    readonly startedAt: number,
    readonly dataDir: string,
    readonly stderr: string[],
  ) {
    this.url = `http://127.0.0.1:${port}`;
    child.on('message', (reply: FuzzReply) => {
      if (reply.op === 'error') this.crashed = `the server reported: ${reply.message}`;
      if ('seq' in reply) {
        this.pending.get(reply.seq)?.(reply);
        this.pending.delete(reply.seq);
      }
    });
    child.on('exit', (code, signal) => {
      if (!this.closing) this.crashed = `the server exited with code ${code} signal ${signal}: ${stderr.join('').slice(-2000)}`;
      for (const resolve of this.pending.values()) resolve({ op: 'error', message: 'exited' });
      this.pending.clear();
    });
  }

  static async start(startAt: number, commandLimit?: number): Promise<FuzzServerHandle> {
    const dataDir = await mkdtemp(join(tmpdir(), 'duologue-fuzz-'));
    const child = fork(join(ROOT, 'tests/hardening/support/fuzz-server.ts'), [dataDir, String(startAt), String(commandLimit ?? 1_000_000)], {
      cwd: ROOT,
      execArgv: ['--expose-gc', '--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const stderr: string[] = [];
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => stderr.push(chunk));
    const ready = await new Promise<Extract<FuzzReply, { op: 'ready' }>>((resolve, reject) => {
      child.once('message', (reply: FuzzReply) => (reply.op === 'ready' ? resolve(reply) : reject(new Error(JSON.stringify(reply)))));
      child.once('exit', (code) => reject(new Error(`the fuzz server exited during start (${code}): ${stderr.join('')}`)));
    });
    return new FuzzServerHandle(child, ready.port, ready.now, dataDir, stderr);
  }

  private ask(body: RequestBody): Promise<FuzzReply> {
    if (this.crashed !== null) return Promise.reject(new Error(this.crashed));
    const seq = (this.seq += 1);
    return new Promise((resolve) => {
      this.pending.set(seq, resolve);
      this.child.send({ ...body, seq });
    });
  }

  /** The room exactly as stored, with its storage version. */
  async room(roomId: string): Promise<{ room: Room | null; version: number | null }> {
    const reply = await this.ask({ op: 'room', roomId });
    if (reply.op !== 'room') throw new Error(`no room answer: ${JSON.stringify(reply)}`);
    return { room: reply.room as Room | null, version: reply.version };
  }

  /** Heap in use after two full collections. */
  async heap(): Promise<{ heapUsed: number; rss: number; gc: boolean; logLines: number }> {
    const reply = await this.ask({ op: 'heap' });
    if (reply.op !== 'heap') throw new Error(`no heap answer: ${JSON.stringify(reply)}`);
    return reply;
  }

  /** Sets the server's clock (timers that come due fire). */
  async clock(to: number): Promise<void> {
    await this.ask({ op: 'clock', to });
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.child.exitCode === null && this.child.connected) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      await this.ask({ op: 'close' }).catch(() => undefined);
      await exited;
    }
    await rm(this.dataDir, { recursive: true, force: true });
  }
}
