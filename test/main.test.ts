// The CLI as users meet it: `bun src/main.ts` run as a child process, with its exit codes,
// its one-line errors, the first-start admin key and the relaunch that raises Bun's fetch limit.

import { afterAll, afterEach, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONFIG_VARIABLES } from "../src/config/env.ts";
import { createSignalGate } from "../src/main.ts";
import { VERSION } from "../src/version.ts";
import { cleanEnv, findLogLine, freePort, killLeftoverGateways, MAIN_SOURCE, spawnGateway, waitForHealth } from "./e2e/spawn-gateway.ts";

// Each test starts real processes; on a shared, loaded machine that can take seconds.
setDefaultTimeout(30_000);

const scratch = mkdtempSync(join(tmpdir(), "poolgate-cli-"));
afterEach(killLeftoverGateways);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let folders = 0;
function freshFolder(): string {
  return mkdtempSync(join(scratch, `case-${++folders}-`));
}

function run(args: string[], env: Record<string, string>, cwd = freshFolder()) {
  return spawnGateway(["bun", MAIN_SOURCE, ...args], { cwd, env: cleanEnv(env) });
}

/** Starts `serve` on a free port and waits for the listening line (never a fixed sleep). */
async function startServe(env: Record<string, string>) {
  const port = freePort();
  const child = run([], { PORT: String(port), HOST: "127.0.0.1", LOG_FORMAT: "json", ...env });
  await child.waitForStdout(/"msg":"poolgate listening"/);
  return { child, port };
}

const GENERATED_KEY = /Generated admin key \(AUTH_KEY\): (pg-admin-[A-Za-z0-9_-]+)/g;

describe("main", () => {
  it("exitsWithCode2AndOneLineNamingPortWhenPortIsInvalid", async () => {
    const child = run([], { PORT: "70000", DATA_DIR: join(freshFolder(), "data") });
    expect(await child.exited()).toBe(2);
    const lines = child.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("PORT");
    expect(child.stderr()).not.toMatch(/\bat .+:\d+/);
  });

  it("exitsWithCode2WhenDataDirIsNotAWritableFolder", async () => {
    const file = join(freshFolder(), "plain-file");
    writeFileSync(file, "not a folder");
    const child = run([], { PORT: String(freePort()), DATA_DIR: join(file, "data") });
    expect(await child.exited()).toBe(2);
    expect(child.stderr().trim().split("\n")).toHaveLength(1);
    expect(child.stderr()).toContain("DATA_DIR");
  });

  it("printsTheVersion", async () => {
    const child = run(["version"], {});
    expect(await child.exited()).toBe(0);
    expect(child.stdout().trim()).toBe(VERSION);
  });

  it("printsHelpNamingEveryVariable", async () => {
    const child = run(["--help"], {});
    expect(await child.exited()).toBe(0);
    for (const v of CONFIG_VARIABLES) {
      expect(child.stdout()).toContain(v.env);
      expect(child.stdout()).toContain(v.flag);
    }
  });

  it("exitsWithCode2OnAnUnknownCommand", async () => {
    const child = run(["frobnicate"], {});
    expect(await child.exited()).toBe(2);
    expect(child.stderr()).toContain("unknown command");
  });

  it("migratesAFreshDataDirAndIsIdempotent", async () => {
    const dataDir = join(freshFolder(), "data");
    const first = run(["migrate"], { DATA_DIR: dataDir });
    expect(await first.exited()).toBe(0);
    expect(first.stdout()).toContain("applied 0000_init");
    expect(statSync(join(dataDir, "poolgate.db")).isFile()).toBe(true);
    const second = run(["migrate", "--data-dir", dataDir], {});
    expect(await second.exited()).toBe(0);
    expect(second.stdout()).toContain("up to date");
  });

  it("generatesPrintsAndStoresTheAdminKeyOnceThenReusesIt", async () => {
    const dataDir = join(freshFolder(), "data");
    const first = await startServe({ DATA_DIR: dataDir });
    await waitForHealth(`http://127.0.0.1:${first.port}/health`);
    const printed = [...first.child.stdout().matchAll(GENERATED_KEY)];
    expect(printed).toHaveLength(1);
    const keyFile = join(dataDir, "auth.key");
    expect(readFileSync(keyFile, "utf8").trim()).toBe(printed[0]![1]!);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, "encryption.key")).mode & 0o777).toBe(0o600);
    first.child.kill("SIGTERM");
    expect(await first.child.exited()).toBe(0);

    const second = await startServe({ DATA_DIR: dataDir });
    expect(second.child.stdout()).not.toContain("Generated admin key");
    expect(second.child.stdout()).not.toContain(printed[0]![1]!);
    second.child.kill("SIGTERM");
    expect(await second.child.exited()).toBe(0);
  });

  it("relaunchesItselfWithTheHighestOutboundFetchLimit", async () => {
    const { child } = await startServe({ DATA_DIR: join(freshFolder(), "data") });
    expect(findLogLine(child.stdout(), "poolgate listening")?.max_http_requests).toBe(65535);
    child.kill("SIGTERM");
    expect(await child.exited()).toBe(0);
  });

  it("keepsAFetchLimitTheUserSetAndDoesNotRelaunch", async () => {
    const { child } = await startServe({ DATA_DIR: join(freshFolder(), "data"), BUN_CONFIG_MAX_HTTP_REQUESTS: "1000" });
    expect(findLogLine(child.stdout(), "poolgate listening")?.max_http_requests).toBe(1000);
    child.kill("SIGTERM");
    expect(await child.exited()).toBe(0);
  });

  it("treatsTheSameSignalTwiceWithinASecondAsOneAndStopsCleanly", async () => {
    const { child } = await startServe({ DATA_DIR: join(freshFolder(), "data") });
    child.kill("SIGINT");
    // The echo of a Ctrl-C arrives while the first one is being handled; pending signals of one
    // kind coalesce, so send the repeat only once the first has been seen.
    await child.waitForStdout(/"msg":"shutting down"/);
    child.kill("SIGINT");
    expect(await child.exited()).toBe(0);
    expect(child.stdout()).not.toContain("second signal");
  });

  it("stopsWhenTheRelaunchingParentIsKilledOutright", async () => {
    const { child, port } = await startServe({ DATA_DIR: join(freshFolder(), "data") });
    child.kill("SIGKILL");
    // stdout stays open until the relaunched server, which shares it, has exited too.
    await child.exited();
    expect(child.stdout()).toContain('"msg":"shutting down"');
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });

  it("exitsWithCode2WhenEncryptionKeyDoesNotMatchTheDatabase", async () => {
    const dataDir = join(freshFolder(), "data");
    const first = await startServe({ DATA_DIR: dataDir, ENCRYPTION_KEY: "first-encryption-key-Zq81vX3mPq" });
    first.child.kill("SIGTERM");
    expect(await first.child.exited()).toBe(0);

    const port = freePort();
    const second = run([], { PORT: String(port), DATA_DIR: dataDir, ENCRYPTION_KEY: "other-encryption-key-Hw27cN5rLk" });
    expect(await second.exited()).toBe(2);
    const lines = second.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("ENCRYPTION_KEY does not match");
  });
});

describe("createSignalGate", () => {
  it("stopsOnTheFirstSignalAndIgnoresItsEchoWithinASecond", () => {
    const decide = createSignalGate();
    expect(decide("SIGINT", 10_000)).toBe("stop");
    expect(decide("SIGINT", 10_003)).toBe("ignore");
    expect(decide("SIGINT", 10_999)).toBe("ignore");
  });

  it("exitsAtOnceOnTheSameSignalAfterTheWindow", () => {
    const decide = createSignalGate();
    decide("SIGINT", 0);
    expect(decide("SIGINT", 1000)).toBe("exit");
  });

  it("exitsAtOnceOnADifferentSignal", () => {
    const decide = createSignalGate();
    decide("SIGTERM", 0);
    expect(decide("SIGINT", 5)).toBe("exit");
  });
});
