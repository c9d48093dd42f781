import { describe, expect, it } from 'vitest';
import { viewFor } from '../../protocol';
import { MIN, T0, ok, seated } from '../protocol/helpers';
import { partnerAsksLater } from '../../client/src/lib/later-wish';

const LATER = new Date(T0 + 24 * 60 * MIN).toISOString();

describe('who asked to talk another time', () => {
  it('is whoever proposed first since their own check-in', () => {
    const ben = ok(seated(), 'B', { type: 'proposeTime', at: LATER }, T0 + 1000).room;
    const counter = ok(ben, 'A', { type: 'proposeTime', at: LATER }, T0 + 2000).room;
    const ana = viewFor(counter, 'A', T0 + 3000);
    expect(partnerAsksLater(ana, 'A', 'B')).toBe(true);
    expect(partnerAsksLater(viewFor(counter, 'B', T0 + 3000), 'B', 'A')).toBe(false);
  });

  it('falls back on who made the time on the table when the timeline window holds neither proposal', () => {
    const ben = ok(seated(), 'B', { type: 'proposeTime', at: LATER }, T0 + 1000).room;
    const view = viewFor(ben, 'A', T0 + 2000);
    // As if 50 later events had pushed the start of the room, and the proposal, out of the window.
    const cut = { ...view, timeline: view.timeline.filter((e) => e.kind !== 'created' && e.kind !== 'timeProposed') };
    expect(partnerAsksLater(cut, 'A', 'B')).toBe(true);
    expect(partnerAsksLater(cut, 'B', 'A')).toBe(false);
    // With the room's start still in the window, no proposal there means none was made.
    const whole = { ...view, timeline: view.timeline.filter((e) => e.kind !== 'timeProposed') };
    expect(partnerAsksLater(whole, 'A', 'B')).toBe(false);
  });
});
