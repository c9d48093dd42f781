import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COMMAND_TYPES,
  REPAIR_PHRASES,
  StateView,
  TimelineKind,
  allowedCommands,
  applyCommand,
  claimSeat,
  createRoom,
  gate,
  nextDeadline,
  parseCommand,
  summaryOf,
  tick,
  viewFor,
  type Accepted,
  type Command,
  type CommandInput,
  type Method,
  type Partner,
  type Room,
  type SeatId,
  type Step,
} from '../../protocol';
import { METHOD_STEPS, actorNow, durationMs, expectedAnswer, expectedFloor, expectedGate } from './oracle';

type Model = { joined: Record<SeatId, boolean>; hasModerator: boolean };
type Real = { room: Room; now: number; serial: number; accepted: number; rejected: number };

const PARTNERS: readonly Partner[] = ['A', 'B'];
const other = (p: Partner): Partner => (p === 'A' ? 'B' : 'A');
const DAY_MS = 24 * 3600 * 1000;

// ---------------------------------------------------------------------------
// Invariants, checked after every step

/** What the random runs reached, to show they explored the whole machine. */
const seenCodes = new Map<string, number>();
const seenKinds = new Map<string, number>();

/** `toStrictEqual` with a fast path: vitest's diffing only runs when the values differ. */
function same(actual: unknown, expected: unknown, message?: string): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual, message).toStrictEqual(expected);
}

/** A seat's view with the fields that do not count towards `rev` left out. */
function seen(room: Room, seat: SeatId): unknown {
  const { rev: _rev, serverNow: _now, ...rest } = viewFor(room, seat, 0);
  return rest;
}

function checkRoomShape(room: Room): void {
  const floor = room.floor;
  expect(floor === null, 'the floor exists exactly in dialogue').toBe(room.phase !== 'dialogue');
  if (floor !== null) {
    expect(PARTNERS).toContain(floor.speaker);
    expect(METHOD_STEPS[room.method]).toContain(floor.step);
    expect(floor.turn).toBeGreaterThanOrEqual(1);
  }
  const brk = room.break;
  if (brk !== null) {
    expect(['checkin', 'dialogue', 'closing']).toContain(room.phase);
    for (const t of [brk.startedAt, brk.minUntil, brk.returnAt]) expect(Number.isInteger(t), 'deadlines are whole epoch ms').toBe(true);
    expect(brk.minUntil).toBe(brk.startedAt + durationMs(room, room.breakMinutes));
    expect(brk.returnAt).toBeGreaterThanOrEqual(brk.minUntil);
    expect(brk.returnAt).toBeLessThanOrEqual(brk.startedAt + durationMs(room, 1440));
  }
  if (room.paused) expect(['checkin', 'dialogue', 'closing']).toContain(room.phase);
  if (room.phase === 'lobby') expect(room.seats.A.joined && room.seats.B.joined).toBe(false);
  if (room.phase === 'checkin') expect(room.checkin.A?.safe === true && room.checkin.B?.safe === true).toBe(false);
  if (room.phase === 'ended') expect([room.break, room.paused, room.floor]).toEqual([null, false, null]);
}

function checkViews(room: Room, now: number, parse = false): void {
  for (const p of PARTNERS) {
    const view = viewFor(room, p, now);
    if (parse) StateView.parse(view);
    expect(view.checkin, 'a partner sees only their own check-in').toEqual(room.checkin[p]);
    expect(view.seats[other(p)].checkedIn).toBe(room.checkin[other(p)]?.safe === true);
    const text = JSON.stringify(view);
    expect(text.split('"tendency"').length - 1).toBe(room.checkin[p] === null ? 0 : 1);
    expect(text, 'a coach line to the other partner leaked').not.toContain(`to-${other(p)}-`);
    expect(text, 'a note leaked to a partner').not.toContain('note-');
    expect(view.notes).toEqual([]);
    const mine = room.coach.filter((c) => c.to === p || c.to === 'both');
    same(view.coach, mine.slice(-50).map(({ at, text: t }) => ({ at, text: t })));
    if (view.floor !== null) expect(view.floor.listener).toBe(other(view.floor.speaker));
    // A client predicts the same answers from its view as the server from the room.
    same(allowedCommands(view, p, now), allowedCommands(room, p, now), 'allowedCommands from the view');
  }
  if (room.seats.moderator !== null) {
    const view = viewFor(room, 'moderator', now);
    if (parse) StateView.parse(view);
    expect(view.checkin).toEqual({ A: room.checkin.A, B: room.checkin.B });
    same(view.notes, room.notes.slice(-50));
    same(view.coach, room.coach.slice(-50));
    same(allowedCommands(view, 'moderator', now), allowedCommands(room, 'moderator', now), 'allowedCommands from the moderator view');
  }
}

/** `rev` rises by one exactly when both partners' views changed. */
function checkRev(before: Room, after: Room, what: string): void {
  const a = !isDeepStrictEqual(seen(before, 'A'), seen(after, 'A'));
  const b = !isDeepStrictEqual(seen(before, 'B'), seen(after, 'B'));
  expect(after.rev, `rev after ${what}`).toBe(before.rev + (a && b ? 1 : 0));
}

function checkAccepted(before: Room, out: Accepted, seat: SeatId, command: Command, now: number): void {
  const after = out.room;
  checkRev(before, after, `${seat} ${command.type}`);
  if (!out.changed) {
    expect(out.events).toEqual([]);
    same(after, before);
  }
  if (out.events.length > 0) {
    expect(after.timeline.slice(-out.events.length)).toEqual(out.events);
    expect(after.rev, 'a timeline event is seen by both').toBe(before.rev + 1);
  }
  if (command.type === 'coach' && command.to !== 'both') expect(after.rev).toBe(before.rev);
  if (command.type === 'note') expect(after.rev).toBe(before.rev);

  // Only a step's actor moves it, along the table; the moderator may set it.
  const moved = !isDeepStrictEqual(before.floor, after.floor);
  if (moved && seat !== 'moderator') {
    if (command.type === 'advance' || command.type === 'check') {
      expect(seat).toBe(actorNow(before.floor!));
      expect(after.floor).toEqual(expectedFloor(before, command, now));
    } else if (command.type === 'checkIn') {
      expect([before.phase, after.phase]).toEqual(['checkin', 'dialogue']);
      expect(after.floor).toMatchObject({ speaker: before.firstSpeaker, step: 'share', turn: 1, clarifying: false });
    } else {
      expect(['wrapUp', 'end']).toContain(command.type);
      expect(after.floor).toBeNull();
    }
  }
  if (moved && seat === 'moderator' && after.phase === 'dialogue') expect(['setFloor', 'setStep']).toContain(command.type);

  // The break: never shortened, and never ended by the other partner against the caller.
  // The other partner's command may end it only by completing a "ready" the caller already
  // gave after the minimum, or by a wrap-up once the break is due (a talk can always be left).
  const was = before.break;
  const is = after.break;
  if (was !== null && is !== null) {
    expect([is.by, is.startedAt, is.minUntil]).toEqual([was.by, was.startedAt, was.minUntil]);
    expect(is.returnAt).toBeGreaterThanOrEqual(was.returnAt);
    if (seat !== was.by) expect(is.returnAt).toBe(was.returnAt);
  }
  if (was !== null && is === null) {
    if (seat === 'moderator') expect(['endBreak', 'end']).toContain(command.type);
    else if (command.type === 'ready') expect([was.ready[was.by] || seat === was.by, now >= was.minUntil]).toEqual([true, true]);
    else expect([command.type, was.due]).toEqual(['wrapUp', true]);
  }
  if (was === null && is !== null) expect([command.type, is.by, is.startedAt]).toEqual(['flood', seat, now]);
  if (command.type === 'flood') expect(is!.returnAt).toBe(now + durationMs(before, command.minutes ?? before.breakMinutes));
  if (command.type === 'repair') expect(after.floor).toEqual(before.floor);
  // When the break ends, the conversation is where it was (unless the moderator moved it or a wrap-up ended it).
  if (was !== null && is === null && !['wrapUp', 'end'].includes(command.type)) {
    expect([after.phase, after.floor]).toEqual([before.phase, before.floor]);
  }

  checkEffect(before, after, seat, command, now);

  // Floor time never runs backwards.
  const s0 = summaryOf(before, now).partners;
  const s1 = summaryOf(after, now).partners;
  for (const p of PARTNERS) expect(s1[p].floorMs).toBeGreaterThanOrEqual(s0[p].floorMs);
}

/** What each accepted command does, read from the contract. */
function checkEffect(before: Room, after: Room, seat: SeatId, command: Command, now: number): void {
  const brk = after.break;
  switch (command.type) {
    case 'checkIn':
      expect(after.checkin[seat as Partner]).toEqual({ calm: command.calm, tendency: command.tendency, safe: command.safe });
      return;
    case 'extendBreak':
      expect(brk).toEqual({ ...before.break!, returnAt: now + durationMs(before, command.minutes), due: false });
      return;
    case 'ready':
      if (brk !== null) expect(brk.ready).toEqual({ ...before.break!.ready, [seat]: true });
      else expect(before.break!.ready[other(seat as Partner)]).toBe(true);
      return;
    case 'flood':
      expect(brk).toEqual({
        by: seat,
        startedAt: now,
        minUntil: now + durationMs(before, before.breakMinutes),
        returnAt: now + durationMs(before, command.minutes ?? before.breakMinutes),
        due: false,
        ready: { A: false, B: false },
      });
      expect([after.phase, after.floor, after.paused]).toEqual([before.phase, before.floor, before.paused]);
      return;
    case 'repair':
      expect(after.repairs.at(-1)).toEqual({ at: now, by: seat, phrase: command.phrase });
      return;
    case 'proposeTime':
      expect(after.appointment).toEqual({ at: Date.parse(command.at), by: seat, accepted: false });
      return;
    case 'acceptTime':
      expect(after.appointment).toEqual({ ...before.appointment!, accepted: true });
      return;
    case 'wrapUp':
      expect([after.phase, after.floor, after.break]).toEqual(['closing', null, null]);
      return;
    case 'end':
      expect([after.phase, after.floor, after.break, after.paused]).toEqual(['ended', null, null, false]);
      return;
    case 'pause':
    case 'resume':
      expect(after.paused).toBe(command.type === 'pause');
      expect([after.phase, after.floor, after.break]).toEqual([before.phase, before.floor, before.break]);
      return;
    case 'setFloor':
      expect(after.floor).toEqual({ speaker: command.speaker, step: 'share', turn: before.floor!.turn + 1, clarifying: false, stepSince: now });
      return;
    case 'setStep':
      expect(after.floor).toMatchObject({ speaker: before.floor!.speaker, turn: before.floor!.turn, step: command.step, clarifying: false });
      return;
    case 'endBreak':
      expect(brk).toBeNull();
      return;
    case 'coach':
      expect(after.coach.at(-1)).toEqual({ at: now, to: command.to, text: command.text });
      return;
    case 'note':
      expect(after.notes.at(-1)).toEqual({ at: now, text: command.text });
      return;
    case 'advance':
    case 'check':
      expect(after.floor).toEqual(expectedFloor(before, command, now));
      return;
  }
}

/** Decides one command, checks the answer against the oracle and `allowedCommands`, and the aftermath. */
function decide(real: Real, seat: SeatId, command: Command): void {
  const before = real.room;
  const frozen = structuredClone(before);
  const now = real.now;
  const out = applyCommand(before, command, seat, now);
  same(before, frozen, 'the input room was mutated');

  const expected = expectedAnswer(before, seat, command, now);
  const label = `${seat} ${JSON.stringify(command)} in ${before.phase}${before.break ? ' (break)' : ''}${before.paused ? ' (paused)' : ''}`;
  expect(out.ok ? null : out.error.code, label).toBe(expected);

  const allowed = allowedCommands(before, seat, now);
  same(allowed, COMMAND_TYPES.filter((type) => expectedGate(before, seat, type, now) === null), 'allowedCommands follows the contract');
  if (command.rev === undefined || command.rev === before.rev) {
    if (!allowed.includes(command.type)) expect(out.ok ? null : out.error.code).toBe(gate(before, seat, command.type, now)?.code);
    if (out.ok) expect(allowed).toContain(command.type);
  }

  if (!out.ok) {
    real.rejected += 1;
    seenCodes.set(out.error.code, (seenCodes.get(out.error.code) ?? 0) + 1);
    return;
  }
  real.accepted += 1;
  for (const event of out.events) seenKinds.set(event.kind, (seenKinds.get(event.kind) ?? 0) + 1);
  checkAccepted(before, out, seat, command, now);
  real.room = out.room;
  checkRoomShape(real.room);
  if (out.changed) checkViews(real.room, now);
}

/** Applies every deadline due by `now`, as the server's timer does. */
function fireDeadlines(real: Real): void {
  const before = real.room;
  const frozen = structuredClone(before);
  const deadline = nextDeadline(before);
  const out = tick(before, real.now);
  same(before, frozen, 'the input room was mutated');
  if (deadline === null || real.now < deadline) {
    expect(out.changed).toBe(false);
    expect(out.room).toBe(before);
    return;
  }
  expect(out.changed).toBe(true);
  expect(out.room.break?.due).toBe(true);
  expect([out.room.phase, out.room.floor, out.room.paused]).toEqual([before.phase, before.floor, before.paused]);
  checkRev(before, out.room, 'tick');
  expect(nextDeadline(out.room)).toBeNull();
  for (const event of out.events) seenKinds.set(event.kind, (seenKinds.get(event.kind) ?? 0) + 1);
  real.room = out.room;
  checkRoomShape(real.room);
  checkViews(real.room, real.now);
}

// ---------------------------------------------------------------------------
// Random commands

/** A command to send, made concrete at the instant it is sent (times and `rev` are relative). */
type Spec =
  | { kind: 'input'; input: CommandInput }
  | { kind: 'propose'; offsetMs: number }
  | { kind: 'coach'; to: 'A' | 'B' | 'both' }
  | { kind: 'note' }
  /** A flood of the room's minimum plus `delta` minutes. */
  | { kind: 'flood'; delta: number }
  /** An extension to about the current return time, or about the 24 h cap, plus `delta` minutes. */
  | { kind: 'extend'; near: 'return' | 'cap'; delta: number };

const stepArb = fc.constantFrom<Step>('share', 'mirror', 'check', 'summary', 'validate', 'empathize', 'heard');
const minutesArb = fc.oneof(fc.integer({ min: 1, max: 1440 }), fc.integer({ min: 5, max: 150 }));
const inputArb: fc.Arbitrary<CommandInput> = fc.oneof(
  fc.record({
    type: fc.constant('checkIn' as const),
    calm: fc.integer({ min: 1, max: 10 }),
    tendency: fc.constantFrom('pursue' as const, 'withdraw' as const, 'unsure' as const),
    safe: fc.oneof(fc.constant(true), fc.constant(true), fc.constant(false)),
  }),
  fc.record({ type: fc.constant('advance' as const), step: stepArb.filter((s) => s !== 'check') as fc.Arbitrary<Exclude<Step, 'check'>> }),
  fc.record({ type: fc.constant('check' as const), result: fc.constantFrom('missed' as const, 'more' as const, 'complete' as const) }),
  fc.record({ type: fc.constant('flood' as const), minutes: fc.option(minutesArb, { nil: undefined }) }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constant('extendBreak' as const), minutes: minutesArb }),
  fc.record({ type: fc.constantFrom('ready' as const, 'acceptTime' as const, 'wrapUp' as const, 'end' as const) }),
  fc.record({ type: fc.constantFrom('pause' as const, 'resume' as const, 'endBreak' as const) }),
  fc.record({ type: fc.constant('repair' as const), phrase: fc.constantFrom(...REPAIR_PHRASES) }),
  fc.record({ type: fc.constant('setFloor' as const), speaker: fc.constantFrom<Partner>('A', 'B') }),
  fc.record({ type: fc.constant('setStep' as const), step: stepArb }),
);
const specArb: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 12, arbitrary: inputArb.map((input) => ({ kind: 'input' as const, input })) },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: -3_600_000, max: 8 * DAY_MS }), fc.constantFrom(-1, 0, 1, 7 * DAY_MS, 7 * DAY_MS + 1)).map((offsetMs) => ({ kind: 'propose' as const, offsetMs })) },
  { weight: 1, arbitrary: fc.constantFrom('A' as const, 'B' as const, 'both' as const).map((to) => ({ kind: 'coach' as const, to })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'note' as const }) },
  { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }).map((delta) => ({ kind: 'flood' as const, delta })) },
  {
    weight: 2,
    arbitrary: fc.record({ near: fc.constantFrom('return' as const, 'cap' as const), delta: fc.integer({ min: -1, max: 2 }) }).map((e) => ({ kind: 'extend' as const, ...e })),
  },
);
const seatArb = fc.constantFrom<SeatId>('A', 'B', 'moderator');
/** Most commands come close together; some take minutes. */
const smallStepArb = fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 3, arbitrary: fc.integer({ min: 0, max: 2000 }) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 10 * 60_000 }) });
/** -1 and +1 make a stale `rev`; 0 the current one. */
const revArb = fc.oneof(
  { weight: 6, arbitrary: fc.constant(undefined) },
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.constantFrom(-1, 1) },
);
/** The moderator's own commands, so that a moderated room sees pauses, resumes and floor changes often. */
const moderatorSpecArb: fc.Arbitrary<Spec> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('pause' as const, 'resume' as const).map((type) => ({ kind: 'input' as const, input: { type } })) },
  { weight: 1, arbitrary: fc.constantFrom('endBreak' as const, 'end' as const).map((type) => ({ kind: 'input' as const, input: { type } })) },
  { weight: 1, arbitrary: fc.constantFrom<Partner>('A', 'B').map((speaker) => ({ kind: 'input' as const, input: { type: 'setFloor' as const, speaker } })) },
  { weight: 1, arbitrary: stepArb.map((step) => ({ kind: 'input' as const, input: { type: 'setStep' as const, step } })) },
  { weight: 1, arbitrary: fc.constantFrom('A' as const, 'B' as const, 'both' as const).map((to) => ({ kind: 'coach' as const, to })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'note' as const }) },
);

// Mostly within a day, with a few values past the bounds (room rules, answered last); never
// under one minute, which is the shape (a payload the parse step refuses, not a room rule).
const clampMinutes = (m: number): number => Math.min(1441, Math.max(1, m));

function materialize(spec: Spec, real: Real): CommandInput {
  real.serial += 1;
  switch (spec.kind) {
    case 'input':
      return spec.input;
    case 'propose':
      return { type: 'proposeTime', at: new Date(real.now + spec.offsetMs).toISOString() };
    case 'coach':
      return { type: 'coach', to: spec.to, text: `to-${spec.to}-${real.serial}` };
    case 'note':
      return { type: 'note', text: `note-${real.serial}` };
    case 'flood':
      return { type: 'flood', minutes: clampMinutes(real.room.breakMinutes + spec.delta) };
    case 'extend': {
      const { room, now } = real;
      const brk = room.break;
      if (brk === null) return { type: 'extendBreak', minutes: room.breakMinutes };
      const target = spec.near === 'return' ? brk.returnAt : brk.startedAt + durationMs(room, 1440);
      return { type: 'extendBreak', minutes: clampMinutes(Math.floor((target - now) / room.minuteMs) + spec.delta) };
    }
  }
}

function toCommand(input: CommandInput, real: Real, revOffset: number | undefined): Command {
  const rev = revOffset === undefined ? undefined : Math.max(0, real.room.rev + revOffset);
  const parsed = parseCommand({ id: `model-${String(real.serial).padStart(6, '0')}`, ...input, ...(rev === undefined ? {} : { rev }) });
  if (!parsed.ok) throw new Error(`the generator made an ill-formed command: ${parsed.error.message}`);
  return parsed.value;
}

class Send implements fc.Command<Model, Real> {
  constructor(readonly seat: SeatId, readonly spec: Spec, readonly dt: number, readonly revOffset: number | undefined) {}
  check(m: Readonly<Model>): boolean {
    return m.joined[this.seat];
  }
  run(_m: Model, real: Real): void {
    real.now += this.dt;
    decide(real, this.seat, toCommand(materialize(this.spec, real), real, this.revOffset));
  }
  toString(): string {
    return `+${this.dt} ${this.seat} ${JSON.stringify(this.spec)}${this.revOffset === undefined ? '' : ` rev${this.revOffset}`}`;
  }
}

/** Moves the talk on the way a cooperative pair would, so that random runs reach deep states. */
class Progress implements fc.Command<Model, Real> {
  constructor(readonly dt: number, readonly choice: number) {}
  check(m: Readonly<Model>): boolean {
    return m.joined.A && m.joined.B;
  }
  run(_m: Model, real: Real): void {
    real.now += this.dt;
    real.serial += 1;
    const room = real.room;
    let seat: Partner;
    let input: CommandInput;
    if (room.break !== null) {
      const brk = room.break;
      seat = this.choice % 2 === 0 ? brk.by : other(brk.by);
      // The caller sometimes asks for a set extension, just past the current return time.
      const minutes = Math.min(1440, Math.floor(Math.max(0, brk.returnAt - real.now) / room.minuteMs) + 1 + (this.choice % 3));
      input = this.choice % 3 === 0 ? { type: 'extendBreak', minutes } : { type: 'ready' };
    } else if (room.phase === 'checkin') {
      seat = room.checkin.A?.safe === true ? 'B' : 'A';
      input = { type: 'checkIn', calm: 5, tendency: 'unsure', safe: true };
    } else if (room.floor !== null) {
      seat = actorNow(room.floor);
      const result = (['missed', 'more', 'complete', 'complete'] as const)[this.choice % 4]!;
      input = room.floor.step === 'check' ? { type: 'check', result } : { type: 'advance', step: room.floor.step as Exclude<Step, 'check'> };
    } else if (room.phase === 'closing') {
      const appointment = room.appointment;
      seat = appointment !== null && !appointment.accepted ? other(appointment.by) : this.choice % 2 === 0 ? 'A' : 'B';
      if (appointment !== null && !appointment.accepted) input = { type: 'acceptTime' };
      else if (this.choice % 4 === 0) input = { type: 'end' };
      else input = { type: 'proposeTime', at: new Date(real.now + (this.choice + 1) * 3600_000).toISOString() };
    } else {
      return;
    }
    decide(real, seat, toCommand(input, real, undefined));
  }
  toString(): string {
    return `+${this.dt} progress(${this.choice})`;
  }
}

/** Time passes; the server's timer fires what is due. */
class Jump implements fc.Command<Model, Real> {
  constructor(readonly dt: number) {}
  check(): boolean {
    return true;
  }
  run(_m: Model, real: Real): void {
    real.now += this.dt;
    fireDeadlines(real);
  }
  toString(): string {
    return `jump +${this.dt}`;
  }
}

/** Time runs to just before, at or just after the next deadline or the proposed time; the timer fires. */
class JumpNear implements fc.Command<Model, Real> {
  constructor(readonly target: 'deadline' | 'appointment', readonly offset: -1 | 0 | 1) {}
  check(): boolean {
    return true;
  }
  run(_m: Model, real: Real): void {
    const at = this.target === 'deadline' ? nextDeadline(real.room) : (real.room.appointment?.at ?? null);
    if (at === null || at + this.offset < real.now) return;
    real.now = at + this.offset;
    fireDeadlines(real);
  }
  toString(): string {
    return `jump to ${this.target} ${this.offset}`;
  }
}

class Join implements fc.Command<Model, Real> {
  constructor(readonly seat: SeatId) {}
  check(m: Readonly<Model>): boolean {
    return !m.joined[this.seat] && (this.seat !== 'moderator' || m.hasModerator);
  }
  run(m: Model, real: Real): void {
    real.now += 1000;
    const before = real.room;
    const frozen = structuredClone(before);
    const out = claimSeat(before, this.seat, `name-${this.seat}`, real.now);
    same(before, frozen, 'the input room was mutated');
    checkRev(before, out.room, `join ${this.seat}`);
    expect(out.room.rev).toBe(before.rev + 1);
    real.room = out.room;
    m.joined[this.seat] = true;
    checkRoomShape(real.room);
    checkViews(real.room, real.now);
  }
  toString(): string {
    return `join ${this.seat}`;
  }
}

const commandArb = fc.oneof(
  { weight: 10, arbitrary: fc.tuple(seatArb, specArb, smallStepArb, revArb).map(([s, spec, dt, rev]) => new Send(s, spec, dt, rev)) },
  { weight: 2, arbitrary: fc.tuple(moderatorSpecArb, smallStepArb, revArb).map(([spec, dt, rev]) => new Send('moderator', spec, dt, rev)) },
  { weight: 5, arbitrary: fc.tuple(smallStepArb, fc.nat(11)).map(([dt, c]) => new Progress(dt, c)) },
  { weight: 1, arbitrary: fc.oneof(fc.integer({ min: 1, max: 45 * 60_000 }), fc.integer({ min: 1, max: 2 * DAY_MS })).map((dt) => new Jump(dt)) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom('deadline' as const, 'appointment' as const), fc.constantFrom(-1 as const, 0 as const, 1 as const))
      .map(([target, offset]) => new JumpNear(target, offset)),
  },
  { weight: 2, arbitrary: seatArb.map((s) => new Join(s)) },
);

const setupArb = fc.record({
  method: fc.constantFrom<Method>('imago', 'speaker-listener'),
  breakMinutes: fc.oneof(fc.constantFrom(5, 20, 120), fc.integer({ min: 5, max: 120 })),
  firstSpeaker: fc.constantFrom<Partner>('A', 'B'),
  creator: fc.constantFrom('partner' as const, 'moderator' as const),
  minuteMs: fc.constantFrom(60_000, 1000, 60_000 / 7, 10),
  seatedAtStart: fc.boolean(),
});

type Setup = typeof setupArb extends fc.Arbitrary<infer S> ? S : never;

function start(setup: Setup): { model: Model; real: Real } {
  const { room } = createRoom(
    {
      id: 'room-model-0123456789ab',
      name: 'creator',
      method: setup.method,
      breakMinutes: setup.breakMinutes,
      firstSpeaker: setup.firstSpeaker,
      as: setup.creator,
      minuteMs: setup.minuteMs,
    },
    Date.UTC(2031, 5, 1),
  );
  const model: Model = {
    joined: { A: room.seats.A.joined, B: room.seats.B.joined, moderator: room.seats.moderator?.joined ?? false },
    hasModerator: room.seats.moderator !== null,
  };
  const real: Real = { room, now: room.createdAt, serial: 0, accepted: 0, rejected: 0 };
  if (setup.seatedAtStart) {
    for (const seat of ['A', 'B', 'moderator'] as const) {
      const join = new Join(seat);
      if (join.check(model)) join.run(model, real);
    }
  }
  return { model, real };
}

describe('the machine under random command sequences', () => {
  it('keeps every invariant of the contract after every step', () => {
    let runs = 0;
    let accepted = 0;
    let rejected = 0;
    const phases = new Set<string>();
    fc.assert(
      fc.property(setupArb, fc.commands([commandArb], { maxCommands: 50, size: 'max' }), (setup, cmds) => {
        const { model, real } = start(setup);
        checkRoomShape(real.room);
        checkViews(real.room, real.now, true);
        fc.modelRun(() => ({ model, real }), cmds);
        checkViews(real.room, real.now, true);
        runs += 1;
        accepted += real.accepted;
        rejected += real.rejected;
        phases.add(real.room.phase);
      }),
      { numRuns: 1000 },
    );
    // The runs reached the whole machine, not only its front door.
    expect(runs).toBe(1000);
    expect(accepted).toBeGreaterThan(3000);
    expect(rejected).toBeGreaterThan(3000);
    expect([...phases].sort()).toEqual(['checkin', 'closing', 'dialogue', 'ended', 'lobby']);
    expect([...seenCodes.keys()].sort()).toEqual(
      ['break_protected', 'ended', 'forbidden', 'invalid', 'not_your_turn', 'on_break', 'paused', 'stale', 'wrong_phase', 'wrong_step'],
    );
    // Every kind of timeline event but `created` and `joined`, which come from outside applyCommand.
    expect([...seenKinds.keys()].sort()).toEqual(TimelineKind.options.filter((k) => k !== 'created' && k !== 'joined').sort());
  }, 60_000);
});
