import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { HOUR_MS } from "../../src/store/repos/stats.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";
import { logEntry, writeEntries } from "../support/log-entries.ts";

// The gateway's clock is pinned 40 minutes into an hour, so the windows below never depend on
// when the suite runs.
const NOW = Math.floor(Date.now() / HOUR_MS) * HOUR_MS - 20 * 60_000;
const HOUR = Math.floor(NOW / HOUR_MS) * HOUR_MS;

interface Change {
  value: number | null;
  previous: number | null;
  delta: number | null;
  change_pct: number | null;
}
type Overview = Record<string, Change> & { range: string };
interface Series {
  bucket: string;
  from: number;
  to: number;
  items: { t: number; requests: number; successes: number; failures: number; input_tokens: number; output_tokens: number }[];
}

let gw: TestGateway;
beforeAll(async () => {
  gw = startTestGateway({}, { now: () => NOW });
  for (const name of ["main", "side"]) {
    const res = await gw.call("/api/groups", { method: "POST", json: { name, channel_type: "openai", upstreams: [{ url: "https://api.openai.com", weight: 1 }] } });
    expect(res.status).toBe(201);
  }
  const imported = await gw.call("/api/groups/1/keys", { method: "POST", json: { keys: ["sk-test-aaaaaaaaaaaaaaaa1", "sk-test-aaaaaaaaaaaaaaaa2", "sk-test-aaaaaaaaaaaaaaaa3"] } });
  expect(imported.status).toBeLessThan(300);
  const disabled = await gw.call("/api/keys/3", { method: "PATCH", json: { status: "disabled" } });
  expect(disabled.status).toBe(200);
  writeEntries(gw.gateway.store.sqlite, [
    // The last hour (rolling): 3 requests, one failed.
    logEntry({ ts: NOW - 10 * 60_000, groupId: 1, groupName: "main", model: "a", inputTokens: 100, outputTokens: 10, cachedTokens: 5 }),
    logEntry({ ts: NOW - 20 * 60_000, groupId: 1, groupName: "main", model: "b", inputTokens: 200, outputTokens: 20, cachedTokens: 0 }),
    logEntry({ ts: NOW - 30 * 60_000, groupId: 2, groupName: "side", model: "a", status: 502, inputTokens: null, outputTokens: null, cachedTokens: null }),
    // The hour before that: one request.
    logEntry({ ts: NOW - 90 * 60_000, groupId: 1, groupName: "main", model: "a", inputTokens: 50, outputTokens: 5, cachedTokens: 0 }),
    // Two hours back (inside 24h, outside 1h): 2 requests.
    logEntry({ ts: HOUR - 2 * HOUR_MS + 60_000, groupId: 2, groupName: "side", model: "a", status: 429, inputTokens: 0, outputTokens: 0 }),
    logEntry({ ts: HOUR - 2 * HOUR_MS + 120_000, groupId: 1, groupName: "main", model: "b", inputTokens: 7, outputTokens: 3, cachedTokens: 1 }),
    // The previous day: 4 requests.
    ...Array.from({ length: 4 }, (_, i) => logEntry({ ts: HOUR - 30 * HOUR_MS + i * 60_000, groupId: 1, groupName: "main", model: "a", inputTokens: 1, outputTokens: 1, cachedTokens: 0 })),
  ]);
});
afterAll(() => gw.close());

const get = async <T>(path: string) => {
  const res = await gw.call(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};

describe("admin/stats", () => {
  it("comparesTheLastHourWithTheHourBefore", async () => {
    const o = await get<Overview>("/api/stats/overview?range=1h");
    expect(o.requests).toEqual({ value: 3, previous: 1, delta: 2, change_pct: 2 });
    expect(o.success_rate!.value).toBeCloseTo(2 / 3, 3);
    expect(o.success_rate!.previous).toBe(1);
    expect(o.input_tokens!.value).toBe(300);
    expect(o.output_tokens!.value).toBe(30);
    expect(o.cached_tokens).toEqual({ value: 5, previous: 0, delta: 5, change_pct: null });
    expect(o.rpm!.value).toBe(0.05);
  });

  it("sumsTheDayFromRollupsIncludingRowsNotYetRolledUp", async () => {
    const o = await get<Overview>("/api/stats/overview?range=24h");
    expect(o.requests!.value).toBe(6);
    expect(o.requests!.previous).toBe(4);
    expect(o.input_tokens!.value).toBe(357);
    // Rows written after a rollup are folded in by the next read.
    writeEntries(gw.gateway.store.sqlite, [logEntry({ ts: NOW - 5 * 60_000, groupId: 2, groupName: "side", model: "c", inputTokens: 1000 })]);
    const again = await get<Overview>("/api/stats/overview?range=24h");
    expect(again.requests!.value).toBe(7);
    expect(again.input_tokens!.value).toBe(1357);
    const sum = (gw.gateway.store.sqlite.query("SELECT sum(requests) AS n FROM hourly_stats").get() as { n: number }).n;
    expect(sum).toBe(11);
  });

  it("countsActiveCoolingAndInvalidKeysWithoutAHistory", async () => {
    const o = await get<Overview>("/api/stats/overview?range=7d");
    expect(o.active_keys).toEqual({ value: 2, previous: null, delta: null, change_pct: null });
    expect(o.invalid_keys!.value).toBe(0);
    expect(o.cooldown_keys!.value).toBe(0);
  });

  it("fillsEveryHourOfTheDayWithZerosWhereNothingHappened", async () => {
    const s = await get<Series>("/api/stats/series?range=24h");
    expect(s.bucket).toBe("hour");
    expect(s.items.length).toBe(24);
    s.items.forEach((p, i) => expect(p.t).toBe(s.from + i * HOUR_MS));
    expect(s.items.reduce((n, p) => n + p.requests, 0)).toBe(7);
    const twoBack = s.items.find((p) => p.t === HOUR - 2 * HOUR_MS)!;
    expect(twoBack).toEqual({ t: HOUR - 2 * HOUR_MS, requests: 2, successes: 1, failures: 1, input_tokens: 7, output_tokens: 3 });
  });

  it("narrowsTheSeriesToAGroupByNameOrIdAndToAModel", async () => {
    const byName = await get<Series>("/api/stats/series?range=24h&group=side");
    const byId = await get<Series>("/api/stats/series?range=24h&group=2");
    expect(byName.items).toEqual(byId.items);
    expect(byName.items.reduce((n, p) => n + p.requests, 0)).toBe(3);
    const model = await get<Series>("/api/stats/series?range=24h&group=main&model=a");
    expect(model.items.reduce((n, p) => n + p.requests, 0)).toBe(2);
    expect((await gw.call("/api/stats/series?group=nope")).status).toBe(404);
  });

  it("usesMinuteBucketsForAnHourAndDayBucketsOnRequest", async () => {
    const minutes = await get<Series>("/api/stats/series?range=1h");
    expect(minutes.bucket).toBe("minute");
    expect(minutes.items.length).toBe(60);
    expect(minutes.items.reduce((n, p) => n + p.requests, 0)).toBe(4);
    const days = await get<Series>("/api/stats/series?range=7d&bucket=day");
    expect(days.items.length).toBe(7);
    expect(days.items.reduce((n, p) => n + p.requests, 0)).toBe(11);
  });

  it("refusesUnknownRangesAndBuckets", async () => {
    for (const q of ["overview?range=2h", "series?bucket=week", "series?range=7d&bucket=minute"]) {
      const res = await gw.call(`/api/stats/${q}`);
      expect(res.status, q).toBe(400);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
    }
    expect((await gw.call("/api/stats/overview", { auth: false })).status).toBe(401);
  });
});
