import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ErrorBody } from '../../protocol';
import { Member } from '../support/member';
import { closedBy, parseAnswer } from '../support/raw-http';
import { openRoom, type OpenRoom } from '../support/room-setup';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

// Short timeouts so that the server gives up on a slow client while the test watches.
const HEADERS_MS = 300;
const REQUEST_MS = 600;
const KEEP_ALIVE_MS = 300;
const CAP = 6;

const data = tempDataDir();
let server: TestServer;
let room: OpenRoom;
const sockets: Socket[] = [];
beforeAll(async () => {
  server = await startServer({
    dataDir: data.dir,
    config: {
      DUOLOGUE_HEADERS_TIMEOUT_MS: HEADERS_MS,
      DUOLOGUE_REQUEST_TIMEOUT_MS: REQUEST_MS,
      DUOLOGUE_KEEP_ALIVE_TIMEOUT_MS: KEEP_ALIVE_MS,
      DUOLOGUE_CONNECTIONS_PER_ADDRESS: CAP,
    },
  });
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.destroy();
});
afterAll(async () => {
  room?.close();
  await server.close();
  data.remove();
});

/** A TCP connection to the server from `localAddress` (any of 127.0.0.0/8 is this machine). */
function open(localAddress = '127.0.0.1'): Promise<Socket> {
  const { port } = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = connect({ port: Number(port), host: '127.0.0.1', localAddress });
    sockets.push(socket);
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** GET /api/health from another address of this machine, as another client would. */
function healthFrom(localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get(`${server.url}/api/health`, { localAddress, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).once('error', reject);
  });
}

describe('a slow client', () => {
  it('is closed when its request line or headers do not arrive in time, with a 408 in the API\'s shape', async () => {
    const halfLine = await open();
    const halfHeaders = await open();
    const started = Date.now();
    halfLine.write('GET /api/hea');
    halfHeaders.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ');
    const answers = await Promise.all([closedBy(halfLine), closedBy(halfHeaders)]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(HEADERS_MS - 50);
    for (const text of answers) {
      const answer = parseAnswer(text);
      expect(answer.status).toBe(408);
      expect(ErrorBody.parse(JSON.parse(answer.body)).error.code).toBe('timeout');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('is closed when its body does not arrive in time', async () => {
    const halfBody = await open();
    const started = Date.now();
    halfBody.write('POST /api/rooms HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name"');
    const answer = parseAnswer(await closedBy(halfBody));
    expect(Date.now() - started).toBeGreaterThanOrEqual(REQUEST_MS - 50);
    expect(answer.status).toBe(408);
  });

  it('is closed when it keeps an idle connection open after its answer', async () => {
    const idle = await open();
    idle.write('GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const text = await closedBy(idle);
    expect(parseAnswer(text).status).toBe(200);
  });

  it('does not cut a partner\'s live socket, which outlasts every timeout', async () => {
    room = await openRoom(server.url);
    const slow = await open();
    slow.write('GET /api/hea');
    // Once the slow request is closed, the request timeout has come and gone for the room's sockets too.
    await closedBy(slow);
    const otherSlow = await open();
    otherSlow.write('POST /api/rooms HTTP/1.1\r\nContent-Length: 10\r\n\r\n{');
    await closedBy(otherSlow);
    expect([room.A.socket.connected, room.B.socket.connected]).toEqual([true, true]);
    expect((await room.A.send({ type: 'repair', phrase: 'appreciate.thank-you' })).ok).toBe(true);
    room.close();
  });
});

describe('one client address', () => {
  it('holds at most the cap of connections at once, while health and a partner\'s reconnection still go through', async () => {
    const couple = await openRoom(server.url, { moderated: true });
    // Another machine (any of 127.0.0.0/8 is this one) floods the server with connections.
    const attacker = '127.0.0.5';
    const held = await Promise.all(Array.from({ length: CAP }, () => open(attacker)));
    const refused = await Promise.all(Array.from({ length: 20 }, () => open(attacker)));
    // Every connection over the cap is closed by the server without an answer.
    expect(await Promise.all(refused.map(closedBy))).toEqual(refused.map(() => ''));
    for (const socket of held) expect(socket.destroyed).toBe(false);

    expect(await healthFrom('127.0.0.1')).toBe(200);
    couple.A.close();
    const again = await Member.connect(server.url, couple.roomId, couple.keys.A!);
    expect((await again.send({ type: 'repair', phrase: 'appreciate.thank-you' })).ok).toBe(true);
    again.close();
    couple.close();

    // Below the cap again (once the server has seen the connections close), the address is served.
    for (const socket of held) socket.destroy();
    await expect.poll(() => healthFrom(attacker).catch(() => 0)).toBe(200);
  });
});
