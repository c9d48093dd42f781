import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocket } from '../../bench/generator/talk';
import { startDurableRelay, type BenchServer } from '../../bench/servers';

/**
 * The durable relay is the bench's floor: it must really do what it stands for. An event is
 * committed before it is acknowledged or copied, and every member gets the copy, the sender too.
 */
describe('the durable relay (npm run bench -- --durable)', () => {
  let dir: string;
  let server: BenchServer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'duologue-durable-relay-'));
    server = await startDurableRelay(dir);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.disconnect();
    await server?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function connect(roomId: string, seatKey: string): Promise<Socket> {
    const socket = openSocket(server.url, { roomId, seatKey });
    sockets.push(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
      socket.connect();
    });
    return socket;
  }
  const copyOf = (socket: Socket) => new Promise<{ id: string }>((resolve) => socket.once('command', resolve));

  it('stores each event before its ack, and copies it to every member of the room', async () => {
    const a = await connect('room-1', 'key-a');
    const b = await connect('room-1', 'key-b');
    const elsewhere = await connect('room-2', 'key-c');
    let strayCopies = 0;
    elsewhere.on('command', () => (strayCopies += 1));

    const copies = Promise.all([copyOf(a), copyOf(b)]);
    const ack = await a.timeout(5000).emitWithAck('command', { id: 'first', type: 'advance' });
    expect(ack).toEqual({ ok: true, rev: 1 });
    // Read through a connection of its own: what the ack promised is in the file.
    const reader = new Database(join(dir, 'durable-relay.sqlite'), { readonly: true });
    try {
      expect(reader.prepare('SELECT version, data FROM rooms WHERE id = ?').get('room-1')).toEqual({
        version: 1,
        data: JSON.stringify([{ id: 'first', type: 'advance' }]),
      });
      expect(reader.prepare('SELECT seat, command_id, rev FROM accepted WHERE room_id = ?').all('room-1')).toEqual([
        { seat: 'key-a', command_id: 'first', rev: 1 },
      ]);
      expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      reader.close();
    }
    expect((await copies).map((copy) => copy.id)).toEqual(['first', 'first']);

    expect(await b.timeout(5000).emitWithAck('command', { id: 'second', type: 'advance' })).toEqual({ ok: true, rev: 2 });
    expect(strayCopies).toBe(0);
  });

  it('commits events that arrive together as one group, each with its own room and rev', async () => {
    const [a, b] = await Promise.all([connect('room-4', 'key-a'), connect('room-5', 'key-b')]);
    const acks = await Promise.all([
      a.timeout(5000).emitWithAck('command', { id: 'x1' }),
      b.timeout(5000).emitWithAck('command', { id: 'y1' }),
      a.timeout(5000).emitWithAck('command', { id: 'x2' }),
    ]);
    expect(acks).toEqual([
      { ok: true, rev: 1 },
      { ok: true, rev: 1 },
      { ok: true, rev: 2 },
    ]);
    const reader = new Database(join(dir, 'durable-relay.sqlite'), { readonly: true });
    try {
      expect(reader.prepare("SELECT room_id, command_id, rev FROM accepted WHERE room_id IN ('room-4', 'room-5') ORDER BY room_id, rev").all()).toEqual([
        { room_id: 'room-4', command_id: 'x1', rev: 1 },
        { room_id: 'room-4', command_id: 'x2', rev: 2 },
        { room_id: 'room-5', command_id: 'y1', rev: 1 },
      ]);
    } finally {
      reader.close();
    }
  });

  it('refuses an event without an id, and stores nothing for it', async () => {
    const a = await connect('room-3', 'key-a');
    expect(await a.timeout(5000).emitWithAck('command', { type: 'advance' })).toEqual({ ok: false, error: { code: 'invalid' } });
    const reader = new Database(join(dir, 'durable-relay.sqlite'), { readonly: true });
    try {
      expect(reader.prepare('SELECT COUNT(*) AS n FROM rooms WHERE id = ?').get('room-3')).toEqual({ n: 0 });
    } finally {
      reader.close();
    }
  });
});
