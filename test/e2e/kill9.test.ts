// kill -9 under load: configuration and key states (a manual disable, an invalidation by a 401 once
// its write-behind flush ran) survive, request logs are lost for at most about the last flush
// interval, and the next start on the same DATA_DIR recovers the database cleanly (integrity ok).

import { Database } from "bun:sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.ts";
import { openaiChat } from "../support/provider-replies.ts";
import { chat, processAlive, setUpOpenAiGroup, startGatewayProcess, type GatewayProcess } from "./gateway-process.ts";
import { killLeftoverGateways } from "./spawn-gateway.ts";

setDefaultTimeout(180_000);

/** Log entries reach the database every second; allow for a loaded machine on top. */
const LOG_FLUSH_ALLOWANCE_MS = 3000;

const scratch = mkdtempSync(join(tmpdir(), "poolgate-kill9-"));
let upstream: FakeUpstream;
beforeAll(() => {
  // The "bad" key is refused by the provider, so the gateway marks it invalid and retries on another.
  upstream = startFakeUpstream((request) =>
    request.headers.get("authorization") === "Bearer sk-bad" ? { status: 401, json: { error: { message: "invalid api key" } } } : openaiChat("pong"),
  );
});
afterEach(killLeftoverGateways);
afterAll(async () => {
  await upstream.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function keyStates(gp: GatewayProcess, groupId: number): Promise<Map<string, string>> {
  const list = await gp.api(`/groups/${groupId}/keys?page_size=100`);
  return new Map(list.items.map((k: { status: string; id: number }) => [String(k.id), k.status]));
}

/** Resolves once `probe` is true, re-checking after each `step` (an HTTP round trip: no fixed sleeps). */
async function eventually(what: string, probe: () => Promise<boolean>, step: () => Promise<unknown>, maxTries = 2000): Promise<void> {
  for (let i = 0; i < maxTries; i++) {
    if (await probe()) return;
    await step();
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe("kill -9", () => {
  it("losesNoConfigurationOrKeyStateAndAtMostTheLastFlushOfLogs", async () => {
    const dataDir = join(scratch, "data");
    const first = await startGatewayProcess({ cwd: scratch, dataDir });
    const { groupId, accessKey } = await setUpOpenAiGroup(first, { name: "oa", upstreamUrl: upstream.url, keys: ["sk-good-1", "sk-good-2", "sk-bad", "sk-manual"] });
    const other = await first.api("/groups", { json: { name: "spare", channel_type: "anthropic", upstreams: [{ url: upstream.url, weight: 3 }] } });
    await first.api("/settings", { method: "PATCH", json: { max_attempts: 5, log_retention_days: 30 } });

    const ids = new Map<string, number>();
    const listed = await first.api(`/groups/${groupId}/keys?page_size=100`);
    expect(listed.items).toHaveLength(4);
    // Keys are listed in import order (by id).
    ["sk-good-1", "sk-good-2", "sk-bad", "sk-manual"].forEach((name, i) => ids.set(name, listed.items[i].id));
    await first.api(`/keys/${ids.get("sk-manual")}`, { method: "PATCH", json: { status: "disabled" } });

    let warmupOk = 0;
    // Traffic until the 401 has invalidated sk-bad and the write-behind flush has stored it.
    const status = async (name: string) => (await keyStates(first, groupId)).get(String(ids.get(name)));
    await eventually(
      "sk-bad to be stored as invalid",
      async () => (await status("sk-bad")) === "invalid",
      async () => {
        const response = await chat(first, "oa", accessKey);
        await response.text();
        if (response.status === 200) warmupOk++;
      },
    );

    // Load: clients in a loop, each success timestamped, until well past a flush interval.
    const okAt: number[] = [];
    let running = true;
    const failures: string[] = [];
    const loadStarted = Date.now();
    let enoughLoad!: () => void;
    const loadedLongEnough = new Promise<void>((resolve) => (enoughLoad = resolve));
    const client = async () => {
      while (running) {
        try {
          const response = await chat(first, "oa", accessKey);
          const text = await response.text();
          if (response.status === 200) okAt.push(Date.now());
          else failures.push(`${response.status} ${text.slice(0, 100)}`);
          if (Date.now() - loadStarted > 3000) enoughLoad();
        } catch (error) {
          if (running) failures.push(String(error));
        }
      }
    };
    const clients = [client(), client(), client()];
    await loadedLongEnough;

    // kill -9 the server process (the one that holds the database), then its supervisor sees it die.
    const serverPid = Number(first.logLines("poolgate listening")[0]!.pid);
    const supervisorPid = first.child.proc.pid;
    const killedAt = Date.now();
    process.kill(serverPid, "SIGKILL");
    running = false;
    await Promise.all(clients);
    const code = await first.child.exited(30_000);
    expect(code).toBe(128 + 9);
    expect(processAlive(serverPid)).toBe(false);
    expect(processAlive(supervisorPid)).toBe(false);
    expect(failures).toEqual([]);
    expect(first.child.stdout()).not.toContain('"msg":"stopped"');

    // The next start recovers the database (WAL replay) and serves the same configuration.
    const second = await startGatewayProcess({ cwd: scratch, dataDir });
    const groups = await second.api("/groups");
    expect(groups.items.map((g: { name: string }) => g.name).sort()).toEqual(["oa", "spare"]);
    expect(groups.items.find((g: { id: number }) => g.id === other.id).upstreams).toEqual([{ url: upstream.url, weight: 3 }]);
    const settings = await second.api("/settings");
    const valueOf = (key: string) => (settings.items ?? settings).find((s: { key: string }) => s.key === key)?.value;
    expect(valueOf("max_attempts")).toBe(5);
    expect(valueOf("log_retention_days")).toBe(30);
    const states = await keyStates(second, groupId);
    expect(states.get(String(ids.get("sk-manual")))).toBe("disabled");
    expect(states.get(String(ids.get("sk-bad")))).toBe("invalid");
    expect(states.get(String(ids.get("sk-good-1")))).toBe("active");
    expect(states.get(String(ids.get("sk-good-2")))).toBe("active");
    // The access key still works: the proxy answers through the recovered pool.
    const after = await chat(second, "oa", accessKey);
    expect(after.status).toBe(200);
    await after.text();

    second.child.kill("SIGTERM");
    expect(await second.child.exited(60_000)).toBe(0);

    const db = new Database(join(dataDir, "poolgate.db"), { readonly: true });
    try {
      expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
      const logged = (db.query("SELECT count(*) AS n FROM request_logs WHERE status = 200").get() as { n: number }).n;
      const surelyFlushed = okAt.filter((t) => t < killedAt - LOG_FLUSH_ALLOWANCE_MS).length;
      // Every success older than the flush allowance is in the database (+1: the request after the
      // restart); nothing is logged twice (at most the requests cut by the kill come on top).
      expect(logged).toBeGreaterThanOrEqual(warmupOk + surelyFlushed + 1);
      expect(logged).toBeLessThanOrEqual(warmupOk + okAt.length + 1 + 3);
    } finally {
      db.close();
    }
  });
});
