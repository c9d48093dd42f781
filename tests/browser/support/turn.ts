import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/**
 * A TURN relay on 127.0.0.1 for the voice call's browser test (node-turn, in its own process).
 * With the server's `DUOLOGUE_ICE_TRANSPORT_POLICY=relay` every packet of the call passes
 * through it, so stopping it cuts the call for real (Chromium's offline emulation does not reach
 * WebRTC), and starting it again on the same port lets an ICE restart find the path back.
 */
export interface TestRelay {
  /** The `DUOLOGUE_ICE_SERVERS` value that points the phones at this relay. */
  iceServers: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

const USER = 'duologue-test';
const PASSWORD = 'relay-test-only';
const SCRIPT = join(import.meta.dirname, 'turn-relay-process.ts');

/** A free UDP port on 127.0.0.1, as the system hands it out. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

export async function startRelay(): Promise<TestRelay> {
  const port = await freeUdpPort();
  let child: ChildProcess | null = null;
  const start = async (): Promise<void> => {
    const process_ = spawn(process.execPath, ['--import', 'tsx', SCRIPT, String(port), USER, PASSWORD], { stdio: ['ignore', 'pipe', 'inherit'] });
    child = process_;
    const lines = createInterface({ input: process_.stdout! });
    await Promise.race([
      once(lines, 'line'),
      once(process_, 'exit').then(() => {
        throw new Error('the TURN relay exited before it was ready');
      }),
    ]);
  };
  await start();
  return {
    iceServers: JSON.stringify([{ urls: `turn:127.0.0.1:${port}?transport=udp`, username: USER, credential: PASSWORD }]),
    async stop() {
      const running = child;
      child = null;
      if (running === null || running.exitCode !== null) return;
      const exited = once(running, 'exit');
      running.kill('SIGKILL');
      await exited;
    },
    start,
  };
}
