// `poolgate doctor`: one line per check with ok/warn/fail and exit 1 on a fail, run as a child
// against real temp data dirs (healthy, world-readable, corrupt, weak secret, port taken), plus
// the pure checks on given inputs.

import { afterAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkFileLimit, checkMaxHttpRequests } from "../../src/cli/doctor.ts";
import { freePort } from "../e2e/spawn-gateway.ts";
import { runCli } from "../support/run-cli.ts";

setDefaultTimeout(60_000);

const scratch = mkdtempSync(join(tmpdir(), "poolgate-doctor-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

async function migratedDataDir(): Promise<string> {
  const dataDir = join(mkdtempSync(join(scratch, "case-")), "data");
  expect((await runCli(["migrate"], { DATA_DIR: dataDir })).code).toBe(0);
  return dataDir;
}

function levelOf(stdout: string, check: string): string | undefined {
  return stdout.split("\n").find((line) => line.slice(6).startsWith(check))?.slice(0, 4).trim();
}

describe("doctor", () => {
  it("passesEveryCheckOnAHealthyDataDirWithOneLineEach", async () => {
    const dataDir = await migratedDataDir();
    const result = await runCli(["doctor", "--port", String(freePort()), "--host", "127.0.0.1"], { DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    for (const check of ["data dir", "database", "migrations", "port", "open files", "BUN_CONFIG_MAX_HTTP_REQUESTS", "AUTH_KEY", "ENCRYPTION_KEY"]) {
      expect({ check, level: levelOf(result.stdout, check) }).toEqual({ check, level: expect.stringMatching(/^(ok|warn)$/) });
    }
    expect(levelOf(result.stdout, "database")).toBe("ok");
    expect(levelOf(result.stdout, "migrations")).toBe("ok");
  });

  it("failsOnAWorldReadableDataDirAWeakAdminKeyACorruptDatabaseAndATakenPort", async () => {
    const dataDir = await migratedDataDir();
    chmodSync(dataDir, 0o755);
    const occupied = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
    try {
      const result = await runCli(["doctor", "--port", String(occupied.port), "--host", "127.0.0.1"], { DATA_DIR: dataDir, AUTH_KEY: "admin", BUN_CONFIG_MAX_HTTP_REQUESTS: "lots" });
      expect(result.code).toBe(1);
      expect(levelOf(result.stdout, "data dir")).toBe("fail");
      expect(levelOf(result.stdout, "AUTH_KEY")).toBe("fail");
      expect(levelOf(result.stdout, "port")).toBe("fail");
      expect(levelOf(result.stdout, "BUN_CONFIG_MAX_HTTP_REQUESTS")).toBe("fail");
      expect(result.stdout).not.toContain("admin ");
    } finally {
      occupied.stop(true);
    }

    const corrupt = join(mkdtempSync(join(scratch, "corrupt-")), "data");
    expect((await runCli(["migrate"], { DATA_DIR: corrupt })).code).toBe(0);
    const file = Bun.file(join(corrupt, "poolgate.db"));
    const bytes = new Uint8Array(await file.arrayBuffer());
    bytes.fill(0x41, 4096, bytes.length); // overwrite every page after the first
    writeFileSync(join(corrupt, "poolgate.db"), bytes);
    const broken = await runCli(["doctor", "--port", String(freePort())], { DATA_DIR: corrupt });
    expect(broken.code).toBe(1);
    expect(levelOf(broken.stdout, "database")).toBe("fail");
  });

  it("warnsWhenThereIsNoDataDirYetAndAnswersHelp", async () => {
    const result = await runCli(["doctor", "--port", String(freePort())], { DATA_DIR: join(scratch, "not-yet") });
    expect(result.code).toBe(0);
    expect(levelOf(result.stdout, "data dir")).toBe("warn");
    expect(levelOf(result.stdout, "database")).toBe("warn");
    expect((await runCli(["doctor", "--help"], {})).stdout).toContain("Exit codes");
    const bad = await runCli(["doctor", "--port", "99999"], {});
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("PORT");
  });

  it("judgesTheOpenFileLimitByTheStreamsItAllows", () => {
    const limits = (soft: string) => `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                65536                files\n`;
    expect(checkFileLimit(limits("65536")).level).toBe("ok");
    expect(checkFileLimit(limits("4096")).level).toBe("warn");
    expect(checkFileLimit(limits("4096")).detail).toContain("about 2048 concurrent streams");
    expect(checkFileLimit(limits("256")).level).toBe("fail");
    expect(checkFileLimit("").level).toBe("warn");
  });

  it("acceptsAnUnsetOrSaneOutboundRequestLimitOnly", () => {
    expect(checkMaxHttpRequests(undefined).level).toBe("ok");
    expect(checkMaxHttpRequests("65535").level).toBe("ok");
    expect(checkMaxHttpRequests("100").level).toBe("warn");
    expect(checkMaxHttpRequests("70000").level).toBe("fail");
  });
});
