import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { countLogs, getLog, logPageSql, pruneLogsBatch, queryLogs, type LogCursor, type LogFilter } from "../../../src/store/repos/logs.ts";
import type { RequestLogEntry } from "../../../src/telemetry/log-queue.ts";
import { startTestGateway, type TestGateway } from "../../support/gateway.ts";
import { logEntry, writeEntries } from "../../support/log-entries.ts";

const T0 = 1_700_000_000_000;
const BULK = 200_000;

/** Row i of the bulk set; three rows share each millisecond so the id tiebreak is exercised. */
function bulkEntry(i: number): RequestLogEntry {
  const failed = i % 50 === 0;
  return logEntry({
    ts: T0 + Math.floor(i / 3) * 1000,
    groupId: i % 10,
    groupName: `g${i % 10}`,
    model: `m${i % 20}`,
    status: failed ? 502 : i % 97 === 0 ? 429 : 200,
    error: failed ? `upstream said no #${i}` : null,
    accessKeyId: i % 7,
    keyId: i % 1000,
    durationMs: i % 5000,
  });
}

describe("logs repository", () => {
  let gw: TestGateway;
  beforeAll(() => {
    gw = startTestGateway();
    writeEntries(gw.gateway.store.sqlite, Array.from({ length: BULK }, (_, i) => bulkEntry(i)));
  }, 60_000);
  afterAll(() => gw.close());

  const sqlite = () => gw.gateway.store.sqlite;

  it("servesEveryMainFilterFromAnIndexWithoutSortingOn200kRows", () => {
    const cursor: LogCursor = { ts: T0 + 30_000_000, id: 90_000 };
    const filters: LogFilter[] = [
      {}, { from: T0, to: T0 + 5_000_000 }, { groupId: 3 }, { model: "m4" }, { status: 502 }, { success: false }, { success: true },
      { accessKeyId: 2 }, { keyId: 5 }, { q: "no #1" }, { minDurationMs: 4000 }, { groupId: 2, success: false },
      { groupId: 3, model: "m3", from: T0 }, { model: "m3", status: 200 }, { keyId: 7, success: false },
    ];
    for (const filter of filters) {
      for (const c of [undefined, cursor]) {
        const { sql, params } = logPageSql(filter, 51, c);
        // prepare + finalize: a cached, unfinalized EXPLAIN statement makes bun:sqlite's later
        // wal_checkpoint (in store.close) fail with SQLITE_LOCKED.
        const statement = sqlite().prepare(`EXPLAIN QUERY PLAN ${sql}`);
        const plan = (statement.all(...params) as { detail: string }[]).map((r) => r.detail);
        statement.finalize();
        const label = `${JSON.stringify(filter)} ${c ? "with cursor" : ""}: ${plan.join(" | ")}`;
        expect(plan.some((d) => /^SCAN request_logs$/.test(d)), label).toBe(false);
        expect(plan.some((d) => /TEMP B-TREE/.test(d)), label).toBe(false);
        expect(plan.some((d) => /USING (COVERING )?INDEX request_logs_/.test(d)), label).toBe(true);
      }
    }
  });

  it("pagesThroughEveryMatchNewestFirstWithoutGapsOrRepeats", () => {
    const filter: LogFilter = { model: "m7" };
    const expected: number[] = [];
    for (let i = 0; i < BULK; i++) if (i % 20 === 7) expected.push(i + 1);
    expected.sort((a, b) => b - a); // same order as ts desc, id desc for this data
    const seen: number[] = [];
    let cursor: LogCursor | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = queryLogs(sqlite(), filter, { limit: 499, cursor });
      seen.push(...page.rows.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(expected);
  });

  it("breaksTimestampTiesByIdAcrossPageBoundaries", () => {
    const all: number[] = [];
    let cursor: LogCursor | undefined;
    do {
      const page = queryLogs(sqlite(), { from: T0, to: T0 + 10_000 }, { limit: 2, cursor });
      all.push(...page.rows.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(all).toEqual([30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
  });

  it("countsMatchesUpToTheCapAndSaysWhenItStopped", () => {
    expect(countLogs(sqlite(), { groupId: 3, model: "m3" }, 10_000)).toEqual({ count: 10_000, capped: false });
    expect(countLogs(sqlite(), { groupId: 3 }, 10_000)).toEqual({ count: 10_000, capped: true });
    expect(countLogs(sqlite(), { status: 502 }, 10_000)).toEqual({ count: BULK / 50, capped: false });
  });

  it("returnsOneLogWithAttemptsParsedAndStreamAsBoolean", () => {
    const log = getLog(sqlite(), 1)!;
    expect(log.attempts).toEqual([{ key_id: 1, key_masked: "sk-a…zzzz", upstream: "http://upstream.test", status: 200, error_class: null, duration_ms: 120 }]);
    expect(log.stream).toBe(false);
    expect(log.request_body).toBeNull();
    expect(getLog(sqlite(), BULK + 10)).toBeNull();
  });
});

describe("logs repository filters", () => {
  let gw: TestGateway;
  beforeAll(() => {
    gw = startTestGateway();
    writeEntries(gw.gateway.store.sqlite, [
      logEntry({ ts: T0 + 1, status: 200, durationMs: 50 }),
      logEntry({ ts: T0 + 2, status: 500, error: "100% broken_pipe", errorClass: "upstream", durationMs: 900 }),
      logEntry({ ts: T0 + 3, status: 429, error: "rate limited", accessKeyId: 4, durationMs: 10 }),
      logEntry({ ts: T0 + 4, status: 200, keyId: 9, model: "claude", durationMs: 3000 }),
      logEntry({ ts: T0 + 5, status: 401, error: "bad key 100x broken-pipe", groupId: 2, durationMs: 5 }),
    ]);
  });
  afterAll(() => gw.close());

  const ids = (filter: LogFilter) => queryLogs(gw.gateway.store.sqlite, filter, { limit: 50 }).rows.map((r) => r.id);

  it("appliesEachFilterAsDocumented", () => {
    expect(ids({})).toEqual([5, 4, 3, 2, 1]);
    expect(ids({ success: true })).toEqual([4, 1]);
    expect(ids({ success: false })).toEqual([5, 3, 2]);
    expect(ids({ status: 429 })).toEqual([3]);
    expect(ids({ from: T0 + 2, to: T0 + 4 })).toEqual([3, 2]);
    expect(ids({ groupId: 2 })).toEqual([5]);
    expect(ids({ model: "claude" })).toEqual([4]);
    expect(ids({ accessKeyId: 4 })).toEqual([3]);
    expect(ids({ keyId: 9 })).toEqual([4]);
    expect(ids({ minDurationMs: 900 })).toEqual([4, 2]);
  });

  it("treatsPercentAndUnderscoreInTheSearchTextLiterally", () => {
    expect(ids({ q: "100%" })).toEqual([2]);
    expect(ids({ q: "broken_pipe" })).toEqual([2]);
    expect(ids({ q: "BROKEN" })).toEqual([5, 2]);
  });

  it("prunesOnlyRowsOlderThanTheCutoffInBatches", () => {
    const sqlite = gw.gateway.store.sqlite;
    expect(pruneLogsBatch(sqlite, T0 + 4, 2)).toBe(2);
    expect(pruneLogsBatch(sqlite, T0 + 4, 2)).toBe(1);
    expect(pruneLogsBatch(sqlite, T0 + 4, 2)).toBe(0);
    expect(ids({})).toEqual([5, 4]);
  });
});
