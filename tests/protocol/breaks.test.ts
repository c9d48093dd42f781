import { describe, expect, it } from 'vitest';
import {
  Room as RoomSchema,
  STORED_LIST_LIMIT,
  StateView,
  Summary,
  allowedCommands,
  nextDeadline,
  summaryOf,
  tick,
  viewFor,
  type Room,
} from '../../protocol';
import { MIN, T0, inDialogue, ok, rejects, seated } from './helpers';

const DAY = 1440 * MIN;

/** A dialogue on turn 2 with B speaking, the mirror missed: step share, clarifying. */
function clarifyingRoom(): Room {
  let room = inDialogue({ method: 'imago', as: 'moderator' });
  room = ok(room, 'moderator', { type: 'setFloor', speaker: 'B' }, T0).room;
  room = ok(room, 'B', { type: 'advance', step: 'share' }, T0).room;
  room = ok(room, 'A', { type: 'advance', step: 'mirror' }, T0).room;
  room = ok(room, 'B', { type: 'check', result: 'missed' }, T0).room;
  room = ok(room, 'B', { type: 'advance', step: 'share' }, T0).room;
  expect(room.floor).toMatchObject({ speaker: 'B', step: 'mirror', turn: 2, clarifying: true });
  return room;
}

describe('the flooded break', () => {
  it('records startedAt, minUntil and the committed returnAt, in the room\'s minutes', () => {
    const room = inDialogue({ breakMinutes: 25, minuteMs: 1000 });
    const byDefault = ok(room, 'B', { type: 'flood' }, T0 + 7).room;
    expect(byDefault.break).toEqual({ by: 'B', startedAt: T0 + 7, minUntil: T0 + 7 + 25_000, returnAt: T0 + 7 + 25_000, due: false, ready: { A: false, B: false } });
    const longer = ok(room, 'A', { type: 'flood', minutes: 90 }, T0).room;
    expect(longer.break).toMatchObject({ by: 'A', minUntil: T0 + 25_000, returnAt: T0 + 90_000 });
    expect(longer.stats.A.breaks).toEqual([{ startedAt: T0, endedAt: null }]);
    expect(ok(room, 'A', { type: 'flood', minutes: 1440 }, T0).room.break?.returnAt).toBe(T0 + 1440_000);
  });

  it('keeps whole epoch milliseconds whatever the time scale (a minute of 60000 / 7 ms)', () => {
    const minuteMs = 60_000 / 7;
    const room = inDialogue({ breakMinutes: 5, minuteMs });
    let onBreak = ok(room, 'A', { type: 'flood', minutes: 6 }, T0).room;
    expect(onBreak.break).toMatchObject({ minUntil: T0 + Math.round(5 * minuteMs), returnAt: T0 + Math.round(6 * minuteMs) });
    onBreak = ok(onBreak, 'A', { type: 'extendBreak', minutes: 7 }, T0 + 1).room;
    expect(onBreak.break?.returnAt).toBe(T0 + 1 + Math.round(7 * minuteMs));
    // The stored room and every view still satisfy their own schemas (EpochMs is an integer).
    expect(() => RoomSchema.parse(onBreak)).not.toThrow();
    expect(() => StateView.parse(viewFor(onBreak, 'B', T0 + 1))).not.toThrow();
    const due = tick(onBreak, onBreak.break!.returnAt).room;
    expect(due.break?.due).toBe(true);
    expect(() => RoomSchema.parse(due)).not.toThrow();
  });

  it('may be called by either partner, whoever holds the floor', () => {
    const room = clarifyingRoom();
    expect(ok(room, 'A', { type: 'flood' }, T0).room.break?.by).toBe('A');
    expect(ok(room, 'B', { type: 'flood' }, T0).room.break?.by).toBe('B');
  });

  it("refuses the caller's ready before the minimum, and takes the other partner's at any time", () => {
    const room = ok(inDialogue(), 'A', { type: 'flood', minutes: 45 }, T0).room;
    rejects(room, 'A', { type: 'ready' }, T0, 'break_protected');
    rejects(room, 'A', { type: 'ready' }, T0 + 20 * MIN - 1, 'break_protected');
    expect(allowedCommands(room, 'A', T0 + 20 * MIN - 1)).not.toContain('ready');
    expect(allowedCommands(room, 'A', T0 + 20 * MIN)).toContain('ready');
    const otherReady = ok(room, 'B', { type: 'ready' }, T0 + 1);
    expect(otherReady.room.break).toMatchObject({ ready: { A: false, B: true } });
    expect(otherReady.room.rev).toBe(room.rev + 1);
    // A second ready changes nothing.
    const again = ok(otherReady.room, 'B', { type: 'ready' }, T0 + 2);
    expect(again).toMatchObject({ changed: false, events: [] });
    expect(again.room).toStrictEqual(otherReady.room);
    // The caller's ready at the minimum ends the break, before the committed return.
    const back = ok(otherReady.room, 'A', { type: 'ready' }, T0 + 20 * MIN);
    expect(back.room.break).toBeNull();
    expect(back.events.map((e) => e.kind)).toEqual(['ready', 'breakEnded']);
    expect(back.room.stats.A.breaks).toEqual([{ startedAt: T0, endedAt: T0 + 20 * MIN }]);
  });

  it('waits for the other partner when the caller is ready first', () => {
    let room = ok(inDialogue(), 'B', { type: 'flood' }, T0).room;
    room = ok(room, 'B', { type: 'ready' }, T0 + 30 * MIN).room;
    expect(room.break).toMatchObject({ ready: { A: false, B: true } });
    room = ok(room, 'A', { type: 'ready' }, T0 + 31 * MIN).room;
    expect(room.break).toBeNull();
  });

  it('is never shortened or ended by the other partner before it is due', () => {
    const room = ok(inDialogue({ as: 'moderator' }), 'A', { type: 'flood', minutes: 60 }, T0).room;
    rejects(room, 'B', { type: 'extendBreak', minutes: 30 }, T0 + MIN, 'break_protected');
    rejects(room, 'B', { type: 'extendBreak', minutes: 120 }, T0 + MIN, 'break_protected');
    rejects(room, 'B', { type: 'wrapUp' }, T0 + 59 * MIN, 'on_break');
    rejects(room, 'B', { type: 'flood' }, T0 + MIN, 'on_break');
    rejects(room, 'B', { type: 'endBreak' }, T0 + MIN, 'forbidden');
    const ready = ok(room, 'B', { type: 'ready' }, T0 + 50 * MIN).room;
    expect(ready.break).toMatchObject({ returnAt: T0 + 60 * MIN, ready: { A: false, B: true } });
    expect(allowedCommands(room, 'B', T0 + MIN).sort()).toEqual(['ready', 'repair']);
  });

  it('lets only the caller extend, later and within 24 h of the start', () => {
    const room = ok(inDialogue(), 'A', { type: 'flood', minutes: 30 }, T0).room;
    rejects(room, 'A', { type: 'extendBreak', minutes: 20 }, T0 + 10 * MIN, 'invalid'); // returnAt unchanged
    rejects(room, 'A', { type: 'extendBreak', minutes: 19 }, T0 + 10 * MIN, 'invalid'); // earlier
    const ext = ok(room, 'A', { type: 'extendBreak', minutes: 21 }, T0 + 10 * MIN);
    expect(ext.room.break).toMatchObject({ startedAt: T0, minUntil: T0 + 20 * MIN, returnAt: T0 + 31 * MIN });
    expect(ext.events).toEqual([{ at: T0 + 10 * MIN, kind: 'breakExtended', by: 'A', returnAt: T0 + 31 * MIN }]);
    expect(ext.room.rev).toBe(room.rev + 1);
    rejects(room, 'A', { type: 'extendBreak', minutes: 1440 }, T0 + 1, 'invalid'); // past startedAt + 24 h
    rejects(room, 'A', { type: 'extendBreak', minutes: 1431 }, T0 + 10 * MIN, 'invalid');
    const toTheCap = ok(room, 'A', { type: 'extendBreak', minutes: 1430 }, T0 + 10 * MIN).room;
    expect(toTheCap.break?.returnAt).toBe(T0 + DAY);
  });

  it('an extension clears due and keeps both ready flags', () => {
    let room = ok(inDialogue(), 'A', { type: 'flood' }, T0).room;
    room = ok(room, 'B', { type: 'ready' }, T0 + MIN).room;
    room = tick(room, T0 + 20 * MIN).room;
    expect(room.break).toMatchObject({ due: true, ready: { A: false, B: true } });
    const ext = ok(room, 'A', { type: 'extendBreak', minutes: 15 }, T0 + 25 * MIN).room;
    expect(ext.break).toMatchObject({ due: false, returnAt: T0 + 40 * MIN, ready: { A: false, B: true } });
    expect(nextDeadline(ext)).toBe(T0 + 40 * MIN);
    // With both ready kept, the extension does not end a break that the caller still holds.
    let readyFirst = ok(inDialogue(), 'A', { type: 'flood' }, T0).room;
    readyFirst = ok(readyFirst, 'A', { type: 'ready' }, T0 + 20 * MIN).room;
    const extended = ok(readyFirst, 'A', { type: 'extendBreak', minutes: 10 }, T0 + 21 * MIN).room;
    expect(extended.break?.ready).toEqual({ A: true, B: false });
    // The contract keeps the caller's earlier "ready" through an extension, so the other
    // partner's ready still ends the break before the new return time.
    expect(ok(extended, 'B', { type: 'ready' }, T0 + 22 * MIN).room.break).toBeNull();
  });

  it('tick and nextDeadline make the break due at returnAt and not before', () => {
    const calm = inDialogue();
    expect(nextDeadline(calm)).toBeNull();
    expect(tick(calm, T0 + DAY)).toMatchObject({ changed: false, events: [] });
    const room = ok(calm, 'B', { type: 'flood', minutes: 25 }, T0).room;
    expect(nextDeadline(room)).toBe(T0 + 25 * MIN);
    const early = tick(room, T0 + 25 * MIN - 1);
    expect(early.changed).toBe(false);
    expect(early.room).toBe(room);
    const frozen = structuredClone(room);
    const due = tick(room, T0 + 25 * MIN);
    expect(room).toStrictEqual(frozen);
    expect(due.changed).toBe(true);
    expect(due.room.break?.due).toBe(true);
    expect(due.room.rev).toBe(room.rev + 1);
    expect(due.events).toEqual([{ at: T0 + 25 * MIN, kind: 'breakDue', by: 'B' }]);
    expect(viewFor(due.room, 'A', T0 + 25 * MIN).break?.due).toBe(true);
    expect(nextDeadline(due.room)).toBeNull();
    expect(tick(due.room, T0 + DAY).changed).toBe(false);
    // A late tick (a server that was down) applies the overdue change at once.
    expect(tick(room, T0 + 3 * DAY).room.break?.due).toBe(true);
  });

  it('lets wrapUp through only once due: it ends the break and moves to closing from any phase under it', () => {
    const starts: Array<[string, Room]> = [
      ['checkin', seated()],
      ['dialogue', inDialogue()],
      ['closing', ok(inDialogue(), 'A', { type: 'wrapUp' }, T0).room],
    ];
    for (const [phase, start] of starts) {
      expect(start.phase).toBe(phase);
      const room = ok(start, 'A', { type: 'flood' }, T0).room;
      rejects(room, 'A', { type: 'wrapUp' }, T0 + 20 * MIN, 'on_break');
      const due = tick(room, T0 + 20 * MIN).room;
      for (const seat of ['A', 'B'] as const) {
        expect(allowedCommands(due, seat, T0 + 20 * MIN)).toContain('wrapUp');
        const out = ok(due, seat, { type: 'wrapUp' }, T0 + 21 * MIN);
        expect(out.room).toMatchObject({ phase: 'closing', floor: null, break: null });
        expect(out.room.stats.A.breaks).toEqual([{ startedAt: T0, endedAt: T0 + 21 * MIN }]);
        expect(out.events.map((e) => e.kind)).toEqual(['breakEnded', 'wrapUp']);
      }
      rejects(due, 'A', { type: 'end' }, T0 + 21 * MIN, 'on_break');
    }
  });

  it('a moderator may end the break at any time', () => {
    const room = clarifyingRoom();
    const onBreak = ok(room, 'B', { type: 'flood', minutes: 60 }, T0 + MIN).room;
    const out = ok(onBreak, 'moderator', { type: 'endBreak' }, T0 + 2 * MIN);
    expect(out.room.break).toBeNull();
    expect(out.room.floor).toEqual(room.floor);
    expect(out.room.stats.B.breaks).toEqual([{ startedAt: T0 + MIN, endedAt: T0 + 2 * MIN }]);
  });

  it('resumes at the exact phase, speaker, step, turn and clarifying', () => {
    const room = clarifyingRoom();
    let onBreak = ok(room, 'A', { type: 'flood' }, T0 + MIN).room;
    // Everything but repairs and break commands waits.
    rejects(onBreak, 'A', { type: 'advance', step: 'mirror' }, T0 + 2 * MIN, 'on_break');
    onBreak = ok(onBreak, 'B', { type: 'repair', phrase: 'calm.need-break' }, T0 + 2 * MIN).room;
    onBreak = ok(onBreak, 'B', { type: 'ready' }, T0 + 3 * MIN).room;
    const back = ok(onBreak, 'A', { type: 'ready' }, T0 + 21 * MIN).room;
    expect(back.break).toBeNull();
    expect(back.phase).toBe('dialogue');
    expect(back.floor).toEqual(room.floor);
    expect(back.paused).toBe(false);
    // …and the conversation goes on from there, with the listener's mirror.
    expect(ok(back, 'A', { type: 'advance', step: 'mirror' }, T0 + 22 * MIN).room.floor).toMatchObject({ step: 'check', clarifying: true });
  });

  it('can be called during a moderator pause, and the pause outlasts it', () => {
    const room = clarifyingRoom();
    const paused = ok(room, 'moderator', { type: 'pause' }, T0).room;
    let onBreak = ok(paused, 'A', { type: 'flood' }, T0 + MIN).room;
    expect(onBreak).toMatchObject({ paused: true, break: { by: 'A' } });
    rejects(onBreak, 'A', { type: 'flood' }, T0 + MIN, 'on_break');
    onBreak = ok(onBreak, 'moderator', { type: 'setStep', step: 'mirror' }, T0 + 2 * MIN).room; // moderator commands go on
    onBreak = ok(onBreak, 'B', { type: 'ready' }, T0 + 2 * MIN).room;
    const back = ok(onBreak, 'A', { type: 'ready' }, T0 + 21 * MIN).room;
    expect(back).toMatchObject({ paused: true, break: null, phase: 'dialogue' });
    expect(back.floor).toMatchObject({ speaker: 'B', step: 'mirror', turn: 2, clarifying: false });
    rejects(back, 'A', { type: 'advance', step: 'mirror' }, T0 + 22 * MIN, 'paused');
  });

  it('can be called during check-in and during closing, which it freezes', () => {
    const checkin = ok(seated(), 'A', { type: 'checkIn', calm: 5, tendency: 'unsure', safe: true }, T0).room;
    const inCheckin = ok(checkin, 'A', { type: 'flood' }, T0).room;
    rejects(inCheckin, 'B', { type: 'checkIn', calm: 5, tendency: 'unsure', safe: true }, T0, 'on_break');
    const after = ok(ok(inCheckin, 'B', { type: 'ready' }, T0).room, 'A', { type: 'ready' }, T0 + 20 * MIN).room;
    expect(after).toMatchObject({ phase: 'checkin', break: null, floor: null });
    expect(ok(after, 'B', { type: 'checkIn', calm: 5, tendency: 'unsure', safe: true }, T0 + 21 * MIN).room.phase).toBe('dialogue');

    const closing = ok(inDialogue(), 'A', { type: 'wrapUp' }, T0).room;
    const inClosing = ok(closing, 'B', { type: 'flood' }, T0).room;
    rejects(inClosing, 'A', { type: 'proposeTime', at: new Date(T0 + DAY).toISOString() }, T0, 'on_break');
    rejects(inClosing, 'A', { type: 'acceptTime' }, T0, 'on_break');
    const endedBreak = ok(ok(inClosing, 'A', { type: 'ready' }, T0).room, 'B', { type: 'ready' }, T0 + 20 * MIN).room;
    expect(endedBreak).toMatchObject({ phase: 'closing', break: null });
  });

  it('is ended by end, from the moderator', () => {
    const onBreak = ok(inDialogue({ as: 'moderator' }), 'A', { type: 'flood' }, T0).room;
    const ended = ok(onBreak, 'moderator', { type: 'end' }, T0 + MIN).room;
    expect(ended).toMatchObject({ phase: 'ended', break: null });
    expect(ended.stats.A.breaks).toEqual([{ startedAt: T0, endedAt: T0 + MIN }]);
    expect(nextDeadline(ended)).toBeNull();
  });

  it('keeps the last breaks and the true count however many are called (a flood and endBreak loop)', () => {
    const floods = STORED_LIST_LIMIT + 50;
    let room = inDialogue({ as: 'moderator' });
    let now = T0;
    for (let i = 0; i < floods; i += 1) {
      room = ok(room, i % 10 === 0 ? 'B' : 'A', { type: 'flood' }, now).room;
      now += 1000;
      room = ok(room, 'moderator', { type: 'endBreak' }, now).room;
      now += 1000;
    }
    const byB = Math.ceil(floods / 10);
    expect(room.stats.A.breaks.length).toBeLessThanOrEqual(STORED_LIST_LIMIT);
    expect(room.stats.B.breaks.length).toBeLessThanOrEqual(STORED_LIST_LIMIT);
    expect([room.stats.A.breakCount, room.stats.B.breakCount]).toEqual([floods - byB, byB]);
    // The last break is the one kept whole, its end included.
    expect(room.stats.A.breaks.at(-1)).toEqual({ startedAt: now - 2000, endedAt: now - 1000 });
    expect(() => RoomSchema.parse(room)).not.toThrow();

    const summary = summaryOf(room, now);
    expect(() => Summary.parse(summary)).not.toThrow();
    expect(summary.partners.A).toMatchObject({ breakCount: floods - byB });
    expect(summary.partners.B).toMatchObject({ breakCount: byB, breaks: room.stats.B.breaks });
    expect(summary.partners.A.breaks).toHaveLength(STORED_LIST_LIMIT);
  });

  it('counts the breaks of a room stored before the count was kept', () => {
    const room = ok(inDialogue(), 'A', { type: 'flood' }, T0).room;
    const stored = JSON.parse(JSON.stringify(room)) as { stats: { A: Record<string, unknown>; B: Record<string, unknown> } };
    delete stored.stats.A.breakCount;
    delete stored.stats.B.breakCount;
    const loaded = RoomSchema.parse(stored);
    expect([loaded.stats.A.breakCount, loaded.stats.B.breakCount]).toEqual([1, 0]);
    expect(summaryOf(loaded, T0).partners.A.breakCount).toBe(1);
  });
});
