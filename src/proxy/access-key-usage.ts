// Requests per access key, counted in memory on the hot path (plain numbers, one small object
// per key, reused across flushes) and drained by app.ts's write-behind flush. No I/O, no clock.

export interface AccessKeyUsageRow {
  id: number;
  /** Requests since the last drain (added to the stored count). */
  requests: number;
  /** Epoch ms of the latest of them. */
  lastUsedAt: number;
}

export interface AccessKeyUsage {
  count(accessKeyId: number, now: number): void;
  /** The counts since the last call (keys with none are left out), then starts again from zero. */
  drain(): AccessKeyUsageRow[];
}

export function createAccessKeyUsage(): AccessKeyUsage {
  const byId = new Map<number, { requests: number; lastUsedAt: number }>();
  return {
    count(id, now) {
      const c = byId.get(id);
      if (c === undefined) byId.set(id, { requests: 1, lastUsedAt: now });
      else {
        c.requests++;
        if (now > c.lastUsedAt) c.lastUsedAt = now;
      }
    },
    drain() {
      const out: AccessKeyUsageRow[] = [];
      for (const [id, c] of byId) {
        if (c.requests === 0) {
          // Idle since the last drain: forget it, so deleted keys do not stay forever.
          byId.delete(id);
          continue;
        }
        out.push({ id, requests: c.requests, lastUsedAt: c.lastUsedAt });
        c.requests = 0;
      }
      return out;
    },
  };
}
