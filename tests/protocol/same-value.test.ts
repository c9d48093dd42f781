import { describe, expect, it } from 'vitest';
import { copyValue, sameValue } from '../../protocol/machine/same-value';

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

  it('keeps an own "__proto__" key as a key, never as the copy\'s prototype', () => {
    const original = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}') as Record<string, unknown>;
    const copy = copyValue(original);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect((copy as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.keys(copy)).toEqual(['__proto__', 'a']);
    expect(sameValue(copy, original)).toBe(true);
  });
});
