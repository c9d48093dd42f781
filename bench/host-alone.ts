import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { FastifyBaseLogger } from 'fastify';
import { actorOf, type CommandInput, type SeatId } from '../protocol';
import { systemClock } from '../server/clock';
import type { Broadcaster } from '../server/realtime/broadcaster';
import { RoomHost } from '../server/rooms/room-host';
import { RoomService } from '../server/rooms/room-service';
import { openSqliteStore } from '../server/store/sqlite-store';
import { openFloorStore } from './floor-store';
import { commandFor, nextFloor, type Floor } from './generator/talk';

/**
 * The room host and its SQLite store driven alone, in this process, without a socket: what a
 * steady command costs Duologue's own path (the queue, the machine, the commit, the views) once
 * Socket.IO and the network are taken away. Beside it, in the same run, the floor: the durable
 * relay's commit (bench/durable-relay.ts) on the same disk, one row upserted and the command's id
 * remembered, with nothing else. Commands go one at a time, rooms in turn, as in the bench's
 * steady phase where each commit is alone.
 *
 * The socket bench (`npm run bench`) says how Duologue compares with a bare relay; this says
 * where its own part of that goes, with figures that hardly move on a shared machine: the bytes
 * and write calls each command makes (Linux's /proc/self/io), besides its CPU.
 */
export interface HostAloneOptions {
  /** A folder of its own for the databases; it is left for the caller to remove. */
  dir: string;
  rooms: number;
  /** Measured rounds; one more, first, warms up. */
  rounds: number;
}

/** What one side cost per command. */
export interface PerCommand {
  commands: number;
  /** Process CPU, user and kernel (µs). */
  cpuUs: number;
  userUs: number;
  systemUs: number;
  wallUs: number;
  /** Bytes handed to write calls (the WAL, checkpoints), and how many calls; null off Linux. */
  bytesWritten: number | null;
  writeCalls: number | null;
}

export interface HostAloneResult {
  host: PerCommand & {
    /** The serialized views the fan-out produced (what Socket.IO would send), bytes per command. */
    viewBytes: number;
  };
  floor: PerCommand;
}

interface Counters {
  cpu: NodeJS.CpuUsage;
  at: number;
  io: { wchar: number; syscw: number } | null;
}

function readIo(): Counters['io'] {
  try {
    const fields = new Map(
      readFileSync('/proc/self/io', 'utf8')
        .trim()
        .split('\n')
        .map((line) => line.split(': ') as [string, string]),
    );
    return { wchar: Number(fields.get('wchar')), syscw: Number(fields.get('syscw')) };
  } catch {
    return null;
  }
}

const start = (): Counters => ({ cpu: process.cpuUsage(), at: performance.now(), io: readIo() });

function perCommand(since: Counters, commands: number): PerCommand {
  const cpu = process.cpuUsage(since.cpu);
  const wall = performance.now() - since.at;
  const io = readIo();
  const per = (value: number) => Math.round((value / commands) * 10) / 10;
  return {
    commands,
    cpuUs: per(cpu.user + cpu.system),
    userUs: per(cpu.user),
    systemUs: per(cpu.system),
    wallUs: per(wall * 1000),
    bytesWritten: io === null || since.io === null ? null : Math.round((io.wchar - since.io.wchar) / commands),
    writeCalls: io === null || since.io === null ? null : per(io.syscw - since.io.syscw),
  };
}

/** Duologue's host and store: rooms created, joined and checked in through them, then steady commands. */
async function measureHost(options: HostAloneOptions): Promise<HostAloneResult['host']> {
  const store = openSqliteStore(join(options.dir, 'host'), { writer: 'inline' });
  const log = pino({ level: 'warn' }) as unknown as FastifyBaseLogger;
  const clock = systemClock();
  let viewBytes = 0;
  const broadcaster: Broadcaster = {
    state: (_roomId, _seat, view) => {
      viewBytes += Buffer.byteLength(JSON.stringify(view));
    },
    deleted: () => undefined,
  };
  const day = 24 * 60 * 60 * 1000;
  const host = new RoomHost({ store, clock, broadcaster, log, commandLimit: Number.MAX_SAFE_INTEGER, ttlMs: day });
  const service = new RoomService({ store, clock, host, log, minuteMs: 60_000, ttlMs: day });
  const send = async (roomId: string, seat: SeatId, command: CommandInput, rev?: number): Promise<void> => {
    const ack = await host.command(roomId, seat, { ...command, id: randomUUID(), ...(rev === undefined ? {} : { rev }) });
    if (!ack.ok) throw new Error(`room ${roomId}: ${command.type} from ${seat} was refused: ${ack.error.code}`);
  };
  try {
    const talks: Array<{ roomId: string; floor: Floor }> = [];
    for (let i = 0; i < options.rooms; i += 1) {
      const created = await service.create({ name: 'Alex', method: 'imago', topic: 'Who notices the dishes' });
      const joined = await host.join(created.roomId, created.invites.B!, 'Sam');
      if (!joined.ok) throw new Error(`room ${created.roomId}: the join was refused: ${joined.error.code}`);
      for (const seat of ['A', 'B'] as const) await send(created.roomId, seat, { type: 'checkIn', calm: 6, tendency: 'unsure', safe: true });
      const floor = await host.read(created.roomId, (room) => (room?.floor ? { rev: room.rev, speaker: room.floor.speaker, step: room.floor.step } : null));
      if (floor === null) throw new Error(`room ${created.roomId} did not start its dialogue`);
      talks.push({ roomId: created.roomId, floor });
    }
    const round = async () => {
      for (const talk of talks) {
        // `commandFor` never returns an `advance` of `check` (it answers that step with `check`), which its type allows.
        await send(talk.roomId, actorOf(talk.floor), commandFor(talk.floor.step) as CommandInput, talk.floor.rev);
        talk.floor = nextFloor(talk.floor);
      }
    };
    await round();
    viewBytes = 0;
    const since = start();
    for (let r = 0; r < options.rounds; r += 1) await round();
    const commands = options.rounds * talks.length;
    return { ...perCommand(since, commands), viewBytes: Math.round(viewBytes / commands) };
  } finally {
    await host.close();
    await store.close();
  }
}

/** The durable relay's commit alone: a room's row upserted with a 90-byte event, its id remembered. */
function measureFloor(options: HostAloneOptions): PerCommand {
  const db = new Database(join(options.dir, 'floor.sqlite'));
  try {
    const floor = openFloorStore(db);
    const commit = db.transaction((roomId: string, seat: string, event: string, id: string) => floor.record(roomId, seat, id, event));
    // As the durable relay stores them: a seat by its 43-character key, the event's arguments as an array.
    const rooms = Array.from({ length: options.rooms }, () => ({ roomId: randomUUID(), seat: randomBytes(32).toString('base64url') }));
    const round = () => {
      for (const { roomId, seat } of rooms) {
        const id = randomUUID();
        commit.immediate(roomId, seat, JSON.stringify([{ type: 'advance', step: 'mirror', id, rev: 1 }]), id);
      }
    };
    round();
    const since = start();
    for (let r = 0; r < options.rounds; r += 1) round();
    return perCommand(since, options.rounds * rooms.length);
  } finally {
    db.close();
  }
}

/** One run: the floor, then Duologue's host (each in a folder of its own under `dir`). */
export async function measureHostAlone(options: HostAloneOptions): Promise<HostAloneResult> {
  const floor = measureFloor(options);
  const host = await measureHost(options);
  return { host, floor };
}
