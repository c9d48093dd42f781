import { describe, expect, it } from 'vitest';
import { ERROR_CODES, parseCommand, tick, type CommandErrorCode, type Room } from '../../protocol';
import { MIN, T0, inDialogue, newRoom, ok, rejects, seated } from './helpers';
import { isoToEpochMs } from '../../protocol';

/** A room in `closing`, moderated, after one full dialogue start and a wrap-up. */
function closing(): Room {
  const room = inDialogue({ as: 'moderator' });
  return ok(room, 'B', { type: 'wrapUp' }, T0).room;
}
const iso = (ms: number): string => new Date(ms).toISOString();
const parseCode = (input: unknown): CommandErrorCode | 'accepted' => {
  const parsed = parseCommand(input);
  return parsed.ok ? 'accepted' : parsed.error.code;
};

// `rate_limited` is answered by the server (per-seat and per-address limits) before a
// command reaches the parse step; the machine never sees such a command, so it is not here.
describe('every error code the machine and the parse step answer', () => {
  it('knows the twelve codes of the contract', () => {
    expect([...ERROR_CODES].sort()).toEqual(
      ['break_protected', 'ended', 'forbidden', 'invalid', 'not_your_turn', 'on_break', 'paused', 'rate_limited', 'stale', 'unknown_command', 'wrong_phase', 'wrong_step'].sort(),
    );
  });

  it('names unknown fields in a short sentence, however long or many they are', () => {
    const payload: Record<string, unknown> = { id: 'abcdefgh-9', type: 'ready' };
    for (let i = 0; i < 6; i += 1) payload[`${'x'.repeat(20_000)}${i}`] = 1;
    const parsed = parseCommand(payload);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.error.code).toBe('invalid');
    expect(parsed.error.message.length).toBeLessThan(200);
    expect(parsed.error.message).toMatch(/^Unknown field "x{40}…", "x{40}…", "x{40}…" and 3 more\.$/);
  });

  it('invalid: the payload shape, at parse', () => {
    const id = 'abcdefgh-1';
    expect(parseCode(null)).toBe('invalid');
    expect(parseCode([])).toBe('invalid');
    expect(parseCode({ id })).toBe('invalid');
    expect(parseCode({ id: 'short', type: 'ready' })).toBe('invalid');
    expect(parseCode({ id, type: 'ready', extra: 1 })).toBe('invalid');
    expect(parseCode({ id, type: 'checkIn', calm: 11, tendency: 'pursue', safe: true })).toBe('invalid');
    expect(parseCode({ id, type: 'checkIn', calm: 2.5, tendency: 'pursue', safe: true })).toBe('invalid');
    expect(parseCode({ id, type: 'flood', minutes: 30.5 })).toBe('invalid');
    expect(parseCode({ id, type: 'flood', minutes: '30' })).toBe('invalid');
    expect(parseCode({ id, type: 'extendBreak', minutes: 1e300 })).toBe('invalid');
    expect(parseCode({ id, type: 'advance', step: 'check' })).toBe('invalid');
    expect(parseCode({ id, type: 'repair', phrase: 'feel.unknown' })).toBe('invalid');
    expect(parseCode({ id, type: 'proposeTime', at: '2030-01-01 10:00' })).toBe('invalid');
    expect(parseCode({ id, type: 'coach', to: 'A', text: '   ' })).toBe('invalid');
    expect(parseCode({ id, type: 'coach', to: 'A', text: 'x'.repeat(281) })).toBe('invalid');
    expect(parseCode({ id, type: 'note', text: 'x'.repeat(2001) })).toBe('invalid');
    expect(parseCode({ id, type: 'ready', rev: -1 })).toBe('invalid');
    // The limits themselves are fine.
    expect(parseCode({ id, type: 'flood', minutes: 1440 })).toBe('accepted');
    expect(parseCode({ id, type: 'coach', to: 'both', text: 'x'.repeat(280) })).toBe('accepted');
    expect(parseCode({ id, type: 'proposeTime', at: '2030-01-01T10:00:00+02:00' })).toBe('accepted');
    // ISO 8601 allows minutes without seconds, and offsets as +hh:mm, +hhmm or +hh.
    for (const at of ['2030-01-01T10:00Z', '2030-01-01T10:00:00.5+0200', '2030-01-01T10:00+02', '2030-01-01t10:00:00z']) {
      expect(parseCode({ id, type: 'proposeTime', at }), at).toBe('accepted');
    }
    for (const at of ['2030-01-01T10:00:00', '2030-01-01', '2030-13-01T10:00Z', '2030-01-01T10:00:00+2', 'tomorrow']) {
      expect(parseCode({ id, type: 'proposeTime', at }), at).toBe('invalid');
    }
    expect(isoToEpochMs('2030-01-01T10:00+0230')).toBe(Date.UTC(2030, 0, 1, 7, 30));
    expect(isoToEpochMs('2028-02-29T23:59:59.999-14:00')).toBe(Date.UTC(2028, 2, 1, 13, 59, 59, 999));
    expect(isoToEpochMs('2030-01-01T10:00:00.123456Z')).toBe(Date.UTC(2030, 0, 1, 10, 0, 0, 123));
  });

  it('invalid: the rules that depend on the room or the clock', () => {
    const dialogue = inDialogue({ breakMinutes: 30 });
    rejects(dialogue, 'A', { type: 'flood', minutes: 29 }, T0, 'invalid');
    rejects(dialogue, 'A', { type: 'flood', minutes: 5 }, T0, 'invalid');
    const onBreak = ok(dialogue, 'A', { type: 'flood', minutes: 30 }, T0).room;
    rejects(onBreak, 'A', { type: 'extendBreak', minutes: 29 }, T0, 'invalid'); // not later
    rejects(onBreak, 'A', { type: 'extendBreak', minutes: 30 }, T0, 'invalid'); // not later either
    rejects(onBreak, 'A', { type: 'extendBreak', minutes: 1440 }, T0 + 1, 'invalid'); // past startedAt + 24 h

    const room = closing();
    rejects(room, 'A', { type: 'proposeTime', at: iso(T0) }, T0, 'invalid'); // now is not the future
    rejects(room, 'A', { type: 'proposeTime', at: iso(T0 - 1000) }, T0, 'invalid');
    rejects(room, 'A', { type: 'proposeTime', at: iso(T0 + 7 * 24 * 60 * MIN + 1) }, T0, 'invalid');
    const proposed = ok(room, 'A', { type: 'proposeTime', at: iso(T0 + 7 * 24 * 60 * MIN) }, T0).room;
    rejects(proposed, 'B', { type: 'acceptTime' }, T0 + 7 * 24 * 60 * MIN, 'invalid'); // already past

    const sl = inDialogue({ method: 'speaker-listener', as: 'moderator' });
    rejects(sl, 'moderator', { type: 'setStep', step: 'validate' }, T0, 'invalid');
  });

  it('invalid: minutes of a flood or an extension under one, whatever the break, at parse', () => {
    const id = 'abcdefgh-4';
    for (const minutes of [0, -1, -1440]) {
      expect(parseCode({ id, type: 'extendBreak', minutes }), `extendBreak ${minutes}`).toBe('invalid');
      expect(parseCode({ id, type: 'flood', minutes }), `flood ${minutes}`).toBe('invalid');
    }
    const parsed = parseCommand({ id, type: 'extendBreak', minutes: -1 });
    expect(parsed.ok ? null : parsed.error.message).toMatch(/^The field "minutes" is not valid: /);
    // Long after a break fell due, "-1 minute from now" would still lie after its return time:
    // the shape alone keeps the return time from moving back.
    const due = tick(ok(inDialogue(), 'A', { type: 'flood', minutes: 20 }, T0).room, T0 + 20 * MIN).room;
    expect(due.break?.due).toBe(true);
    expect(ok(due, 'A', { type: 'extendBreak', minutes: 1 }, T0 + 60 * MIN).room.break).toMatchObject({ returnAt: T0 + 61 * MIN, due: false });
  });

  it('invalid: a day or a time the calendar does not have, at parse', () => {
    const id = 'abcdefgh-5';
    for (const at of [
      '2026-11-31T10:00Z', // 31 November
      '2027-02-30T10:00Z',
      '2027-02-29T10:00Z', // not a leap year
      '2030-04-31T10:00:00+02:00',
      '2030-01-00T10:00Z',
      '2030-00-10T10:00Z',
      '2030-01-01T24:00Z',
      '2030-01-01T10:60Z',
      '2030-01-01T10:00:60Z',
      '2030-01-01T10:00+24:00',
      '2030-01-01T10:00+05:60',
    ]) {
      expect(parseCode({ id, type: 'proposeTime', at }), at).toBe('invalid');
      expect(Number.isNaN(isoToEpochMs(at)), at).toBe(true);
    }
    for (const at of ['2028-02-29T10:00Z', '2030-12-31T23:59:59.999Z', '2030-01-01T00:00+14:00', '2030-06-30T12:00-12:00']) {
      expect(parseCode({ id, type: 'proposeTime', at }), at).toBe('accepted');
    }
    expect(isoToEpochMs('2030-06-30T12:00-12:00')).toBe(Date.UTC(2030, 6, 1, 0, 0));
  });

  it('unknown_command: a type the protocol does not know, at parse', () => {
    expect(parseCode({ id: 'abcdefgh-1', type: 'dance' })).toBe('unknown_command');
    expect(parseCode({ id: 'abcdefgh-1', type: 'toString' })).toBe('unknown_command');
    expect(parseCode({ type: '__proto__' })).toBe('unknown_command');
  });

  it('forbidden: a seat that may never send the command', () => {
    const room = inDialogue({ as: 'moderator' });
    for (const type of ['wrapUp', 'ready', 'acceptTime'] as const) rejects(room, 'moderator', { type }, T0, 'forbidden');
    rejects(room, 'moderator', { type: 'advance', step: 'share' }, T0, 'forbidden');
    rejects(room, 'moderator', { type: 'checkIn', calm: 5, tendency: 'unsure', safe: true }, T0, 'forbidden');
    rejects(room, 'moderator', { type: 'repair', phrase: 'sorry.too-harsh' }, T0, 'forbidden');
    for (const type of ['pause', 'resume', 'endBreak'] as const) rejects(room, 'A', { type }, T0, 'forbidden');
    rejects(room, 'B', { type: 'setFloor', speaker: 'B' }, T0, 'forbidden');
    rejects(room, 'B', { type: 'coach', to: 'both', text: 'hi' }, T0, 'forbidden');
    rejects(room, 'A', { type: 'note', text: 'hi' }, T0, 'forbidden');
    // The proposer of a time may not accept it.
    const proposed = ok(closing(), 'A', { type: 'proposeTime', at: iso(T0 + 60 * MIN) }, T0).room;
    rejects(proposed, 'A', { type: 'acceptTime' }, T0, 'forbidden');
    ok(proposed, 'B', { type: 'acceptTime' }, T0);
  });

  it('not_your_turn and wrong_step', () => {
    const room = inDialogue();
    rejects(room, 'B', { type: 'advance', step: 'share' }, T0, 'not_your_turn');
    rejects(room, 'A', { type: 'advance', step: 'mirror' }, T0, 'wrong_step');
  });

  it('wrong_phase: a command with no meaning in this phase', () => {
    const lobby = newRoom({ as: 'moderator' });
    rejects(lobby, 'A', { type: 'flood' }, T0, 'wrong_phase');
    rejects(lobby, 'A', { type: 'advance', step: 'share' }, T0, 'wrong_phase');
    rejects(lobby, 'A', { type: 'wrapUp' }, T0, 'wrong_phase');
    rejects(lobby, 'A', { type: 'end' }, T0, 'wrong_phase');
    rejects(lobby, 'moderator', { type: 'pause' }, T0, 'wrong_phase');
    rejects(lobby, 'moderator', { type: 'setFloor', speaker: 'A' }, T0, 'wrong_phase');
    const checkin = seated({ as: 'moderator' });
    rejects(checkin, 'A', { type: 'wrapUp' }, T0, 'wrong_phase');
    rejects(checkin, 'A', { type: 'acceptTime' }, T0, 'wrong_phase'); // nothing proposed
    rejects(checkin, 'moderator', { type: 'setStep', step: 'share' }, T0, 'wrong_phase');
    const dialogue = inDialogue({ as: 'moderator' });
    rejects(dialogue, 'A', { type: 'ready' }, T0, 'wrong_phase'); // no break
    rejects(dialogue, 'A', { type: 'extendBreak', minutes: 30 }, T0, 'wrong_phase');
    rejects(dialogue, 'moderator', { type: 'endBreak' }, T0, 'wrong_phase');
    rejects(dialogue, 'A', { type: 'checkIn', calm: 3, tendency: 'pursue', safe: true }, T0, 'wrong_phase');
    rejects(dialogue, 'A', { type: 'proposeTime', at: iso(T0 + MIN) }, T0, 'wrong_phase');
    rejects(dialogue, 'B', { type: 'end' }, T0, 'wrong_phase');
    const closed = closing();
    rejects(closed, 'A', { type: 'wrapUp' }, T0, 'wrong_phase');
    rejects(closed, 'A', { type: 'advance', step: 'share' }, T0, 'wrong_phase');
    rejects(closed, 'A', { type: 'check', result: 'more' }, T0, 'wrong_phase');
    rejects(closed, 'moderator', { type: 'setFloor', speaker: 'A' }, T0, 'wrong_phase');
  });

  it('on_break: partner commands during a break, a second flood included', () => {
    const room = ok(inDialogue(), 'A', { type: 'flood' }, T0).room;
    for (const seat of ['A', 'B'] as const) {
      rejects(room, seat, { type: 'flood' }, T0, 'on_break');
      rejects(room, seat, { type: 'advance', step: 'share' }, T0, 'on_break');
      rejects(room, seat, { type: 'wrapUp' }, T0, 'on_break'); // not yet due
    }
    const closingBreak = ok(closing(), 'B', { type: 'flood' }, T0).room;
    rejects(closingBreak, 'A', { type: 'end' }, T0, 'on_break');
    rejects(closingBreak, 'A', { type: 'proposeTime', at: iso(T0 + 90 * MIN) }, T0, 'on_break');
  });

  it('break_protected: only the caller extends, and the caller is ready only after the minimum', () => {
    const room = ok(inDialogue(), 'A', { type: 'flood', minutes: 30 }, T0).room;
    rejects(room, 'B', { type: 'extendBreak', minutes: 60 }, T0, 'break_protected');
    rejects(room, 'A', { type: 'ready' }, T0 + 20 * MIN - 1, 'break_protected');
    ok(room, 'A', { type: 'ready' }, T0 + 20 * MIN);
  });

  it('paused: partner commands during a moderator pause, but flood, ready, extendBreak and repair', () => {
    const room = ok(inDialogue({ as: 'moderator' }), 'moderator', { type: 'pause' }, T0).room;
    rejects(room, 'A', { type: 'advance', step: 'share' }, T0, 'paused');
    rejects(room, 'B', { type: 'wrapUp' }, T0, 'paused');
    ok(room, 'B', { type: 'repair', phrase: 'calm.breathe' }, T0);
    ok(room, 'B', { type: 'flood' }, T0);
    const moderatorStillWorks = ok(room, 'moderator', { type: 'setStep', step: 'mirror' }, T0).room;
    expect(moderatorStillWorks.floor?.step).toBe('mirror');
  });

  it('stale: a command decided on an older revision', () => {
    const room = inDialogue();
    expect(room.rev).toBeGreaterThan(0);
    rejects(room, 'A', { type: 'advance', step: 'share', rev: room.rev - 1 }, T0, 'stale');
    rejects(room, 'A', { type: 'advance', step: 'share', rev: room.rev + 1 }, T0, 'stale');
    expect(ok(room, 'A', { type: 'advance', step: 'share', rev: room.rev }, T0).room.rev).toBe(room.rev + 1);
  });

  it('ended: nothing changes any more, for any seat', () => {
    const room = ok(inDialogue({ as: 'moderator' }), 'moderator', { type: 'end' }, T0).room;
    expect(room.phase).toBe('ended');
    rejects(room, 'A', { type: 'repair', phrase: 'appreciate.thank-you' }, T0, 'ended');
    rejects(room, 'B', { type: 'end' }, T0, 'ended');
    rejects(room, 'moderator', { type: 'end' }, T0, 'ended');
    rejects(room, 'moderator', { type: 'resume' }, T0, 'ended');
    rejects(room, 'moderator', { type: 'note', text: 'after' }, T0, 'ended');
  });
});

describe('the precedence order where several codes apply', () => {
  const breakAndPause = (): Room => {
    let room = inDialogue({ as: 'moderator' });
    room = ok(room, 'moderator', { type: 'pause' }, T0).room;
    return ok(room, 'A', { type: 'flood', minutes: 30 }, T0).room;
  };

  it('minutes out of bounds are a room rule, last: a second flood is on_break, another partner\'s extension break_protected', () => {
    // Whole numbers are the shape; the minimum and the 24 h cap are rules of the room.
    // Whole numbers of at least one minute are the shape; the minimum and the 24 h cap are rules of the room.
    expect(parseCode({ id: 'abcdefgh-2', type: 'flood', minutes: 5000 })).toBe('accepted');
    expect(parseCode({ id: 'abcdefgh-2', type: 'extendBreak', minutes: 1 })).toBe('accepted');
    const onBreak = breakAndPause();
    rejects(onBreak, 'A', { type: 'flood', minutes: 5000 }, T0 + 1, 'on_break');
    rejects(onBreak, 'B', { type: 'flood', minutes: 1 }, T0 + 1, 'on_break');
    rejects(onBreak, 'B', { type: 'extendBreak', minutes: 5000 }, T0 + 1, 'break_protected');
    rejects(onBreak, 'A', { type: 'extendBreak', minutes: 5000 }, T0 + 1, 'invalid');
    rejects(onBreak, 'A', { type: 'extendBreak', minutes: 1 }, T0 + 1, 'invalid');
    const noBreak = inDialogue();
    rejects(noBreak, 'A', { type: 'extendBreak', minutes: 1 }, T0, 'wrong_phase');
    rejects(noBreak, 'A', { type: 'flood', minutes: 1441 }, T0, 'invalid');
    rejects(noBreak, 'A', { type: 'flood', minutes: 4 }, T0, 'invalid');
  });

  it('stale before forbidden and ended', () => {
    const room = inDialogue({ as: 'moderator' });
    rejects(room, 'moderator', { type: 'advance', step: 'share', rev: 0 }, T0, 'stale');
    const ended = ok(room, 'moderator', { type: 'end' }, T0).room;
    rejects(ended, 'A', { type: 'ready', rev: 0 }, T0, 'stale');
  });

  it('forbidden before ended and on_break', () => {
    const room = ok(inDialogue({ as: 'moderator' }), 'moderator', { type: 'end' }, T0).room;
    rejects(room, 'A', { type: 'pause' }, T0, 'forbidden');
    rejects(room, 'moderator', { type: 'wrapUp' }, T0, 'forbidden');
    let proposer = ok(closing(), 'A', { type: 'proposeTime', at: iso(T0 + 60 * MIN) }, T0).room;
    proposer = ok(proposer, 'B', { type: 'flood' }, T0).room;
    rejects(proposer, 'A', { type: 'acceptTime' }, T0, 'forbidden');
    rejects(proposer, 'B', { type: 'acceptTime' }, T0, 'on_break');
  });

  it('ended before wrong_phase and not_your_turn', () => {
    const room = ok(closing(), 'A', { type: 'end' }, T0).room;
    rejects(room, 'A', { type: 'advance', step: 'share' }, T0, 'ended');
    rejects(room, 'B', { type: 'ready' }, T0, 'ended');
    rejects(room, 'moderator', { type: 'endBreak' }, T0, 'ended');
  });

  it('on_break before paused, wrong_phase, not_your_turn and invalid', () => {
    const room = breakAndPause();
    rejects(room, 'B', { type: 'advance', step: 'share' }, T0, 'on_break'); // also paused and not B's turn
    rejects(room, 'A', { type: 'checkIn', calm: 5, tendency: 'pursue', safe: true }, T0, 'on_break'); // also wrong_phase
    rejects(room, 'B', { type: 'flood', minutes: 1 }, T0, 'on_break'); // also under the minimum
  });

  it('paused before wrong_phase and invalid', () => {
    const room = ok(inDialogue({ as: 'moderator' }), 'moderator', { type: 'pause' }, T0).room;
    rejects(room, 'A', { type: 'proposeTime', at: iso(T0 - 1) }, T0, 'paused'); // also wrong_phase and past
    rejects(room, 'A', { type: 'end' }, T0, 'paused');
    rejects(room, 'B', { type: 'advance', step: 'mirror' }, T0, 'paused'); // also not B's turn
  });

  it('wrong_phase before invalid', () => {
    const lobby = newRoom();
    rejects(lobby, 'A', { type: 'flood', minutes: 1 }, T0, 'wrong_phase'); // also under the minimum
    rejects(inDialogue(), 'B', { type: 'extendBreak', minutes: 1 }, T0, 'wrong_phase');
  });

  it('break_protected before invalid', () => {
    const room = ok(inDialogue(), 'A', { type: 'flood', minutes: 30 }, T0).room;
    rejects(room, 'B', { type: 'extendBreak', minutes: 1440 }, T0 + 10, 'break_protected'); // also past 24 h
    rejects(room, 'B', { type: 'extendBreak', minutes: 1 }, T0, 'break_protected'); // also not later
  });

  it('not_your_turn before wrong_step', () => {
    const room = inDialogue();
    rejects(room, 'B', { type: 'advance', step: 'heard' }, T0, 'not_your_turn');
    rejects(room, 'B', { type: 'check', result: 'complete' }, T0, 'not_your_turn');
  });
});
