// Starts and stops the benchmark's child processes (fake upstream, passthrough, poolgate, load
// generators) and guarantees none outlives the run: every child is tracked and killed on exit,
// on SIGINT/SIGTERM and on failure. It must not kill anything it did not spawn.

import type { Subprocess } from "bun";
import type { LoadResult, LoadSpec, SlowSpec } from "./load.ts";

const BENCH_DIR = import.meta.dir;
const live = new Set<Subprocess>();

// Outbound fetch is capped at 256 concurrent requests unless this is set before the process starts
// (STACK-NOTES "Concurrency limits"); every child that fetches or serves streams gets it.
export const MAX_HTTP_REQUESTS = "65535";

export interface ServerChild {
  name: string;
  pid: number;
  port: number;
  proc: Subprocess;
}

function track(proc: Subprocess): Subprocess {
  live.add(proc);
  proc.exited.then(() => live.delete(proc));
  return proc;
}

/** Sends SIGTERM to every live child, waits up to `graceMs`, then SIGKILLs what is left. */
export async function stopChildren(graceMs = 3000): Promise<void> {
  const procs = [...live];
  for (const proc of procs) proc.kill("SIGTERM");
  const timer = setTimeout(() => {
    for (const proc of procs) if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  }, graceMs);
  await Promise.all(procs.map((p) => p.exited));
  clearTimeout(timer);
}

let handlersInstalled = false;
/** Kills children when the orchestrator exits for any reason. */
export function installExitHandlers(onSignal: () => Promise<void>): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on("exit", () => {
    for (const proc of live) proc.kill("SIGKILL");
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      process.stderr.write(`\nbench: ${signal}, stopping children\n`);
      onSignal().finally(() => process.exit(130));
    });
  }
}

/** Reads the first line of a child's stdout, or fails after `timeoutMs`. */
async function firstLine(proc: Subprocess<"ignore", "pipe", "inherit">, timeoutMs: number): Promise<string> {
  const reader = proc.stdout.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Bun.sleep(timeoutMs).then(() => undefined);
  while (!text.includes("\n")) {
    const next = await Promise.race([reader.read(), deadline]);
    if (!next) throw new Error(`no ready line within ${timeoutMs} ms`);
    if (next.done) throw new Error(`exited before ready (code ${await proc.exited})`);
    text += decoder.decode(next.value, { stream: true });
  }
  reader.releaseLock();
  return text.slice(0, text.indexOf("\n"));
}

/** Starts a bench/ server script that prints `{"ready":true,"port":N}` once it listens. */
export async function startBenchServer(name: string, script: string, env: Record<string, string> = {}): Promise<ServerChild> {
  const proc = Bun.spawn(["bun", `${BENCH_DIR}/${script}`], {
    env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: MAX_HTTP_REQUESTS, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "inherit",
  });
  track(proc);
  try {
    const ready = JSON.parse(await firstLine(proc, 10_000)) as { port: number };
    return { name, pid: proc.pid, port: ready.port, proc };
  } catch (error) {
    proc.kill("SIGKILL");
    throw new Error(`${name}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** Spawns any long-running child (poolgate) so it is tracked like the others. */
export function spawnTracked(cmd: string[], options: Parameters<typeof Bun.spawn>[1]): Subprocess {
  return track(Bun.spawn(cmd, options));
}

/** Runs bench/load.ts with `spec` in its own process and returns its result; killed after `timeoutMs`. */
export async function runLoad(spec: SlowSpec, timeoutMs: number): Promise<LoadResult[]>;
export async function runLoad(spec: LoadSpec, timeoutMs: number): Promise<LoadResult>;
export async function runLoad(spec: LoadSpec, timeoutMs: number): Promise<LoadResult | LoadResult[]> {
  const proc = track(
    Bun.spawn(["bun", `${BENCH_DIR}/load.ts`, JSON.stringify(spec)], {
      env: { ...process.env, BUN_CONFIG_MAX_HTTP_REQUESTS: MAX_HTTP_REQUESTS },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    }),
  ) as Subprocess<"ignore", "pipe", "pipe">;
  const timer = setTimeout(() => proc.kill("SIGKILL"), timeoutMs);
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  clearTimeout(timer);
  const line = out.trim().split("\n").pop() ?? "";
  if (code !== 0 || !/^[[{]/.test(line)) {
    throw new Error(`load generator failed (exit ${code}${proc.signalCode ? `, ${proc.signalCode}` : ""}): ${err.trim().slice(-400)}`);
  }
  return JSON.parse(line) as LoadResult | LoadResult[];
}
