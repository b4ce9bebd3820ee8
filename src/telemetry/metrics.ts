// Prometheus metrics: in-memory counters and histograms fed by observeRequest() (one call per
// logged request: a two-level Map lookup and a few additions, no allocation once a label pair
// exists), rendered as text exposition format 0.0.4 on scrape. Holds no timer and does no I/O;
// live readings (queue, memory, pool, circuits) are passed to render() by app.ts.

import type { RequestLogEntry } from "./log-queue.ts";

/** Seconds. Latencies of AI calls run from tens of ms to minutes. */
export const DURATION_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300] as const;
export const TTFB_BUCKETS = [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60] as const;
const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"] as const;

export interface MetricsProviders {
  logQueue?: { depth(): number; dropped(): number; written(): number };
  memory?: () => { rss: number; heapUsed: number; heapTotal: number };
  /** Keys by state per group, from the pool registry. */
  keyStates?: () => Iterable<{ group: string; state: string; count: number }>;
  /** Circuit state of each upstream per group, from the pool registry. */
  circuits?: () => Iterable<{ group: string; upstream: string; state: "closed" | "open" | "half-open" }>;
}

export interface Metrics {
  observeRequest(entry: RequestLogEntry): void;
  /** Latest event-loop lag in ms (app.ts measures it with a timer; see createLagProbe). */
  setEventLoopLag(ms: number): void;
  render(providers?: MetricsProviders): string;
}

interface Histogram {
  /** Per-bucket (not cumulative) counts; the last slot is the +Inf overflow. */
  counts: Float64Array;
  sum: number;
  count: number;
}

interface Series {
  statuses: Float64Array;
  duration: Histogram;
  ttfb: Histogram;
  inputTokens: number;
  outputTokens: number;
  cachedTokens: number;
}

const histogram = (bounds: readonly number[]): Histogram => ({ counts: new Float64Array(bounds.length + 1), sum: 0, count: 0 });

function observe(h: Histogram, bounds: readonly number[], seconds: number): void {
  let i = 0;
  while (i < bounds.length && seconds > bounds[i]!) i++;
  h.counts[i]!++;
  h.sum += seconds;
  h.count++;
}

export function createMetrics(): Metrics {
  const byGroup = new Map<string, Map<string, Series>>();
  let lagMs = 0;
  let lagMaxMs = 0;

  const seriesOf = (group: string, channel: string): Series => {
    let byChannel = byGroup.get(group);
    if (!byChannel) byGroup.set(group, (byChannel = new Map()));
    let s = byChannel.get(channel);
    if (!s) {
      s = { statuses: new Float64Array(STATUS_CLASSES.length), duration: histogram(DURATION_BUCKETS), ttfb: histogram(TTFB_BUCKETS), inputTokens: 0, outputTokens: 0, cachedTokens: 0 };
      byChannel.set(channel, s);
    }
    return s;
  };

  return {
    observeRequest(e) {
      const s = seriesOf(e.groupName, e.channel);
      const cls = Math.floor(e.status / 100);
      s.statuses[cls >= 1 && cls <= 5 ? cls - 1 : 5]!++;
      observe(s.duration, DURATION_BUCKETS, e.durationMs / 1000);
      if (e.ttfbMs !== null) observe(s.ttfb, TTFB_BUCKETS, e.ttfbMs / 1000);
      if (e.inputTokens) s.inputTokens += e.inputTokens;
      if (e.outputTokens) s.outputTokens += e.outputTokens;
      if (e.cachedTokens) s.cachedTokens += e.cachedTokens;
    },
    setEventLoopLag(ms) {
      lagMs = ms;
      if (ms > lagMaxMs) lagMaxMs = ms;
    },
    render(p = {}) {
      const out: string[] = [];
      const each = (fn: (labels: string, s: Series) => void) => {
        for (const [group, byChannel] of byGroup) for (const [channel, s] of byChannel) fn(`group="${esc(group)}",channel="${esc(channel)}"`, s);
      };
      head(out, "poolgate_requests_total", "counter", "Client requests answered, by group, channel and status class.");
      each((l, s) => STATUS_CLASSES.forEach((c, i) => s.statuses[i] && out.push(`poolgate_requests_total{${l},status_class="${c}"} ${s.statuses[i]}`)));
      head(out, "poolgate_request_duration_seconds", "histogram", "Time from request intake to the end of the answer.");
      each((l, s) => renderHistogram(out, "poolgate_request_duration_seconds", l, DURATION_BUCKETS, s.duration));
      head(out, "poolgate_time_to_first_byte_seconds", "histogram", "Time until the upstream's first response byte.");
      each((l, s) => s.ttfb.count && renderHistogram(out, "poolgate_time_to_first_byte_seconds", l, TTFB_BUCKETS, s.ttfb));
      head(out, "poolgate_tokens_total", "counter", "Tokens reported by upstreams (input includes cached).");
      each((l, s) => {
        out.push(`poolgate_tokens_total{${l},type="input"} ${s.inputTokens}`);
        out.push(`poolgate_tokens_total{${l},type="output"} ${s.outputTokens}`);
        out.push(`poolgate_tokens_total{${l},type="cached"} ${s.cachedTokens}`);
      });
      if (p.logQueue) {
        gauge(out, "poolgate_log_queue_depth", "gauge", "Request logs waiting to be written.", p.logQueue.depth());
        gauge(out, "poolgate_log_queue_dropped_total", "counter", "Request logs dropped (queue full or write failed).", p.logQueue.dropped());
        gauge(out, "poolgate_log_queue_written_total", "counter", "Request logs written to the database.", p.logQueue.written());
      }
      if (p.memory) {
        const m = p.memory();
        gauge(out, "process_resident_memory_bytes", "gauge", "Resident set size in bytes.", m.rss);
        gauge(out, "poolgate_heap_used_bytes", "gauge", "JavaScript heap in use, bytes.", m.heapUsed);
        gauge(out, "poolgate_heap_total_bytes", "gauge", "JavaScript heap reserved, bytes.", m.heapTotal);
      }
      gauge(out, "poolgate_event_loop_lag_seconds", "gauge", "Latest measured event-loop delay.", lagMs / 1000);
      gauge(out, "poolgate_event_loop_lag_max_seconds", "gauge", "Largest event-loop delay since the previous scrape.", lagMaxMs / 1000);
      lagMaxMs = lagMs;
      if (p.keyStates) {
        head(out, "poolgate_keys", "gauge", "Upstream keys by state per group.");
        for (const k of p.keyStates()) out.push(`poolgate_keys{group="${esc(k.group)}",state="${esc(k.state)}"} ${k.count}`);
      }
      if (p.circuits) {
        head(out, "poolgate_upstream_circuit_state", "gauge", "1 for the circuit state each upstream is in, 0 for the others.");
        for (const c of p.circuits()) {
          const l = `group="${esc(c.group)}",upstream="${esc(c.upstream)}"`;
          for (const state of ["closed", "open", "half-open"] as const) out.push(`poolgate_upstream_circuit_state{${l},state="${state}"} ${c.state === state ? 1 : 0}`);
        }
      }
      return out.join("\n") + "\n";
    },
  };
}

function head(out: string[], name: string, type: string, help: string): void {
  out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
}

function gauge(out: string[], name: string, type: string, help: string, value: number): void {
  head(out, name, type, help);
  out.push(`${name} ${Number.isFinite(value) ? value : 0}`);
}

function renderHistogram(out: string[], name: string, labels: string, bounds: readonly number[], h: Histogram): void {
  let cumulative = 0;
  for (let i = 0; i < bounds.length; i++) {
    cumulative += h.counts[i]!;
    out.push(`${name}_bucket{${labels},le="${bounds[i]}"} ${cumulative}`);
  }
  out.push(`${name}_bucket{${labels},le="+Inf"} ${h.count}`);
  out.push(`${name}_sum{${labels}} ${h.sum}`);
  out.push(`${name}_count{${labels}} ${h.count}`);
}

/** Label value escaping of the text format: backslash, double quote and newline. */
function esc(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === "\n" ? "\\n" : `\\${c}`));
}

/**
 * Event-loop lag from a periodic timer: each tick reports how late it fired against the
 * schedule. Pure: app.ts owns the timer and passes performance.now() in.
 */
export function createLagProbe(intervalMs: number, report: (lagMs: number) => void): { tick(now: number): void } {
  let expected: number | null = null;
  return {
    tick(now) {
      if (expected !== null) report(Math.max(0, now - expected));
      expected = now + intervalMs;
    },
  };
}

/**
 * The /metrics answer: 401 unless the bearer token matches when one is configured. `sameSecret` is a
 * constant-time comparison (app.ts passes store/secrets.ts constantTimeEqual; telemetry may not import it).
 */
export function metricsResponse(request: Request, token: string, render: () => string, sameSecret: (given: string, token: string) => boolean): Response {
  if (token) {
    const given = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? "";
    if (!sameSecret(given, token)) {
      return new Response("unauthorized\n", { status: 401, headers: { "www-authenticate": 'Bearer realm="metrics"', "content-type": "text/plain" } });
    }
  }
  return new Response(render(), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8", "cache-control": "no-store" } });
}
