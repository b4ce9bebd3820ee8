// The hourly rollup of request logs (the log writer thread runs it after every batch): sums equal
// the logs they fold, nothing is counted twice, late rows land in their own hour, and the
// incremental result equals a full rebuild.

import { afterEach, beforeEach, describe, expect, it } from "bun:test";
import { HOUR_MS, rebuildHours, rollupPending } from "../../../src/store/repos/stats.ts";
import type { RequestLogEntry } from "../../../src/telemetry/log-queue.ts";
import { startTestGateway, type TestGateway } from "../../support/gateway.ts";
import { logEntry, writeEntries } from "../../support/log-entries.ts";

const H0 = Date.UTC(2025, 5, 1, 10);
const STATUSES = [200, 200, 200, 201, 401, 403, 429, 500, 502, 499, 400, 404];
const CLASSES: (string | null)[] = [null, null, "rate-limited", "upstream-failure", "client-error", "invalid", "auth", "no-keys", "client-gone", "config"];

/** Deterministic mixed traffic over 5 hours, with nulls in every optional column. */
function traffic(n: number, seed: number): RequestLogEntry[] {
  let x = seed;
  const rand = (m: number) => ((x = (x * 1103515245 + 12345) % 2147483648), Math.floor((x / 2147483648) * m));
  return Array.from({ length: n }, () =>
    logEntry({
      ts: H0 + rand(5 * HOUR_MS),
      groupId: rand(4) || null,
      keyId: rand(5) || null,
      model: rand(3) ? `m${rand(3)}` : null,
      accessKeyId: rand(3) || null,
      status: STATUSES[rand(STATUSES.length)]!,
      errorClass: CLASSES[rand(CLASSES.length)]!,
      inputTokens: rand(4) ? rand(1000) : null,
      outputTokens: rand(4) ? rand(500) : null,
      cachedTokens: rand(4) ? rand(100) : null,
      durationMs: rand(60_000),
      ttfbMs: rand(3) ? rand(5000) : null,
    }),
  );
}

type Sums = Record<string, number>;

/** What hourly_stats must hold, computed in JS from the entries. */
function expectedTotals(entries: RequestLogEntry[]): Sums {
  const s: Sums = { requests: 0, successes: 0, key: 0, rate_limit: 0, upstream: 0, client: 0, input: 0, output: 0, cached: 0, duration: 0, ttfb: 0 };
  for (const e of entries) {
    s.requests!++;
    if (e.status < 400) s.successes!++;
    else s[failureClass(e)]!++;
    s.input! += e.inputTokens ?? 0;
    s.output! += e.outputTokens ?? 0;
    s.cached! += e.cachedTokens ?? 0;
    s.duration! += e.durationMs;
    s.ttfb! += e.ttfbMs ?? 0;
  }
  return s;
}

function failureClass(e: RequestLogEntry): string {
  const byClass: Record<string, string> = {
    "rate-limited": "rate_limit",
    "upstream-failure": "upstream",
    "client-error": "client",
    invalid: "key",
    auth: "client",
    "no-keys": "upstream",
    "client-gone": "client",
  };
  if (e.errorClass && byClass[e.errorClass]) return byClass[e.errorClass]!;
  if (e.status === 401 || e.status === 403) return "key";
  if (e.status === 429) return "rate_limit";
  if (e.status === 499) return "client";
  return e.status >= 500 ? "upstream" : "client";
}

describe("store/repos/stats rollup", () => {
  let gw: TestGateway;
  beforeEach(() => {
    gw = startTestGateway();
  });
  afterEach(() => gw.close());

  const sqlite = () => gw.gateway.store.sqlite;
  const stored = (where = "1"): Sums =>
    sqlite()
      .query(
        `SELECT sum(requests) AS requests, sum(successes) AS successes, sum(failures_key) AS key, sum(failures_rate_limit) AS rate_limit,
         sum(failures_upstream) AS upstream, sum(failures_client) AS client, sum(input_tokens) AS input, sum(output_tokens) AS output,
         sum(cached_tokens) AS cached, sum(duration_ms_sum) AS duration, sum(ttfb_ms_sum) AS ttfb FROM hourly_stats WHERE ${where}`,
      )
      .get() as Sums;

  it("foldsEveryLogIntoHourlyRowsWhoseSumsEqualTheLogs", () => {
    const entries = traffic(3000, 7);
    writeEntries(sqlite(), entries);
    expect(rollupPending(sqlite(), 700)).toBe(3000);
    expect(stored()).toEqual(expectedTotals(entries));
    for (let h = 0; h < 5; h++) {
      const hour = H0 + h * HOUR_MS;
      const inHour = entries.filter((e) => e.ts >= hour && e.ts < hour + HOUR_MS);
      expect(stored(`hour = ${hour}`)).toEqual(expectedTotals(inHour));
      const perGroup = entries.filter((e) => e.ts >= hour && e.ts < hour + HOUR_MS && e.groupId === 2 && e.model === "m1");
      expect(stored(`hour = ${hour} AND group_id = 2 AND model = 'm1'`)).toEqual(expectedTotals(perGroup));
    }
    const unknown = entries.filter((e) => e.groupId === null && e.keyId === null && e.accessKeyId === null && e.model === null);
    expect(stored("group_id = 0 AND key_id = 0 AND access_key_id = 0 AND model = ''").requests ?? 0).toBe(unknown.length);
  });

  it("countsNothingTwiceWhenRunAgainAndPicksUpLateRowsOfOldHours", () => {
    const first = traffic(500, 11);
    writeEntries(sqlite(), first);
    rollupPending(sqlite());
    expect(rollupPending(sqlite())).toBe(0);
    expect(stored()).toEqual(expectedTotals(first));
    const late = traffic(200, 13); // same five hours, written after the first rollup
    writeEntries(sqlite(), late);
    rollupPending(sqlite());
    expect(stored()).toEqual(expectedTotals([...first, ...late]));
  });

  it("matchesAFullRebuildOfTheSameHours", () => {
    writeEntries(sqlite(), traffic(800, 17));
    rollupPending(sqlite());
    const incremental = sqlite().query("SELECT * FROM hourly_stats ORDER BY hour, group_id, key_id, model, access_key_id").all();
    rebuildHours(sqlite(), H0, H0 + 5 * HOUR_MS);
    rebuildHours(sqlite(), H0, H0 + 5 * HOUR_MS);
    expect(sqlite().query("SELECT * FROM hourly_stats ORDER BY hour, group_id, key_id, model, access_key_id").all()).toEqual(incremental);
  });
});
