// `poolgate reset-admin-key`: a new random key in DATA_DIR/auth.key (0600), printed once; a
// refusal naming AUTH_KEY when the environment or .env sets it.

import { afterAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../support/run-cli.ts";

setDefaultTimeout(60_000);

const scratch = mkdtempSync(join(tmpdir(), "poolgate-reset-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("reset-admin-key", () => {
  it("writesANewRandomKeyWithMode0600AndPrintsItOnce", async () => {
    const dataDir = join(mkdtempSync(join(scratch, "ok-")), "data");
    const first = await runCli(["reset-admin-key"], { DATA_DIR: dataDir });
    expect(first.code).toBe(0);
    const key = readFileSync(join(dataDir, "auth.key"), "utf8").trim();
    expect(key).toMatch(/^pg-admin-[A-Za-z0-9_-]{43}$/);
    expect(first.stdout.split(key)).toHaveLength(2);
    expect(statSync(join(dataDir, "auth.key")).mode & 0o777).toBe(0o600);

    const second = await runCli(["reset-admin-key", "--data-dir", dataDir], {});
    expect(second.code).toBe(0);
    const next = readFileSync(join(dataDir, "auth.key"), "utf8").trim();
    expect(next).not.toBe(key);
    expect(second.stdout).toContain(next);
    expect(second.stdout).not.toContain(key);
  });

  it("refusesWhenAuthKeyIsSetInTheEnvironmentOrDotEnv", async () => {
    const folder = mkdtempSync(join(scratch, "env-"));
    const fromEnv = await runCli(["reset-admin-key"], { DATA_DIR: join(folder, "data"), AUTH_KEY: "set-in-environment-Zq81vX3mPq" });
    expect(fromEnv.code).toBe(2);
    expect(fromEnv.stderr.trim().split("\n")).toHaveLength(1);
    expect(fromEnv.stderr).toContain("AUTH_KEY is set");
    expect(fromEnv.stderr).not.toContain("set-in-environment-Zq81vX3mPq");

    writeFileSync(join(folder, ".env"), "AUTH_KEY=from-dot-env-Hw27cN5rLk\n");
    const fromDotEnv = await runCli(["reset-admin-key"], { DATA_DIR: join(folder, "data") }, { cwd: folder });
    expect(fromDotEnv.code).toBe(2);
    expect(fromDotEnv.stderr).toContain("AUTH_KEY is set");
    expect((await runCli(["reset-admin-key", "--help"], {})).stdout).toContain("DATA_DIR/auth.key");
  });
});
