// The stats rollup job: folds request_logs rows written since the last run into hourly_stats,
// in chunks of ids, yielding to the event loop between chunks so a large backlog (first start on
// an old database) never stalls requests. The SQL and its exactly-once rule live in store/repos/stats.ts.

import type { Database } from "bun:sqlite";
import { rollupNextChunk } from "../store/repos/stats.ts";

export interface RollupOptions {
  sqlite: Database;
  /** Log rows per transaction (default 20,000). */
  chunkRows?: number;
  /** Awaited between chunks; default yields one macrotask. */
  yieldNow?: () => Promise<void>;
}

export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Runs until no pending rows remain; returns how many log rows were folded in. */
export async function rollupStats(options: RollupOptions): Promise<number> {
  const yieldNow = options.yieldNow ?? yieldToEventLoop;
  let total = 0;
  for (;;) {
    const chunk = rollupNextChunk(options.sqlite, options.chunkRows ?? 20_000);
    total += chunk.rows;
    if (chunk.done) return total;
    await yieldNow();
  }
}
