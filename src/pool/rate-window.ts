// Requests-per-minute limits per id (access keys): a sliding window of the last 60 one-second
// buckets, so a limit holds over any rolling minute to within one second (unlike a two-counter
// estimate, which lets a burst of up to twice the limit through). 240 bytes per id; pure: the
// caller passes `now`; ids idle for two minutes are forgotten on a later take().

const BUCKET_MS = 1000;
const BUCKETS = 60;

export type RateDecision = { allowed: true } | { allowed: false; retryAfterMs: number };

export interface RateWindow {
  /** Counts one request for `id` if it fits in `limit` per minute (limit <= 0: no limit). */
  take(id: string | number, limit: number, now: number): RateDecision;
  /** Ids currently remembered. */
  size(): number;
}

interface Counter {
  /** Requests admitted per second, indexed by (second % BUCKETS). */
  counts: Uint32Array;
  /** Sum of counts: the requests admitted in the window. */
  total: number;
  /** The newest second the buckets describe. */
  second: number;
}

const ALLOWED: RateDecision = Object.freeze({ allowed: true });

export function createRateWindow(): RateWindow {
  const counters = new Map<string | number, Counter>();
  let nextSweepAt = 0;

  function sweep(second: number): void {
    for (const [id, c] of counters) if (c.second < second - 2 * BUCKETS) counters.delete(id);
    nextSweepAt = (second + BUCKETS) * BUCKET_MS;
  }

  /** Moves the window to end at `second`, emptying the buckets that left it. */
  function advance(c: Counter, second: number): void {
    if (second <= c.second) return;
    if (second - c.second >= BUCKETS) {
      c.counts.fill(0);
      c.total = 0;
    } else {
      for (let s = c.second + 1; s <= second; s++) {
        const i = s % BUCKETS;
        c.total -= c.counts[i]!;
        c.counts[i] = 0;
      }
    }
    c.second = second;
  }

  /** Time until enough of the oldest buckets have left the window for one more request. */
  function retryAfter(c: Counter, limit: number, now: number): number {
    let freed = 0;
    for (let s = c.second - BUCKETS + 1; s <= c.second; s++) {
      freed += c.counts[s % BUCKETS]!;
      if (c.total - freed < limit) return Math.max(1, (s + BUCKETS) * BUCKET_MS - now);
    }
    return BUCKETS * BUCKET_MS;
  }

  return {
    take(id, limit, now) {
      const second = Math.floor(now / BUCKET_MS);
      if (now >= nextSweepAt) sweep(second);
      if (!(limit > 0)) return ALLOWED;
      let c = counters.get(id);
      if (c === undefined) {
        c = { counts: new Uint32Array(BUCKETS), total: 0, second };
        counters.set(id, c);
      }
      advance(c, second);
      if (c.total < limit) {
        c.counts[second % BUCKETS]!++;
        c.total++;
        return ALLOWED;
      }
      return { allowed: false, retryAfterMs: retryAfter(c, limit, now) };
    },
    size() {
      return counters.size;
    },
  };
}
