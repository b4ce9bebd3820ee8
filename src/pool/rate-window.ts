// Requests-per-minute limits per id (access keys): a sliding window approximated from two
// one-minute counters (the previous minute weighted by how much of it still overlaps the last
// 60s, plus the current one). Pure: the caller passes `now`; ids idle for two minutes are
// forgotten on a later take(), so memory follows the ids in use.

const WINDOW_MS = 60_000;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateWindow {
  /** Counts one request for `id` if it fits in `limit` per minute (limit <= 0: no limit). */
  take(id: string | number, limit: number, now: number): RateDecision;
  /** Ids currently remembered. */
  size(): number;
}

interface Counter {
  /** Start of the current minute (aligned to WINDOW_MS). */
  start: number;
  previous: number;
  current: number;
}

const ALLOWED: RateDecision = Object.freeze({ allowed: true });

export function createRateWindow(): RateWindow {
  const counters = new Map<string | number, Counter>();
  let nextSweepAt = 0;

  function sweep(minute: number): void {
    for (const [id, c] of counters) if (c.start + WINDOW_MS < minute) counters.delete(id);
    nextSweepAt = minute + WINDOW_MS;
  }

  function roll(c: Counter, minute: number): void {
    if (minute <= c.start) return;
    c.previous = minute - c.start === WINDOW_MS ? c.current : 0;
    c.current = 0;
    c.start = minute;
  }

  /** Time until the estimate drops below the limit (and the current minute has room). */
  function retryAfter(c: Counter, elapsed: number, limit: number): number {
    let wait: number;
    if (c.current < limit) {
      // The previous minute's weight must fade: previous * (W - elapsed - t) / W + current < limit.
      wait = WINDOW_MS - elapsed - ((limit - c.current) * WINDOW_MS) / c.previous;
    } else {
      // Wait for the next minute, then for this minute's weight to fade below the limit.
      wait = WINDOW_MS - elapsed + WINDOW_MS * (1 - limit / c.current);
    }
    return Math.max(1, Math.ceil(wait) + 1);
  }

  return {
    take(id, limit, now) {
      const minute = Math.floor(now / WINDOW_MS) * WINDOW_MS;
      if (now >= nextSweepAt) sweep(minute);
      if (!(limit > 0)) return ALLOWED;
      let c = counters.get(id);
      if (c === undefined) {
        c = { start: minute, previous: 0, current: 0 };
        counters.set(id, c);
      }
      roll(c, minute);
      const elapsed = now - c.start;
      const estimate = (c.previous * (WINDOW_MS - elapsed)) / WINDOW_MS + c.current;
      if (c.current < limit && estimate < limit) {
        c.current++;
        return ALLOWED;
      }
      return { allowed: false, retryAfterMs: retryAfter(c, elapsed, limit) };
    },
    size() {
      return counters.size;
    },
  };
}
