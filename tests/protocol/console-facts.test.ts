import { describe, expect, it } from 'vitest';
import {
  breakFacts,
  claimSeat,
  floorFacts,
  overlayOf,
  partnerFacts,
  presenceSummary,
  timelineLines,
  viewFor,
  type Room,
} from '../../protocol';
import { MIN, T0, inDialogue, newRoom, ok, seated } from './helpers';

const HERE = { A: true, B: false, moderator: true };

/** A therapist's room with both partners in dialogue: Ana (A) speaks first, Ben (B) listens. */
function talking(method: 'imago' | 'speaker-listener' = 'imago'): Room {
  return inDialogue({ as: 'moderator', method });
}

describe("the console's facts about the partners", () => {
  it('tells invited, here and away apart, and knows no name before a join', () => {
    const room = claimSeat(newRoom({ as: 'moderator' }), 'A', 'Ana', T0).room;
    const view = viewFor(room, 'moderator', T0, HERE);
    expect(partnerFacts(view, 'A')).toEqual({ seat: 'A', name: 'Ana', attendance: 'here', checkedIn: false, answer: null, unsafe: false });
    expect(partnerFacts(view, 'B')).toMatchObject({ name: null, attendance: 'invited' });
    const away = viewFor(room, 'moderator', T0, { A: false, B: false, moderator: true });
    expect(partnerFacts(away, 'A').attendance).toBe('away');
    expect(presenceSummary(view)).toEqual({ joined: 1, here: 1, unsafe: [] });
  });

  it("reads both check-in answers from the moderator's view, and flags a 'not safe' one", () => {
    let room = seated({ as: 'moderator' });
    room = ok(room, 'A', { type: 'checkIn', calm: 7, tendency: 'pursue', safe: true }, T0).room;
    room = ok(room, 'B', { type: 'checkIn', calm: 2, tendency: 'withdraw', safe: false }, T0).room;
    const view = viewFor(room, 'moderator', T0, HERE);
    expect(partnerFacts(view, 'A')).toMatchObject({ checkedIn: true, answer: { calm: 7, tendency: 'pursue', safe: true }, unsafe: false });
    expect(partnerFacts(view, 'B')).toMatchObject({ checkedIn: false, answer: { calm: 2, tendency: 'withdraw', safe: false }, unsafe: true });
    expect(presenceSummary(view).unsafe).toEqual(['B']);
    // A partner's view holds only their own answer: the facts find no one else's there.
    expect(partnerFacts(viewFor(room, 'A', T0, HERE), 'B')).toMatchObject({ answer: null, unsafe: false });
  });
});

describe("the console's facts about the floor", () => {
  it('gives the step, its actor, its place in the method and how long it has run', () => {
    let room = talking();
    room = ok(room, 'A', { type: 'advance', step: 'share' }, T0 + 1000).room;
    const facts = floorFacts(viewFor(room, 'moderator', T0 + 5000), T0 + 65_000);
    expect(facts).toMatchObject({ speaker: 'A', listener: 'B', step: 'mirror', actor: 'B', turn: 1, stepNumber: 2, since: T0 + 1000, elapsedMs: 64_000 });
    expect(facts?.steps).toHaveLength(7);
    const short = floorFacts(viewFor(talking('speaker-listener'), 'moderator', T0), T0);
    expect(short?.steps).toEqual(['share', 'mirror', 'check', 'heard']);
    // A clock a little behind the step's start shows zero, never a negative time.
    expect(floorFacts(viewFor(room, 'moderator', T0), T0)?.elapsedMs).toBe(0);
    expect(floorFacts(viewFor(seated({ as: 'moderator' }), 'moderator', T0), T0)).toBeNull();
  });

  it('names what lies over the talk: a break before a pause', () => {
    let room = talking();
    expect(overlayOf(viewFor(room, 'moderator', T0))).toBeNull();
    room = ok(room, 'moderator', { type: 'pause' }, T0).room;
    expect(overlayOf(viewFor(room, 'moderator', T0))).toBe('pause');
    room = ok(room, 'B', { type: 'flood' }, T0).room;
    expect(overlayOf(viewFor(room, 'moderator', T0))).toBe('break');
  });
});

describe("the console's facts about a break", () => {
  it('counts down to the return time, knows the minimum, the ready flags and the extensions', () => {
    let room = ok(talking(), 'B', { type: 'flood', minutes: 30 }, T0).room;
    let facts = breakFacts(viewFor(room, 'moderator', T0), T0 + 5 * MIN);
    expect(facts).toMatchObject({ by: 'B', other: 'A', returnAt: T0 + 30 * MIN, remainingMs: 25 * MIN, minimumPassed: false, extensions: 0, due: false });
    room = ok(room, 'A', { type: 'ready' }, T0 + 6 * MIN).room;
    room = ok(room, 'B', { type: 'extendBreak', minutes: 40 }, T0 + 21 * MIN).room;
    room = ok(room, 'B', { type: 'extendBreak', minutes: 50 }, T0 + 22 * MIN).room;
    facts = breakFacts(viewFor(room, 'moderator', T0), T0 + 22 * MIN);
    expect(facts).toMatchObject({ ready: { A: true, B: false }, minimumPassed: true, extensions: 2, returnAt: T0 + 72 * MIN, remainingMs: 50 * MIN });
    // Past the return time the countdown stays at zero.
    expect(breakFacts(viewFor(room, 'moderator', T0), T0 + 99 * MIN)?.remainingMs).toBe(0);
    expect(breakFacts(viewFor(talking(), 'moderator', T0), T0)).toBeNull();
  });

  it('counts only the extensions of the break that is on now', () => {
    let room = ok(talking(), 'A', { type: 'flood', minutes: 20 }, T0).room;
    room = ok(room, 'A', { type: 'extendBreak', minutes: 30 }, T0 + MIN).room;
    room = ok(room, 'moderator', { type: 'endBreak' }, T0 + 2 * MIN).room;
    room = ok(room, 'B', { type: 'flood' }, T0 + 3 * MIN).room;
    expect(breakFacts(viewFor(room, 'moderator', T0), T0 + 3 * MIN)?.extensions).toBe(0);
  });
});

describe("the console's timeline", () => {
  it('reads each move as a content-free line, newest first', () => {
    let room = talking();
    const at = (m: number): number => T0 + m * MIN;
    room = ok(room, 'A', { type: 'advance', step: 'share' }, at(1)).room;
    room = ok(room, 'B', { type: 'advance', step: 'mirror' }, at(2)).room;
    room = ok(room, 'A', { type: 'check', result: 'missed' }, at(3)).room;
    room = ok(room, 'B', { type: 'repair', phrase: 'calm.slow-down' }, at(4)).room;
    room = ok(room, 'moderator', { type: 'setStep', step: 'heard' }, at(5)).room;
    room = ok(room, 'A', { type: 'advance', step: 'heard' }, at(6)).room;
    room = ok(room, 'B', { type: 'flood', minutes: 25 }, at(7)).room;
    room = ok(room, 'moderator', { type: 'endBreak' }, at(8)).room;
    room = ok(room, 'moderator', { type: 'setFloor', speaker: 'A' }, at(9)).room;
    room = ok(room, 'moderator', { type: 'end' }, at(10)).room;
    const lines = timelineLines(viewFor(room, 'moderator', at(10)));
    expect(lines.slice(0, 11).reverse()).toEqual([
      { at: T0, what: 'dialogueStarted', who: null, speaker: 'A', turn: 1 },
      { at: at(1), what: 'shared', who: 'A', step: 'mirror', turn: 1 },
      { at: at(2), what: 'mirrored', who: 'B', step: 'check', turn: 1 },
      { at: at(3), what: 'checkMissed', who: 'A', step: 'share', turn: 1 },
      { at: at(4), what: 'repair', who: 'B', phrase: 'calm.slow-down' },
      { at: at(5), what: 'setStep', who: 'moderator', step: 'heard', turn: 1 },
      { at: at(6), what: 'floorPassed', who: 'A', speaker: 'B', turn: 2 },
      { at: at(7), what: 'flood', who: 'B', time: at(7) + 25 * MIN },
      // The therapist ended Sam's break: said as the therapist's move, of Sam's break.
      { at: at(8), what: 'breakEndedByModerator', who: 'B' },
      { at: at(9), what: 'setFloor', who: 'moderator', speaker: 'A', turn: 3 },
      { at: at(10), what: 'endedByModerator', who: 'moderator' },
    ]);
    // The beginning: the room opened by its moderator, the partners joining and checking in.
    expect(lines.slice(11).map((l) => `${l.what}:${l.who}`).reverse()).toEqual([
      'created:moderator',
      'joined:A',
      'joined:B',
      'checkedIn:A',
      'checkedIn:B',
    ]);
  });

  it("reads a break both partners ended as that partner's break ending, not as the therapist's move", () => {
    let room = ok(talking(), 'B', { type: 'flood', minutes: 20 }, T0).room;
    room = ok(room, 'A', { type: 'ready' }, T0 + 21 * MIN).room;
    room = ok(room, 'B', { type: 'ready' }, T0 + 22 * MIN).room;
    expect(room.break).toBeNull();
    expect(timelineLines(viewFor(room, 'moderator', T0 + 22 * MIN))[0]).toEqual({ at: T0 + 22 * MIN, what: 'breakEnded', who: 'B' });
  });

  it('reads every step of an imago turn by the step it ended', () => {
    let room = talking();
    room = ok(room, 'A', { type: 'advance', step: 'share' }, T0).room;
    room = ok(room, 'B', { type: 'advance', step: 'mirror' }, T0).room;
    room = ok(room, 'A', { type: 'check', result: 'more' }, T0).room;
    room = ok(room, 'A', { type: 'advance', step: 'share' }, T0).room;
    room = ok(room, 'B', { type: 'advance', step: 'mirror' }, T0).room;
    room = ok(room, 'A', { type: 'check', result: 'complete' }, T0).room;
    room = ok(room, 'B', { type: 'advance', step: 'summary' }, T0).room;
    room = ok(room, 'B', { type: 'advance', step: 'validate' }, T0).room;
    room = ok(room, 'B', { type: 'advance', step: 'empathize' }, T0).room;
    room = ok(room, 'A', { type: 'wrapUp' }, T0).room;
    const whats = timelineLines(viewFor(room, 'moderator', T0)).map((l) => l.what).reverse();
    expect(whats.slice(whats.indexOf('dialogueStarted') + 1)).toEqual([
      'shared',
      'mirrored',
      'checkMore',
      'shared',
      'mirrored',
      'checkComplete',
      'summedUp',
      'validated',
      'empathized',
      'wrapUp',
    ]);
  });
});
