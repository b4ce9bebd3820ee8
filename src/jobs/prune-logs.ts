// The retention job: deletes request logs older than log_retention_days (0 keeps them forever)
// and hourly stats older than stats_retention_days, in small batches through the ts index,
// yielding between batches so the single SQLite writer is never held for long.

import type { Database } from "bun:sqlite";
import type { SettingValues } from "../config/settings.ts";
import { pruneLogsBatch } from "../store/repos/logs.ts";
import { HOUR_MS, pruneStatsBatch } from "../store/repos/stats.ts";

const DAY_MS = 24 * HOUR_MS;

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export interface PruneOptions {
  sqlite: Database;
  settings: () => SettingValues;
  now: () => number;
  /** Rows per DELETE statement (default 5,000). */
  batchRows?: number;
  /** Awaited between batches; default yields one macrotask. */
  yieldNow?: () => Promise<void>;
}

export interface PruneResult {
  logs: number;
  stats: number;
}

export async function pruneLogs(options: PruneOptions): Promise<PruneResult> {
  const yieldNow = options.yieldNow ?? yieldToEventLoop;
  const batch = options.batchRows ?? 5000;
  const settings = options.settings();
  const now = options.now();
  /** Runs `deleteBatch` until a batch comes back short, yielding between batches; returns the total. */
  const drain = async (deleteBatch: () => number): Promise<number> => {
    let total = 0;
    for (;;) {
      const n = deleteBatch();
      total += n;
      if (n < batch) return total;
      await yieldNow();
    }
  };
  const result: PruneResult = { logs: 0, stats: 0 };

  const logDays = Number(settings.log_retention_days ?? 0);
  if (logDays > 0) {
    const cutoff = now - logDays * DAY_MS;
    result.logs = await drain(() => pruneLogsBatch(options.sqlite, cutoff, batch));
  }

  const statsDays = Number(settings.stats_retention_days ?? 0);
  if (statsDays > 0) {
    const cutoffHour = Math.floor((now - statsDays * DAY_MS) / HOUR_MS) * HOUR_MS;
    result.stats = await drain(() => pruneStatsBatch(options.sqlite, cutoffHour, batch));
  }
  return result;
}
