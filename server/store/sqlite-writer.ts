import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

/**
 * The SQLite store's writer: the one connection that writes. Every write of the store (a group
 * of commits, a new room, a deletion) is done here. It runs on the main thread (`inline`, the
 * default: no hand-over between threads) or as a worker thread of its own (`thread`), where a
 * commit's statements, its fsync and WAL checkpoints never stop the server's event loop. The
 * store prepares each write (rows already serialized) and answers its callers when the writer
 * reports the `COMMIT` returned; it keeps a connection of its own for reads.
 */

/**
 * The timeline's slots a room: one per event kept, at most the stored limit
 * (`STORED_LIST_LIMIT`, checked by tests/server/store-migration.test.ts). The third migration
 * fixes this number in the stored slots (`seq % 200`): changing it needs a migration of its own.
 */
export const TIMELINE_SLOTS = 200;

/** The timeline's change: events appended after the last stored one, at most `keep` kept. */
export interface TimelineWrite {
  /** The last stored event is gone from the room, or what is stored is not known: drop every stored event first. */
  restart: boolean;
  append: string[];
  keep: number;
  /**
   * Events kept before the change that it drops from the front. A new event's slot is the one
   * of the event `TIMELINE_SLOTS` before it, so the ring drops those by itself when the room
   * keeps a full ring; with fewer kept, they are deleted.
   */
  dropped: number;
}

/** One commit, serialized: what the writer runs inside its own savepoint. */
export interface RoomWrite {
  roomId: string;
  expectedVersion: number;
  /** The room's own row (without its long lists), or null when only side records are written. */
  row: { data: string; updatedAt: number; deadline: number | null } | null;
  /** Long lists replaced by the change: `[list, JSON]`. */
  lists: Array<[string, string]>;
  timeline: TimelineWrite | null;
  claim?: { seat: string; keyHash: Uint8Array };
  accepted?: { seat: string; commandId: string; rev: number };
}

export interface RoomInsert {
  roomId: string;
  data: string;
  updatedAt: number;
  deadline: number | null;
  lists: Array<[string, string]>;
  timeline: TimelineWrite;
  seatKeys: Array<{ seat: string; hash: Uint8Array }>;
  invites: Array<{ seat: string; hash: Uint8Array }>;
}

export type WriterRequest =
  | { id: number; kind: 'group'; writes: RoomWrite[] }
  | { id: number; kind: 'insert'; record: RoomInsert }
  | { id: number; kind: 'delete'; roomId: string }
  | { id: number; kind: 'close' };

/** An error as it crosses the thread boundary. */
export interface WriterError {
  message: string;
  code?: string;
}
export type WriteOutcome = { result: 'committed' | 'conflict' | { replayed: number } } | { error: WriterError };
export type WriterReply =
  | { id: number; outcomes: WriteOutcome[] }
  | { id: number; deleted: boolean }
  | { id: number; done: true }
  | { id: number; error: WriterError };

/** The options the store opens every connection with. */
export function configure(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('secure_delete = ON');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
}

/**
 * The connection that writes, with its statements: `handle` runs one request and answers it.
 * The writer thread runs it; with `DUOLOGUE_SQLITE_WRITER=inline` the main thread does.
 */
export function openWriter(file: string): (request: WriterRequest) => WriterReply {
  const db = new Database(file);
  configure(db);

  const q = {
    insertRoom: db.prepare('INSERT INTO rooms (id, data, version, updated_at, next_deadline, last_event) VALUES (?, ?, 1, ?, ?, ?)'),
    insertKey: db.prepare('INSERT INTO seat_keys (room_id, seat, key_hash) VALUES (?, ?, ?)'),
    insertInvite: db.prepare('INSERT INTO invites (room_id, seat, code_hash) VALUES (?, ?, ?)'),
    putEvent: db.prepare(
      'INSERT INTO room_timeline (room_id, slot, seq, data) VALUES (?, ?, ?, ?) ON CONFLICT (room_id, slot) DO UPDATE SET seq = excluded.seq, data = excluded.data',
    ),
    clearEvents: db.prepare('DELETE FROM room_timeline WHERE room_id = ?'),
    dropEvents: db.prepare('DELETE FROM room_timeline WHERE room_id = ? AND seq <= ?'),
    writeList: db.prepare(
      'INSERT INTO room_lists (room_id, list, data) VALUES (?, ?, ?) ON CONFLICT (room_id, list) DO UPDATE SET data = excluded.data',
    ),
    version: db.prepare<[string], { version: number }>('SELECT version FROM rooms WHERE id = ?'),
    // Counts the new events in `last_event` and returns it: the new ones end there.
    updateRoom: db.prepare<[string, number, number | null, number, string, number], { last_event: number }>(
      'UPDATE rooms SET data = ?, version = version + 1, updated_at = ?, next_deadline = ?, last_event = last_event + ? WHERE id = ? AND version = ? RETURNING last_event',
    ),
    remember: db.prepare('INSERT INTO accepted_commands (room_id, seat, command_id, rev) VALUES (?, ?, ?, ?)'),
    accepted: db.prepare<[string, string, string], { rev: number }>(
      'SELECT rev FROM accepted_commands WHERE room_id = ? AND seat = ? AND command_id = ?',
    ),
    spendInvite: db.prepare('UPDATE invites SET used = 1 WHERE room_id = ? AND seat = ? AND used = 0'),
    deleteRoom: db.prepare('DELETE FROM rooms WHERE id = ?'),
  };
  const blob = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

  /** Writes the changed lists, and the timeline's new events after the event `last` (its seq). */
  const writeLists = (roomId: string, lists: Array<[string, string]>, timeline: TimelineWrite | null, last: number): void => {
    for (const [list, data] of lists) q.writeList.run(roomId, list, data);
    if (timeline === null) return;
    if (timeline.keep > TIMELINE_SLOTS) throw new Error(`a timeline keeps at most ${TIMELINE_SLOTS} events, not ${timeline.keep}`);
    if (timeline.restart) q.clearEvents.run(roomId);
    let seq = last;
    for (const event of timeline.append) {
      seq += 1;
      q.putEvent.run(roomId, seq % TIMELINE_SLOTS, seq, event);
    }
    if (timeline.dropped > 0 && timeline.keep < TIMELINE_SLOTS) q.dropEvents.run(roomId, seq - timeline.keep);
  };

  // Any step that finds the world changed throws this, which rolls the savepoint back.
  class Conflict extends Error {}
  // A command id accepted before: nothing is written, and the first answer stands.
  class Replayed extends Error {
    constructor(readonly rev: number) {
      super('replayed');
    }
  }

  const commit = db.transaction((write: RoomWrite) => {
    const { roomId, expectedVersion, row } = write;
    if (write.accepted !== undefined) {
      const earlier = q.accepted.get(roomId, write.accepted.seat, write.accepted.commandId);
      if (earlier !== undefined) throw new Replayed(earlier.rev);
    }
    if (row === null) {
      if (q.version.get(roomId)?.version !== expectedVersion) throw new Conflict();
    } else {
      const added = write.timeline?.append.length ?? 0;
      const updated = q.updateRoom.get(row.data, row.updatedAt, row.deadline, added, roomId, expectedVersion);
      if (updated === undefined) throw new Conflict();
      writeLists(roomId, write.lists, write.timeline, updated.last_event - added);
    }
    if (write.claim !== undefined) {
      if (q.spendInvite.run(roomId, write.claim.seat).changes !== 1) throw new Conflict();
      q.insertKey.run(roomId, write.claim.seat, blob(write.claim.keyHash));
    }
    if (write.accepted !== undefined) {
      const { seat, commandId, rev } = write.accepted;
      q.remember.run(roomId, seat, commandId, rev);
    }
  });

  /**
   * A group in one transaction, one fsync; each write in its own savepoint (a nested
   * better-sqlite3 transaction), so a conflict or an error undoes that write alone.
   * Run with `.immediate` (BEGIN IMMEDIATE): the write lock is taken at the start, where the
   * busy timeout waits for another connection's write. A deferred transaction would read
   * first and then ask for the lock, and SQLite answers that upgrade with SQLITE_BUSY or
   * SQLITE_BUSY_SNAPSHOT at once, without waiting, whenever another writer got in between.
   */
  const writeGroup = db.transaction((writes: RoomWrite[]): WriteOutcome[] =>
    writes.map((write) => {
      try {
        commit(write);
        return { result: 'committed' };
      } catch (error) {
        if (error instanceof Conflict) return { result: 'conflict' };
        if (error instanceof Replayed) return { result: { replayed: error.rev } };
        // Some errors (I/O, a full disk, no memory) make SQLite roll back the whole transaction,
        // not the savepoint: a later write would then run as a transaction of its own and be
        // stored while its caller is told the group failed. The whole group fails as one.
        if (!db.inTransaction) throw error;
        return { error: asWriterError(error) };
      }
    }),
  );

  const insertRoom = db.transaction((record: RoomInsert) => {
    q.insertRoom.run(record.roomId, record.data, record.updatedAt, record.deadline, record.timeline.append.length - 1);
    writeLists(record.roomId, record.lists, record.timeline, -1);
    for (const key of record.seatKeys) q.insertKey.run(record.roomId, key.seat, blob(key.hash));
    for (const invite of record.invites) q.insertInvite.run(record.roomId, invite.seat, blob(invite.hash));
  });

  const deleteRoom = db.transaction((roomId: string): boolean => q.deleteRoom.run(roomId).changes > 0);

  return (request: WriterRequest): WriterReply => {
    try {
      return handle(request);
    } catch (error) {
      return { id: request.id, error: asWriterError(error) };
    }
  };

  function handle(request: WriterRequest): WriterReply {
    switch (request.kind) {
      case 'group':
        return { id: request.id, outcomes: writeGroup.immediate(request.writes) };
      case 'insert':
        insertRoom.immediate(request.record);
        return { id: request.id, done: true };
      case 'delete': {
        const deleted = deleteRoom.immediate(request.roomId);
        // Old pages of the room may still sit in the WAL; fold them in and empty it now.
        if (deleted) db.pragma('wal_checkpoint(TRUNCATE)');
        return { id: request.id, deleted };
      }
      case 'close':
        db.pragma('wal_checkpoint(TRUNCATE)');
        db.close();
        return { id: request.id, done: true };
    }
  }
}

function serve(file: string): void {
  const port = parentPort;
  if (port === null) throw new Error('sqlite-writer runs as a worker thread');
  const handle = openWriter(file);
  port.on('message', (request: WriterRequest) => {
    port.postMessage(handle(request));
    if (request.kind === 'close') port.close();
  });
}

function asWriterError(error: unknown): WriterError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? { message: error.message, code } : { message: error.message };
  }
  return { message: String(error) };
}

const data = workerData as { sqliteWriterFile?: string } | null;
if (parentPort !== null && typeof data?.sqliteWriterFile === 'string') serve(data.sqliteWriterFile);
