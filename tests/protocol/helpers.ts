import { expect } from 'vitest';
import {
  applyCommand,
  claimSeat,
  createRoom,
  parseCommand,
  type Accepted,
  type Command,
  type CommandErrorCode,
  type CommandInput,
  type Method,
  type NewRoomOptions,
  type Outcome,
  type Room,
  type SeatId,
} from '../../protocol';

/** A fixed instant for scenarios: 2030-01-01T00:00:00Z. */
export const T0 = Date.UTC(2030, 0, 1);
/** One protocol minute in these tests: time scale 1. */
export const MIN = 60_000;

let counter = 0;
/** A command with a fresh id, checked by the real parse step so scenarios only send valid shapes. */
export function cmd(input: CommandInput & { rev?: number }): Command {
  counter += 1;
  const parsed = parseCommand({ id: `cmd-${String(counter).padStart(8, '0')}`, ...input });
  if (!parsed.ok) throw new Error(`test sent an ill-formed command: ${parsed.error.message}`);
  return parsed.value;
}

export type RoomSetup = Partial<Omit<NewRoomOptions, 'id' | 'minuteMs' | 'name'>> & { minuteMs?: number };

/** A room with only its creator seated (A, or the moderator when `as: "moderator"`). */
export function newRoom(setup: RoomSetup = {}, now = T0): Room {
  return createRoom({ name: 'Ana', id: 'room-0123456789abcdefghij', minuteMs: MIN, ...setup }, now).room;
}

/** Both partners (and the moderator when the room has that seat) seated: phase `checkin`. */
export function seated(setup: RoomSetup = {}, now = T0): Room {
  let room = newRoom(setup, now);
  if (!room.seats.A.joined) room = claimSeat(room, 'A', 'Ana', now).room;
  if (room.seats.moderator !== null && !room.seats.moderator.joined) room = claimSeat(room, 'moderator', 'Mo', now).room;
  room = claimSeat(room, 'B', 'Ben', now).room;
  expect(room.phase).toBe('checkin');
  return room;
}

/** Both partners checked in feeling safe: phase `dialogue`, first speaker on `share`. */
export function inDialogue(setup: RoomSetup = {}, now = T0): Room {
  let room = seated(setup, now);
  room = ok(room, 'A', { type: 'checkIn', calm: 6, tendency: 'pursue', safe: true }, now).room;
  room = ok(room, 'B', { type: 'checkIn', calm: 4, tendency: 'withdraw', safe: true }, now).room;
  expect(room.phase).toBe('dialogue');
  return room;
}

/** Applies a command and asserts it was accepted; the input room must come out untouched. */
export function ok(room: Room, seat: SeatId, input: CommandInput & { rev?: number }, now: number): Accepted {
  const before = structuredClone(room);
  const out = applyCommand(room, cmd(input), seat, now);
  expect(room, 'the machine mutated its input').toStrictEqual(before);
  if (!out.ok) throw new Error(`expected ${seat} ${input.type} to be accepted, got ${out.error.code}: ${out.error.message}`);
  return out;
}

/** Applies a command and asserts it was rejected with `code`, leaving the room as it was. */
export function rejects(room: Room, seat: SeatId, input: CommandInput & { rev?: number }, now: number, code: CommandErrorCode): void {
  const before = structuredClone(room);
  const out: Outcome = applyCommand(room, cmd(input), seat, now);
  expect(room, 'the machine mutated its input').toStrictEqual(before);
  expect(out.ok ? 'accepted' : out.error.code, `${seat} ${input.type}`).toBe(code);
  if (!out.ok) expect(out.error.message.length).toBeGreaterThan(0);
}

/** Runs accepted commands one after another, each at its own instant. */
export function run(room: Room, steps: ReadonlyArray<[SeatId, CommandInput, number]>): Room {
  return steps.reduce((r, [seat, input, now]) => ok(r, seat, input, now).room, room);
}

export function roomFor(method: Method, setup: RoomSetup = {}): Room {
  return inDialogue({ method, ...setup });
}
