import { describe, expect, it } from 'vitest';
import { actorOf, allowedCommands, parseCommand, viewFor, type Method, type Partner, type Room, type Step } from '../../protocol';
import { MIN, T0, ok, rejects, roomFor } from './helpers';

const other = (p: Partner): Partner => (p === 'A' ? 'B' : 'A');

/** Moves the floor from `share` to `target` by the actors' own commands (the path of the step table). */
function walkTo(room: Room, target: Step, now: number): Room {
  const path: Record<Method, Step[]> = {
    imago: ['share', 'mirror', 'check', 'summary', 'validate', 'empathize', 'heard'],
    'speaker-listener': ['share', 'mirror', 'check', 'heard'],
  };
  let r = room;
  for (const step of path[r.method]) {
    if (r.floor!.step === target) return r;
    const actor = actorOf(r.floor!);
    r = step === 'check'
      ? ok(r, actor, { type: 'check', result: 'complete' }, now).room
      : ok(r, actor, { type: 'advance', step: step as Exclude<Step, 'check'> }, now).room;
  }
  expect(r.floor!.step).toBe(target);
  return r;
}

type Row = { step: Step; actor: 'speaker' | 'listener'; next: Step };
const ROWS: Record<Method, Row[]> = {
  imago: [
    { step: 'share', actor: 'speaker', next: 'mirror' },
    { step: 'mirror', actor: 'listener', next: 'check' },
    { step: 'summary', actor: 'listener', next: 'validate' },
    { step: 'validate', actor: 'listener', next: 'empathize' },
    { step: 'empathize', actor: 'listener', next: 'heard' },
  ],
  'speaker-listener': [
    { step: 'share', actor: 'speaker', next: 'mirror' },
    { step: 'mirror', actor: 'listener', next: 'check' },
  ],
};

describe.each(['imago', 'speaker-listener'] as const)('the step table, %s', (method) => {
  const start = (firstSpeaker: Partner = 'A') => roomFor(method, { firstSpeaker });

  it('starts the dialogue on share, turn 1, the first speaker holding the floor', () => {
    for (const first of ['A', 'B'] as const) {
      const room = start(first);
      expect(room.floor).toMatchObject({ speaker: first, step: 'share', turn: 1, clarifying: false, stepSince: T0 });
      expect(viewFor(room, other(first), T0).floor).toMatchObject({ speaker: first, listener: other(first) });
    }
  });

  for (const row of ROWS[method]) {
    it(`${row.step}: the ${row.actor}'s advance moves on to ${row.next}; the other partner gets not_your_turn`, () => {
      const room = walkTo(start('B'), row.step, T0);
      const actor: Partner = row.actor === 'speaker' ? 'B' : 'A';
      const later = T0 + MIN;
      rejects(room, other(actor), { type: 'advance', step: row.step as Exclude<Step, 'check'> }, later, 'not_your_turn');
      const out = ok(room, actor, { type: 'advance', step: row.step as Exclude<Step, 'check'> }, later);
      expect(out.room.floor).toEqual({ ...room.floor, step: row.next, stepSince: later });
      expect(out.room.rev).toBe(room.rev + 1);
      expect(out.events).toEqual([{ at: later, kind: 'step', by: actor, step: row.next, turn: 1 }]);
      // A double tap on the same step is refused harmlessly, by the turn or by the step.
      const again = ok(room, actor, { type: 'advance', step: row.step as Exclude<Step, 'check'> }, later).room;
      const tap = actorOf(again.floor!) === actor ? 'wrong_step' : 'not_your_turn';
      rejects(again, actor, { type: 'advance', step: row.step as Exclude<Step, 'check'> }, later + 1, tap);
    });
  }

  it.each([
    ['missed', 'share', true],
    ['more', 'share', false],
    ['complete', method === 'imago' ? 'summary' : 'heard', false],
  ] as const)('check: the speaker answers %s and the floor moves to %s (clarifying %s)', (result, next, clarifying) => {
    const room = walkTo(start('A'), 'check', T0);
    rejects(room, 'B', { type: 'check', result }, T0 + 1, 'not_your_turn');
    const out = ok(room, 'A', { type: 'check', result }, T0 + 1);
    expect(out.room.floor).toEqual({ speaker: 'A', step: next, turn: 1, clarifying, stepSince: T0 + 1 });
    expect(out.room.rev).toBe(room.rev + 1);
    expect(out.events).toEqual([{ at: T0 + 1, kind: 'step', by: 'A', result, step: next, turn: 1 }]);
    expect(out.room.stats.B.missedMirrors).toBe(result === 'missed' ? 1 : 0);
  });

  it('check: an advance naming check is a shape error, and check outside the check step is wrong_step', () => {
    const room = walkTo(start('A'), 'check', T0);
    expect(allowedCommands(room, 'A', T0)).toContain('check');
    const parsed = parseCommand({ id: 'advance-check-1', type: 'advance', step: 'check' });
    expect(parsed.ok ? 'accepted' : parsed.error.code).toBe('invalid');
    const share = start('A');
    rejects(share, 'A', { type: 'check', result: 'complete' }, T0, 'wrong_step');
    rejects(share, 'B', { type: 'check', result: 'complete' }, T0, 'not_your_turn');
  });

  it('clarifying stays on from a missed check through share and mirror until the next check', () => {
    let room = walkTo(start('A'), 'check', T0);
    room = ok(room, 'A', { type: 'check', result: 'missed' }, T0).room;
    room = ok(room, 'A', { type: 'advance', step: 'share' }, T0).room;
    expect(room.floor).toMatchObject({ step: 'mirror', clarifying: true });
    room = ok(room, 'B', { type: 'advance', step: 'mirror' }, T0).room;
    expect(room.floor).toMatchObject({ step: 'check', clarifying: true });
    room = ok(room, 'A', { type: 'check', result: 'more' }, T0).room;
    expect(room.floor).toMatchObject({ step: 'share', clarifying: false });
  });

  it('heard: the speaker hands the floor over; roles swap, share, turn + 1', () => {
    const room = walkTo(start('A'), 'heard', T0);
    rejects(room, 'B', { type: 'advance', step: 'heard' }, T0 + 5, 'not_your_turn');
    rejects(room, 'A', { type: 'advance', step: 'share' }, T0 + 5, 'wrong_step');
    const out = ok(room, 'A', { type: 'advance', step: 'heard' }, T0 + 5);
    expect(out.room.floor).toEqual({ speaker: 'B', step: 'share', turn: 2, clarifying: false, stepSince: T0 + 5 });
    expect(out.events).toEqual([{ at: T0 + 5, kind: 'floorPassed', by: 'A', speaker: 'B', turn: 2 }]);
    expect(out.room.stats.B.turns).toBe(1);
    expect(out.room.stats.A.turns).toBe(1);
    expect(viewFor(out.room, 'A', T0 + 5).floor).toMatchObject({ speaker: 'B', listener: 'A' });
  });

  it('steps of the other method are wrong_step, never a move', () => {
    const room = walkTo(start('A'), 'heard', T0);
    if (method === 'speaker-listener') {
      rejects(room, 'B', { type: 'advance', step: 'summary' }, T0, 'not_your_turn');
      rejects(room, 'A', { type: 'advance', step: 'empathize' }, T0, 'wrong_step');
    } else {
      rejects(room, 'A', { type: 'advance', step: 'mirror' }, T0, 'wrong_step');
    }
  });
});
