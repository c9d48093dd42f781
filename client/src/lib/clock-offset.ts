/** One `time` round trip: when it left and came back (local ms), and the server's clock. */
export interface TimeSample {
  sentAt: number;
  receivedAt: number;
  serverNow: number;
}

/** How many of the fastest round trips to average. */
const KEEP = 3;

/**
 * The estimated offset (server clock minus local clock, ms) from several round trips:
 * the lowest-latency samples are the least skewed by the network, so only they count.
 */
export function estimateOffset(samples: readonly TimeSample[]): number | null {
  if (samples.length === 0) return null;
  const fastest = [...samples]
    .sort((a, b) => a.receivedAt - a.sentAt - (b.receivedAt - b.sentAt))
    .slice(0, KEEP);
  const sum = fastest.reduce((acc, s) => acc + (s.serverNow - (s.sentAt + s.receivedAt) / 2), 0);
  return Math.round(sum / fastest.length);
}
