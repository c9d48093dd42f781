import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateView } from '../../protocol';
import { fallBackOnTimeout, TRANSPORTS } from '../../client/src/lib/transports';
import { openRoom, type OpenRoom } from '../support/room-setup';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

/**
 * A proxy that passes plain HTTP on and drops every WebSocket upgrade, as one set up without the
 * `Upgrade` headers does (docs/deploy.md).
 */
interface Proxy {
  port: number;
  stop(): Promise<void>;
}

function proxyWithoutUpgrade(target: string, upgrade: 'drop' | 'hang' = 'drop'): Promise<Proxy> {
  const to = new URL(target);
  const hanging: Duplex[] = [];
  const proxy = createServer((req, res) => {
    const forward = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  // 'hang': the upgrade is taken and never answered, as some middleboxes do.
  proxy.on('upgrade', (_req, socket) => {
    if (upgrade === 'drop') socket.destroy();
    else hanging.push(socket);
  });
  // Stopping ends the hanging upgrades first: a server closes only once every connection has.
  const stop = (): Promise<void> => {
    for (const socket of hanging) socket.destroy();
    proxy.closeAllConnections();
    return new Promise((resolve) => proxy.close(() => resolve()));
  };
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve({ port: (proxy.address() as AddressInfo).port, stop })));
}

describe("the app's connection where no WebSocket opens", () => {
  const data = tempDataDir();
  let server: TestServer;
  let proxy: Proxy;
  let hangingProxy: Proxy;
  let room: OpenRoom;

  beforeAll(async () => {
    server = await startServer({ dataDir: data.dir });
    proxy = await proxyWithoutUpgrade(server.url);
    hangingProxy = await proxyWithoutUpgrade(server.url, 'hang');
    room = await openRoom(server.url);
  });
  afterAll(async () => {
    room?.close();
    for (const each of [proxy, hangingProxy]) await each?.stop();
    await server?.close();
    data.remove();
  });

  it('falls back to long-polling with the options the app connects with, and works there', async () => {
    const { port } = proxy;
    const socket = io(`http://127.0.0.1:${port}`, { ...TRANSPORTS, auth: { roomId: room.roomId, seatKey: room.keys.A }, forceNew: true, reconnection: false });
    try {
      const first = await new Promise<StateView>((resolve, reject) => {
        socket.once('state', resolve);
        socket.once('connect_error', reject);
      });
      expect(first.you).toBe('A');
      expect(socket.io.engine.transport.name).toBe('polling');
      // The partner sees this phone arrive through the proxy.
      await room.B.waitFor((s) => s.seats.A.online, 'A online through the proxy');
    } finally {
      socket.disconnect();
    }
  });

  it('starts over with long-polling after an upgrade that never answers timed out', async () => {
    const { port } = hangingProxy;
    // The app's options, with a short connect timeout (Socket.IO's default is 20 s).
    const socket = io(`http://127.0.0.1:${port}`, {
      ...TRANSPORTS,
      timeout: 1000,
      reconnectionDelay: 100,
      auth: { roomId: room.roomId, seatKey: room.keys.B },
      forceNew: true,
    });
    const errors: string[] = [];
    socket.on('connect_error', (error) => errors.push(error.message));
    fallBackOnTimeout(socket);
    try {
      const first = await new Promise<StateView>((resolve, reject) => {
        socket.once('state', resolve);
        setTimeout(() => reject(new Error(`no connection; errors: ${errors.join(', ')}`)), 10_000);
      });
      expect(first.you).toBe('B');
      expect(errors).toContain('timeout');
      expect(socket.io.engine.transport.name).toBe('polling');
    } finally {
      socket.disconnect();
    }
  });
});
