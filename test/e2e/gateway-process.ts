// A supervised `bun src/main.ts serve` on a free port, driven like an operator would: the admin
// API over HTTP (group, keys, access key, settings), proxy calls, signals, and waits on log lines.
// Shared by the shutdown, restart and kill -9 tests; it never sleeps, it waits for events.

import { cleanEnv, findLogLine, freePort, MAIN_SOURCE, spawnGateway, waitForHealth, type SpawnedGateway } from "./spawn-gateway.ts";

export const ADMIN_KEY = "e2e-admin-key-Vx81qLm20sPz7RtY";
const ENCRYPTION_KEY = "e2e-encryption-key-Nc93kDw64hJq2XbA";

export interface GatewayProcess {
  child: SpawnedGateway;
  base: string;
  port: number;
  /** The admin API with the admin key; throws with the answer's text when it is not 2xx. */
  api(path: string, init?: { method?: string; json?: unknown }): Promise<any>;
  /** Resolves once stdout holds `count` log lines with this `msg`. */
  waitForLog(msg: string, count?: number, timeoutMs?: number): Promise<void>;
  /** Every log line with this `msg`, parsed. */
  logLines(msg: string): Record<string, unknown>[];
}

export async function startGatewayProcess(options: { cwd: string; dataDir: string; port?: number; env?: Record<string, string> }): Promise<GatewayProcess> {
  const port = options.port ?? freePort();
  const child = spawnGateway(["bun", MAIN_SOURCE, "serve"], {
    cwd: options.cwd,
    env: cleanEnv({
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: options.dataDir,
      LOG_FORMAT: "json",
      AUTH_KEY: ADMIN_KEY,
      ENCRYPTION_KEY,
      ...options.env,
    }),
  });
  const base = `http://127.0.0.1:${port}`;
  const logLines = (msg: string) =>
    child
      .stdout()
      .split("\n")
      .filter((line) => line.includes(`"msg":"${msg}"`))
      .map((line) => findLogLine(line, msg)!)
      .filter(Boolean);
  const gp: GatewayProcess = {
    child,
    base,
    port,
    async api(path, init = {}) {
      const response = await fetch(`${base}/api${path}`, {
        method: init.method ?? (init.json === undefined ? "GET" : "POST"),
        headers: { authorization: `Bearer ${ADMIN_KEY}`, "content-type": "application/json" },
        body: init.json === undefined ? undefined : JSON.stringify(init.json),
      });
      const text = await response.text();
      if (!response.ok) throw new Error(`${init.method ?? "GET"} /api${path}: ${response.status} ${text}`);
      return text ? JSON.parse(text) : undefined;
    },
    async waitForLog(msg, count = 1, timeoutMs = 30_000) {
      const escaped = `"msg":"${msg}"`.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      await child.waitForStdout(new RegExp(`(?:${escaped}[\\s\\S]*){${count}}`), timeoutMs);
    },
    logLines,
  };
  await gp.waitForLog("poolgate listening");
  await waitForHealth(`${base}/health`);
  return gp;
}

/** An OpenAI group on `upstreamUrl` with `keys`, and an access key for it; answers what the proxy calls need. */
export async function setUpOpenAiGroup(gp: GatewayProcess, options: { name: string; upstreamUrl: string; keys: string[] }) {
  const group = await gp.api("/groups", { json: { name: options.name, channel_type: "openai", upstreams: [{ url: options.upstreamUrl, weight: 1 }] } });
  await gp.api(`/groups/${group.id}/keys`, { json: { keys: options.keys } });
  const access = await gp.api("/access-keys", { json: { name: `${options.name}-client` } });
  return { groupId: group.id as number, accessKey: access.secret as string };
}

/** A chat completion through the proxy; `stream` asks for SSE. */
export function chat(gp: { base: string }, group: string, accessKey: string, init: { stream?: boolean; keepalive?: boolean } = {}): Promise<Response> {
  return fetch(`${gp.base}/proxy/${group}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${accessKey}`, "content-type": "application/json", ...(init.keepalive === false ? { connection: "close" } : {}) },
    body: JSON.stringify({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: init.stream ?? false }),
    keepalive: init.keepalive ?? true,
  });
}

/** Is a process with this pid still there (a zombie counts as gone once reaped by its parent)? */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
