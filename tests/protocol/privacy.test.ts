import { describe, expect, it } from 'vitest';
import { viewFor, visibleFingerprint, type Room } from '../../protocol';
import { T0, inDialogue, ok, seated } from './helpers';

describe('private check-in', () => {
  it('never shows a partner the other\'s answers, shows safe:false as not checked in, and shows the moderator both', () => {
    let room = seated({ as: 'moderator' });
    room = ok(room, 'A', { type: 'checkIn', calm: 9, tendency: 'pursue', safe: false }, T0).room;
    room = ok(room, 'B', { type: 'checkIn', calm: 2, tendency: 'withdraw', safe: true }, T0).room;

    const a = viewFor(room, 'A', T0);
    const b = viewFor(room, 'B', T0);
    const m = viewFor(room, 'moderator', T0);
    expect(a.checkin).toEqual({ calm: 9, tendency: 'pursue', safe: false });
    expect(b.checkin).toEqual({ calm: 2, tendency: 'withdraw', safe: true });
    expect(m.checkin).toEqual({ A: { calm: 9, tendency: 'pursue', safe: false }, B: { calm: 2, tendency: 'withdraw', safe: true } });
    for (const view of [a, b, m]) {
      expect(view.seats.A.checkedIn).toBe(false);
      expect(view.seats.B.checkedIn).toBe(true);
    }
    // Nothing else in B's view carries A's answer.
    const bText = JSON.stringify(b);
    expect(bText).not.toContain('pursue');
    expect(bText).not.toContain('"calm":9');
    expect(JSON.stringify(a)).not.toContain('withdraw');
    expect(room.phase).toBe('checkin');
  });

  it('keeps rev and B\'s view unchanged for a change of answer that is not a visible "done"', () => {
    let room = seated();
    room = ok(room, 'A', { type: 'checkIn', calm: 4, tendency: 'unsure', safe: false }, T0).room;
    const seen = visibleFingerprint(room, 'B');
    const out = ok(room, 'A', { type: 'checkIn', calm: 1, tendency: 'withdraw', safe: false }, T0 + 1);
    expect(out.changed).toBe(true);
    expect(out.events).toEqual([]);
    expect(out.room.rev).toBe(room.rev);
    expect(visibleFingerprint(out.room, 'B')).toBe(seen);
    expect(visibleFingerprint(out.room, 'A')).not.toBe(visibleFingerprint(room, 'A'));

    // Turning a done check-in back into "not safe" is visible as "not checked in yet" again.
    const done = ok(room, 'A', { type: 'checkIn', calm: 6, tendency: 'unsure', safe: true }, T0 + 2);
    expect(done.room.rev).toBe(room.rev + 1);
    expect(done.events).toEqual([{ at: T0 + 2, kind: 'checkedIn', by: 'A' }]);
    const undone = ok(done.room, 'A', { type: 'checkIn', calm: 6, tendency: 'unsure', safe: false }, T0 + 3);
    expect(viewFor(undone.room, 'B', T0 + 3).seats.A.checkedIn).toBe(false);
    expect(undone.events).toEqual([]);
    // Changing a safe answer's figures stays private.
    const tweak = ok(done.room, 'A', { type: 'checkIn', calm: 7, tendency: 'pursue', safe: true }, T0 + 3);
    expect(tweak.room.rev).toBe(done.room.rev);
    expect(visibleFingerprint(tweak.room, 'B')).toBe(visibleFingerprint(done.room, 'B'));
  });
});

describe('coach lines and notes', () => {
  const base = (): Room => inDialogue({ as: 'moderator' });

  it('shows a coach line only to its recipients and the moderator', () => {
    let room = base();
    const toA = ok(room, 'moderator', { type: 'coach', to: 'A', text: 'for A' }, T0 + 1);
    expect(toA.room.rev).toBe(room.rev);
    expect(toA.events).toEqual([]);
    expect(visibleFingerprint(toA.room, 'B')).toBe(visibleFingerprint(room, 'B'));
    room = toA.room;
    room = ok(room, 'moderator', { type: 'coach', to: 'B', text: 'for B' }, T0 + 2).room;
    const both = ok(room, 'moderator', { type: 'coach', to: 'both', text: 'for both' }, T0 + 3);
    expect(both.room.rev).toBe(room.rev + 1);
    room = both.room;
    expect(viewFor(room, 'A', T0).coach).toEqual([{ at: T0 + 1, text: 'for A' }, { at: T0 + 3, text: 'for both' }]);
    expect(viewFor(room, 'B', T0).coach).toEqual([{ at: T0 + 2, text: 'for B' }, { at: T0 + 3, text: 'for both' }]);
    expect(viewFor(room, 'moderator', T0).coach).toEqual([
      { at: T0 + 1, to: 'A', text: 'for A' },
      { at: T0 + 2, to: 'B', text: 'for B' },
      { at: T0 + 3, to: 'both', text: 'for both' },
    ]);
    expect(JSON.stringify(viewFor(room, 'B', T0))).not.toContain('for A');
  });

  it('shows notes only to the moderator, and keeps rev', () => {
    const room = base();
    const out = ok(room, 'moderator', { type: 'note', text: 'secret observation' }, T0 + 5);
    expect(out.room.rev).toBe(room.rev);
    expect(out.changed).toBe(true);
    expect(viewFor(out.room, 'moderator', T0).notes).toEqual([{ at: T0 + 5, text: 'secret observation' }]);
    for (const seat of ['A', 'B'] as const) {
      expect(viewFor(out.room, seat, T0).notes).toEqual([]);
      expect(JSON.stringify(viewFor(out.room, seat, T0))).not.toContain('secret observation');
    }
  });

  it('carries at most the last 50 entries of each list in a view', () => {
    let room = base();
    for (let i = 0; i < 60; i += 1) {
      room = ok(room, 'moderator', { type: 'note', text: `n${i}` }, T0 + i).room;
      room = ok(room, 'A', { type: 'repair', phrase: 'calm.breathe' }, T0 + i).room;
    }
    const m = viewFor(room, 'moderator', T0);
    expect(m.notes).toHaveLength(50);
    expect(m.notes[0]?.text).toBe('n10');
    expect(m.repairs).toHaveLength(50);
    expect(m.timeline).toHaveLength(50);
    expect(m.timeline.at(-1)?.kind).toBe('repair');
  });

  it('stores at most the last 200 entries of the shared lists', () => {
    let room = base();
    for (let i = 0; i < 205; i += 1) {
      room = ok(room, 'moderator', { type: 'note', text: `n${i}` }, T0 + i).room;
    }
    expect(room.notes).toHaveLength(200);
    expect(room.notes[0]?.text).toBe('n5');
    expect(room.timeline.length).toBeLessThanOrEqual(200);
  });

  it('keeps coach lines per audience: lines to one partner never push the other\'s out of view', () => {
    let room = base();
    room = ok(room, 'moderator', { type: 'coach', to: 'B', text: 'for B' }, T0).room;
    const revBefore = room.rev;
    const bBefore = viewFor(room, 'B', T0);
    for (let i = 0; i < 260; i += 1) {
      room = ok(room, 'moderator', { type: 'coach', to: 'A', text: `a${i}` }, T0 + 1 + i).room;
    }
    // B saw nothing happen: same view, same rev.
    expect(viewFor(room, 'B', T0)).toEqual(bBefore);
    expect(room.rev).toBe(revBefore);
    expect(viewFor(room, 'A', T0).coach).toHaveLength(50);
    expect(viewFor(room, 'A', T0).coach.at(-1)?.text).toBe('a259');
    // Stored: B's line and A's last 50, nothing more.
    expect(room.coach).toHaveLength(51);
    for (let i = 0; i < 60; i += 1) {
      room = ok(room, 'moderator', { type: 'coach', to: 'both', text: `c${i}` }, T0 + 300 + i).room;
    }
    expect(room.coach).toHaveLength(50);
    expect(viewFor(room, 'B', T0).coach.at(-1)?.text).toBe('c59');
    expect(viewFor(room, 'moderator', T0).coach.map((c) => c.text)).toEqual(room.coach.map((c) => c.text));
  });
});
