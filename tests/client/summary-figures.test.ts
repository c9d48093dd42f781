import { describe, expect, it } from 'vitest';
import type { PartnerSummary, Summary } from '../../protocol';
import { talkingMs } from '../../client/src/lib/summary-figures';

const MIN = 60_000;
const partner = (breaks: PartnerSummary['breaks'] = []): PartnerSummary => ({ floorMs: 0, turns: 1, missedMirrors: 0, breaks, breakCount: breaks.length, repairs: 0 });
const summary = (over: Partial<Summary>): Summary => ({
  roomId: 'R'.repeat(22),
  method: 'imago',
  createdAt: 0,
  dialogueStartedAt: 10 * MIN,
  endedAt: 70 * MIN,
  appointment: null,
  partners: { A: partner(), B: partner() },
  ...over,
});

describe('"time talking" on the summary', () => {
  it('leaves every break out, whoever called it', () => {
    const s = summary({
      partners: {
        A: partner([{ startedAt: 20 * MIN, endedAt: 40 * MIN }]),
        B: partner([{ startedAt: 50 * MIN, endedAt: 55 * MIN }]),
      },
    });
    expect(talkingMs(s, 0)).toBe(35 * MIN);
  });

  it('counts only the part of a break inside the dialogue, and a break still on until the end', () => {
    const s = summary({
      partners: {
        // During the check-in, before the dialogue: five of its minutes lie inside.
        A: partner([{ startedAt: 5 * MIN, endedAt: 15 * MIN }]),
        // Ended by "stop here for today" at the end: no end of its own.
        B: partner([{ startedAt: 60 * MIN, endedAt: null }]),
      },
    });
    expect(talkingMs(s, 0)).toBe(45 * MIN);
  });

  it('runs to now while the talk goes on, and is null before the dialogue began', () => {
    expect(talkingMs(summary({ endedAt: null }), 40 * MIN)).toBe(30 * MIN);
    expect(talkingMs(summary({ dialogueStartedAt: null }), 40 * MIN)).toBeNull();
  });
});
