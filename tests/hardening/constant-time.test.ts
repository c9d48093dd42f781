import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type * as crypto from 'node:crypto';
import { timingSafeEqual } from 'node:crypto';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';
import { createRoom, handshake, joinRoom, openModeratedRoom, request } from './support/wire';

// Every comparison of a secret's hash goes through node's timingSafeEqual; the spy counts them.
vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof crypto>();
  return { ...actual, timingSafeEqual: vi.fn(actual.timingSafeEqual) };
});

const compare = vi.mocked(timingSafeEqual);
const data = tempDataDir();
let server: TestServer;

beforeAll(async () => {
  server = await startServer({ dataDir: data.dir });
});
afterAll(async () => {
  await server.close();
  data.remove();
});
beforeEach(() => {
  compare.mockClear();
});

/** The 32-byte SHA-256 pairs that were compared since the last clear. */
function comparisons(): number {
  for (const [a, b] of compare.mock.calls) {
    expect([(a as Buffer).length, (b as Buffer).length]).toEqual([32, 32]);
  }
  return compare.mock.calls.length;
}

describe('secrets are compared as hashes, in constant time, with every stored one', () => {
  it('on the socket handshake, for a wrong key and for the right one alike', async () => {
    const room = await openModeratedRoom(server.url, { A: 'Avery', B: 'Blake', moderator: 'Morgan' });
    compare.mockClear();
    expect(await handshake(server.url, { roomId: room.roomId, seatKey: 'W'.repeat(22) })).toEqual({ ok: false, message: 'unauthorized' });
    // Three seats, three comparisons: no early exit tells how far a guess got.
    expect(comparisons()).toBe(3);
    compare.mockClear();
    expect((await handshake(server.url, { roomId: room.roomId, seatKey: room.keys.A })).ok).toBe(true);
    expect(comparisons()).toBe(3);
  });

  it('on the keyed HTTP routes and on joins', async () => {
    const room = await createRoom(server.url, { name: 'Morgan', as: 'moderator' });
    compare.mockClear();
    expect((await request(server.url, 'GET', `/api/rooms/${room.roomId}/summary`, { key: 'W'.repeat(22) })).status).toBe(401);
    expect(comparisons()).toBe(1);
    compare.mockClear();
    const wrongInvite = await request(server.url, 'POST', `/api/rooms/${room.roomId}/join`, { body: { invite: 'W'.repeat(22), name: 'M' } });
    expect(wrongInvite.status).toBe(403);
    // Both open invites (A and B) were compared.
    expect(comparisons()).toBe(2);
    compare.mockClear();
    const wrongPreview = await request(server.url, 'POST', `/api/rooms/${room.roomId}/invite`, { body: { invite: 'W'.repeat(22) } });
    expect(wrongPreview.status).toBe(403);
    expect(comparisons()).toBe(2);
    compare.mockClear();
    await joinRoom(server.url, room.roomId, room.invites.B!, 'Blake');
    expect(comparisons()).toBe(2);
  });
});
