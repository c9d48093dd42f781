import { describe, expect, it } from 'vitest';
import { burstCompletion } from '../../bench/report';

describe('the bench report', () => {
  it("takes a burst's completion time only from the bursts that completed whole", () => {
    expect(burstCompletion([420, 380, 510])).toBe(420);
    // At 9,800 rooms only the first burst could send: the others found every room still waiting.
    expect(burstCompletion([4620, Number.NaN, Number.NaN, Number.NaN, Number.NaN])).toBe(4620);
    // Read back from a results file, a missing completion is null.
    expect(burstCompletion([null, 300, null])).toBe(300);
    expect(burstCompletion([Number.NaN, null])).toBeNull();
    expect(burstCompletion([])).toBeNull();
  });
});
