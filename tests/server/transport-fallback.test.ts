import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { io } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StateView } from '../../protocol';
import { TRANSPORTS } from '../../client/src/lib/transports';
import { openRoom, type OpenRoom } from '../support/room-setup';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

/**
 * A proxy that passes plain HTTP on and drops every WebSocket upgrade, as one set up without the
 * `Upgrade` headers does (docs/deploy.md).
 */
function proxyWithoutUpgrade(target: string): Promise<Server> {
  const to = new URL(target);
  const proxy = createServer((req, res) => {
    const forward = request({ host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  proxy.on('upgrade', (_req, socket) => socket.destroy());
  return new Promise((resolve) => proxy.listen(0, '127.0.0.1', () => resolve(proxy)));
}

describe("the app's connection where no WebSocket opens", () => {
  const data = tempDataDir();
  let server: TestServer;
  let proxy: Server;
  let room: OpenRoom;

  beforeAll(async () => {
    server = await startServer({ dataDir: data.dir });
    proxy = await proxyWithoutUpgrade(server.url);
    room = await openRoom(server.url);
  });
  afterAll(async () => {
    room?.close();
    await new Promise((resolve) => proxy?.close(resolve));
    await server?.close();
    data.remove();
  });

  it('falls back to long-polling with the options the app connects with, and works there', async () => {
    const { port } = proxy.address() as AddressInfo;
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
});
