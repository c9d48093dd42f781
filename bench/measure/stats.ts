/** Percentiles and spreads over plain arrays: the bench keeps every sample, so no histogram is needed. */

/** A latency distribution in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** The median of several runs with the lowest and highest beside it. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** The value of each run, in the order they ran. */
  runs: number[];
}

/** The nearest-rank percentile (`p` in 0–100) of an ascending array; NaN when it is empty. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/** p50, p95, p99, max and mean of the samples (milliseconds, rounded to microseconds). */
export function summarize(samples: readonly number[]): LatencySummary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: round3(percentile(sorted, 50)),
    p95: round3(percentile(sorted, 95)),
    p99: round3(percentile(sorted, 99)),
    max: round3(sorted.at(-1) ?? Number.NaN),
    mean: round3(sorted.length === 0 ? Number.NaN : sum / sorted.length),
  };
}

/** The median (the mean of the middle two for an even count), min and max of the runs' values. */
export function spread(values: readonly number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const median =
    sorted.length === 0
      ? Number.NaN
      : sorted.length % 2 === 1
        ? sorted[middle]!
        : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return {
    median: round3(median),
    min: round3(sorted[0] ?? Number.NaN),
    max: round3(sorted.at(-1) ?? Number.NaN),
    runs: values.map(round3),
  };
}

/** `a / b` to two decimals, or null unless both are finite, `a` is not negative and `b` is positive. */
export function ratio(a: number, b: number): number | null {
  if (!Number.isFinite(a) || !Number.isFinite(b) || a < 0 || b <= 0) return null;
  return Math.round((a / b) * 100) / 100;
}

/** Rounds to three decimals (microseconds when the unit is milliseconds). */
export function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}
