/**
 * Upper bound of the wait before reconnect attempt `attempt` (0-based):
 * min(cap, base * 2^attempt). The exponent is clamped so huge attempt counts
 * never overflow to Infinity/NaN.
 */
export function backoffCeiling(attempt: number, baseMs: number, capMs: number): number {
  const exp = Math.min(Math.max(0, Math.floor(attempt)), 30);
  return Math.max(0, Math.min(capMs, baseMs * 2 ** exp));
}

/**
 * "Full jitter": a uniform draw in [0, ceiling). Spreading retries over the whole
 * window keeps thousands of clients from reconnecting in lockstep after an outage.
 * The result is clamped, so a misbehaving random() cannot produce a negative or
 * over-cap delay.
 */
export function fullJitter(ceilingMs: number, random: () => number): number {
  const r = random();
  const delay = Math.floor((Number.isFinite(r) ? r : 0) * ceilingMs);
  return Math.min(Math.max(0, delay), Math.max(0, ceilingMs));
}
