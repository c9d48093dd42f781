import { describe, expect, it } from 'vitest';
import {
  StateView,
  Summary,
  claimSeat,
  nextDeadline,
  summaryOf,
  tick,
  viewFor,
  type CommandInput,
  type Room,
  type SeatId,
} from '../../protocol';
import { T0, newRoom, ok } from './helpers';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Plays one accepted command and checks how `rev` moved. */
function step(room: Room, seat: SeatId, input: CommandInput, at: number, revDelta: 0 | 1): Room {
  const out = ok(room, seat, input, T0 + at);
  expect(out.room.rev, `${seat} ${input.type} at +${at}`).toBe(room.rev + revDelta);
  for (const s of ['A', 'B', 'moderator'] as const) {
    if (out.room.seats.moderator === null && s === 'moderator') continue;
    expect(() => StateView.parse(viewFor(out.room, s, T0 + at))).not.toThrow();
  }
  return out.room;
}

describe('a full imago session', () => {
  it('runs from the lobby to the end, with views, rev and summary as the contract says', () => {
    let room = newRoom({ method: 'imago', topic: '  Sundays  ' });
    expect(room.rev).toBe(0);
    expect(viewFor(room, 'A', T0)).toMatchObject({ phase: 'lobby', topic: 'Sundays', floor: null, you: 'A', settings: { breakMinutes: 20 } });
    expect(viewFor(room, 'A', T0).seats).toEqual({
      A: { name: 'Ana', joined: true, online: false, checkedIn: false },
      B: { name: null, joined: false, online: false, checkedIn: false },
      moderator: null,
    });

    // A can check in while waiting in the lobby (a visible "done"); the lobby does not move on by itself.
    room = step(room, 'A', { type: 'checkIn', calm: 7, tendency: 'pursue', safe: true }, 500, 1);
    expect(room.phase).toBe('lobby');

    const joined = claimSeat(room, 'B', ' Ben ', T0 + 1000);
    expect(joined.room.rev).toBe(room.rev + 1);
    room = joined.room;
    expect(room.phase).toBe('checkin');
    expect(viewFor(room, 'B', T0 + 1000).seats.B.name).toBe('Ben');
    expect(viewFor(room, 'B', T0 + 1000).seats.A.checkedIn).toBe(true);
    expect(viewFor(room, 'B', T0 + 1000).checkin).toBeNull();

    // B first says they do not feel safe: private, no rev, no event; A sees "not checked in yet".
    const revBefore = room.rev;
    room = step(room, 'B', { type: 'checkIn', calm: 3, tendency: 'withdraw', safe: false }, 3000, 0);
    expect(room.phase).toBe('checkin');
    expect(viewFor(room, 'A', T0 + 3000).seats.B.checkedIn).toBe(false);
    expect(viewFor(room, 'B', T0 + 3000).checkin).toEqual({ calm: 3, tendency: 'withdraw', safe: false });
    room = step(room, 'B', { type: 'checkIn', calm: 5, tendency: 'withdraw', safe: true }, 4000, 1);
    expect(room.rev).toBe(revBefore + 1);
    expect(room.phase).toBe('dialogue');
    expect(viewFor(room, 'B', T0 + 4000).floor).toEqual({ speaker: 'A', listener: 'B', step: 'share', turn: 1, clarifying: false, stepSince: T0 + 4000 });

    // Turn 1: A speaks, a mirror is missed once.
    room = step(room, 'A', { type: 'advance', step: 'share' }, 64_000, 1);
    room = step(room, 'B', { type: 'advance', step: 'mirror' }, 70_000, 1);
    room = step(room, 'A', { type: 'check', result: 'missed' }, 75_000, 1);
    expect(viewFor(room, 'B', T0 + 75_000).floor).toMatchObject({ step: 'share', clarifying: true, turn: 1 });
    room = step(room, 'A', { type: 'advance', step: 'share' }, 105_000, 1);
    room = step(room, 'B', { type: 'advance', step: 'mirror' }, 110_000, 1);
    room = step(room, 'A', { type: 'check', result: 'complete' }, 115_000, 1);
    expect(room.floor).toMatchObject({ step: 'summary', clarifying: false });
    room = step(room, 'B', { type: 'advance', step: 'summary' }, 120_000, 1);
    room = step(room, 'B', { type: 'advance', step: 'validate' }, 125_000, 1);
    room = step(room, 'B', { type: 'advance', step: 'empathize' }, 130_000, 1);
    room = step(room, 'A', { type: 'advance', step: 'heard' }, 135_000, 1);

    // Turn 2: B speaks; A sends a repair on the way, which does not touch the floor.
    expect(viewFor(room, 'A', T0 + 135_000).floor).toMatchObject({ speaker: 'B', listener: 'A', step: 'share', turn: 2 });
    const floorBefore = room.floor;
    room = step(room, 'A', { type: 'repair', phrase: 'sorry.too-harsh' }, 145_000, 1);
    expect(room.floor).toEqual(floorBefore);
    expect(viewFor(room, 'B', T0 + 145_000).repairs).toEqual([{ at: T0 + 145_000, by: 'A', phrase: 'sorry.too-harsh' }]);
    expect(summaryOf(room, T0 + 150_000).partners.B.floorMs).toBe(15_000); // the running share time counts
    room = step(room, 'B', { type: 'advance', step: 'share' }, 175_000, 1);
    room = step(room, 'A', { type: 'advance', step: 'mirror' }, 180_000, 1);
    room = step(room, 'B', { type: 'check', result: 'complete' }, 185_000, 1);
    room = step(room, 'A', { type: 'advance', step: 'summary' }, 190_000, 1);
    room = step(room, 'A', { type: 'advance', step: 'validate' }, 195_000, 1);
    room = step(room, 'A', { type: 'advance', step: 'empathize' }, 200_000, 1);
    room = step(room, 'B', { type: 'advance', step: 'heard' }, 205_000, 1);

    // Turn 3: A shares, then B wraps up during the mirror.
    room = step(room, 'A', { type: 'advance', step: 'share' }, 225_000, 1);
    room = step(room, 'B', { type: 'wrapUp' }, 230_000, 1);
    expect(viewFor(room, 'A', T0 + 230_000)).toMatchObject({ phase: 'closing', floor: null });

    // Closing: an appointment proposed by A, accepted by B; A ends.
    const at = T0 + 2 * 24 * 3600_000;
    room = step(room, 'A', { type: 'proposeTime', at: iso(at) }, 240_000, 1);
    expect(viewFor(room, 'B', T0 + 240_000).appointment).toEqual({ at, by: 'A', accepted: false });
    room = step(room, 'B', { type: 'acceptTime' }, 250_000, 1);
    room = step(room, 'B', { type: 'acceptTime' }, 251_000, 0); // a second accept changes nothing
    room = step(room, 'A', { type: 'end' }, 260_000, 1);
    expect(room.rev).toBe(26);

    const view = viewFor(room, 'B', T0 + 300_000);
    expect(view).toMatchObject({ phase: 'ended', floor: null, break: null, paused: false, rev: 26, appointment: { at, by: 'A', accepted: true } });
    expect(view.timeline.map((e) => e.kind)).toEqual([
      'created', 'checkedIn', 'joined', 'checkedIn', 'dialogueStarted',
      'step', 'step', 'step', 'step', 'step', 'step', 'step', 'step', 'step', 'floorPassed',
      'repair', 'step', 'step', 'step', 'step', 'step', 'step', 'floorPassed',
      'step', 'wrapUp', 'timeProposed', 'timeAccepted', 'ended',
    ]);

    const summary = summaryOf(room, T0 + 999_000);
    expect(Summary.parse(summary)).toEqual(summary);
    expect(summary).toEqual({
      roomId: room.id,
      method: 'imago',
      createdAt: T0,
      dialogueStartedAt: T0 + 4000,
      endedAt: T0 + 260_000,
      appointment: { at, by: 'A', accepted: true },
      partners: {
        A: { floorMs: 60_000 + 30_000 + 20_000, turns: 2, missedMirrors: 0, breaks: [], breakCount: 0, repairs: 1 },
        B: { floorMs: 40_000, turns: 1, missedMirrors: 1, breaks: [], breakCount: 0, repairs: 0 },
      },
    });
  });
});

describe('a full speaker-listener session with a moderator, a pause and a break', () => {
  it('runs from the lobby to the end; breaks and pauses do not count as floor time', () => {
    // Time scale 60: a protocol minute lasts one second, so a 10-minute break lasts 10 s.
    let room = newRoom({ method: 'speaker-listener', as: 'moderator', firstSpeaker: 'B', breakMinutes: 10, minuteMs: 1000 });
    expect(room.seats.moderator).toEqual({ name: 'Ana', joined: true });
    expect(room.seats.A.joined).toBe(false);
    room = claimSeat(room, 'A', 'Ari', T0 + 100).room;
    expect(room.phase).toBe('lobby');
    room = claimSeat(room, 'B', 'Bo', T0 + 200).room;
    expect(room).toMatchObject({ phase: 'checkin', rev: 2 });
    room = step(room, 'A', { type: 'checkIn', calm: 8, tendency: 'unsure', safe: true }, 300, 1);
    expect(viewFor(room, 'moderator', T0 + 300).checkin).toEqual({ A: { calm: 8, tendency: 'unsure', safe: true }, B: null });
    room = step(room, 'B', { type: 'checkIn', calm: 2, tendency: 'pursue', safe: true }, 400, 1);
    expect(room.floor).toMatchObject({ speaker: 'B', step: 'share', turn: 1 });

    // Turn 1 (B): a pause and a break lie over B's share.
    room = step(room, 'moderator', { type: 'pause' }, 10_400, 1);
    room = step(room, 'moderator', { type: 'pause' }, 10_500, 0);
    room = step(room, 'moderator', { type: 'resume' }, 15_400, 1);
    room = step(room, 'A', { type: 'flood' }, 20_400, 1);
    expect(viewFor(room, 'B', T0 + 20_400).break).toEqual({
      by: 'A', startedAt: T0 + 20_400, minUntil: T0 + 30_400, returnAt: T0 + 30_400, due: false, ready: { A: false, B: false },
    });
    expect(nextDeadline(room)).toBe(T0 + 30_400);
    expect(tick(room, T0 + 30_399).changed).toBe(false);
    const due = tick(room, T0 + 30_400);
    expect(due.room.rev).toBe(room.rev + 1);
    room = due.room;
    expect(room.break?.due).toBe(true);
    expect(nextDeadline(room)).toBeNull();
    room = step(room, 'B', { type: 'ready' }, 31_000, 1);
    room = step(room, 'A', { type: 'ready' }, 31_000, 1);
    expect(room.break).toBeNull();
    expect(room.floor).toMatchObject({ speaker: 'B', step: 'share', turn: 1, clarifying: false });
    room = step(room, 'B', { type: 'advance', step: 'share' }, 41_000, 1);
    room = step(room, 'A', { type: 'advance', step: 'mirror' }, 42_000, 1);
    room = step(room, 'B', { type: 'check', result: 'complete' }, 43_000, 1);
    expect(room.floor?.step).toBe('heard');
    room = step(room, 'B', { type: 'advance', step: 'heard' }, 44_000, 1);

    // Turn 2 (A): coaching, a missed mirror, then the moderator gives B the floor.
    room = step(room, 'moderator', { type: 'coach', to: 'both', text: 'Short parts, please.' }, 45_000, 1);
    room = step(room, 'moderator', { type: 'coach', to: 'A', text: 'Slower.' }, 46_000, 0);
    expect(viewFor(room, 'A', T0 + 46_000).coach).toEqual([{ at: T0 + 45_000, text: 'Short parts, please.' }, { at: T0 + 46_000, text: 'Slower.' }]);
    expect(viewFor(room, 'B', T0 + 46_000).coach).toEqual([{ at: T0 + 45_000, text: 'Short parts, please.' }]);
    room = step(room, 'A', { type: 'advance', step: 'share' }, 54_000, 1);
    room = step(room, 'B', { type: 'advance', step: 'mirror' }, 55_000, 1);
    room = step(room, 'A', { type: 'check', result: 'missed' }, 56_000, 1);
    room = step(room, 'moderator', { type: 'setFloor', speaker: 'B' }, 60_000, 1);
    expect(room.floor).toEqual({ speaker: 'B', step: 'share', turn: 3, clarifying: false, stepSince: T0 + 60_000 });
    room = step(room, 'B', { type: 'wrapUp' }, 70_000, 1);

    const at = T0 + 3 * 24 * 3600_000;
    room = step(room, 'B', { type: 'proposeTime', at: iso(at) }, 71_000, 1);
    room = step(room, 'A', { type: 'acceptTime' }, 72_000, 1);
    room = step(room, 'moderator', { type: 'note', text: 'They did well.' }, 73_000, 0);
    room = step(room, 'B', { type: 'end' }, 74_000, 1);
    expect(room.rev).toBe(23);
    expect(viewFor(room, 'moderator', T0 + 74_000)).toMatchObject({ phase: 'ended', notes: [{ at: T0 + 73_000, text: 'They did well.' }] });
    expect(viewFor(room, 'A', T0 + 74_000).notes).toEqual([]);

    expect(summaryOf(room, T0 + 100_000)).toEqual({
      roomId: room.id,
      method: 'speaker-listener',
      createdAt: T0,
      dialogueStartedAt: T0 + 400,
      endedAt: T0 + 74_000,
      appointment: { at, by: 'B', accepted: true },
      partners: {
        A: { floorMs: 10_000 + 4000, turns: 1, missedMirrors: 0, breaks: [{ startedAt: T0 + 20_400, endedAt: T0 + 31_000 }], breakCount: 1, repairs: 0 },
        B: { floorMs: 10_000 + 5000 + 10_000 + 10_000, turns: 2, missedMirrors: 1, breaks: [], breakCount: 0, repairs: 0 },
      },
    });
  });
});
