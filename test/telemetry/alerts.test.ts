// The alert pieces with a fixed clock: the per-minute error counts, the incident state machine
// (fires once, resolves once, fires again after resolving, key-invalidated bursts aggregated per
// window) and the signed sender against a real HTTP receiver on port 0.

import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createHmac } from "node:crypto";
import { createAlertMonitor, createAlertSender, createErrorCounter, signAlertBody, type AlertPayload, type GroupSnapshot } from "../../src/telemetry/alerts.ts";

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const BURST = { keyBurstWindowMs: 5 * 60_000 };

function group(over: Partial<GroupSnapshot> = {}): GroupSnapshot {
  return {
    id: 1,
    name: "g",
    usableKeys: 3,
    totalKeys: 3,
    minUsableKeys: 1,
    requests: 0,
    errors: 0,
    errorRatePercent: 50,
    minRequests: 20,
    windowMinutes: 5,
    circuits: [{ url: "http://up", state: "closed", failures: 0 }],
    ...over,
  };
}
const events = (alerts: AlertPayload[]) => alerts.map((a) => a.event);

describe("error counter", () => {
  it("countsRequestsAndServerErrorsPerGroupOverTheWindowOnly", () => {
    const c = createErrorCounter();
    c.observe({ ts: T0, groupId: 1, status: 200 });
    c.observe({ ts: T0, groupId: 1, status: 502 });
    c.observe({ ts: T0, groupId: 1, status: 400 });
    c.observe({ ts: T0, groupId: 2, status: 500 });
    c.observe({ ts: T0, groupId: null, status: 500 });
    expect(c.read(1, 5, T0)).toEqual({ requests: 3, errors: 1 });
    expect(c.read(1, 5, T0 + 4 * 60_000)).toEqual({ requests: 3, errors: 1 });
    expect(c.read(1, 5, T0 + 5 * 60_000)).toEqual({ requests: 0, errors: 0 });
    // An old bucket is reset when its slot comes round again, not added to.
    c.observe({ ts: T0 + 60 * 60_000, groupId: 1, status: 200 });
    expect(c.read(1, 1, T0 + 60 * 60_000)).toEqual({ requests: 1, errors: 0 });
  });
});

describe("alert monitor", () => {
  it("firesOnceWhileUsableKeysStayLowAndResolvesOnce", () => {
    const m = createAlertMonitor("node-a");
    expect(m.evaluate([group()], T0, BURST)).toEqual([]);
    const fired = m.evaluate([group({ usableKeys: 0 })], T0 + 5000, BURST);
    expect(events(fired)).toEqual(["keys.low"]);
    expect(fired[0]).toMatchObject({ severity: "critical", group: "g", node: "node-a", details: { usable_keys: 0, total_keys: 3, threshold: 1 } });
    expect(fired[0]!.ts).toBe(new Date(T0 + 5000).toISOString());
    expect(m.evaluate([group({ usableKeys: 0 })], T0 + 10_000, BURST)).toEqual([]);
    expect(m.evaluate([group({ usableKeys: 0 })], T0 + 60_000, BURST)).toEqual([]);
    expect(events(m.evaluate([group({ usableKeys: 1 })], T0 + 65_000, BURST))).toEqual(["keys.low.resolved"]);
    expect(m.evaluate([group({ usableKeys: 1 })], T0 + 70_000, BURST)).toEqual([]);
    expect(events(m.evaluate([group({ usableKeys: 0 })], T0 + 75_000, BURST))).toEqual(["keys.low"]);
  });

  it("ignoresGroupsWithoutKeysAndAThresholdOfZero", () => {
    const m = createAlertMonitor();
    expect(m.evaluate([group({ usableKeys: 0, totalKeys: 0 }), group({ id: 2, name: "h", usableKeys: 0, minUsableKeys: 0 })], T0, BURST)).toEqual([]);
  });

  it("needsTheMinimumRequestsBeforeAnErrorRateFiresAndResolvesWhenTheRateFalls", () => {
    const m = createAlertMonitor();
    expect(m.evaluate([group({ requests: 1, errors: 1 })], T0, BURST)).toEqual([]);
    const fired = m.evaluate([group({ requests: 20, errors: 11 })], T0 + 5000, BURST);
    expect(events(fired)).toEqual(["error_rate.high"]);
    expect(fired[0]!.details).toMatchObject({ requests: 20, errors: 11, error_rate_percent: 55, threshold_percent: 50 });
    expect(m.evaluate([group({ requests: 30, errors: 20 })], T0 + 10_000, BURST)).toEqual([]);
    // Fewer requests but still failing: no verdict, the incident stays open.
    expect(m.evaluate([group({ requests: 5, errors: 5 })], T0 + 15_000, BURST)).toEqual([]);
    expect(events(m.evaluate([group({ requests: 40, errors: 20 })], T0 + 20_000, BURST))).toEqual(["error_rate.high.resolved"]);
  });

  it("reportsACircuitOpeningOnceAndItsClosing", () => {
    const m = createAlertMonitor();
    const circuit = (state: "closed" | "open" | "half-open") => group({ circuits: [{ url: "http://up", state, failures: 5 }] });
    expect(events(m.evaluate([circuit("open")], T0, BURST))).toEqual(["circuit.open"]);
    expect(m.evaluate([circuit("half-open")], T0 + 5000, BURST)).toEqual([]);
    expect(m.evaluate([circuit("open")], T0 + 10_000, BURST)).toEqual([]);
    const resolved = m.evaluate([circuit("closed")], T0 + 15_000, BURST);
    expect(events(resolved)).toEqual(["circuit.open.resolved"]);
    expect(resolved[0]!.details).toMatchObject({ upstream: "http://up", since: new Date(T0).toISOString() });
  });

  it("sendsOneKeyInvalidatedAlertPerGroupPerWindowWithTheCount", () => {
    const m = createAlertMonitor();
    for (let id = 1; id <= 3; id++) m.noteKeyInvalidated({ id: 1, name: "g" }, { id, masked: `sk-...000${id}`, reason: "401" });
    const first = m.evaluate([group()], T0, BURST);
    expect(events(first)).toEqual(["key.invalidated"]);
    expect(first[0]!.details).toMatchObject({ count: 3, keys: [{ key_id: 1, key_masked: "sk-...0001", reason: "401" }, { key_id: 2 }, { key_id: 3 }] });
    m.noteKeyInvalidated({ id: 1, name: "g" }, { id: 4, masked: "sk-...0004", reason: "401" });
    m.noteKeyInvalidated({ id: 1, name: "g" }, { id: 5, masked: "sk-...0005", reason: "403" });
    expect(m.evaluate([group()], T0 + 60_000, BURST)).toEqual([]);
    const second = m.evaluate([group()], T0 + 5 * 60_000, BURST);
    expect(second[0]!.details).toMatchObject({ count: 2 });
    expect(m.evaluate([group()], T0 + 20 * 60_000, BURST)).toEqual([]);
  });

  it("dropsTheIncidentsOfAGroupThatIsGone", () => {
    const m = createAlertMonitor();
    m.evaluate([group({ usableKeys: 0 })], T0, BURST);
    expect(m.openIncidents()).toHaveLength(1);
    expect(m.evaluate([], T0 + 5000, BURST)).toEqual([]);
    expect(m.openIncidents()).toEqual([]);
  });
});

describe("alert sender", () => {
  let receiver: ReturnType<typeof Bun.serve>;
  const got: { headers: Headers; body: string }[] = [];
  let answer = 204;
  beforeAll(() => {
    receiver = Bun.serve({
      port: 0,
      async fetch(req) {
        got.push({ headers: req.headers, body: await req.text() });
        return new Response(null, { status: answer });
      },
    });
  });
  afterAll(() => receiver.stop(true));
  const payload: AlertPayload = { event: "keys.low", severity: "critical", group: "g", message: "m", details: { usable_keys: 0 }, ts: new Date(T0).toISOString() };

  it("postsTheJsonSignedWithAnHmacOfTheExactBody", async () => {
    const send = createAlertSender({ fetch, target: () => ({ url: `http://127.0.0.1:${receiver.port}/hook`, secret: "s3cret" }), timeoutMs: 5000 });
    expect(await send(payload)).toEqual({ kind: "delivered", status: 204 });
    const r = got.at(-1)!;
    expect(JSON.parse(r.body)).toEqual(payload);
    expect(r.headers.get("content-type")).toBe("application/json");
    expect(r.headers.get("x-poolgate-event")).toBe("keys.low");
    expect(r.headers.get("x-poolgate-signature")).toBe(`sha256=${createHmac("sha256", "s3cret").update(r.body).digest("hex")}`);
    expect(signAlertBody(r.body, "s3cret")).toBe(r.headers.get("x-poolgate-signature")!);
  });

  it("leavesTheSignatureOutWithoutASecretAndReportsFailuresWithoutThrowing", async () => {
    const failures: unknown[] = [];
    const send = createAlertSender({ fetch, target: () => ({ url: `http://127.0.0.1:${receiver.port}/hook`, secret: "" }), timeoutMs: 5000, onFailure: (_p, d) => failures.push(d) });
    answer = 500;
    expect(await send(payload)).toEqual({ kind: "failed", status: 500, error: "the webhook answered 500" });
    answer = 204;
    expect(got.at(-1)!.headers.has("x-poolgate-signature")).toBe(false);
    const refused = createAlertSender({ fetch: () => Promise.reject(new Error("connection refused")), target: () => ({ url: "http://x", secret: "" }), timeoutMs: 5000 });
    expect(await refused(payload)).toEqual({ kind: "failed", status: null, error: "connection refused" });
    expect(failures).toHaveLength(1);
    const off = createAlertSender({ fetch, target: () => ({ url: "", secret: "" }), timeoutMs: 5000 });
    expect(await off(payload)).toEqual({ kind: "not-configured" });
  });
});
