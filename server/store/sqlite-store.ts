import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Room, SeatId } from '../../protocol';
import { migrate } from './sqlite-migrations';
import type { Commit, CommitResult, InviteRecord, NewRoomRecord, RoomStore, SeatSecret, StoredRoom } from './room-store';

/** The lists of a room stored whole in rows of their own (`room_lists`); the timeline has a row per event. */
const LISTS = ['notes', 'coach', 'repairs'] as const;

/** The database file's name inside DUOLOGUE_DATA_DIR. */
export const DATABASE_FILE = 'duologue.sqlite';

/**
 * The SQLite store (better-sqlite3). WAL with `synchronous=FULL`, so a commit is on
 * disk before the call returns; `secure_delete`, so deleted rooms leave no words
 * behind in the file.
 */
export function openSqliteStore(dataDir: string): RoomStore {
  const file = join(dataDir, DATABASE_FILE);
  keepPrivate(dataDir, file);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('secure_delete = ON');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);

  const q = {
    insertRoom: db.prepare('INSERT INTO rooms (id, data, version, updated_at, next_deadline) VALUES (?, ?, 1, ?, ?)'),
    insertKey: db.prepare('INSERT INTO seat_keys (room_id, seat, key_hash) VALUES (?, ?, ?)'),
    insertInvite: db.prepare('INSERT INTO invites (room_id, seat, code_hash) VALUES (?, ?, ?)'),
    loadRoom: db.prepare<[string], { data: string; version: number }>('SELECT data, version FROM rooms WHERE id = ?'),
    loadEvents: db.prepare<[string], { data: string }>('SELECT data FROM room_events WHERE room_id = ? ORDER BY seq'),
    lastEvent: db.prepare<[string], { seq: number | null }>('SELECT MAX(seq) AS seq FROM room_events WHERE room_id = ?'),
    appendEvent: db.prepare('INSERT INTO room_events (room_id, seq, data) VALUES (?, ?, ?)'),
    dropEvents: db.prepare('DELETE FROM room_events WHERE room_id = ? AND seq <= ?'),
    loadLists: db.prepare<[string], { list: string; data: string }>('SELECT list, data FROM room_lists WHERE room_id = ?'),
    writeList: db.prepare(
      'INSERT INTO room_lists (room_id, list, data) VALUES (?, ?, ?) ON CONFLICT (room_id, list) DO UPDATE SET data = excluded.data',
    ),
    version: db.prepare<[string], { version: number }>('SELECT version FROM rooms WHERE id = ?'),
    seatKeys: db.prepare<[string], { seat: string; key_hash: Buffer }>('SELECT seat, key_hash FROM seat_keys WHERE room_id = ?'),
    invites: db.prepare<[string], { seat: string; code_hash: Buffer; used: number }>(
      'SELECT seat, code_hash, used FROM invites WHERE room_id = ?',
    ),
    accepted: db.prepare<[string, string, string], { rev: number }>(
      'SELECT rev FROM accepted_commands WHERE room_id = ? AND seat = ? AND command_id = ?',
    ),
    updateRoom: db.prepare(
      'UPDATE rooms SET data = ?, version = version + 1, updated_at = ?, next_deadline = ? WHERE id = ? AND version = ?',
    ),
    remember: db.prepare('INSERT INTO accepted_commands (room_id, seat, command_id, rev) VALUES (?, ?, ?, ?)'),
    spendInvite: db.prepare('UPDATE invites SET used = 1 WHERE room_id = ? AND seat = ? AND used = 0'),
    deleteRoom: db.prepare('DELETE FROM rooms WHERE id = ?'),
    deadlines: db.prepare<[], { id: string; next_deadline: number }>(
      'SELECT id, next_deadline FROM rooms WHERE next_deadline IS NOT NULL',
    ),
    idle: db.prepare<[number], { id: string }>('SELECT id FROM rooms WHERE updated_at < ?'),
  };

  /** The room's own row: the room without its long lists. */
  const roomRow = (room: Room): string => {
    const { timeline: _t, notes: _n, coach: _c, repairs: _r, ...rest } = room;
    return JSON.stringify(rest);
  };
  /** Each long list that is not the very same array as in `before`, written to its own row. */
  const writeLists = (room: Room, before: Room | undefined): void => {
    for (const list of LISTS) {
      if (before === undefined || before[list] !== room[list]) q.writeList.run(room.id, list, JSON.stringify(room[list]));
    }
    writeTimeline(room, before?.timeline);
  };
  /**
   * The timeline's new events appended after the last stored one, and the events the room no
   * longer keeps dropped. The machine keeps the entries it carries over (it appends to a copy
   * of the list and drops from the front), so the events after `before`'s last one are new;
   * should that last one be gone, the whole timeline is written again.
   */
  const writeTimeline = (room: Room, before: Room['timeline'] | undefined): void => {
    const events = room.timeline;
    if (before === events) return;
    const last = before?.at(-1);
    const kept = last === undefined ? -1 : events.lastIndexOf(last);
    const stored = q.lastEvent.get(room.id)?.seq ?? -1;
    if (last !== undefined && kept === -1) q.dropEvents.run(room.id, stored);
    let seq = stored;
    for (const event of events.slice(kept + 1)) {
      seq += 1;
      q.appendEvent.run(room.id, seq, JSON.stringify(event));
    }
    q.dropEvents.run(room.id, seq - events.length);
  };

  const insertRoom = db.transaction((record: NewRoomRecord) => {
    const { room } = record;
    q.insertRoom.run(room.id, roomRow(room), room.updatedAt, record.deadline);
    writeLists(room, undefined);
    for (const key of record.seatKeys) q.insertKey.run(room.id, key.seat, key.hash);
    for (const invite of record.invites) q.insertInvite.run(room.id, invite.seat, invite.hash);
  });

  // Any step that finds the world changed throws this, which rolls the transaction back.
  class Conflict extends Error {}

  const commit = db.transaction((change: Commit) => {
    const { roomId, expectedVersion } = change;
    if (change.room === null) {
      if (q.version.get(roomId)?.version !== expectedVersion) throw new Conflict();
    } else {
      const result = q.updateRoom.run(roomRow(change.room), change.room.updatedAt, change.deadline, roomId, expectedVersion);
      if (result.changes !== 1) throw new Conflict();
      writeLists(change.room, change.before);
    }
    if (change.claim !== undefined) {
      if (q.spendInvite.run(roomId, change.claim.seat).changes !== 1) throw new Conflict();
      q.insertKey.run(roomId, change.claim.seat, change.claim.keyHash);
    }
    if (change.acceptedCommand !== undefined) {
      const { seat, commandId, rev } = change.acceptedCommand;
      q.remember.run(roomId, seat, commandId, rev);
    }
  });

  /**
   * Group commit: the commits asked for in one turn of the event loop are written in one
   * transaction, so one fsync serves them all. Each sits in its own savepoint (a nested
   * better-sqlite3 transaction), so a conflict or an error undoes that one change alone;
   * every caller is answered only after the outer COMMIT returned, and if that COMMIT
   * fails, every caller of the group gets the error and nothing of the group is stored.
   */
  type Pending = { change: Commit; resolve: (result: CommitResult) => void; reject: (error: unknown) => void };
  type Outcome = { result: CommitResult } | { error: unknown };
  let pending: Pending[] = [];
  const writeGroup = db.transaction((group: Pending[]): Outcome[] =>
    group.map(({ change }) => {
      try {
        commit(change);
        return { result: 'committed' };
      } catch (error) {
        return error instanceof Conflict ? { result: 'conflict' } : { error };
      }
    }),
  );
  const flush = (): void => {
    const group = pending;
    pending = [];
    if (group.length === 0) return;
    let outcomes: Outcome[];
    try {
      outcomes = writeGroup(group);
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
      return;
    }
    group.forEach((waiting, i) => {
      const outcome = outcomes[i]!;
      if ('result' in outcome) waiting.resolve(outcome.result);
      else waiting.reject(outcome.error);
    });
  };

  const seat = (value: string): SeatId => SeatId.parse(value);

  return {
    async insertRoom(record) {
      insertRoom(record);
    },
    async loadRoom(roomId): Promise<StoredRoom | null> {
      const row = q.loadRoom.get(roomId);
      if (row === undefined) return null;
      const data = JSON.parse(row.data) as Record<string, unknown>;
      data.timeline = q.loadEvents.all(roomId).map((event) => JSON.parse(event.data) as unknown);
      for (const list of q.loadLists.all(roomId)) data[list.list] = JSON.parse(list.data);
      return { room: Room.parse(data), version: row.version };
    },
    async seatKeys(roomId): Promise<SeatSecret[]> {
      return q.seatKeys.all(roomId).map((row) => ({ seat: seat(row.seat), hash: row.key_hash }));
    },
    async invites(roomId): Promise<InviteRecord[]> {
      return q.invites.all(roomId).map((row) => ({ seat: seat(row.seat), hash: row.code_hash, used: row.used === 1 }));
    },
    async acceptedCommand(roomId, seatId, commandId) {
      return q.accepted.get(roomId, seatId, commandId)?.rev ?? null;
    },
    commit(change): Promise<CommitResult> {
      return new Promise((resolve, reject) => {
        if (pending.length === 0) setImmediate(flush);
        pending.push({ change, resolve, reject });
      });
    },
    async deleteRoom(roomId) {
      const deleted = q.deleteRoom.run(roomId).changes > 0;
      // Old pages of the room may still sit in the WAL; fold them in and empty it now.
      if (deleted) db.pragma('wal_checkpoint(TRUNCATE)');
      return deleted;
    },
    async deadlines() {
      return q.deadlines.all().map((row) => ({ roomId: row.id, deadline: row.next_deadline }));
    },
    async idleSince(cutoff) {
      return q.idle.all(cutoff).map((row) => row.id);
    },
    async close() {
      if (!db.open) return;
      flush();
      db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

/**
 * The data folder holds names, topics and check-in answers: only its user may enter it
 * (0700) or read its files (0600), whatever the umask. The database is created here with
 * 0600 before SQLite opens it, because SQLite gives its -wal and -shm files the database
 * file's permissions; files an older version left readable are tightened.
 */
function keepPrivate(dataDir: string, file: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  chmodSync(dataDir, 0o700);
  closeSync(openSync(file, 'a', 0o600));
  for (const suffix of ['', '-wal', '-shm']) {
    if (existsSync(`${file}${suffix}`)) chmodSync(`${file}${suffix}`, 0o600);
  }
}
