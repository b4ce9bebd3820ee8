import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { createLagProbe, createMetrics } from "../../src/telemetry/metrics.ts";
import { startTestGateway, TEST_AUTH_KEY, type TestGateway } from "../support/gateway.ts";
import { logEntry } from "../support/log-entries.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/**
 * A strict reader of the Prometheus text format 0.0.4: HELP/TYPE syntax, one TYPE per family
 * before its samples, metric and label name syntax, label value escapes, numeric values, no
 * duplicate series, and histograms whose buckets rise in `le` order, are cumulative, and end
 * with le="+Inf" equal to _count. Throws on the first violation.
 */
function parseExposition(text: string): { types: Map<string, string>; samples: Sample[] } {
  if (!text.endsWith("\n")) throw new Error("exposition must end with a newline");
  const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
  const types = new Map<string, string>();
  const helps = new Set<string>();
  const samples: Sample[] = [];
  const seen = new Set<string>();
  for (const line of text.slice(0, -1).split("\n")) {
    if (line.startsWith("#")) {
      const m = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
      if (!m) throw new Error(`bad comment line: ${line}`);
      const [, kind, name, rest] = m;
      if (!NAME.test(name!)) throw new Error(`bad metric name: ${name}`);
      if (kind === "TYPE") {
        if (!["counter", "gauge", "histogram", "summary", "untyped"].includes(rest!)) throw new Error(`bad type: ${line}`);
        if (types.has(name!)) throw new Error(`second TYPE for ${name}`);
        if (samples.some((s) => familyOf(s.name, types) === name)) throw new Error(`TYPE after samples of ${name}`);
        types.set(name!, rest!);
      } else {
        if (helps.has(name!)) throw new Error(`second HELP for ${name}`);
        if (/\\(?![\\n])/.test(rest!)) throw new Error(`bad HELP escape: ${line}`);
        helps.add(name!);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`bad sample line: ${line}`);
    const [, name, labelText, valueText] = m;
    const labels: Record<string, string> = {};
    if (labelText) {
      const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
      let at = 0;
      while (at < labelText.length) {
        LABEL.lastIndex = at;
        const l = LABEL.exec(labelText);
        if (!l) throw new Error(`bad labels: ${line}`);
        if (l[1]! in labels) throw new Error(`repeated label ${l[1]} in ${line}`);
        labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
        at = LABEL.lastIndex;
        if (l[3] === "" && at !== labelText.length) throw new Error(`bad labels: ${line}`);
      }
    }
    if (!/^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]Inf|NaN)$/.test(valueText!)) throw new Error(`bad value: ${line}`);
    const family = familyOf(name!, types);
    if (!types.has(family)) throw new Error(`sample before TYPE: ${line}`);
    const key = `${name}{${Object.entries(labels).sort().map(([k, v]) => `${k}=${v}`).join(",")}}`;
    if (seen.has(key)) throw new Error(`duplicate series ${key}`);
    seen.add(key);
    const value = Number(valueText!.replace("Inf", "Infinity"));
    if (types.get(family) === "counter" && !(value >= 0)) throw new Error(`negative counter: ${line}`);
    samples.push({ name: name!, labels, value });
  }
  checkHistograms(types, samples);
  return { types, samples };
}

function familyOf(name: string, types: Map<string, string>): string {
  for (const suffix of ["_bucket", "_sum", "_count"]) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && types.get(base) === "histogram") return base;
  }
  return name;
}

function checkHistograms(types: Map<string, string>, samples: Sample[]): void {
  for (const [family, type] of types) {
    if (type !== "histogram") continue;
    const series = new Map<string, { buckets: [number, number][]; count?: number; sum?: number }>();
    for (const s of samples) {
      if (familyOf(s.name, types) !== family) continue;
      const { le, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      const entry = series.get(key) ?? { buckets: [] };
      series.set(key, entry);
      if (s.name === `${family}_bucket`) {
        if (le === undefined) throw new Error(`bucket without le in ${family}`);
        entry.buckets.push([Number(le.replace("Inf", "Infinity")), s.value]);
      } else if (s.name === `${family}_count`) entry.count = s.value;
      else if (s.name === `${family}_sum`) entry.sum = s.value;
      else throw new Error(`unexpected sample ${s.name} in histogram ${family}`);
    }
    for (const [key, h] of series) {
      if (h.count === undefined || h.sum === undefined) throw new Error(`${family}${key} lacks _count or _sum`);
      for (let i = 1; i < h.buckets.length; i++) {
        if (!(h.buckets[i]![0] > h.buckets[i - 1]![0])) throw new Error(`${family}${key}: le not rising`);
        if (h.buckets[i]![1] < h.buckets[i - 1]![1]) throw new Error(`${family}${key}: buckets not cumulative`);
      }
      const last = h.buckets[h.buckets.length - 1];
      if (!last || last[0] !== Infinity || last[1] !== h.count) throw new Error(`${family}${key}: +Inf bucket must equal _count`);
    }
  }
}

const value = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe("telemetry/metrics", () => {
  let gw: TestGateway;
  beforeAll(() => {
    gw = startTestGateway();
  });
  afterAll(() => gw.close());

  it("countsTrafficPushedThroughTheLogQueueInValidExposition", async () => {
    const q = gw.gateway.logQueue;
    for (let i = 0; i < 10; i++) q.push(logEntry({ groupName: "main", channel: "openai", status: 200, durationMs: 300, ttfbMs: 30, inputTokens: 10, outputTokens: 2, cachedTokens: 1 }));
    for (let i = 0; i < 3; i++) q.push(logEntry({ groupName: "main", channel: "openai", status: 429, durationMs: 2000, ttfbMs: null, inputTokens: null, outputTokens: null, cachedTokens: null }));
    q.push(logEntry({ groupName: 'we"ird\\name', channel: "anthropic", status: 502, durationMs: 400_000, ttfbMs: 70_000 }));
    const res = await gw.call("/metrics", { auth: false });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const { types, samples } = parseExposition(await res.text());
    const main = { group: "main", channel: "openai" };
    expect(value(samples, "poolgate_requests_total", { ...main, status_class: "2xx" })).toBe(10);
    expect(value(samples, "poolgate_requests_total", { ...main, status_class: "4xx" })).toBe(3);
    expect(value(samples, "poolgate_requests_total", { group: 'we"ird\\name', status_class: "5xx" })).toBe(1);
    expect(types.get("poolgate_request_duration_seconds")).toBe("histogram");
    expect(value(samples, "poolgate_request_duration_seconds_count", main)).toBe(13);
    expect(value(samples, "poolgate_request_duration_seconds_sum", main)).toBeCloseTo(10 * 0.3 + 3 * 2, 6);
    expect(value(samples, "poolgate_request_duration_seconds_bucket", { ...main, le: "0.25" })).toBe(0);
    expect(value(samples, "poolgate_request_duration_seconds_bucket", { ...main, le: "0.5" })).toBe(10);
    expect(value(samples, "poolgate_request_duration_seconds_bucket", { ...main, le: "2.5" })).toBe(13);
    expect(value(samples, "poolgate_time_to_first_byte_seconds_count", main)).toBe(10);
    expect(value(samples, "poolgate_time_to_first_byte_seconds_bucket", { group: 'we"ird\\name', le: "60" })).toBe(0);
    expect(value(samples, "poolgate_time_to_first_byte_seconds_bucket", { group: 'we"ird\\name', le: "+Inf" })).toBe(1);
    expect(value(samples, "poolgate_tokens_total", { ...main, type: "input" })).toBe(100);
    expect(value(samples, "poolgate_tokens_total", { ...main, type: "cached" })).toBe(10);
    expect(value(samples, "poolgate_log_queue_depth")).toBe(14);
    expect(value(samples, "process_resident_memory_bytes")).toBeGreaterThan(0);
    expect(types.get("poolgate_event_loop_lag_seconds")).toBe("gauge");

    await q.settled();
    const after = parseExposition(await (await gw.call("/metrics", { auth: false })).text()).samples;
    expect(value(after, "poolgate_log_queue_depth")).toBe(0);
    expect(value(after, "poolgate_log_queue_written_total")).toBe(14);
    expect(value(after, "poolgate_log_queue_dropped_total")).toBe(0);
  });

  it("asksForTheBearerTokenOnceMetricsTokenIsSet", async () => {
    const patched = await gw.call("/api/settings", { method: "PATCH", json: { metrics_token: "scrape-me" } });
    expect(patched.status).toBe(200);
    const denied = await gw.call("/metrics", { auth: false });
    expect(denied.status).toBe(401);
    expect(denied.headers.get("www-authenticate")).toContain("Bearer");
    expect((await gw.call("/metrics")).status).toBe(401); // the admin key is not the metrics token
    expect((await gw.call("/metrics", { headers: { authorization: "Bearer scrape-me" } })).status).toBe(200);
    expect(TEST_AUTH_KEY).not.toBe("scrape-me");
  });

  it("showsTheLiveKeyPoolAndUpstreamCircuitsOfEachGroup", async () => {
    const created = await gw.call("/api/groups", { method: "POST", json: { name: "pooled", channel_type: "openai", upstreams: [{ url: "https://api.openai.com", weight: 1 }] } });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    await gw.call(`/api/groups/${id}/keys`, { method: "POST", json: { keys: ["sk-metrics-aaaaaaaaaaaa1", "sk-metrics-aaaaaaaaaaaa2"] } });
    const text = await (await gw.call("/metrics", { headers: { authorization: "Bearer scrape-me" } })).text();
    expect(text).not.toContain("sk-metrics");
    const { samples } = parseExposition(text);
    expect(value(samples, "poolgate_keys", { group: "pooled", state: "active" })).toBe(2);
    expect(value(samples, "poolgate_upstream_circuit_state", { group: "pooled", upstream: "https://api.openai.com", state: "closed" })).toBe(1);
  });

  it("rendersKeyStatesAndCircuitStatesFromProviders", () => {
    const metrics = createMetrics();
    const text = metrics.render({
      keyStates: () => [{ group: "main", state: "active", count: 4 }, { group: "main", state: "cooldown", count: 1 }],
      circuits: () => [{ group: "main", upstream: "https://a.example/v1", state: "open" }],
    });
    const { samples } = parseExposition(text);
    expect(value(samples, "poolgate_keys", { group: "main", state: "cooldown" })).toBe(1);
    expect(value(samples, "poolgate_upstream_circuit_state", { upstream: "https://a.example/v1", state: "open" })).toBe(1);
    expect(value(samples, "poolgate_upstream_circuit_state", { upstream: "https://a.example/v1", state: "closed" })).toBe(0);
  });

  it("reportsHowLateEachLagProbeTickFired", () => {
    const metrics = createMetrics();
    const probe = createLagProbe(500, (ms) => metrics.setEventLoopLag(ms));
    probe.tick(1000);
    probe.tick(1500);
    probe.tick(2250);
    const { samples } = parseExposition(metrics.render());
    expect(value(samples, "poolgate_event_loop_lag_seconds")).toBe(0.25);
    expect(value(samples, "poolgate_event_loop_lag_max_seconds")).toBe(0.25);
  });

  it("rejectsBrokenExpositionInItsOwnParser", () => {
    expect(() => parseExposition("x 1\n")).toThrow("sample before TYPE");
    expect(() => parseExposition('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n')).toThrow("cumulative");
    expect(() => parseExposition('# TYPE c counter\nc{a="x\\q"} 1\n')).toThrow("bad labels");
  });
});
