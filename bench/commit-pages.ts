/**
 * What each part of a command's commit writes to SQLite's WAL: `npm run bench:pages`.
 *
 * The full-system profile (docs/performance.md, "2 December, afternoon") found Duologue making
 * 11.8 `pwrite64` calls a command against the durable relay's 5.0: SQLite writes one WAL frame
 * (a page, in two writes) for every page a transaction changed. This script builds the store's
 * schema as its migrations leave it, the second (timeline rows appended, indexes on a room's last
 * change and deadline) and the third (timeline slots, no such indexes), with R rooms of 200
 * timeline events each, runs commits in groups as the server does, with the parts of a
 * command's commit switched on one at a time, and counts the WAL's frames a command (no
 * checkpoint meanwhile). A second pass runs the same mixes with WAL checkpoints on (SQLite's
 * default, every 1,000 pages) and reports the process's CPU per command.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MIGRATIONS } from '../server/store/sqlite-migrations';
import { configure, TIMELINE_SLOTS } from '../server/store/sqlite-writer';

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
const KEEP = TIMELINE_SLOTS;
const ROW = JSON.stringify({ filler: 'r'.repeat(880) });
const event = (seq: number): string => JSON.stringify({ kind: 'step', at: 1_700_000_000_000 + seq, filler: 'e'.repeat(60 + (seq % 40)) });

interface Mix {
  name: string;
  schema: 2 | 3;
  timeline: 'append' | 'append and drop' | 'slot' | 'none';
  accepted: boolean;
}
const MIXES: Mix[] = [
  { name: "second schema: the room's row", schema: 2, timeline: 'none', accepted: false },
  { name: '+ timeline: append', schema: 2, timeline: 'append', accepted: false },
  { name: '+ timeline: drop the oldest', schema: 2, timeline: 'append and drop', accepted: false },
  { name: "+ the accepted command's id: the whole commit", schema: 2, timeline: 'append and drop', accepted: true },
  { name: "third schema: the room's row", schema: 3, timeline: 'none', accepted: false },
  { name: '+ timeline: the slot', schema: 3, timeline: 'slot', accepted: false },
  { name: "+ the accepted command's id: the whole commit", schema: 3, timeline: 'slot', accepted: true },
];

function measure(mix: Mix, checkpoints: boolean): { framesPerCommand: number; cpuMicros: number } {
  const dir = mkdtempSync(join(tmpdir(), 'duologue-pages-'));
  try {
    const file = join(dir, 'db.sqlite');
    const db = new Database(file);
    configure(db);
    for (const step of MIGRATIONS.slice(0, mix.schema)) db.exec(step);
    db.pragma('wal_autocheckpoint = 0');
    const ids: string[] = [];
    const insertRoom = db.prepare('INSERT INTO rooms (id, data, version, updated_at, next_deadline) VALUES (?, ?, 1, ?, ?)');
    const insertEvent =
      mix.schema === 2
        ? db.prepare('INSERT INTO room_events (room_id, seq, data) VALUES (?, ?, ?)')
        : db.prepare(`INSERT INTO room_timeline (room_id, seq, data, slot) VALUES (?, ?, ?, ? % ${KEEP})`);
    db.transaction(() => {
      for (let r = 0; r < ROOMS; r += 1) {
        const id = `room-${r.toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
        ids.push(id);
        insertRoom.run(id, ROW, 1, r % 3 === 0 ? 5_000 + r : null);
        for (let seq = 0; seq < KEEP; seq += 1) {
          if (mix.schema === 2) insertEvent.run(id, seq, event(seq));
          else insertEvent.run(id, seq, event(seq), seq);
        }
      }
      if (mix.schema === 3) db.exec(`UPDATE rooms SET last_event = ${KEEP - 1}`);
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    if (checkpoints) db.pragma('wal_autocheckpoint = 1000');

    // The statements of sqlite-writer.ts at each schema.
    const q = {
      row2: db.prepare('UPDATE rooms SET data = ?, version = version + 1, updated_at = ?, next_deadline = ? WHERE id = ? AND version = ?'),
      row3:
        mix.schema === 3
          ? db.prepare<[string, number, number | null, number, string, number], { last_event: number }>(
              'UPDATE rooms SET data = ?, version = version + 1, updated_at = ?, next_deadline = ?, last_event = last_event + ? WHERE id = ? AND version = ? RETURNING last_event',
            )
          : null,
      append: mix.schema === 2 ? db.prepare('INSERT INTO room_events (room_id, seq, data) VALUES (?, ?, ?)') : null,
      drop: mix.schema === 2 ? db.prepare('DELETE FROM room_events WHERE room_id = ? AND seq <= ?') : null,
      slot:
        mix.schema === 3
          ? db.prepare(
              'INSERT INTO room_timeline (room_id, slot, seq, data) VALUES (?, ?, ?, ?) ON CONFLICT (room_id, slot) DO UPDATE SET seq = excluded.seq, data = excluded.data',
            )
          : null,
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
        const deadline = r % 3 === 0 ? 5_000 + r : null;
        const added = mix.timeline === 'none' ? 0 : 1;
        if (q.row3 === null) q.row2.run(ROW, now, deadline, id, version);
        else q.row3.get(ROW, now, deadline, added, id, version);
        versions.set(id, version + 1);
        const seq = (lastSeq.get(id) ?? KEEP - 1) + 1;
        lastSeq.set(id, seq);
        if (mix.timeline === 'append' || mix.timeline === 'append and drop') q.append!.run(id, seq, event(seq));
        if (mix.timeline === 'append and drop') q.drop!.run(id, seq - KEEP);
        if (mix.timeline === 'slot') q.slot!.run(id, seq % KEEP, seq, event(seq));
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
