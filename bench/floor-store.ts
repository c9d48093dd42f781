import type Database from 'better-sqlite3';
import { configure } from '../server/store/sqlite-writer';

/**
 * What the floor stores per command, shared by the durable relay (bench/durable-relay.ts) and the
 * host-alone bench's floor (bench/host-alone.ts): the room's row rewritten with the event and its
 * version raised, and the event's id remembered per seat, with the store's own settings. The
 * caller wraps `record` in its transaction (one per group, or one per command).
 */
export function openFloorStore(db: Database.Database): { record(roomId: string, seat: string, id: string, event: string): number } {
  configure(db);
  db.exec(`
    CREATE TABLE IF NOT EXISTS rooms (id TEXT PRIMARY KEY, data TEXT NOT NULL, version INTEGER NOT NULL) STRICT;
    CREATE TABLE IF NOT EXISTS accepted (
      room_id TEXT NOT NULL, seat TEXT NOT NULL, command_id TEXT NOT NULL, rev INTEGER NOT NULL,
      PRIMARY KEY (room_id, seat, command_id)
    ) STRICT, WITHOUT ROWID;
  `);
  const write = db.prepare<[string, string], { version: number }>(
    'INSERT INTO rooms (id, data, version) VALUES (?, ?, 1) ON CONFLICT (id) DO UPDATE SET data = excluded.data, version = version + 1 RETURNING version',
  );
  const remember = db.prepare('INSERT INTO accepted (room_id, seat, command_id, rev) VALUES (?, ?, ?, ?)');
  return {
    record(roomId, seat, id, event) {
      const { version } = write.get(roomId, event)!;
      remember.run(roomId, seat, id, version);
      return version;
    },
  };
}
