import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, type Room } from '../../protocol';
import { hashSecret } from '../../server/rooms/secrets';
import { openRedisStore } from '../../server/store/redis-store';
import type { RoomStore } from '../../server/store/room-store';
import { openSqliteStore } from '../../server/store/sqlite-store';
import { REDIS_SKIP_REASON, runRedisTests, startRedis, type RedisInstance } from '../support/redis-server';
import { tempDataDir } from '../support/test-server';

/** Two handles on one storage, as two processes would hold them. */
interface Pair {
  one: RoomStore;
  two: RoomStore;
  close(): Promise<void>;
}

let counter = 0;
/** A fresh room id of the protocol's shape (22 characters). */
function roomId(): string {
  counter += 1;
  return `room${String(counter).padStart(18, '0')}`;
}
function newRoom(at = 1000): Room {
  return createRoom({ name: 'Ann', id: roomId(), minuteMs: 60_000 }, at).room;
}
const key = (c: string): Buffer => hashSecret(c.repeat(22));

/**
 * What every `RoomStore` promises (server/store/room-store.ts), run against each store: the
 * compare-and-set commit with its command id and spent invite in the same write, the indexes
 * the boot and the sweep read, and deletion of everything a room owns.
 */
function storeContract(name: string, open: () => Promise<Pair>): void {
  describe(`the store contract: ${name}`, () => {
    let pair: Pair;
    beforeAll(async () => {
      pair = await open();
    });
    afterAll(() => pair.close());

    it('stores a new room with its keys and invites, at version 1', async () => {
      const room = newRoom();
      await pair.one.insertRoom({ room, deadline: 7000, seatKeys: [{ seat: 'A', hash: key('k') }], invites: [{ seat: 'B', hash: key('i') }] });
      const seen = await pair.two.loadRoom(room.id);
      expect(seen).toEqual({ room, version: 1 });
      expect(await pair.two.seatKeys(room.id)).toEqual([{ seat: 'A', hash: key('k') }]);
      expect(await pair.two.invites(room.id)).toEqual([{ seat: 'B', hash: key('i'), used: false }]);
      expect(await pair.two.deadlines()).toContainEqual({ roomId: room.id, deadline: 7000 });
      expect(await pair.two.loadRoom(roomId())).toBeNull();
      // A room id is never stored twice.
      await expect(pair.two.insertRoom({ room, deadline: null, seatKeys: [], invites: [] })).rejects.toThrow();
    });

    it('guards every write with the version: the loser writes nothing, its command id included', async () => {
      const room = newRoom();
      await pair.one.insertRoom({ room, deadline: null, seatKeys: [], invites: [] });
      const changed = { ...room, topic: 'x', updatedAt: 2000 };
      const won = await pair.one.commit({ roomId: room.id, expectedVersion: 1, room: changed, deadline: 5000, acceptedCommand: { seat: 'A', commandId: 'won-1', rev: 2 } });
      expect(won).toBe('committed');
      const lost = await pair.two.commit({ roomId: room.id, expectedVersion: 1, room: { ...room, topic: 'y' }, deadline: null, acceptedCommand: { seat: 'B', commandId: 'lost-1', rev: 2 } });
      expect(lost).toBe('conflict');
      expect(await pair.two.loadRoom(room.id)).toEqual({ room: changed, version: 2 });
      expect(await pair.two.acceptedCommand(room.id, 'A', 'won-1')).toBe(2);
      expect(await pair.two.acceptedCommand(room.id, 'B', 'lost-1')).toBeNull();
      // The command id is per seat.
      expect(await pair.two.acceptedCommand(room.id, 'B', 'won-1')).toBeNull();
      expect(await pair.two.deadlines()).toContainEqual({ roomId: room.id, deadline: 5000 });

      // A write of side records alone checks the version and leaves it.
      expect(await pair.two.commit({ roomId: room.id, expectedVersion: 2, room: null, deadline: null, acceptedCommand: { seat: 'B', commandId: 'noop-1', rev: 2 } })).toBe('committed');
      expect((await pair.one.loadRoom(room.id))?.version).toBe(2);
      expect(await pair.one.acceptedCommand(room.id, 'B', 'noop-1')).toBe(2);
      expect(await pair.one.commit({ roomId: room.id, expectedVersion: 1, room: null, deadline: null, acceptedCommand: { seat: 'B', commandId: 'noop-2', rev: 2 } })).toBe('conflict');
      expect(await pair.one.acceptedCommand(room.id, 'B', 'noop-2')).toBeNull();

      // A change without a deadline clears it from the index.
      expect(await pair.one.commit({ roomId: room.id, expectedVersion: 2, room: { ...changed, updatedAt: 3000 }, deadline: null })).toBe('committed');
      expect((await pair.two.deadlines()).map((d) => d.roomId)).not.toContain(room.id);
      expect(await pair.two.commit({ roomId: roomId(), expectedVersion: 1, room: null, deadline: null })).toBe('conflict');
    });

    it('answers a command id accepted before with its first rev, and writes nothing of the replay', async () => {
      const room = newRoom();
      await pair.one.insertRoom({ room, deadline: null, seatKeys: [], invites: [] });
      const first = { roomId: room.id, expectedVersion: 1, room: { ...room, topic: 'first', updatedAt: 2000 }, deadline: 4000 };
      expect(await pair.one.commit({ ...first, acceptedCommand: { seat: 'A', commandId: 'retry-1', rev: 2 } })).toBe('committed');
      // The retry comes through the other handle, decided on the new version: it is still the same command.
      const retry = { roomId: room.id, expectedVersion: 2, room: { ...room, topic: 'again', updatedAt: 3000 }, deadline: 9000 };
      expect(await pair.two.commit({ ...retry, acceptedCommand: { seat: 'A', commandId: 'retry-1', rev: 3 } })).toEqual({ replayed: 2 });
      // Decided on an old version, it is a replay all the same, not a conflict.
      expect(await pair.two.commit({ ...retry, expectedVersion: 1, acceptedCommand: { seat: 'A', commandId: 'retry-1', rev: 3 } })).toEqual({ replayed: 2 });
      expect(await pair.two.commit({ ...retry, room: null, acceptedCommand: { seat: 'A', commandId: 'retry-1', rev: 2 } })).toEqual({ replayed: 2 });
      const stored = await pair.two.loadRoom(room.id);
      expect(stored?.version).toBe(2);
      expect(stored?.room.topic).toBe('first');
      expect(await pair.two.deadlines()).toContainEqual({ roomId: room.id, deadline: 4000 });
      expect(await pair.one.acceptedCommand(room.id, 'A', 'retry-1')).toBe(2);
      // The same id from the other seat is another command.
      expect(await pair.two.commit({ ...retry, acceptedCommand: { seat: 'B', commandId: 'retry-1', rev: 3 } })).toBe('committed');
    });

    it('spends an invite once, in the same write as the new seat key', async () => {
      const room = newRoom();
      await pair.one.insertRoom({ room, deadline: null, seatKeys: [{ seat: 'A', hash: key('a') }], invites: [{ seat: 'B', hash: key('i') }] });
      const claim = { seat: 'B' as const, keyHash: key('b') };
      const joined = { ...room, updatedAt: 1500 };
      expect(await pair.one.commit({ roomId: room.id, expectedVersion: 1, room: joined, deadline: null, claim })).toBe('committed');
      // A second claim conflicts, even at the right version, and stores no second key.
      expect(await pair.two.commit({ roomId: room.id, expectedVersion: 2, room: joined, deadline: null, claim: { seat: 'B', keyHash: key('c') } })).toBe('conflict');
      expect((await pair.two.loadRoom(room.id))?.version).toBe(2);
      expect(await pair.two.invites(room.id)).toEqual([{ seat: 'B', hash: key('i'), used: true }]);
      const keys = await pair.two.seatKeys(room.id);
      expect(keys.sort((x, y) => x.seat.localeCompare(y.seat))).toEqual([
        { seat: 'A', hash: key('a') },
        { seat: 'B', hash: key('b') },
      ]);
      // A seat without an invite cannot be claimed.
      expect(await pair.one.commit({ roomId: room.id, expectedVersion: 2, room: null, deadline: null, claim: { seat: 'moderator', keyHash: key('m') } })).toBe('conflict');
    });

    it('answers each commit of one turn apart, and never records one command id twice', async () => {
      const [x, y, z] = [newRoom(), newRoom(), newRoom()];
      for (const room of [x, y, z]) await pair.one.insertRoom({ room, deadline: null, seatKeys: [], invites: [] });
      const accepted = (commandId: string) => ({ seat: 'A' as const, commandId, rev: 1 });
      const answers = await Promise.allSettled([
        pair.one.commit({ roomId: x.id, expectedVersion: 1, room: { ...x, topic: 'x' }, deadline: null, acceptedCommand: accepted('turn-x') }),
        pair.one.commit({ roomId: y.id, expectedVersion: 7, room: { ...y, topic: 'y' }, deadline: null, acceptedCommand: accepted('turn-y') }),
        pair.one.commit({ roomId: z.id, expectedVersion: 1, room: null, deadline: null, acceptedCommand: accepted('turn-z') }),
        pair.two.commit({ roomId: z.id, expectedVersion: 1, room: null, deadline: null, acceptedCommand: accepted('turn-z') }),
      ]);
      const results = answers.map((a) => (a.status === 'fulfilled' ? a.value : 'error'));
      expect(results.slice(0, 2)).toEqual(['committed', 'conflict']);
      // The same id twice: one is stored, the other is refused (a conflict, or an error from SQLite's key).
      expect(results.slice(2).filter((r) => r === 'committed')).toHaveLength(1);
      expect((await pair.two.loadRoom(x.id))?.room.topic).toBe('x');
      expect((await pair.two.loadRoom(y.id))?.room.topic).not.toBe('y');
      expect(await pair.two.acceptedCommand(y.id, 'A', 'turn-y')).toBeNull();
      expect(await pair.two.acceptedCommand(z.id, 'A', 'turn-z')).toBe(1);
    });

    it('lists rooms idle since a time, by their last change', async () => {
      const old = newRoom(10_000);
      const fresh = newRoom(20_000);
      for (const room of [old, fresh]) await pair.one.insertRoom({ room, deadline: null, seatKeys: [], invites: [] });
      const idle = await pair.two.idleSince(15_000);
      expect(idle).toContain(old.id);
      expect(idle).not.toContain(fresh.id);
      await pair.one.commit({ roomId: old.id, expectedVersion: 1, room: { ...old, updatedAt: 30_000 }, deadline: null });
      expect(await pair.two.idleSince(15_000)).not.toContain(old.id);
    });

    it('deletes a room with everything it owns, once', async () => {
      const room = newRoom();
      await pair.one.insertRoom({ room, deadline: 9000, seatKeys: [{ seat: 'A', hash: key('a') }], invites: [{ seat: 'B', hash: key('i') }] });
      await pair.one.commit({ roomId: room.id, expectedVersion: 1, room: null, deadline: null, acceptedCommand: { seat: 'A', commandId: 'gone-1', rev: 1 } });
      expect(await pair.two.deleteRoom(room.id)).toBe(true);
      expect(await pair.one.loadRoom(room.id)).toBeNull();
      expect(await pair.one.seatKeys(room.id)).toEqual([]);
      expect(await pair.one.invites(room.id)).toEqual([]);
      expect(await pair.one.acceptedCommand(room.id, 'A', 'gone-1')).toBeNull();
      expect((await pair.one.deadlines()).map((d) => d.roomId)).not.toContain(room.id);
      expect(await pair.one.idleSince(Number.MAX_SAFE_INTEGER)).not.toContain(room.id);
      expect(await pair.one.deleteRoom(room.id)).toBe(false);
      expect(await pair.one.commit({ roomId: room.id, expectedVersion: 1, room: { ...room, topic: 'z' }, deadline: null })).toBe('conflict');
    });

    it('answers every write of two handles racing on different rooms, none with an error', async () => {
      // Two writers at once must wait for each other's lock, never fail for it. (With deferred
      // transactions about half of these failed with SQLITE_BUSY on the writer threads.)
      const write = (store: RoomStore, room: Room, commandId?: string) =>
        store.commit({
          roomId: room.id,
          expectedVersion: 1,
          room: { ...room, topic: 'raced' },
          deadline: null,
          ...(commandId === undefined ? {} : { acceptedCommand: { seat: 'A' as const, commandId, rev: 2 } }),
        });
      const outcomes: unknown[] = [];
      for (let round = 0; round < 40; round += 1) {
        const [a, b, c, d, gone] = [newRoom(), newRoom(), newRoom(), newRoom(), newRoom()];
        for (const room of [a, b, c, d, gone]) await pair.one.insertRoom({ room, deadline: null, seatKeys: [], invites: [] });
        const answers = await Promise.allSettled([
          write(pair.one, a, 'race'),
          write(pair.two, b, 'race'),
          write(pair.one, c),
          write(pair.two, d),
          pair.one.insertRoom({ room: newRoom(), deadline: null, seatKeys: [], invites: [] }),
          pair.two.deleteRoom(gone.id),
        ]);
        outcomes.push(...answers.map((x) => (x.status === 'fulfilled' ? x.value : x.reason)));
      }
      expect(outcomes).toEqual(Array(40).fill(['committed', 'committed', 'committed', 'committed', undefined, true]).flat());
    });
  });
}

const data = tempDataDir();
afterAll(() => data.remove());

for (const writer of ['thread', 'inline'] as const) {
  storeContract(`SQLite, writes on ${writer === 'thread' ? 'a thread of their own' : 'the main thread'}`, async () => {
    const one = openSqliteStore(`${data.dir}/${writer}`, { writer });
    const two = openSqliteStore(`${data.dir}/${writer}`, { writer });
    return {
      one,
      two,
      close: async () => {
        await one.close();
        await two.close();
      },
    };
  });
}

describe.skipIf(!runRedisTests)(`Redis${REDIS_SKIP_REASON}`, () => {
  let redis: RedisInstance;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(() => redis?.stop());

  storeContract('Redis', async () => {
    const clients = [new Redis(redis.url), new Redis(redis.url)];
    return {
      one: openRedisStore(clients[0]!),
      two: openRedisStore(clients[1]!),
      close: async () => {
        await Promise.all(clients.map((c) => c.quit()));
      },
    };
  });

  it('leaves no key of a deleted room behind', async () => {
    const client = new Redis(redis.url);
    const store = openRedisStore(client);
    const room = newRoom();
    await store.insertRoom({ room, deadline: 9000, seatKeys: [{ seat: 'A', hash: key('a') }], invites: [{ seat: 'B', hash: key('i') }] });
    await store.commit({ roomId: room.id, expectedVersion: 1, room: { ...room, updatedAt: 2000 }, deadline: 9000, acceptedCommand: { seat: 'A', commandId: 'c-1', rev: 2 } });
    expect(await client.keys(`*${room.id}*`)).not.toEqual([]);
    await store.deleteRoom(room.id);
    expect(await client.keys(`*${room.id}*`)).toEqual([]);
    for (const index of ['duologue:deadlines', 'duologue:idle']) expect(await client.zscore(index, room.id)).toBeNull();
    await client.quit();
  });
});
