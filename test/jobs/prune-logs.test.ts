// Retention through the real log writer thread: logs older than log_retention_days and hourly
// stats older than stats_retention_days go, one small batch per call, and 0 keeps everything.

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { join } from "node:path";
import { defaultSettings } from "../../src/config/settings.ts";
import { pruneLogs, type RetentionStore } from "../../src/jobs/prune-logs.ts";
import { startLogWriterThread, type LogWriterThread } from "../../src/store/log-writer-thread.ts";
import { HOUR_MS, rollupPending } from "../../src/store/repos/stats.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";
import { logEntry, writeEntries } from "../support/log-entries.ts";

const DAY = 24 * HOUR_MS;
const NOW = Date.UTC(2025, 5, 30, 12);

describe("jobs/prune-logs", () => {
  let gw: TestGateway;
  let thread: LogWriterThread;
  beforeAll(async () => {
    gw = startTestGateway();
    // One log every 30 minutes over the last 20 days.
    writeEntries(gw.gateway.store.sqlite, Array.from({ length: 20 * 48 }, (_, i) => logEntry({ ts: NOW - i * 30 * 60_000 - 1 })));
    rollupPending(gw.gateway.store.sqlite);
    thread = startLogWriterThread(join(gw.dataDir, "poolgate.db"), (message) => {
      throw new Error(message);
    });
  });
  afterAll(async () => {
    await thread.close();
    await gw.close();
  });

  const count = (sql: string) => (gw.gateway.store.sqlite.query(sql).get() as { n: number }).n;
  const settings = (over: Record<string, number>) => () => ({ ...defaultSettings(), ...over });

  it("keepsEverythingWhenLogRetentionIsZero", async () => {
    const result = await pruneLogs({ store: thread, settings: settings({ log_retention_days: 0, stats_retention_days: 3650 }), now: () => NOW });
    expect(result).toEqual({ logs: 0, stats: 0 });
    expect(count("SELECT count(*) AS n FROM request_logs")).toBe(960);
  });

  it("deletesLogsOlderThanTheRetentionOneSmallBatchAtATime", async () => {
    const batches: number[] = [];
    const counted: RetentionStore = {
      pruneLogs: async (before, limit) => {
        const n = await thread.pruneLogs(before, limit);
        batches.push(n);
        return n;
      },
      pruneStats: (beforeHour, limit) => thread.pruneStats(beforeHour, limit),
    };
    const result = await pruneLogs({ store: counted, settings: settings({ log_retention_days: 7, stats_retention_days: 3650 }), now: () => NOW, batchRows: 100 });
    expect(result.logs).toBe(960 - 7 * 48);
    expect(batches.every((n) => n <= 100)).toBe(true);
    expect(batches).toHaveLength(Math.floor(result.logs / 100) + 1);
    expect(count(`SELECT count(*) AS n FROM request_logs WHERE ts < ${NOW - 7 * DAY}`)).toBe(0);
    expect(count("SELECT count(*) AS n FROM request_logs")).toBe(7 * 48);
  });

  it("deletesHourlyStatsOlderThanTheirOwnRetention", async () => {
    const before = count("SELECT count(*) AS n FROM hourly_stats");
    const result = await pruneLogs({ store: thread, settings: settings({ log_retention_days: 0, stats_retention_days: 10 }), now: () => NOW });
    const cutoff = Math.floor((NOW - 10 * DAY) / HOUR_MS) * HOUR_MS;
    expect(count(`SELECT count(*) AS n FROM hourly_stats WHERE hour < ${cutoff}`)).toBe(0);
    expect(count("SELECT count(*) AS n FROM hourly_stats")).toBe(before - result.stats);
    expect(result.stats).toBeGreaterThan(0);
  });
});
