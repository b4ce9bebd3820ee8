// No secret leaves memory in the clear: after real traffic through a gateway process (successes,
// a key the provider refuses, a stream, a refused access key), the upstream keys, the access key
// secret and the admin key appear nowhere in the database files nor in anything the process printed.

import { afterAll, afterEach, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeUpstream, type FakeUpstream } from "../support/fake-upstream.ts";
import { openaiChat } from "../support/provider-replies.ts";
import { ADMIN_KEY, chat, setUpOpenAiGroup, startGatewayProcess } from "./gateway-process.ts";
import { killLeftoverGateways } from "./spawn-gateway.ts";

setDefaultTimeout(120_000);

const KEYS = ["sk-live-Secret0001AbCdEfGh", "sk-live-Secret0002IjKlMnOp", "sk-live-RefusedKey9QrStUv"];
const scratch = mkdtempSync(join(tmpdir(), "poolgate-secrets-"));
let upstream: FakeUpstream;

beforeAll(() => {
  // The provider refuses one key (and echoes it in its error, as some do): it must be redacted.
  upstream = startFakeUpstream((request) =>
    request.headers.get("authorization") === `Bearer ${KEYS[2]}`
      ? { status: 401, json: { error: { message: `Incorrect API key provided: ${KEYS[2]}` } } }
      : openaiChat("pong"),
  );
});
afterEach(killLeftoverGateways);
afterAll(async () => {
  await upstream.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe("secrets at rest", () => {
  it("keepsEveryKeyOutOfTheDatabaseFilesAndTheProcessOutput", async () => {
    const dataDir = join(scratch, "data");
    const gp = await startGatewayProcess({ cwd: scratch, dataDir, env: { LOG_LEVEL: "debug" } });
    const { groupId, accessKey } = await setUpOpenAiGroup(gp, { name: "oa", upstreamUrl: upstream.url, keys: KEYS });
    for (let i = 0; i < 6; i++) expect((await chat(gp, "oa", accessKey)).status).toBe(200);
    const streamed = await chat(gp, "oa", accessKey, { stream: true });
    await streamed.text();
    expect((await chat(gp, "oa", `${accessKey}x`)).status).toBe(401);
    // Wait (one admin round trip per check) until the refused key's invalid state and the logs are written behind.
    let written = false;
    for (let i = 0; i < 20_000 && !written; i++) {
      const keys = await gp.api(`/groups/${groupId}/keys?status=invalid`);
      const logs = await gp.api("/logs?page_size=50");
      written = keys.total === 1 && logs.items.length >= 8;
    }
    expect(written).toBe(true);
    gp.child.kill("SIGTERM");
    expect(await gp.child.exited()).toBe(0);

    const files = ["poolgate.db", "poolgate.db-wal", "poolgate.db-shm"].map((f) => join(dataDir, f)).filter(existsSync);
    const haystacks = [...files.map((f) => readFileSync(f).toString("latin1")), gp.child.stdout(), gp.child.stderr()];
    for (const secret of [...KEYS, accessKey, ADMIN_KEY]) {
      for (const text of haystacks) expect(text.includes(secret), `a secret leaked: ${secret.slice(0, 8)}…`).toBe(false);
    }
    // The refused key's reason was kept, without the key.
    expect(readFileSync(files[0]!).toString("latin1")).toContain("Incorrect API key provided");
  });
});
