import { describe, expect, it } from 'vitest';
import { copyValue, sameValue } from '../../protocol/machine/same-value';
import { inDialogue, MIN, ok, T0 } from './helpers';

describe('sameValue', () => {
  it('compares JSON-shaped values as JSON would', () => {
    expect(sameValue({ a: [1, { b: 'x' }], c: null }, { c: null, a: [1, { b: 'x' }] })).toBe(true);
    expect(sameValue({ a: 1, gone: undefined }, { a: 1 })).toBe(true);
    expect(sameValue({ a: [1, 2] }, { a: [2, 1] })).toBe(false);
    expect(sameValue({ a: 1 }, { a: 1, b: 2 })).toBe(false);
    expect(sameValue([], {})).toBe(false);
    expect(sameValue(null, {})).toBe(false);
  });
});

describe('copyValue', () => {
  it('copies every level, so changing the copy leaves the original as it was', () => {
    const original = { stats: { A: { breaks: [{ startedAt: 1, endedAt: null }], turns: 2 } }, floor: null, list: [[1], [2]] };
    const copy = copyValue(original);
    expect(copy).toStrictEqual(original);
    copy.stats.A.breaks[0]!.endedAt = 5 as never;
    copy.stats.A.turns = 3;
    copy.list[0]!.push(9);
    expect(original).toStrictEqual({ stats: { A: { breaks: [{ startedAt: 1, endedAt: null }], turns: 2 } }, floor: null, list: [[1], [2]] });
  });

  it('copies a whole room as structuredClone did', () => {
    // A moderated room in the dialogue, with a break taken and over, a note and a coach line.
    let room = inDialogue({ as: 'moderator' });
    room = ok(room, 'B', { type: 'flood' }, T0 + MIN).room;
    room = ok(room, 'A', { type: 'ready' }, T0 + 30 * MIN).room;
    room = ok(room, 'B', { type: 'ready' }, T0 + 31 * MIN).room;
    room = ok(room, 'moderator', { type: 'note', text: 'Sam softened after the break.' }, T0 + 32 * MIN).room;
    room = ok(room, 'moderator', { type: 'coach', to: 'A', text: 'Slow down a little.' }, T0 + 33 * MIN).room;
    expect(room.stats.B.breaks).toHaveLength(1);
    expect(copyValue(room)).toStrictEqual(structuredClone(room));
  });

  it('keeps an own "__proto__" key as a key, never as the copy\'s prototype', () => {
    const original = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = copyValue(original);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(sameValue(copy, original)).toBe(true);
  });
});
