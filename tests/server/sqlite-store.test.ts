import { chmodSync, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRoom } from '../../protocol';
import { hashSecret } from '../../server/rooms/secrets';
import { DATABASE_FILE, openSqliteStore } from '../../server/store/sqlite-store';
import { tempDataDir } from '../support/test-server';

const data = tempDataDir();
afterAll(() => data.remove());

describe('the SQLite store', () => {
  it('keeps its folder and files private to their user: 0700 and 0600, whatever the umask', async () => {
    const mode = (path: string): number => statSync(path).mode & 0o777;
    const previous = process.umask(0o022);
    try {
      for (const dir of [join(data.dir, 'fresh', 'data'), join(data.dir, 'loose')]) {
        if (dir.endsWith('loose')) {
          // A folder and a database made by an older version, readable by everyone.
          mkdirSync(dir, { mode: 0o755 });
          writeFileSync(join(dir, DATABASE_FILE), '');
          chmodSync(join(dir, DATABASE_FILE), 0o644);
        }
        const store = openSqliteStore(dir);
        const { room } = createRoom({ name: 'Ann', id: 'P'.repeat(22), minuteMs: 60_000 }, 1000);
        await store.insertRoom({ room, deadline: null, seatKeys: [], invites: [] });
        expect(mode(dir), dir).toBe(0o700);
        const files = ['', '-wal', '-shm'].map((suffix) => join(dir, `${DATABASE_FILE}${suffix}`));
        for (const file of files) {
          expect(existsSync(file), file).toBe(true);
          expect(mode(file), file).toBe(0o600);
        }
        await store.close();
      }
    } finally {
      process.umask(previous);
    }
  });

  it('guards every write with the storage version, across two connections to one file', async () => {
    const one = openSqliteStore(data.dir);
    const two = openSqliteStore(data.dir);
    const { room } = createRoom({ name: 'Ann', id: 'R'.repeat(22), minuteMs: 60_000 }, 1000);
    await one.insertRoom({ room, deadline: null, seatKeys: [{ seat: 'A', hash: hashSecret('k'.repeat(22)) }], invites: [{ seat: 'B', hash: hashSecret('i'.repeat(22)) }] });
    const seen = await two.loadRoom(room.id);
    expect(seen?.version).toBe(1);
    const changed = { ...room, topic: 'x', updatedAt: 2000 };
    expect(await one.commit({ roomId: room.id, expectedVersion: 1, room: changed, deadline: 5000 })).toBe('committed');
    // The second writer decided on version 1: it loses, and nothing of its write lands.
    expect(
      await two.commit({ roomId: room.id, expectedVersion: 1, room: { ...room, topic: 'y' }, deadline: null, acceptedCommand: { seat: 'A', commandId: 'lost-write-1', rev: 1 } }),
    ).toBe('conflict');
    expect((await two.loadRoom(room.id))?.room.topic).toBe('x');
    expect(await two.acceptedCommand(room.id, 'A', 'lost-write-1')).toBeNull();
    expect(await two.deadlines()).toEqual([{ roomId: room.id, deadline: 5000 }]);

    // An invite is spent once: a second claim conflicts, even at the right version.
    const claim = { seat: 'B' as const, keyHash: hashSecret('b'.repeat(22)) };
    expect(await one.commit({ roomId: room.id, expectedVersion: 2, room: null, deadline: null, claim })).toBe('committed');
    expect(await two.commit({ roomId: room.id, expectedVersion: 2, room: null, deadline: null, claim })).toBe('conflict');
    expect((await one.invites(room.id))[0]?.used).toBe(true);
    expect(await one.seatKeys(room.id)).toHaveLength(2);

    expect(await two.deleteRoom(room.id)).toBe(true);
    expect(await one.loadRoom(room.id)).toBeNull();
    expect(await one.seatKeys(room.id)).toEqual([]);
    await one.close();
    await two.close();
  });

  it("reads a room as one snapshot while its writer thread commits: never one commit's timeline with another's room row", async () => {
    // On the main thread a read cannot meet a commit halfway; on the writer thread it could.
    const store = openSqliteStore(join(data.dir, 'snapshot'), { writer: 'thread' });
    const { room } = createRoom({ name: 'Ann', id: 'S'.repeat(22), minuteMs: 60_000 }, 1000);
    await store.insertRoom({ room, deadline: null, seatKeys: [], invites: [] });
    const start = room.timeline.length;
    let current = room;
    let torn = 0;
    let reads = 0;
    for (let n = 1; n <= 80; n += 1) {
      // Each commit changes the room's row (its topic) and appends one event to its timeline.
      const next = { ...current, topic: `t${n}`, timeline: [...current.timeline, { at: 1000 + n, kind: 'breakDue' as const, by: 'B' as const }] };
      const committing = store.commit({ roomId: room.id, expectedVersion: n, room: next, before: current, deadline: null });
      // Let the group go to the writer, then read without yielding while it commits.
      await new Promise((resolve) => setImmediate(resolve));
      const until = performance.now() + 4;
      while (performance.now() < until) {
        const read = (await store.loadRoom(room.id))!.room;
        reads += 1;
        const topicN = read.topic === room.topic ? 0 : Number(read.topic.slice(1));
        if (read.timeline.length - start !== topicN) torn += 1;
      }
      expect(await committing).toBe('committed');
      current = next;
    }
    expect(reads).toBeGreaterThan(80);
    expect(torn).toBe(0);
    await store.close();
  });
});
