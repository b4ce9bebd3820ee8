// Starts poolgate for the benchmark as a real child (`bun src/main.ts serve`) with a temp DATA_DIR,
// then sets it up through its admin API only: one openai group on the fake upstream, N keys and
// one access key. When any step fails it answers { kind: "unavailable", reason } instead of
// throwing, so the other targets still report. It never touches the developer's ./data or .env.

import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MAX_HTTP_REQUESTS, spawnTracked } from "./child-processes.ts";

const REPO_ROOT = join(import.meta.dir, "..");
const MAIN = join(REPO_ROOT, "src", "main.ts");
const AUTH_KEY = "bench-admin-key-0123456789abcdefABCDEF";
const ENCRYPTION_KEY = "bench-encryption-key-0123456789abcdefABCDEF";
export const BENCH_GROUP = "bench";

export type PoolgateTarget =
  | { kind: "ready"; baseUrl: string; pid: number; accessKey: string; logPath: string; stop(): Promise<void> }
  | { kind: "unavailable"; reason: string };

export interface PoolgateSetup {
  upstreamUrl: string;
  keys: number;
  /** The non-stream request body, sent once through the proxy as a check. */
  probeBody: string;
  /** Where poolgate's log is copied when it stops (its temp DATA_DIR is removed). */
  keepLogAt?: string;
  /** When set, poolgate runs under Bun's CPU profiler and writes a markdown profile here on exit. */
  profileDir?: string;
}

function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

async function waitHealthy(baseUrl: string, exited: () => boolean, timeoutMs: number): Promise<string | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exited()) return "exited during start";
    const ok = await fetch(`${baseUrl}/health`).then((r) => r.ok, () => false);
    if (ok) return undefined;
    await Bun.sleep(100);
  }
  return `no healthy /health within ${timeoutMs} ms`;
}

/** Calls the admin API; returns the parsed JSON or throws with the status and a short body. */
async function admin(baseUrl: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${AUTH_KEY}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`admin ${method} ${path} -> ${res.status} ${text.slice(0, 200)}`);
  return text ? JSON.parse(text) : undefined;
}

/** Finds the first value under any of `names`, looking inside a `data` envelope too. */
function field(value: any, names: string[]): any {
  for (const source of [value, value?.data]) {
    if (source && typeof source === "object") for (const name of names) if (source[name] !== undefined) return source[name];
  }
  return undefined;
}

async function configure(baseUrl: string, setup: PoolgateSetup): Promise<string> {
  const group = await admin(baseUrl, "POST", "/api/groups", {
    name: BENCH_GROUP,
    channel_type: "openai",
    upstreams: [{ url: setup.upstreamUrl, weight: 1 }],
    test_model: "gpt-4o-mini",
  });
  const groupId = field(group, ["id", "group_id"]);
  if (groupId === undefined) throw new Error(`POST /api/groups answered no id: ${JSON.stringify(group).slice(0, 200)}`);
  const keys = Array.from({ length: setup.keys }, (_, i) => `sk-bench-${String(i).padStart(4, "0")}-${"x".repeat(32)}`);
  await admin(baseUrl, "POST", `/api/groups/${groupId}/keys`, { keys: keys.join("\n") });
  const access = await admin(baseUrl, "POST", "/api/access-keys", { name: "bench" });
  const secret = field(access, ["key", "secret", "value", "access_key"]);
  if (typeof secret !== "string") throw new Error(`POST /api/access-keys answered no secret: ${JSON.stringify(access).slice(0, 200)}`);
  return secret;
}

function logTail(path: string): string {
  try {
    return readFileSync(path, "utf8").trim().split("\n").slice(-5).join(" | ").slice(-600);
  } catch {
    return "";
  }
}

export async function startPoolgate(setup: PoolgateSetup): Promise<PoolgateTarget> {
  const dataDir = mkdtempSync(join(tmpdir(), "poolgate-bench-"));
  const logPath = join(dataDir, "poolgate.log");
  const port = freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  // A clean environment, run from the temp dir: no developer .env, AUTH_KEY or DATABASE_URL leaks in.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: process.env.HOME ?? dataDir,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: dataDir,
    AUTH_KEY,
    ENCRYPTION_KEY,
    LOG_LEVEL: "warn",
    LOG_FORMAT: "json",
    // Set here so main.ts does not re-execute itself: the pid we watch is the one serving.
    BUN_CONFIG_MAX_HTTP_REQUESTS: MAX_HTTP_REQUESTS,
  };
  const log = Bun.file(logPath);
  const profile = setup.profileDir ? ["--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${setup.profileDir}`] : [];
  const proc = spawnTracked(["bun", ...profile, MAIN, "serve"], { cwd: dataDir, env, stdin: "ignore", stdout: log, stderr: log });
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGTERM");
    const timer = setTimeout(() => proc.kill("SIGKILL"), 5000);
    await proc.exited;
    clearTimeout(timer);
    if (setup.keepLogAt && existsSync(logPath)) copyFileSync(logPath, setup.keepLogAt);
    rmSync(dataDir, { recursive: true, force: true });
  };
  const unavailable = async (reason: string): Promise<PoolgateTarget> => {
    const tail = logTail(logPath);
    await stop();
    return { kind: "unavailable", reason: tail ? `${reason} (log: ${tail})` : reason };
  };

  const notHealthy = await waitHealthy(baseUrl, () => proc.exitCode !== null || proc.signalCode !== null, 20_000);
  if (notHealthy) return unavailable(`poolgate did not start: ${notHealthy}`);

  let accessKey: string;
  try {
    accessKey = await configure(baseUrl, setup);
  } catch (error) {
    return unavailable(`admin API not usable: ${error instanceof Error ? error.message : String(error)}`);
  }

  const probeUrl = `${baseUrl}/proxy/${BENCH_GROUP}/v1/chat/completions`;
  const probe = await fetch(probeUrl, {
    method: "POST",
    headers: { authorization: `Bearer ${accessKey}`, "content-type": "application/json" },
    body: setup.probeBody,
  }).then(async (r) => ({ status: r.status, text: await r.text() }), (e) => ({ status: 0, text: String(e) }));
  if (probe.status !== 200) {
    const landed = existsSync(join(REPO_ROOT, "src", "proxy", "route.ts")) ? "" : "src/proxy/route.ts is not there yet; ";
    return unavailable(`${landed}POST /proxy/${BENCH_GROUP}/v1/chat/completions -> ${probe.status} ${probe.text.slice(0, 160)}`);
  }
  return { kind: "ready", baseUrl, pid: proc.pid, accessKey, logPath, stop };
}
