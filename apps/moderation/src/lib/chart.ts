// The geometry the dashboard's charts share: one viewBox, its padding for the axes, the value
// scale (a "nice" top rounded up from the largest value) and how axis values are written.

export const W = 460;
export const H = 210;
export const PAD = { top: 12, right: 10, bottom: 28, left: 44 };
export const plotW = W - PAD.left - PAD.right;
export const plotH = H - PAD.top - PAD.bottom;

/** The smallest of 1, 2, 2.5, 5 or 10 times a power of ten that is at least `v`. */
export function niceMax(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/** The y coordinate of a value on a scale from 0 to `max` (values above `max` sit at the top). */
export const yScale = (max: number) => (v: number) => PAD.top + plotH - (Math.min(v, max) / max) * plotH;

export const formatValue = (v: number) => (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(1));
