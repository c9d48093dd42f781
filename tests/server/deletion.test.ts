import Database from 'better-sqlite3';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../server/store/sqlite-store';
import { api, createRoom } from '../support/api-client';
import { connectError } from '../support/member';
import { ManualClock } from '../support/manual-clock';
import { openRoom } from '../support/room-setup';
import { startServer, tempDataDir, type TestServer } from '../support/test-server';

const DAY = 24 * 60 * 60 * 1000;
const data = tempDataDir();
const clock = new ManualClock();
let server: TestServer;
beforeAll(async () => {
  server = await startServer({ dataDir: data.dir, clock });
});
afterAll(async () => {
  await server.close();
  data.remove();
});

/** Rows that still mention a room, in every table, read from the file itself. */
function rowsOf(roomId: string): number {
  const db = new Database(join(data.dir, DATABASE_FILE), { readonly: true });
  try {
    const tables: Array<[string, string]> = [
      ['rooms', 'id'],
      ['seat_keys', 'room_id'],
      ['invites', 'room_id'],
      ['accepted_commands', 'room_id'],
    ];
    return tables.reduce(
      (sum, [table, column]) =>
        sum + (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE ${column} = ?`).get(roomId) as { n: number }).n,
      0,
    );
  } finally {
    db.close();
  }
}

/** The database file and its WAL as text, to look for words that must be gone. */
function fileText(): string {
  const base = join(data.dir, DATABASE_FILE);
  return [base, `${base}-wal`].filter(existsSync).map((p) => readFileSync(p).toString('latin1')).join('');
}

describe('deletion and expiry', () => {
  it('DELETE removes every row, tells every member and disconnects them', async () => {
    const room = await openRoom(server.url, { moderated: true, extra: { topic: 'Quixotic-topic-4711' } });
    await room.A.ok({ type: 'repair', phrase: 'sorry.too-harsh' });
    await room.moderator!.ok({ type: 'note', text: 'Confidential-note-0815' });
    expect(rowsOf(room.roomId)).toBeGreaterThan(4);
    expect(fileText()).toContain('Quixotic-topic-4711');

    const gone = Promise.all(room.all.map((m) => m.until(() => (m.deletedCount === 1 && !m.socket.connected ? true : undefined), 'deleted')));
    const response = await api(server.url, `/api/rooms/${room.roomId}`, { method: 'DELETE', seatKey: room.keys.B! });
    expect(response.status).toBe(204);
    await gone;
    expect(rowsOf(room.roomId)).toBe(0);
    expect(fileText()).not.toContain('Quixotic-topic-4711');
    expect(fileText()).not.toContain('Confidential-note-0815');
    expect(await connectError(server.url, { roomId: room.roomId, seatKey: room.keys.A })).toBe('room_not_found');
  });

  it('expires rooms idle longer than the TTL, and keeps the others', async () => {
    const idle = await openRoom(server.url);
    clock.advance(20 * DAY);
    const active = await createRoom(server.url, { name: 'Ann' });
    const gone = idle.A.until(() => (idle.A.deletedCount === 1 ? true : undefined), 'expiry');
    // The hourly sweep runs on the injected clock; 30 days and an hour after its last change, the idle room goes.
    clock.advance(10 * DAY + 60 * 60 * 1000);
    await gone;
    expect(rowsOf(idle.roomId)).toBe(0);
    expect(rowsOf(active.roomId)).toBeGreaterThan(0);
    expect((await api(server.url, `/api/rooms/${active.roomId}/summary`, { seatKey: active.seatKey })).status).toBe(200);
    idle.close();
  });

  it("lets other rooms' commands through while a sweep deletes many rooms", async () => {
    const idle = await Promise.all(Array.from({ length: 60 }, () => createRoom(server.url, { name: 'Ann' })));
    clock.advance(20 * DAY);
    const live = await openRoom(server.url);
    const left = () => idle.filter((room) => rowsOf(room.roomId) > 0).length;
    expect(left()).toBe(60);
    // The sweep starts inside this call; each deletion is written and checkpointed on the main thread.
    clock.advance(10 * DAY + 60 * 60 * 1000);
    const ack = await live.A.send({ type: 'repair', phrase: 'appreciate.trying' });
    expect(ack.ok).toBe(true);
    // The command was answered while the sweep was still at work, not after it.
    expect(left()).toBeGreaterThan(0);
    await expect.poll(left, { timeout: 30_000, interval: 50 }).toBe(0);
    live.close();
  });
});
