import { describe, expect, it } from 'vitest';
import { extensionFor, extensionsFor, returnAtFor, viewFor } from '../../protocol';
import { MIN, T0, inDialogue, ok } from './helpers';

describe('break times, as the phones show them and the machine sets them', () => {
  it('carries the room minute in the view, so a phone can show a scaled break before it starts', () => {
    const room = inDialogue({ minuteMs: 200 });
    expect(viewFor(room, 'A', T0).settings.minuteMs).toBe(200);
    // The flood sheet's "back at" is the return time the machine then sets.
    const flooded = ok(room, 'A', { type: 'flood', minutes: 30 }, T0 + 5).room;
    expect(flooded.break!.returnAt).toBe(returnAtFor(200, T0 + 5, 30));
  });

  it('makes "10 min more" move the return time ten minutes later, rounded up to whole minutes', () => {
    for (const minuteMs of [MIN, 200, 60_000 / 7]) {
      const room = ok(inDialogue({ minuteMs }), 'A', { type: 'flood', minutes: 20 }, T0).room;
      // Some way into the break, not on a minute boundary.
      const now = T0 + Math.round(7.4 * minuteMs);
      const more = extensionFor(room.break!, minuteMs, now, 10);
      const after = ok(room, 'A', { type: 'extendBreak', minutes: more.minutes }, now).room.break!;
      expect(after.returnAt).toBe(more.returnAt);
      expect(after.returnAt).toBeGreaterThanOrEqual(room.break!.returnAt + 10 * minuteMs - 1);
      // Less than a minute past the ten: the rounding is up to the next whole minute only.
      expect(after.returnAt - (room.break!.returnAt + 10 * minuteMs)).toBeLessThan(minuteMs);
    }
  });

  it('counts "more" from now once the break is due', () => {
    const room = ok(inDialogue(), 'A', { type: 'flood', minutes: 20 }, T0).room;
    const late = T0 + 45 * MIN;
    const more = extensionFor(room.break!, MIN, late, 10);
    expect(more).toEqual({ more: 10, minutes: 10, returnAt: late + 10 * MIN });
  });

  it('offers only the extensions the 24 h cap allows', () => {
    const room = ok(inDialogue(), 'A', { type: 'flood', minutes: 1380 }, T0).room;
    const choices = extensionsFor(room.break!, MIN, T0 + MIN, [10, 20, 30, 60]);
    expect(choices.map((c) => c.more)).toEqual([10, 20, 30, 60]);
    const later = extensionsFor(room.break!, MIN, T0 + MIN, [10, 60, 90]);
    expect(later.map((c) => c.more)).toEqual([10, 60]);
    for (const choice of later) ok(room, 'A', { type: 'extendBreak', minutes: choice.minutes }, T0 + MIN);
  });
});
