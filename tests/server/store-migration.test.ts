import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { PROJECT_ROOT } from '../../server/client-build';
import { afterAll, describe, expect, it } from 'vitest';
import { applyCommand, claimSeat, createRoom, STORED_LIST_LIMIT, type Room } from '../../protocol';
import { MIGRATIONS } from '../../server/store/sqlite-migrations';
import { DATABASE_FILE, openSqliteStore } from '../../server/store/sqlite-store';
import { TIMELINE_SLOTS } from '../../server/store/sqlite-writer';
import { tempDataDir } from '../support/test-server';

const data = tempDataDir();
afterAll(() => data.remove());

/** A moderated room with something in each long list: a note, a coach line, a repair, timeline events. */
function busyRoom(): Room {
  const created = createRoom({ name: 'Mo', as: 'moderator', id: 'M'.repeat(22), minuteMs: 60_000 }, 1000).room;
  let room = claimSeat(claimSeat(created, 'A', 'Ann', 2000).room, 'B', 'Ben', 3000).room;
  const step = (command: Parameters<typeof applyCommand>[1], seat: Parameters<typeof applyCommand>[2], now: number): void => {
    const outcome = applyCommand(room, command, seat, now);
    if (!outcome.ok) throw new Error(outcome.error.code);
    room = outcome.room;
  };
  step({ id: 'note-0001', type: 'note', text: 'First note' }, 'moderator', 4000);
  step({ id: 'coach-001', type: 'coach', to: 'A', text: 'Breathe' }, 'moderator', 5000);
  step({ id: 'repair-01', type: 'repair', phrase: 'sorry.too-harsh' }, 'A', 6000);
  return room;
}

/** A database as a server that ran only the first `version` migrations left it. */
function databaseAt(dir: string, version: number): Database.Database {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const db = new Database(join(dir, DATABASE_FILE));
  db.pragma('journal_mode = WAL');
  for (const step of MIGRATIONS.slice(0, version)) db.exec(step);
  db.pragma(`user_version = ${version}`);
  return db;
}

describe('the store migration that gives long lists rows of their own', () => {
  it('keeps every room written by the first schema, whole, and writes on from there', async () => {
    const dir = join(data.dir, 'old');
    const room = busyRoom();
    const old = databaseAt(dir, 1);
    old.prepare('INSERT INTO rooms (id, data, version, updated_at, next_deadline) VALUES (?, ?, 3, ?, NULL)').run(room.id, JSON.stringify(room), room.updatedAt);
    old.close();

    const store = openSqliteStore(dir);
    const loaded = await store.loadRoom(room.id);
    expect(loaded).toEqual({ room, version: 3 });

    // A change that leaves the notes alone, and one that adds to them: both read back whole.
    const advanced = applyCommand(room, { id: 'note-0002', type: 'note', text: 'Second note' }, 'moderator', 7000);
    if (!advanced.ok) throw new Error('the note was refused');
    expect(await store.commit({ roomId: room.id, expectedVersion: 3, room: advanced.room, before: room, deadline: null })).toBe('committed');
    const paused = applyCommand(advanced.room, { id: 'pause-001', type: 'pause' }, 'moderator', 8000);
    if (!paused.ok) throw new Error('the pause was refused');
    expect(paused.room.notes).toBe(advanced.room.notes);
    expect(await store.commit({ roomId: room.id, expectedVersion: 4, room: paused.room, before: advanced.room, deadline: null })).toBe('committed');
    await store.close();

    const reopened = openSqliteStore(dir);
    expect(await reopened.loadRoom(room.id)).toEqual({ room: paused.room, version: 5 });
    expect(await reopened.deleteRoom(room.id)).toBe(true);
    await reopened.close();
    const check = new Database(join(dir, DATABASE_FILE), { readonly: true });
    expect(check.prepare('SELECT COUNT(*) AS n FROM room_lists').get()).toEqual({ n: 0 });
    expect(check.prepare('SELECT COUNT(*) AS n FROM room_timeline').get()).toEqual({ n: 0 });
    check.close();
  });

  it('keeps timeline events one row each, the newest in the slots of those past the stored limit', async () => {
    const dir = join(data.dir, 'events');
    const store = openSqliteStore(dir);
    let room = busyRoom();
    await store.insertRoom({ room, deadline: null, seatKeys: [], invites: [] });
    let version = 1;
    for (let i = 0; i < 210; i += 1) {
      const outcome = applyCommand(room, { id: `repair-${String(i).padStart(4, '0')}`, type: 'repair', phrase: 'appreciate.thank-you' }, 'B', 10_000 + i);
      if (!outcome.ok) throw new Error(outcome.error.code);
      expect(await store.commit({ roomId: room.id, expectedVersion: version, room: outcome.room, before: room, deadline: null })).toBe('committed');
      room = outcome.room;
      version += 1;
    }
    expect(room.timeline).toHaveLength(200);
    expect(await store.loadRoom(room.id)).toEqual({ room, version });
    await store.close();
    const check = new Database(join(dir, DATABASE_FILE), { readonly: true });
    expect(check.prepare('SELECT COUNT(*) AS n FROM room_timeline').get()).toEqual({ n: 200 });
    check.close();
  });
});

describe('the store migration that keeps the timeline in slots', () => {
  it('keeps every event of a room written by the second schema, in order, and appends after them', async () => {
    const dir = join(data.dir, 'second');
    const room = busyRoom();
    const old = databaseAt(dir, 2);
    const { timeline, notes, coach, repairs, ...row } = room;
    old.prepare('INSERT INTO rooms (id, data, version, updated_at, next_deadline) VALUES (?, ?, 4, ?, ?)').run(room.id, JSON.stringify(row), room.updatedAt, 9000);
    // Stored as the second schema's writer left them: seqs counting on from earlier, dropped ones gone.
    timeline.forEach((event, i) => old.prepare('INSERT INTO room_events (room_id, seq, data) VALUES (?, ?, ?)').run(room.id, 395 + i, JSON.stringify(event)));
    for (const [list, value] of Object.entries({ notes, coach, repairs })) {
      old.prepare('INSERT INTO room_lists (room_id, list, data) VALUES (?, ?, ?)').run(room.id, list, JSON.stringify(value));
    }
    old.close();

    const store = openSqliteStore(dir);
    expect(await store.loadRoom(room.id)).toEqual({ room, version: 4 });
    expect(await store.deadlines()).toEqual([{ roomId: room.id, deadline: 9000 }]);
    const next = applyCommand(room, { id: 'repair-02', type: 'repair', phrase: 'calm.breathe' }, 'B', 7000);
    if (!next.ok) throw new Error(next.error.code);
    expect(await store.commit({ roomId: room.id, expectedVersion: 4, room: next.room, before: room, deadline: null })).toBe('committed');
    expect(await store.loadRoom(room.id)).toEqual({ room: next.room, version: 5 });
    expect(await store.idleSince(7001)).toEqual([room.id]);
    expect(await store.idleSince(7000)).toEqual([]);
    await store.close();
    const check = new Database(join(dir, DATABASE_FILE), { readonly: true });
    const last = check.prepare('SELECT last_event FROM rooms').get() as { last_event: number };
    expect(last.last_event).toBe(395 + next.room.timeline.length - 1);
    expect(check.prepare("SELECT name FROM sqlite_schema WHERE name IN ('room_events', 'rooms_by_deadline', 'rooms_by_update')").all()).toEqual([]);
    check.close();
  });

  it('reads back a timeline cut from the front below the limit, and one written anew', async () => {
    const store = openSqliteStore(join(data.dir, 'cuts'));
    const base = busyRoom();
    const event = (at: number): Room['timeline'][number] => ({ ...base.timeline[0]!, at });
    const five = { ...base, timeline: [1, 2, 3, 4, 5].map(event) };
    await store.insertRoom({ room: five, deadline: null, seatKeys: [], invites: [] });
    // Two dropped from the front, one appended: 4 kept of the 200 slots.
    const cut = { ...five, timeline: [...five.timeline.slice(2), event(6)] };
    expect(await store.commit({ roomId: base.id, expectedVersion: 1, room: cut, before: five, deadline: null })).toBe('committed');
    expect((await store.loadRoom(base.id))?.room.timeline).toEqual(cut.timeline);
    // The last stored event is gone: the timeline is written again whole.
    const anew = { ...cut, timeline: [event(7), event(8)] };
    expect(await store.commit({ roomId: base.id, expectedVersion: 2, room: anew, before: cut, deadline: null })).toBe('committed');
    expect((await store.loadRoom(base.id))?.room.timeline).toEqual(anew.timeline);
    await store.close();
  });

  it('has a slot for every event the machine keeps', () => {
    expect(STORED_LIST_LIMIT).toBe(TIMELINE_SLOTS);
    // The migration fixes the same number in the stored slots.
    expect(MIGRATIONS[2]).toContain(`seq % ${TIMELINE_SLOTS}`);
  });
});

describe('two processes opening one database that needs migrating', () => {
  it('lets the second wait for the first one\'s migration, and then find nothing left to do', async () => {
    const dir = join(data.dir, 'two-processes');
    const first = databaseAt(dir, 2);
    // The first process is migrating: it holds the write lock.
    first.exec('BEGIN IMMEDIATE');
    const store = pathToFileURL(join(PROJECT_ROOT, 'server', 'store', 'sqlite-store.ts')).href;
    const script = `const { openSqliteStore } = await import(${JSON.stringify(store)});
      process.stdout.write('opening\\n');
      const opened = openSqliteStore(${JSON.stringify(dir)});
      await opened.close();
      process.stdout.write('opened\\n');`;
    const second = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: PROJECT_ROOT });
    let out = '';
    let err = '';
    second.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    second.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => second.on('exit', resolve));
    await expect.poll(() => out, { timeout: 20_000 }).toContain('opening');
    // The second is in its own migration by now, waiting on the lock (its busy timeout is 5 s).
    await new Promise((resolve) => setTimeout(resolve, 500));
    first.exec(MIGRATIONS[2]!);
    first.pragma(`user_version = ${MIGRATIONS.length}`);
    first.exec('COMMIT');
    first.close();
    expect(await exited, err).toBe(0);
    expect(out).toContain('opened');
  }, 30_000);
});
