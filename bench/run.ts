// `bun run bench`: starts the fake upstream, the minimal passthrough and poolgate as separate
// processes on 127.0.0.1, drives each with bench/load.ts (its own process), prints one table of
// absolute figures and ratios, and writes bench/results/latest.json. Every child stops with it.
// It measures; it must not tune or patch what it measures.

import { mkdirSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseBenchOptions, usage, type BenchOptions, type TargetName, type TestName } from "./bench-options.ts";
import { buildMetrics, type RawResults, type TargetRun } from "./bench-metrics.ts";
import { installExitHandlers, runLoad, startBenchServer, stopChildren } from "./child-processes.ts";
import type { HoldSpec, LoopSpec, SlowSpec } from "./load.ts";
import { BENCH_GROUP, startPoolgate } from "./poolgate-target.ts";
import { openFileLimit, readCpuMs, readMainThreadCpuMs, readRssKiB, sampleRss } from "./process-stats.ts";
import { formatReport } from "./report.ts";

const REPO_ROOT = join(import.meta.dir, "..");
/** Stops that must run however the run ends (poolgate's temp DATA_DIR). */
const cleanups: Array<() => Promise<void>> = [];
const CHAT_PATH = "/v1/chat/completions";

interface UpstreamStats {
  requests: number;
  connections: number;
  distinct_keys: number;
}

interface Target {
  name: TargetName;
  url: string;
  headers: Record<string, string>;
  /** The process between client and upstream (none for direct). */
  proxyPid?: number;
}

const MESSAGES = [
  { role: "system", content: "You are a helpful assistant." },
  { role: "user", content: "Say hello in one short sentence." },
];

function requestBodies(options: BenchOptions): Record<TestName, string> {
  const base = { model: "gpt-4o-mini", messages: MESSAGES, max_tokens: 64 };
  const stream = { stream: true, stream_options: { include_usage: true } };
  return {
    json: JSON.stringify(base),
    sse: JSON.stringify({ ...base, ...stream, bench_chunks: options.sseChunks }),
    slow: JSON.stringify({ ...base, ...stream, bench_chunks: options.slowChunks, bench_gap_ms: options.slowGapMs, bench_timestamps: true }),
    hold: JSON.stringify({ ...base, ...stream, bench_chunks: options.holdChunks, bench_gap_ms: options.holdGapMs }),
  };
}

function loadSpec(test: "json" | "sse" | "hold", target: Target, options: BenchOptions, body: string, expectBytes: number): { spec: LoopSpec | HoldSpec; timeoutMs: number } {
  const endpoint = { url: target.url, headers: target.headers };
  if (test === "hold") {
    return {
      spec: { mode: "hold", endpoint, body, expectBytes, streams: options.holdStreams },
      timeoutMs: options.holdChunks * options.holdGapMs * 3 + 60_000,
    };
  }
  return {
    spec: { mode: "loop", endpoint, body, expectBytes, concurrency: options.concurrency, durationS: options.durationS, warmupS: options.warmupS },
    timeoutMs: (options.warmupS + options.durationS) * 1000 + 30_000,
  };
}

async function measure(test: TestName, target: Target, upstreamPid: number, spec: LoopSpec | HoldSpec, timeoutMs: number): Promise<TargetRun> {
  const pids = target.proxyPid ? [upstreamPid, target.proxyPid] : [upstreamPid];
  const cpuBefore = pids.map(readCpuMs);
  const loopBefore = target.proxyPid ? readMainThreadCpuMs(target.proxyPid) : NaN;
  const rssBefore = pids.map(readRssKiB);
  const sampler = test === "hold" ? sampleRss(pids) : undefined;
  const load = await runLoad(spec, timeoutMs);
  const peak = sampler?.stop();
  const cpuAfter = pids.map(readCpuMs);
  const run: TargetRun = {
    load,
    cpuMs: {
      upstream: cpuAfter[0]! - cpuBefore[0]!,
      proxy: target.proxyPid ? cpuAfter[1]! - cpuBefore[1]! : undefined,
      proxyLoop: target.proxyPid ? readMainThreadCpuMs(target.proxyPid) - loopBefore : undefined,
    },
  };
  if (peak) {
    run.rssKiB = {
      upstreamBefore: rssBefore[0]!,
      upstreamPeak: peak[upstreamPid]!,
      proxyBefore: target.proxyPid ? rssBefore[1] : undefined,
      proxyPeak: target.proxyPid ? peak[target.proxyPid] : undefined,
    };
  }
  return run;
}

/** The slow test drives every target in one load process, side by side, paired with direct. */
async function measureSlow(targets: Target[], options: BenchOptions, body: string): Promise<NonNullable<RawResults["slow"]>> {
  const ordered = [...targets].sort((a, b) => Number(b.name === "direct") - Number(a.name === "direct"));
  const spec: SlowSpec = {
    mode: "slow",
    endpoints: ordered.map((t) => ({ url: t.url, headers: t.headers })),
    paired: ordered[0]?.name === "direct",
    body,
    clients: options.slowClients,
    durationS: options.slowDurationS,
    gapMs: options.slowGapMs,
  };
  const loads = await runLoad(spec, options.slowDurationS * 1000 + options.slowChunks * options.slowGapMs * 3 + 30_000);
  const runs: NonNullable<RawResults["slow"]> = {};
  ordered.forEach((target, k) => {
    runs[target.name] = { load: loads[k]!, cpuMs: { upstream: NaN } };
  });
  return runs;
}

/** Reads the unlabelled gauges and counters of a Prometheus text page (poolgate's /metrics). */
async function scrapeMetrics(baseUrl: string, settleMs = 0): Promise<Record<string, number> | undefined> {
  if (settleMs) await Bun.sleep(settleMs);
  const res = await fetch(`${baseUrl}/metrics`).catch(() => undefined);
  if (!res?.ok) return undefined;
  const values: Record<string, number> = {};
  for (const line of (await res.text()).split("\n")) {
    const match = /^([a-z_]+) ([0-9.e+-]+)$/.exec(line);
    if (match) values[match[1]!] = Number(match[2]);
  }
  return values;
}

async function bodySize(url: string, headers: Record<string, string>, body: string): Promise<number> {
  const res = await fetch(url, { method: "POST", headers, body });
  const size = (await res.arrayBuffer()).byteLength;
  if (res.status !== 200) throw new Error(`fake upstream answered ${res.status}`);
  return size;
}

function describeOptions(o: BenchOptions): string {
  return (
    `json/sse: ${o.concurrency} clients, ${o.durationS} s (+${o.warmupS} s warm-up) per target, sse ${o.sseChunks} events; ` +
    `slow: ${o.slowClients} clients x ${o.slowDurationS} s of ${o.slowChunks} events ${o.slowGapMs} ms apart; ` +
    `hold: ${o.holdStreams} streams of ${o.holdChunks} events ${o.holdGapMs} ms apart; poolgate keys: ${o.keys}`
  );
}

async function main(options: BenchOptions): Promise<void> {
  const outPath = resolve(REPO_ROOT, options.out);
  mkdirSync(dirname(outPath), { recursive: true });
  const started = new Date();
  const fileLimit = openFileLimit();
  const notes: string[] = [];
  // Each proxied stream holds two sockets in the proxy (STACK-NOTES "Concurrency limits").
  const filesNeeded = options.holdStreams * 2 + 200;
  if (options.tests.includes("hold") && fileLimit < filesNeeded) {
    notes.push(`WARNING: open-file limit ${fileLimit} < ~${filesNeeded} a proxy needs for ${options.holdStreams} streams; raise it (ulimit -n) or lower --streams`);
  }
  const header = [
    `${started.toISOString()}  bun ${Bun.version}  ${availableParallelism()} cpus  load avg ${loadavg().map((l) => l.toFixed(2)).join(" ")} (shared machine: compare ratios within one run, +-30% between runs)`,
    `open-file limit ${fileLimit} (needs ~${filesNeeded} for the hold test); BUN_CONFIG_MAX_HTTP_REQUESTS=65535 in every child`,
    describeOptions(options),
  ];

  const upstream = await startBenchServer("fake upstream", "fake-upstream.ts");
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  const bodies = requestBodies(options);
  const jsonHeaders = { "content-type": "application/json" };
  const expected: Record<TestName, number> = { json: 0, sse: 0, slow: 0, hold: 0 };
  for (const test of ["json", "sse", "hold"] as const) expected[test] = await bodySize(upstreamUrl + CHAT_PATH, jsonHeaders, bodies[test]);

  const targets: Target[] = [];
  const unavailable: Partial<Record<TargetName, string>> = {};
  let poolgateBase: string | undefined;
  for (const name of options.targets) {
    if (name === "direct") {
      targets.push({ name, url: upstreamUrl + CHAT_PATH, headers: { ...jsonHeaders, authorization: "Bearer sk-bench-direct" } });
    } else if (name === "passthrough") {
      const server = await startBenchServer("passthrough", "passthrough.ts", { UPSTREAM_URL: upstreamUrl });
      targets.push({ name, url: `http://127.0.0.1:${server.port}${CHAT_PATH}`, headers: { ...jsonHeaders, authorization: "Bearer sk-bench-direct" }, proxyPid: server.pid });
    } else {
      const poolgate = await startPoolgate({
        upstreamUrl,
        keys: options.keys,
        probeBody: bodies.json,
        keepLogAt: join(dirname(outPath), "poolgate.log"),
        profileDir: options.profile ? dirname(outPath) : undefined,
      });
      if (poolgate.kind === "unavailable") {
        unavailable.poolgate = poolgate.reason;
        continue;
      }
      poolgateBase = poolgate.baseUrl;
      cleanups.push(poolgate.stop);
      targets.push({
        name,
        url: `${poolgate.baseUrl}/proxy/${BENCH_GROUP}${CHAT_PATH}`,
        headers: { ...jsonHeaders, authorization: `Bearer ${poolgate.accessKey}` },
        proxyPid: poolgate.pid,
      });
    }
  }

  const raw: RawResults = {};
  const failures: string[] = [];
  const upstreamSeen: Partial<Record<TargetName, UpstreamStats>> = {};
  const poolgateLagMs: Partial<Record<TestName, number>> = {};
  /** Wraps a test that drives poolgate: a scrape before resets its lag maximum, one after reads it. */
  const withLagProbe = async <T>(test: TestName, drivesPoolgate: boolean, run: () => Promise<T>): Promise<T> => {
    if (!poolgateBase || !drivesPoolgate) return run();
    await scrapeMetrics(poolgateBase);
    const result = await run();
    const lag = (await scrapeMetrics(poolgateBase))?.poolgate_event_loop_lag_max_seconds;
    if (lag !== undefined) poolgateLagMs[test] = lag * 1000;
    return result;
  };
  for (const test of options.tests) {
    if (test === "slow") {
      process.stderr.write(`bench: slow -> ${targets.map((t) => t.name).join(" + ")} side by side ...\n`);
      try {
        raw.slow = await withLagProbe("slow", true, () => measureSlow(targets, options, bodies.slow));
      } catch (error) {
        failures.push(`slow: ${error instanceof Error ? error.message : String(error)}`);
      }
      await Bun.sleep(500);
      continue;
    }
    const runs: NonNullable<RawResults[TestName]> = (raw[test] = {});
    for (const target of targets) {
      process.stderr.write(`bench: ${test} -> ${target.name} ...\n`);
      const { spec, timeoutMs } = loadSpec(test, target, options, bodies[test], expected[test]);
      const countKeys = test === "json" && target.name !== "direct";
      if (countKeys) await fetch(`${upstreamUrl}/bench/stats/reset`, { method: "POST" });
      try {
        runs[target.name] = await withLagProbe(test, target.name === "poolgate", () => measure(test, target, upstream.pid, spec, timeoutMs));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        runs[target.name] = { failed: message };
        failures.push(`${test} / ${target.name}: ${message}`);
      }
      if (countKeys) upstreamSeen[target.name] = (await (await fetch(`${upstreamUrl}/bench/stats`)).json()) as UpstreamStats;
      // Let sockets close and timers settle before the next target.
      await Bun.sleep(500);
    }
  }

  for (const [name, seen] of Object.entries(upstreamSeen)) {
    notes.push(`json via ${name}: upstream saw ${seen.requests} requests on ${seen.connections} connections with ${seen.distinct_keys} distinct keys${name === "poolgate" ? ` (group has ${options.keys})` : ""}`);
  }
  const hold = raw.hold ?? {};
  for (const [name, run] of Object.entries(hold)) {
    if ("load" in run && (run.load.peakOpen ?? 0) < options.holdStreams) {
      notes.push(`hold via ${name}: only ${run.load.peakOpen} of ${options.holdStreams} streams were open at once (opening took longer than a stream lasts: raise --hold-chunks)`);
    }
  }
  // Logs are flushed once a second: let the last batch land first.
  const poolgateMetrics = poolgateBase ? await scrapeMetrics(poolgateBase, 1200) : undefined;
  if (poolgateMetrics) {
    notes.push(
      `poolgate /metrics: ${poolgateMetrics.poolgate_log_queue_written_total ?? "?"} request logs written, ${poolgateMetrics.poolgate_log_queue_dropped_total ?? "?"} dropped, ` +
        `${poolgateMetrics.poolgate_log_queue_depth ?? "?"} queued; event-loop lag max per test (its 500 ms probe): ${Object.entries(poolgateLagMs).map(([t, ms]) => `${t} ${ms.toFixed(0)} ms`).join(", ")}`,
    );
  }
  notes.push("pg = poolgate, pt = passthrough; for latency, CPU and RSS rows lower is better");
  if (raw.slow) {
    notes.push("slow: all targets streamed side by side; added delay = per event, (arrival - upstream send stamp) via target minus via direct in the same round");
    const baseline = raw.slow.passthrough;
    const p99 = baseline && "load" in baseline ? baseline.load.addedDelay?.p99 : undefined;
    if (p99 !== undefined && p99 > 2) notes.push(`slow: the bare passthrough also adds ${p99.toFixed(2)} ms at p99 here: that part is the machine's scheduling, not poolgate`);
  }
  if (options.profile) notes.push(`poolgate CPU profile (written when it stops): ${dirname(outPath)}/CPU.*.md`);
  notes.push(`results: ${outPath}${poolgateBase ? `; poolgate log: ${join(dirname(outPath), "poolgate.log")}` : ""}`);

  const metrics = buildMetrics(raw, options);
  process.stdout.write(formatReport(metrics, { header, unavailable, failures, notes }));
  const json = {
    started: started.toISOString(),
    bun: Bun.version,
    cpus: availableParallelism(),
    loadavg: loadavg(),
    openFileLimit: fileLimit,
    options,
    unavailable,
    failures,
    upstreamSeen,
    poolgateMetrics,
    poolgateLagMs,
    metrics,
    targets: metrics.filter((m) => m.target).map((m) => ({ test: m.test, metric: m.name, ...m.target })),
    raw,
  };
  writeFileSync(outPath, JSON.stringify(json, null, 2) + "\n");
}

async function stopEverything(): Promise<void> {
  for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
  await stopChildren();
}

const argv = process.argv.slice(2);
if (argv.includes("--help") || argv.includes("-h")) {
  process.stdout.write(usage());
  process.exit(0);
}
let options: BenchOptions;
try {
  options = parseBenchOptions(argv, process.env);
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n${usage()}`);
  process.exit(2);
}
installExitHandlers(stopEverything);
try {
  await main(options);
  await stopEverything();
} catch (error) {
  process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  await stopEverything();
  process.exit(1);
}
