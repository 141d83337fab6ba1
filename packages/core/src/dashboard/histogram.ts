// Durations on the dashboard are kept per day as a histogram: each distinct number of minutes
// (rounded to two significant digits when stored, queries.ts) with how many cases took it. A
// bucket or a range merges its days' histograms, and its median and 90th percentile are read off
// the merged one the way PostgreSQL's percentile_cont reads them off the sorted cases: the
// values at ranks floor(q·(n−1)) and ceil(q·(n−1)), interpolated.

/** minutes → cases */
export type Histogram = Map<number, number>;

export function addTo(into: Histogram, minutes: readonly number[], counts: readonly number[]): void {
  for (let i = 0; i < minutes.length; i++) {
    const v = Number(minutes[i]);
    into.set(v, (into.get(v) ?? 0) + Number(counts[i]));
  }
}

/** The median and 90th percentile (null with no cases) and the number of cases. */
export function percentiles(h: Histogram): { median: number | null; p90: number | null; count: number } {
  const values = [...h.keys()].sort((a, b) => a - b);
  let count = 0;
  for (const v of values) count += h.get(v)!;
  if (count === 0) return { median: null, p90: null, count: 0 };
  const at = (q: number) => {
    const pos = q * (count - 1);
    const lo = Math.floor(pos);
    const hi = Math.ceil(pos);
    let below = 0;
    let low: number | null = null;
    for (const v of values) {
      below += h.get(v)!;
      if (low === null && below > lo) low = v;
      if (below > hi) return low! + (pos - lo) * (v - low!);
    }
    return low!;
  };
  return { median: at(0.5), p90: at(0.9), count };
}
