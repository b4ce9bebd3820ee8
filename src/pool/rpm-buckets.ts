// Per-slot requests-per-minute counters for the key pool: six ten-second buckets per slot in
// one typed array, rolled forward by the `now` the caller passes. Fixed memory per slot, no
// allocation per count, no timers.

const BUCKETS = 6;
export const RPM_BUCKET_MS = 10_000;

export interface RpmBuckets {
  /** Makes room for slots [0, capacity). */
  ensure(capacity: number): void;
  /** Forgets a slot's history (when the slot is reused by another key). */
  reset(slot: number): void;
  /** Requests counted for the slot in the last minute (six whole buckets, the current included). */
  count(slot: number, now: number): number;
  add(slot: number, now: number): void;
  /** When the window next moves, i.e. the earliest time a count can drop. */
  nextShiftAt(now: number): number;
  /** Earliest time the slot's count is below `cap` again: `now` when it already is. */
  freeAt(slot: number, now: number, cap: number): number;
}

export function createRpmBuckets(): RpmBuckets {
  let counts = new Uint32Array(64 * BUCKETS);
  /** Absolute bucket number (floor(now / RPM_BUCKET_MS)) each slot was last rolled to. */
  let rolled = new Float64Array(64);

  function roll(slot: number, now: number): number {
    const bucket = Math.floor(now / RPM_BUCKET_MS);
    const last = rolled[slot]!;
    if (bucket <= last) return last;
    const base = slot * BUCKETS;
    if (bucket - last >= BUCKETS) counts.fill(0, base, base + BUCKETS);
    else for (let b = last + 1; b <= bucket; b++) counts[base + (b % BUCKETS)] = 0;
    rolled[slot] = bucket;
    return bucket;
  }

  return {
    ensure(capacity) {
      if (capacity <= rolled.length) return;
      let size = rolled.length;
      while (size < capacity) size *= 2;
      const nextCounts = new Uint32Array(size * BUCKETS);
      nextCounts.set(counts);
      counts = nextCounts;
      const nextRolled = new Float64Array(size);
      nextRolled.set(rolled);
      rolled = nextRolled;
    },
    reset(slot) {
      counts.fill(0, slot * BUCKETS, slot * BUCKETS + BUCKETS);
      rolled[slot] = 0;
    },
    count(slot, now) {
      roll(slot, now);
      const base = slot * BUCKETS;
      let sum = 0;
      for (let b = 0; b < BUCKETS; b++) sum += counts[base + b]!;
      return sum;
    },
    add(slot, now) {
      const bucket = roll(slot, now);
      const i = slot * BUCKETS + (bucket % BUCKETS);
      counts[i] = counts[i]! + 1;
    },
    nextShiftAt(now) {
      return (Math.floor(now / RPM_BUCKET_MS) + 1) * RPM_BUCKET_MS;
    },
    freeAt(slot, now, cap) {
      const bucket = roll(slot, now);
      const base = slot * BUCKETS;
      let left = 0;
      for (let b = 0; b < BUCKETS; b++) left += counts[base + b]!;
      if (left < cap) return now;
      // Bucket b leaves the window when the current bucket reaches b + BUCKETS; oldest first.
      for (let b = bucket - BUCKETS + 1; b <= bucket; b++) {
        left -= counts[base + (((b % BUCKETS) + BUCKETS) % BUCKETS)]!;
        if (left < cap) return (b + BUCKETS) * RPM_BUCKET_MS;
      }
      return (bucket + BUCKETS) * RPM_BUCKET_MS;
    },
  };
}
