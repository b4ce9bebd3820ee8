// Graceful shutdown of the real process (`bun src/main.ts serve`, supervised): on SIGTERM /ready
// turns 503 at once, the listener closes after shutdown_grace_ms, a stream in flight finishes and
// is logged, and the process exits 0; a stream longer than shutdown_timeout_ms is cut, its upstream
// call aborted and logged as "shutdown"; a second signal exits at once.

import { Database } from "bun:sqlite";
import { afterAll, afterEach, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.ts";
import { openaiChatStream } from "../support/provider-replies.ts";
import { chat, setUpOpenAiGroup, startGatewayProcess } from "./gateway-process.ts";
import { killLeftoverGateways } from "./spawn-gateway.ts";

// Real processes on a shared, loaded machine: generous, but every wait is on an event.
setDefaultTimeout(90_000);

const scratch = mkdtempSync(join(tmpdir(), "poolgate-shutdown-"));
let upstream: FakeUpstream;
beforeAll(() => {
  upstream = startFakeUpstream();
});
afterEach(killLeftoverGateways);
afterAll(async () => {
  await upstream.close();
  rmSync(scratch, { recursive: true, force: true });
});

let cases = 0;
async function startWithStream(settings: Record<string, unknown>) {
  const folder = mkdtempSync(join(scratch, `case-${++cases}-`));
  const dataDir = join(folder, "data");
  const gp = await startGatewayProcess({ cwd: folder, dataDir });
  const { accessKey } = await setUpOpenAiGroup(gp, { name: "oa", upstreamUrl: upstream.url, keys: ["sk-shutdown-1"] });
  await gp.api("/settings", { method: "PATCH", json: settings });
  return { gp, accessKey, dataDir };
}

/**
 * Reads a response body to its end: `firstChunk` resolves when the first chunk arrives, `body`
 * with the text and whether it ended cleanly.
 */
function readAll(response: Response): { firstChunk: Promise<void>; body: Promise<{ text: string; clean: boolean }> } {
  let onFirstChunk!: () => void;
  const firstChunk = new Promise<void>((resolve) => (onFirstChunk = resolve));
  const body = (async () => {
    const decoder = new TextDecoder();
    let text = "";
    let first = true;
    const reader = response.body!.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
        if (first) {
          first = false;
          onFirstChunk();
        }
      }
      return { text, clean: true };
    } catch {
      return { text, clean: false };
    }
  })();
  return { firstChunk, body };
}

function logRows(dataDir: string) {
  const db = new Database(join(dataDir, "poolgate.db"), { readonly: true });
  try {
    return db.query("SELECT status, error_class, error, stream FROM request_logs ORDER BY id").all() as {
      status: number;
      error_class: string | null;
      error: string | null;
      stream: number;
    }[];
  } finally {
    db.close();
  }
}

describe("shutdown", () => {
  it("marksNotReadyAtOnceThenClosesTheListenerAndLetsAStreamInFlightFinishAndExits0", async () => {
    const { gp, accessKey, dataDir } = await startWithStream({ shutdown_grace_ms: 5000 });
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    upstream.queue({ ...openaiChatStream(["one", "two", "three"]), stream: { ...openaiChatStream(["one", "two", "three"]).stream!, thenAfter: released } });

    const response = await chat(gp, "oa", accessKey, { stream: true });
    expect(response.status).toBe(200);
    const { firstChunk, body } = readAll(response);
    await firstChunk;

    gp.child.kill("SIGTERM");
    await gp.waitForLog("shutting down");
    // During the grace period the node says it is not ready but still answers.
    const ready = await fetch(`${gp.base}/ready`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toEqual({ status: "stopping" });

    // After the grace period the listener is closed: new connections are refused.
    await gp.waitForLog("listener closed; draining in-flight requests");
    await expect(fetch(`${gp.base}/health`, { keepalive: false })).rejects.toThrow();

    release();
    const { text, clean } = await body;
    expect(clean).toBe(true);
    expect(text).toContain("three");
    expect(text).toContain("[DONE]");
    expect(await gp.child.exited(60_000)).toBe(0);

    const rows = logRows(dataDir);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 200, stream: 1, error_class: null });
  });

  it("cutsAStreamStillRunningAtShutdownTimeoutAbortsItsUpstreamCallAndStillExits0", async () => {
    const { gp, accessKey, dataDir } = await startWithStream({ shutdown_timeout_ms: 1000 });
    upstream.reset();
    upstream.queue(openaiChatStream(["one", "two"], "hang"));

    const response = await chat(gp, "oa", accessKey, { stream: true });
    expect(response.status).toBe(200);
    const { firstChunk, body } = readAll(response);
    await firstChunk;
    const upstreamCall = await upstream.request(0);

    gp.child.kill("SIGTERM");
    const { text } = await body;
    expect(text).toContain("two");
    expect(text).not.toContain("[DONE]");
    await upstreamCall.aborted;
    expect(upstreamCall.wasAborted).toBe(true);
    expect(await gp.child.exited(60_000)).toBe(0);
    expect(gp.logLines("shutdown timeout reached; aborted the requests still running")[0]?.aborted).toBe(1);

    const rows = logRows(dataDir);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.error_class).toBe("shutdown");
    expect(rows[0]!.error).toContain("shutdown_timeout_ms");
  });

  it("exitsAtOnceOnASecondSignalWhileDraining", async () => {
    const { gp, accessKey } = await startWithStream({ shutdown_timeout_ms: 600_000 });
    upstream.reset();
    upstream.queue(openaiChatStream(["one"], "hang"));
    const response = await chat(gp, "oa", accessKey, { stream: true });
    const { firstChunk, body } = readAll(response);
    await firstChunk;

    gp.child.kill("SIGTERM");
    await gp.waitForLog("listener closed; draining in-flight requests");
    // A different signal is never the echo of the first one.
    gp.child.kill("SIGINT");
    const code = await gp.child.exited(30_000);
    expect(code).not.toBe(0);
    expect(gp.child.stdout()).toContain("second signal, exiting now");
    await body;
  });
});
