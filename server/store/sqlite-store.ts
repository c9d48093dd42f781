import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { Room, SeatId } from '../../protocol';
import { Worker } from 'node:worker_threads';
import { migrate } from './sqlite-migrations';
import type { Commit, CommitResult, InviteRecord, RoomStore, SeatSecret, StoredRoom } from './room-store';
import { configure, openWriter, type RoomWrite, type TimelineWrite, type WriterError, type WriterReply, type WriterRequest } from './sqlite-writer';

/** The lists of a room stored whole in rows of their own (`room_lists`); the timeline has a row per event (`room_timeline`). */
const LISTS = ['notes', 'coach', 'repairs'] as const;

/** The database file's name inside DUOLOGUE_DATA_DIR. */
export const DATABASE_FILE = 'duologue.sqlite';

/**
 * Where the store's writes run: on the main thread (`inline`, the default), which spares each
 * commit two hops between threads and the messages they carry, or on a worker thread of their
 * own (`thread`), so that a slow disk's fsync never stops the event loop. On this project's
 * test machine inline took 15 % less CPU per command and less time (docs/performance.md).
 */
export type SqliteWriterMode = 'thread' | 'inline';

/**
 * The SQLite store (better-sqlite3). WAL with `synchronous=FULL`, so a commit is on
 * disk before its promise resolves; `secure_delete`, so deleted rooms leave no words
 * behind in the file. Reads run on the calling thread; writes run through the writer
 * (`sqlite-writer.ts`), on its own thread or inline.
 */
export function openSqliteStore(dataDir: string, options: { writer?: SqliteWriterMode } = {}): RoomStore {
  const file = join(dataDir, DATABASE_FILE);
  keepPrivate(dataDir, file);
  const db = new Database(file);
  configure(db);
  migrate(db);
  const writer: Writer = options.writer === 'thread' ? new WriterThread(file) : new InlineWriter(file);

  // These statements only read; every write goes through the writer (its own connection).
  const q = {
    loadRoom: db.prepare<[string], { data: string; version: number }>('SELECT data, version FROM rooms WHERE id = ?'),
    loadEvents: db.prepare<[string], { data: string }>('SELECT data FROM room_timeline WHERE room_id = ? ORDER BY seq'),
    loadLists: db.prepare<[string], { list: string; data: string }>('SELECT list, data FROM room_lists WHERE room_id = ?'),
    seatKeys: db.prepare<[string], { seat: string; key_hash: Buffer }>('SELECT seat, key_hash FROM seat_keys WHERE room_id = ?'),
    invites: db.prepare<[string], { seat: string; code_hash: Buffer; used: number }>(
      'SELECT seat, code_hash, used FROM invites WHERE room_id = ?',
    ),
    accepted: db.prepare<[string, string, string], { rev: number }>(
      'SELECT rev FROM accepted_commands WHERE room_id = ? AND seat = ? AND command_id = ?',
    ),
    deadlines: db.prepare<[], { id: string; next_deadline: number }>(
      'SELECT id, next_deadline FROM rooms WHERE next_deadline IS NOT NULL',
    ),
    idle: db.prepare<[number], { id: string }>('SELECT id FROM rooms WHERE updated_at < ?'),
  };

  /**
   * Group commit: the commits asked for while the writer is busy (or in one turn of the event
   * loop) go to it as one group, written in one transaction with one fsync; each in its own
   * savepoint, so a conflict or an error undoes that change alone. Every caller is answered
   * only after the writer reports the outer COMMIT returned; if that COMMIT fails, every caller
   * of the group gets the error and nothing of the group is stored.
   */
  type Pending = { write: RoomWrite; resolve: (result: CommitResult) => void; reject: (error: unknown) => void };
  let pending: Pending[] = [];
  /** The group the writer has now, until it answered. */
  let writing: Promise<void> | null = null;
  let flushQueued = false;
  const flush = (): void => {
    flushQueued = false;
    if (writing !== null || pending.length === 0) return;
    const group = pending;
    pending = [];
    writing = writer
      .request({ kind: 'group', writes: group.map((waiting) => waiting.write) })
      .then(
        (reply) => {
          const outcomes = 'outcomes' in reply ? reply.outcomes : [];
          group.forEach((waiting, i) => {
            const outcome = outcomes[i];
            if (outcome === undefined) waiting.reject(new Error('the SQLite writer answered no outcome'));
            else if ('result' in outcome) waiting.resolve(outcome.result);
            else waiting.reject(writerError(outcome.error));
          });
        },
        (error: unknown) => {
          for (const waiting of group) waiting.reject(error);
        },
      )
      .finally(() => {
        writing = null;
        // What came while the writer was busy goes as the next group at once.
        flush();
      });
  };
  /** Resolves once every commit asked for so far has its answer. */
  const drain = async (): Promise<void> => {
    flush();
    while (writing !== null) {
      await writing;
      flush();
    }
  };

  const seat = (value: string): SeatId => SeatId.parse(value);
  /**
   * A room's rows read in one transaction: one snapshot of the database, so a commit the writer
   * thread makes meanwhile is seen whole or not at all (never its timeline without its room row).
   */
  const readRoom = db.transaction((roomId: string) => {
    const room = q.loadRoom.get(roomId);
    if (room === undefined) return null;
    return { room, events: q.loadEvents.all(roomId), lists: q.loadLists.all(roomId) };
  });

  return {
    async insertRoom(record) {
      const { room } = record;
      const lists = LISTS.map((list): [string, string] => [list, JSON.stringify(room[list])]);
      await writer.request({
        kind: 'insert',
        record: {
          roomId: room.id,
          data: roomRow(room),
          updatedAt: room.updatedAt,
          deadline: record.deadline,
          lists,
          timeline: timelineWrite(room.timeline, undefined) ?? { restart: false, append: [], keep: 0, dropped: 0 },
          seatKeys: record.seatKeys.map((key) => ({ seat: key.seat, hash: key.hash })),
          invites: record.invites.map((invite) => ({ seat: invite.seat, hash: invite.hash })),
        },
      });
    },
    async loadRoom(roomId): Promise<StoredRoom | null> {
      const rows = readRoom(roomId);
      if (rows === null) return null;
      const data = JSON.parse(rows.room.data) as Record<string, unknown>;
      data.timeline = rows.events.map((event) => JSON.parse(event.data) as unknown);
      for (const list of rows.lists) data[list.list] = JSON.parse(list.data);
      return { room: Room.parse(data), version: rows.room.version };
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
      let write: RoomWrite;
      try {
        write = roomWrite(change);
      } catch (error) {
        return Promise.reject(error);
      }
      return new Promise((resolve, reject) => {
        pending.push({ write, resolve, reject });
        if (!flushQueued && writing === null) {
          flushQueued = true;
          setImmediate(flush);
        }
      });
    },
    async deleteRoom(roomId) {
      const reply = await writer.request({ kind: 'delete', roomId });
      return 'deleted' in reply && reply.deleted;
    },
    async deadlines() {
      return q.deadlines.all().map((row) => ({ roomId: row.id, deadline: row.next_deadline }));
    },
    async idleSince(cutoff) {
      return q.idle.all(cutoff).map((row) => row.id);
    },
    async close() {
      await drain();
      await writer.close();
      if (db.open) db.close();
    },
  };
}

/** The room's own row: the room without its long lists. */
function roomRow(room: Room): string {
  const { timeline: _t, notes: _n, coach: _c, repairs: _r, ...rest } = room;
  return JSON.stringify(rest);
}

/** A commit as the writer runs it: rows serialized, only the lists the change replaced. */
function roomWrite(change: Commit): RoomWrite {
  const { roomId, expectedVersion, room, before } = change;
  const write: RoomWrite = { roomId, expectedVersion, row: null, lists: [], timeline: null };
  if (room !== null) {
    write.row = { data: roomRow(room), updatedAt: room.updatedAt, deadline: change.deadline };
    for (const list of LISTS) {
      if (before === undefined || before[list] !== room[list]) write.lists.push([list, JSON.stringify(room[list])]);
    }
    write.timeline = timelineWrite(room.timeline, before?.timeline);
  }
  if (change.claim !== undefined) write.claim = { seat: change.claim.seat, keyHash: change.claim.keyHash };
  if (change.acceptedCommand !== undefined) write.accepted = { ...change.acceptedCommand };
  return write;
}

/**
 * The timeline's new events, to append after the last stored one, and how many the room keeps.
 * The machine keeps the entries it carries over (it appends to a copy of the list and drops
 * from the front), so the events after `before`'s last one are new; should that last one be
 * gone, the whole timeline is written again. Null when the timeline is the very same array.
 */
function timelineWrite(events: Room['timeline'], before: Room['timeline'] | undefined): TimelineWrite | null {
  if (before === events) return null;
  const last = before?.at(-1);
  const kept = last === undefined ? -1 : events.lastIndexOf(last);
  // Without `before`, what is stored is not known here: the timeline is written whole.
  const restart = before === undefined || (last !== undefined && kept === -1);
  return {
    restart,
    append: events.slice(kept + 1).map((event) => JSON.stringify(event)),
    keep: events.length,
    dropped: restart ? 0 : before.length - (kept + 1),
  };
}

function writerError(error: WriterError): Error {
  return Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
}

/** Runs the writer's requests; each answer comes once its transaction is committed. */
interface Writer {
  request(request: DistributiveOmit<WriterRequest, 'id'>): Promise<WriterReply>;
  close(): Promise<void>;
}

/** The writer on the main thread: each request runs at once, the event loop waiting on its fsync. */
class InlineWriter implements Writer {
  private handle: ((request: WriterRequest) => WriterReply) | null;
  private nextId = 1;

  constructor(file: string) {
    this.handle = openWriter(file);
  }

  request(request: DistributiveOmit<WriterRequest, 'id'>): Promise<WriterReply> {
    if (this.handle === null) return Promise.reject(new Error('the SQLite store is closed'));
    const reply = this.handle({ ...request, id: this.nextId++ } as WriterRequest);
    return 'error' in reply ? Promise.reject(writerError(reply.error)) : Promise.resolve(reply);
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    const reply = handle?.({ kind: 'close', id: this.nextId++ });
    if (reply !== undefined && 'error' in reply) throw writerError(reply.error);
  }
}

/**
 * The writer thread (`sqlite-writer.ts`) and its requests. It loads the TypeScript module
 * through tsx, as the server itself is run, so it works under `node --import tsx` and the
 * test runner alike. Should the thread die, every waiting request fails and the next one
 * starts a new thread.
 */
class WriterThread implements Writer {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly waiting = new Map<number, { resolve: (reply: WriterReply) => void; reject: (error: unknown) => void }>();
  private closing: Promise<void> | null = null;

  constructor(private readonly file: string) {
    this.start();
  }

  request(request: DistributiveOmit<WriterRequest, 'id'>): Promise<WriterReply> {
    // A closed store writes nothing more (and never opens the database again).
    if (this.closing !== null) return Promise.reject(new Error('the SQLite store is closed'));
    return this.send(request);
  }

  /** Finishes what was asked and closes the writer's connection; a second call waits for the first. */
  close(): Promise<void> {
    this.closing ??= this.shutDown();
    return this.closing;
  }

  private send(request: DistributiveOmit<WriterRequest, 'id'>): Promise<WriterReply> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    // A request in flight keeps the process alive; an idle writer does not.
    if (this.waiting.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, {
        resolve: (reply) => ('error' in reply ? reject(writerError(reply.error)) : resolve(reply)),
        reject,
      });
      worker.postMessage({ ...request, id });
    });
  }

  private async shutDown(): Promise<void> {
    if (this.worker === null) return;
    const worker = this.worker;
    await this.send({ kind: 'close' });
    this.worker = null;
    await worker.terminate();
  }

  private start(): Worker {
    const module = new URL('./sqlite-writer.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(module)}); })`;
    const worker = new Worker(boot, { eval: true, execArgv: [], workerData: { sqliteWriterFile: this.file } });
    worker.on('message', (reply: WriterReply) => {
      const waiting = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      waiting?.resolve(reply);
    });
    const fail = (error: unknown) => {
      if (this.worker === worker) this.worker = null;
      for (const waiting of this.waiting.values()) waiting.reject(error);
      this.waiting.clear();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (this.waiting.size > 0) fail(new Error(`the SQLite writer thread stopped (exit code ${code})`));
      else if (this.worker === worker) this.worker = null;
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

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
