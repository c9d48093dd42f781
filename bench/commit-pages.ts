/**
 * What each part of a command's commit writes to SQLite's WAL: `npm run bench:pages`.
 *
 * The full-system profile (docs/performance.md, "2 December, afternoon") found Duologue making
 * 11.8 `pwrite64` calls a command against the durable relay's 5.0: SQLite writes one WAL frame
 * (a page, in two writes) for every page a transaction changed. This script builds the store's
 * own schema (its migrations) with R rooms of 200 timeline events each, then runs commits in
 * groups as the server does, with the parts of a command's commit switched on one at a time,
 * and counts the WAL's frames a command (no checkpoint meanwhile). Two layouts the store does
 * not use are measured beside them, as the figures for a decision:
 * - `untouched columns`: the room's row rewritten without `updated_at` and `next_deadline`
 *   in its SET, so their indexes are left alone (SQLite rewrites an index entry whenever its
 *   column is SET, even to the same value);
 * - `timeline ring`: the timeline's events kept in 200 fixed slots per room (slot = seq % 200),
 *   each event overwriting the slot of the one it evicts, instead of appended at the end of the
 *   room's key range and the oldest deleted.
 * A second pass runs the same mixes with WAL checkpoints on (SQLite's default, every 1,000
 * pages) and reports the CPU per command.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { migrate } from '../server/store/sqlite-migrations';
import { configure } from '../server/store/sqlite-writer';

const { values } = parseArgs({
  options: {
    rooms: { type: 'string', default: '1000' },
    commands: { type: 'string', default: '4000' },
    group: { type: 'string', default: '5' },
    out: { type: 'string' },
  },
});
const ROOMS = Number(values.rooms);
const COMMANDS = Number(values.commands);
const GROUP = Number(values.group);
const KEEP = 200;
const ROW = JSON.stringify({ filler: 'r'.repeat(880) });
const event = (seq: number): string => JSON.stringify({ kind: 'step', at: 1_700_000_000_000 + seq, filler: 'e'.repeat(60 + (seq % 40)) });

interface Mix {
  name: string;
  row: 'as stored' | 'untouched columns' | 'none';
  timeline: 'append and drop' | 'append only' | 'ring' | 'none';
  accepted: boolean;
}
const MIXES: Mix[] = [
  { name: "the room's row, as the store writes it", row: 'as stored', timeline: 'none', accepted: false },
  { name: '+ timeline: append', row: 'as stored', timeline: 'append only', accepted: false },
  { name: '+ timeline: drop the oldest', row: 'as stored', timeline: 'append and drop', accepted: false },
  { name: "+ the accepted command's id (the store's whole commit)", row: 'as stored', timeline: 'append and drop', accepted: true },
  { name: 'not used: row with untouched columns', row: 'untouched columns', timeline: 'append and drop', accepted: true },
  { name: 'not used: timeline ring', row: 'as stored', timeline: 'ring', accepted: true },
  { name: 'not used: both', row: 'untouched columns', timeline: 'ring', accepted: true },
];

function measure(mix: Mix, checkpoints: boolean): { framesPerCommand: number; cpuMicros: number } {
  const dir = mkdtempSync(join(tmpdir(), 'duologue-pages-'));
  try {
    const file = join(dir, 'db.sqlite');
    const db = new Database(file);
    configure(db);
    migrate(db);
    db.pragma('wal_autocheckpoint = 0');
    db.exec(`CREATE TABLE timeline_ring (
      room_id TEXT NOT NULL, slot INTEGER NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL,
      PRIMARY KEY (room_id, slot)) STRICT, WITHOUT ROWID`);
    const ids: string[] = [];
    const insertRoom = db.prepare('INSERT INTO rooms (id, data, version, updated_at, next_deadline) VALUES (?, ?, 1, ?, ?)');
    const insertEvent = db.prepare('INSERT INTO room_events (room_id, seq, data) VALUES (?, ?, ?)');
    const insertSlot = db.prepare('INSERT INTO timeline_ring (room_id, slot, seq, data) VALUES (?, ?, ?, ?)');
    db.transaction(() => {
      for (let r = 0; r < ROOMS; r += 1) {
        const id = `room-${r.toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
        ids.push(id);
        insertRoom.run(id, ROW, 1, r % 3 === 0 ? 5_000 + r : null);
        for (let seq = 0; seq < KEEP; seq += 1) {
          if (mix.timeline === 'ring') insertSlot.run(id, seq % KEEP, seq, event(seq));
          else insertEvent.run(id, seq, event(seq));
        }
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    if (checkpoints) db.pragma('wal_autocheckpoint = 1000');

    const q = {
      asStored: db.prepare('UPDATE rooms SET data = ?, version = version + 1, updated_at = ?, next_deadline = ? WHERE id = ? AND version = ?'),
      untouched: db.prepare('UPDATE rooms SET data = ?, version = version + 1 WHERE id = ? AND version = ?'),
      append: db.prepare('INSERT INTO room_events (room_id, seq, data) VALUES (?, ?, ?)'),
      drop: db.prepare('DELETE FROM room_events WHERE room_id = ? AND seq <= ?'),
      slot: db.prepare('UPDATE timeline_ring SET seq = ?, data = ? WHERE room_id = ? AND slot = ?'),
      remember: db.prepare('INSERT INTO accepted_commands (room_id, seat, command_id, rev) VALUES (?, ?, ?, ?)'),
    };
    const versions = new Map<string, number>();
    const lastSeq = new Map<string, number>();
    let now = 1_000_000;
    const commitGroup = db.transaction((rooms: number[]) => {
      for (const r of rooms) {
        const id = ids[r]!;
        const version = versions.get(id) ?? 1;
        now += 1;
        if (mix.row === 'as stored') q.asStored.run(ROW, now, r % 3 === 0 ? 5_000 + r : null, id, version);
        else if (mix.row === 'untouched columns') q.untouched.run(ROW, id, version);
        versions.set(id, version + 1);
        const seq = (lastSeq.get(id) ?? KEEP - 1) + 1;
        lastSeq.set(id, seq);
        if (mix.timeline === 'append only' || mix.timeline === 'append and drop') q.append.run(id, seq, event(seq));
        if (mix.timeline === 'append and drop') q.drop.run(id, seq - KEEP);
        if (mix.timeline === 'ring') q.slot.run(seq, event(seq), id, seq % KEEP);
        if (mix.accepted) q.remember.run(id, 'A', `command-${now}`, version + 1);
      }
    });
    const walBefore = statSync(`${file}-wal`).size;
    const cpuBefore = process.cpuUsage();
    for (let done = 0; done < COMMANDS; done += GROUP) {
      commitGroup(Array.from({ length: GROUP }, () => Math.floor(Math.random() * ROOMS)));
    }
    const cpu = process.cpuUsage(cpuBefore);
    const frameBytes = 24 + (db.pragma('page_size', { simple: true }) as number);
    const frames = (statSync(`${file}-wal`).size - walBefore) / frameBytes;
    db.close();
    return { framesPerCommand: frames / COMMANDS, cpuMicros: (cpu.user + cpu.system) / COMMANDS };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const rows = MIXES.map((mix) => {
  const { framesPerCommand } = measure(mix, false);
  const { cpuMicros } = measure(mix, true);
  return { mix: mix.name, framesPerCommand: Number(framesPerCommand.toFixed(2)), cpuMicrosPerCommand: Number(cpuMicros.toFixed(1)) };
});
const lines = [
  `${ROOMS} rooms of ${KEEP} events, ${COMMANDS} commands in groups of ${GROUP}, synchronous = FULL`,
  'WAL frames a command | CPU µs a command (checkpoints on) | what the commit writes',
  ...rows.map((row) => `${row.framesPerCommand.toFixed(2).padStart(20)} | ${row.cpuMicrosPerCommand.toFixed(1).padStart(33)} | ${row.mix}`),
];
process.stdout.write(`${lines.join('\n')}\n`);
if (values.out !== undefined) {
  writeFileSync(values.out, `${JSON.stringify({ at: new Date().toISOString(), rooms: ROOMS, commands: COMMANDS, group: GROUP, keep: KEEP, rows }, null, 2)}\n`);
}
