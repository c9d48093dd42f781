import type Database from 'better-sqlite3';

/**
 * Schema migrations, applied in order; `PRAGMA user_version` records how many ran.
 * Append new steps, never edit a shipped one.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE rooms (
    id TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    version INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    next_deadline INTEGER
  ) STRICT;
  CREATE INDEX rooms_by_deadline ON rooms (next_deadline) WHERE next_deadline IS NOT NULL;
  CREATE INDEX rooms_by_update ON rooms (updated_at);
  CREATE TABLE seat_keys (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seat TEXT NOT NULL,
    key_hash BLOB NOT NULL,
    PRIMARY KEY (room_id, seat)
  ) STRICT;
  CREATE TABLE invites (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seat TEXT NOT NULL,
    code_hash BLOB NOT NULL,
    used INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (room_id, seat)
  ) STRICT;
  CREATE TABLE accepted_commands (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seat TEXT NOT NULL,
    command_id TEXT NOT NULL,
    rev INTEGER NOT NULL,
    PRIMARY KEY (room_id, seat, command_id)
  ) STRICT, WITHOUT ROWID;
  `,
  // The long lists of a room get rows of their own, so a command writes only what it changed:
  // the timeline one row per event (a command appends a few and drops the oldest), notes,
  // coach lines and repairs one row per list (rewritten only when that list changed).
  `
  CREATE TABLE room_events (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (room_id, seq)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE room_lists (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    list TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (room_id, list)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO room_events (room_id, seq, data)
    SELECT rooms.id, event.key, event.value FROM rooms, json_each(rooms.data, '$.timeline') AS event;
  INSERT INTO room_lists (room_id, list, data)
    SELECT rooms.id, lists.name, json_extract(rooms.data, '$.' || lists.name)
    FROM rooms, (SELECT 'notes' AS name UNION ALL SELECT 'coach' UNION ALL SELECT 'repairs') AS lists
    WHERE json_extract(rooms.data, '$.' || lists.name) IS NOT NULL;
  UPDATE rooms SET data = json_remove(data, '$.timeline', '$.notes', '$.coach', '$.repairs');
  `,
  // A command's commit changes fewer pages (docs/performance.md, "the pages a commit writes"):
  // - the timeline keeps its events in 200 fixed slots a room (slot = seq % 200, the stored
  //   limit): a new event takes the slot of the one it evicts, where an append at the end of the
  //   room's keys split pages and the oldest's deletion changed another; `rooms.last_event` is the
  //   last event's seq;
  // - the rooms' indexes on their last change and next deadline go: each command moved the room
  //   in both. The hourly sweep and the boot's deadlines read the table through instead.
  `
  CREATE TABLE room_timeline (
    room_id TEXT NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    slot INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (room_id, slot)
  ) STRICT, WITHOUT ROWID;
  INSERT INTO room_timeline (room_id, slot, seq, data) SELECT room_id, seq % 200, seq, data FROM room_events;
  ALTER TABLE rooms ADD COLUMN last_event INTEGER NOT NULL DEFAULT -1;
  UPDATE rooms SET last_event = COALESCE((SELECT MAX(seq) FROM room_events WHERE room_id = rooms.id), -1);
  DROP TABLE room_events;
  DROP INDEX rooms_by_deadline;
  DROP INDEX rooms_by_update;
  `,
];

/**
 * Brings the database schema up to date inside one transaction. The version is read inside it,
 * under the write lock (BEGIN IMMEDIATE), so a second process opening the same file meanwhile
 * waits for the first and then finds nothing left to do.
 */
export function migrate(db: Database.Database): void {
  db.transaction(() => {
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > MIGRATIONS.length) {
      throw new Error(`The database schema (version ${current}) is newer than this server knows (${MIGRATIONS.length}).`);
    }
    for (let i = current; i < MIGRATIONS.length; i += 1) db.exec(MIGRATIONS[i]!);
    if (current < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}
