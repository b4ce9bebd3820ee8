// Restarts without downtime (README "Restarts without downtime"): SIGHUP to the supervising
// process starts a successor on the same port, which takes new connections over; the old one
// drains and exits. Clients sending requests in a loop across three restarts (keep-alive ones and
// one-connection-per-request ones) see no failed request, and a stream open across a restart ends
// cleanly on the old process.

import { afterAll, afterEach, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.ts";
import { openaiChat, openaiChatStream } from "../support/provider-replies.ts";
import { chat, setUpOpenAiGroup, startGatewayProcess } from "./gateway-process.ts";
import { killLeftoverGateways } from "./spawn-gateway.ts";

setDefaultTimeout(180_000);

const RESTARTS = 3;
const KEEP_ALIVE_CLIENTS = 3;
const NEW_CONNECTION_CLIENTS = 3;

const scratch = mkdtempSync(join(tmpdir(), "poolgate-restart-"));
let upstream: FakeUpstream;
beforeAll(() => {
  upstream = startFakeUpstream(openaiChat("pong"));
});
afterEach(killLeftoverGateways);
afterAll(async () => {
  await upstream.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("restart without downtime", () => {
  it("servesEveryRequestOfClientsInALoopAcrossThreeRestarts", async () => {
    const gp = await startGatewayProcess({ cwd: scratch, dataDir: join(scratch, "data") });
    const { accessKey } = await setUpOpenAiGroup(gp, { name: "oa", upstreamUrl: upstream.url, keys: ["sk-restart-1", "sk-restart-2"] });

    // A stream opened before the first restart must end cleanly on the old process.
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const streamReply = openaiChatStream(["long", "stream"]);
    upstream.queue({ ...streamReply, stream: { ...streamReply.stream!, thenAfter: released } });
    const streamResponse = await chat(gp, "oa", accessKey, { stream: true });
    expect(streamResponse.status).toBe(200);
    const streamText = streamResponse.text();

    let ok = 0;
    let phase = "before";
    const failures: string[] = [];
    let running = true;
    let progress: (() => void) | undefined;
    const client = async (keepalive: boolean) => {
      while (running) {
        try {
          const response = await chat(gp, "oa", accessKey, { keepalive });
          const text = await response.text();
          if (response.status === 200 && text.includes("pong")) ok++;
          else failures.push(`${phase}: status ${response.status}: ${text.slice(0, 200)}`);
        } catch (error) {
          failures.push(`${new Date().toISOString()} ${phase}, ${keepalive ? "keep-alive" : "new-connection"} client: ${String(error).slice(0, 80)}`);
        }
        progress?.();
      }
    };
    const clients = [
      ...Array.from({ length: KEEP_ALIVE_CLIENTS }, () => client(true)),
      ...Array.from({ length: NEW_CONNECTION_CLIENTS }, () => client(false)),
    ];
    // Each phase waits for traffic to have flowed before the next restart (events, not time).
    const waitForMoreRequests = (atLeast: number) => {
      const target = ok + atLeast;
      return new Promise<void>((resolve) => {
        progress = () => {
          if (ok < target) return;
          progress = undefined;
          resolve();
        };
      });
    };

    const pids = [gp.logLines("poolgate listening")[0]!.pid];
    for (let i = 1; i <= RESTARTS; i++) {
      await waitForMoreRequests(100);
      phase = `restart ${i}`;
      gp.child.kill("SIGHUP");
      await gp.waitForLog("restart: new process ready; the old one drains and exits", i);
      if (i === 1) release();
      await gp.waitForLog("stopped", i);
      pids.push(gp.logLines("poolgate listening")[i]!.pid);
    }
    await waitForMoreRequests(100);
    running = false;
    await Promise.all(clients);

    // On a failure, the handover's own log lines give the timing to compare with.
    if (failures.length) console.log(gp.child.stdout().split("\n").filter((l) => /restart|listener|stopped|shutting|listening/.test(l)).join("\n"));
    expect(failures).toEqual([]);
    expect(ok).toBeGreaterThan(400);
    expect(new Set(pids).size).toBe(RESTARTS + 1);
    expect(gp.child.stdout()).not.toContain("cannot steer new connections");
    const text = await streamText;
    expect(text).toContain("stream");
    expect(text).toContain("[DONE]");

    gp.child.kill("SIGTERM");
    expect(await gp.child.exited(60_000)).toBe(0);
  });
});
