// The load generator, run as its own process so its CPU is not the servers' CPU.
// Takes one LoadSpec as JSON in argv[2], drives it with fetch, and prints the result as one JSON
// line on stdout. Modes: "loop" (fixed concurrency for a fixed time, whole bodies read), "hold"
// (N streams opened at once) and "slow" (timestamped streams through every endpoint side by side).
// It knows nothing about poolgate: the orchestrator (run.ts) chooses URLs, headers and bodies.

export interface Endpoint {
  url: string;
  headers: Record<string, string>;
}

export interface LoopSpec {
  mode: "loop";
  endpoint: Endpoint;
  body: string;
  /** Body size every answer must have; 0 = not checked. */
  expectBytes: number;
  concurrency: number;
  /** Measured seconds, after `warmupS` unmeasured ones. */
  durationS: number;
  warmupS: number;
}

export interface HoldSpec {
  mode: "hold";
  endpoint: Endpoint;
  body: string;
  expectBytes: number;
  /** Streams opened at once. */
  streams: number;
}

export interface SlowSpec {
  mode: "slow";
  /** The first one is the reference (direct) that the others are paired with, when `paired`. */
  endpoints: Endpoint[];
  paired: boolean;
  body: string;
  clients: number;
  /** Each client starts rounds (one stream per endpoint) until this many seconds have passed. */
  durationS: number;
  /** The upstream's gap between events: rounds spread their streams' start times across it. */
  gapMs: number;
}

export type LoadSpec = LoopSpec | HoldSpec | SlowSpec;

export interface Stats {
  n: number;
  mean: number;
  p50: number;
  p99: number;
  max: number;
}

export interface LoadResult {
  completed: number;
  /** Every request started, warm-up and failures included (for CPU per request). */
  finished: number;
  errors: number;
  errorSamples: string[];
  elapsedS: number;
  /** loop: completed per second in the measured window. */
  perSecond?: number;
  /** loop: whole-request latency (ms, until the last body byte). */
  latency?: Stats;
  /** slow: time to the first body chunk (ms). */
  ttfb?: Stats;
  /** slow: per event, arrival time minus the upstream's send stamp (ms). */
  chunkLatency?: Stats;
  /** slow: time between consecutive chunk arrivals (ms). */
  gap?: Stats;
  /** slow, paired: per event, this endpoint's chunk latency minus the reference's in the same round (ms). */
  addedDelay?: Stats;
  /** slow, paired: this endpoint's time to first byte minus the reference's in the same round (ms). */
  addedTtfb?: Stats;
  /** hold: most streams open (headers in, body not finished) at one time, and when (ms from start). */
  peakOpen?: number;
  peakOpenAtMs?: number;
}

export function summarize(values: number[]): Stats {
  if (values.length === 0) return { n: 0, mean: NaN, p50: NaN, p99: NaN, max: NaN };
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  let sum = 0;
  for (const v of sorted) sum += v;
  return { n: sorted.length, mean: sum / sorted.length, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}

/** Counts failures and keeps the first few distinct messages. */
class ErrorLog {
  count = 0;
  readonly samples = new Set<string>();
  add(message: string): void {
    this.count++;
    if (this.samples.size < 5) this.samples.add(message.slice(0, 200));
  }
}

async function failureText(res: Response): Promise<string> {
  const text = await res.text().catch(() => "");
  return `HTTP ${res.status}: ${text.slice(0, 150)}`;
}

async function runLoop(spec: LoopSpec): Promise<LoadResult> {
  const errors = new ErrorLog();
  const latencies: number[] = [];
  const init = { method: "POST", headers: spec.endpoint.headers, body: spec.body };
  const start = performance.now();
  const measureFrom = start + spec.warmupS * 1000;
  const end = measureFrom + spec.durationS * 1000;
  let completed = 0;
  let finished = 0;
  const client = async () => {
    while (performance.now() < end) {
      const t0 = performance.now();
      finished++;
      try {
        const res = await fetch(spec.endpoint.url, init);
        if (res.status !== 200) {
          errors.add(await failureText(res));
          continue;
        }
        const size = (await res.arrayBuffer()).byteLength;
        const t1 = performance.now();
        if (spec.expectBytes && size !== spec.expectBytes) errors.add(`body ${size} bytes, expected ${spec.expectBytes}`);
        else if (t0 >= measureFrom && t1 <= end) {
          completed++;
          latencies.push(t1 - t0);
        }
      } catch (error) {
        errors.add(String(error));
        await Bun.sleep(5);
      }
    }
  };
  await Promise.all(Array.from({ length: spec.concurrency }, client));
  return {
    completed,
    finished,
    errors: errors.count,
    errorSamples: [...errors.samples],
    elapsedS: (performance.now() - start) / 1000,
    perSecond: completed / spec.durationS,
    latency: summarize(latencies),
  };
}

async function runHold(spec: HoldSpec): Promise<LoadResult> {
  const errors = new ErrorLog();
  const start = performance.now();
  let open = 0;
  let peakOpen = 0;
  let peakOpenAtMs = 0;
  let completed = 0;
  const stream = async () => {
    let counted = false;
    try {
      const res = await fetch(spec.endpoint.url, { method: "POST", headers: spec.endpoint.headers, body: spec.body });
      if (res.status !== 200 || !res.body) {
        errors.add(await failureText(res));
        return;
      }
      open++;
      counted = true;
      if (open > peakOpen) {
        peakOpen = open;
        peakOpenAtMs = performance.now() - start;
      }
      let size = 0;
      const reader = res.body.getReader();
      for (let next = await reader.read(); !next.done; next = await reader.read()) size += next.value.byteLength;
      if (spec.expectBytes && size !== spec.expectBytes) errors.add(`body ${size} bytes, expected ${spec.expectBytes}`);
      else completed++;
    } catch (error) {
      errors.add(String(error));
    } finally {
      if (counted) open--;
    }
  };
  await Promise.all(Array.from({ length: spec.streams }, stream));
  return {
    completed,
    finished: spec.streams,
    errors: errors.count,
    errorSamples: [...errors.samples],
    elapsedS: (performance.now() - start) / 1000,
    peakOpen,
    peakOpenAtMs: Math.round(peakOpenAtMs),
  };
}

const STAMP = /"x_sent":([0-9.]+)/g;

/** One timestamped stream: time to first chunk, per-event latency by event index, arrival gaps. */
interface StreamTrace {
  ok: boolean;
  error?: string;
  ttfb: number;
  latencies: number[];
  gaps: number[];
}

async function traceStream(endpoint: Endpoint, body: string): Promise<StreamTrace> {
  const trace: StreamTrace = { ok: false, ttfb: NaN, latencies: [], gaps: [] };
  const decoder = new TextDecoder();
  const t0 = performance.now();
  try {
    const res = await fetch(endpoint.url, { method: "POST", headers: endpoint.headers, body });
    if (res.status !== 200 || !res.body) return { ...trace, error: await failureText(res) };
    const reader = res.body.getReader();
    let previous = 0;
    let pending = "";
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      const arrived = performance.now();
      const wall = performance.timeOrigin + arrived;
      if (previous === 0) trace.ttfb = arrived - t0;
      else trace.gaps.push(arrived - previous);
      previous = arrived;
      // An event counts when its last byte arrives; a partial one waits for the next chunk.
      pending += decoder.decode(next.value, { stream: true });
      const cut = pending.lastIndexOf("\n\n");
      if (cut < 0) continue;
      const complete = pending.slice(0, cut);
      pending = pending.slice(cut + 2);
      for (const match of complete.matchAll(STAMP)) trace.latencies.push(wall - Number(match[1]));
      if (complete.endsWith("data: [DONE]")) trace.ok = true;
    }
    if (!trace.ok) trace.error = "stream ended without [DONE]";
  } catch (error) {
    trace.error = String(error);
  }
  return trace;
}

/**
 * Every client runs rounds: one stream per endpoint, started a fraction of the event gap apart
 * so their events do not land in the same instant. Pairing each event with the reference's event
 * of the same index in the same round cancels most of the machine's noise (shared 2 cores).
 */
async function runSlow(spec: SlowSpec): Promise<LoadResult[]> {
  const n = spec.endpoints.length;
  const results = spec.endpoints.map(() => ({
    errors: new ErrorLog(),
    finished: 0,
    completed: 0,
    ttfb: [] as number[],
    latency: [] as number[],
    gaps: [] as number[],
    added: [] as number[],
    addedTtfb: [] as number[],
  }));
  const slotMs = spec.gapMs / (spec.clients * n);
  const start = performance.now();
  const end = start + spec.durationS * 1000;
  const client = async (c: number) => {
    while (performance.now() < end) {
      const traces = await Promise.all(
        spec.endpoints.map(async (endpoint, k) => {
          await Bun.sleep((c * n + k) * slotMs);
          return traceStream(endpoint, spec.body);
        }),
      );
      traces.forEach((trace, k) => {
        const r = results[k]!;
        r.finished++;
        if (!trace.ok) {
          r.errors.add(trace.error ?? "failed");
          return;
        }
        r.completed++;
        r.ttfb.push(trace.ttfb);
        r.latency.push(...trace.latencies);
        r.gaps.push(...trace.gaps);
        const reference = traces[0]!;
        if (!spec.paired || k === 0 || !reference.ok) return;
        r.addedTtfb.push(trace.ttfb - reference.ttfb);
        const events = Math.min(trace.latencies.length, reference.latencies.length);
        for (let i = 0; i < events; i++) r.added.push(trace.latencies[i]! - reference.latencies[i]!);
      });
      if (traces.some((t) => !t.ok)) await Bun.sleep(5);
    }
  };
  await Promise.all(Array.from({ length: spec.clients }, (_, c) => client(c)));
  const elapsedS = (performance.now() - start) / 1000;
  return results.map((r, k) => ({
    completed: r.completed,
    finished: r.finished,
    errors: r.errors.count,
    errorSamples: [...r.errors.samples],
    elapsedS,
    ttfb: summarize(r.ttfb),
    chunkLatency: summarize(r.latency),
    gap: summarize(r.gaps),
    addedDelay: spec.paired && k > 0 ? summarize(r.added) : undefined,
    addedTtfb: spec.paired && k > 0 ? summarize(r.addedTtfb) : undefined,
  }));
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
  const result = spec.mode === "slow" ? await runSlow(spec) : spec.mode === "hold" ? await runHold(spec) : await runLoop(spec);
  process.stdout.write(JSON.stringify(result) + "\n");
}
