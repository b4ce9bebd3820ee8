import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { defaultSettings } from "../../src/config/settings.ts";
import { pruneLogs } from "../../src/jobs/prune-logs.ts";
import { HOUR_MS, rollupPending } from "../../src/store/repos/stats.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";
import { logEntry, writeEntries } from "../support/log-entries.ts";

const DAY = 24 * HOUR_MS;
const NOW = Date.UTC(2025, 5, 30, 12);

describe("jobs/prune-logs", () => {
  let gw: TestGateway;
  beforeAll(async () => {
    gw = startTestGateway();
    // One log every 30 minutes over the last 20 days.
    writeEntries(gw.gateway.store.sqlite, Array.from({ length: 20 * 48 }, (_, i) => logEntry({ ts: NOW - i * 30 * 60_000 - 1 })));
    rollupPending(gw.gateway.store.sqlite);
  });
  afterAll(() => gw.close());

  const count = (sql: string) => (gw.gateway.store.sqlite.query(sql).get() as { n: number }).n;
  const settings = (over: Record<string, number>) => () => ({ ...defaultSettings(), ...over });

  it("keepsEverythingWhenLogRetentionIsZero", async () => {
    const result = await pruneLogs({ sqlite: gw.gateway.store.sqlite, settings: settings({ log_retention_days: 0, stats_retention_days: 3650 }), now: () => NOW });
    expect(result).toEqual({ logs: 0, stats: 0 });
    expect(count("SELECT count(*) AS n FROM request_logs")).toBe(960);
  });

  it("deletesLogsOlderThanTheRetentionInSmallBatchesYieldingBetweenThem", async () => {
    let yields = 0;
    const result = await pruneLogs({
      sqlite: gw.gateway.store.sqlite,
      settings: settings({ log_retention_days: 7, stats_retention_days: 3650 }),
      now: () => NOW,
      batchRows: 100,
      yieldNow: async () => void yields++,
    });
    expect(result.logs).toBe(960 - 7 * 48);
    expect(yields).toBe(Math.floor(result.logs / 100));
    expect(count(`SELECT count(*) AS n FROM request_logs WHERE ts < ${NOW - 7 * DAY}`)).toBe(0);
    expect(count("SELECT count(*) AS n FROM request_logs")).toBe(7 * 48);
  });

  it("deletesHourlyStatsOlderThanTheirOwnRetention", async () => {
    const before = count("SELECT count(*) AS n FROM hourly_stats");
    const result = await pruneLogs({ sqlite: gw.gateway.store.sqlite, settings: settings({ log_retention_days: 0, stats_retention_days: 10 }), now: () => NOW });
    const cutoff = Math.floor((NOW - 10 * DAY) / HOUR_MS) * HOUR_MS;
    expect(count(`SELECT count(*) AS n FROM hourly_stats WHERE hour < ${cutoff}`)).toBe(0);
    expect(count("SELECT count(*) AS n FROM hourly_stats")).toBe(before - result.stats);
    expect(result.stats).toBeGreaterThan(0);
  });
});
