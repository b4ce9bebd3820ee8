// The retention job: deletes request logs older than log_retention_days (0 keeps them forever)
// and hourly stats older than stats_retention_days, one small batch per call of the store, which
// is the log writer thread: each batch waits its turn behind the log writes already queued, so the
// event loop never runs a delete and a long backlog never holds back logging.

import type { SettingValues } from "../config/settings.ts";
import { HOUR_MS } from "../store/repos/stats.ts";

const DAY_MS = 24 * HOUR_MS;

/** Deletes up to `limit` rows older than the cutoff; answers how many it deleted. */
export interface RetentionStore {
  pruneLogs(before: number, limit: number): Promise<number>;
  pruneStats(beforeHour: number, limit: number): Promise<number>;
}

export interface PruneOptions {
  store: RetentionStore;
  settings: () => SettingValues;
  now: () => number;
  /** Rows per delete (default 1,000: ~20 ms of the write lock on a 1M-row table with 1,000 keys). */
  batchRows?: number;
}

export interface PruneResult {
  logs: number;
  stats: number;
}

export async function pruneLogs(options: PruneOptions): Promise<PruneResult> {
  const batch = options.batchRows ?? 1000;
  const settings = options.settings();
  const now = options.now();
  /** Runs `deleteBatch` until a batch comes back short; returns the total. */
  const drain = async (deleteBatch: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = await deleteBatch();
      total += n;
      if (n < batch) return total;
    }
  };
  const result: PruneResult = { logs: 0, stats: 0 };

  const logDays = Number(settings.log_retention_days ?? 0);
  if (logDays > 0) {
    const cutoff = now - logDays * DAY_MS;
    result.logs = await drain(() => options.store.pruneLogs(cutoff, batch));
  }

  const statsDays = Number(settings.stats_retention_days ?? 0);
  if (statsDays > 0) {
    const cutoffHour = Math.floor((now - statsDays * DAY_MS) / HOUR_MS) * HOUR_MS;
    result.stats = await drain(() => options.store.pruneStats(cutoffHour, batch));
  }
  return result;
}
