import type { DuologueSocket } from './socket';

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

/** How many `time` round trips one measurement takes. */
const ROUND_TRIPS = 5;

/**
 * Measures a connected socket's clock offset from a few `time` round trips; null when the
 * connection went before any answer (the next connection measures again).
 */
export async function measureOffset(socket: DuologueSocket): Promise<number | null> {
  const samples: TimeSample[] = [];
  for (let i = 0; i < ROUND_TRIPS && socket.connected; i++) {
    const sentAt = Date.now();
    try {
      const answer = await socket.timeout(5000).emitWithAck('time');
      samples.push({ sentAt, receivedAt: Date.now(), serverNow: answer.now });
    } catch {
      break;
    }
  }
  return estimateOffset(samples);
}
