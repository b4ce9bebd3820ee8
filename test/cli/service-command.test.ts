// `poolgate service install|uninstall` into a staging root (--root): unit, env file (0640, kept
// on a second install), data dir, printed systemctl commands; the refusals without systemd and
// without root. Never touches the real /etc.

import { afterAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderEnvFile } from "../../src/cli/env-file.ts";
import { renderServiceUnit } from "../../src/cli/service-unit.ts";
import { MAIN_SOURCE } from "../e2e/spawn-gateway.ts";
import { runCli } from "../support/run-cli.ts";

setDefaultTimeout(60_000);

const scratch = mkdtempSync(join(tmpdir(), "poolgate-service-"));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function stagingRoot(withSystemd: boolean): string {
  const root = mkdtempSync(join(scratch, "root-"));
  if (withSystemd) mkdirSync(join(root, "run/systemd/system"), { recursive: true });
  return root;
}

describe("service-command", () => {
  it("installsUnitEnvFileAndDataDirIntoARootKeepsAnEditedEnvFileAndUninstallsKeepingData", async () => {
    const root = stagingRoot(true);
    const binary = join(root, "opt/poolgate/bin/poolgate");
    const install = await runCli(["service", "install", "--root", root, "--user", "gateway", "--port", "8080", "--binary", "/opt/poolgate/bin/poolgate"], {});
    expect(install.code).toBe(0);
    expect(install.stdout).toContain("systemctl daemon-reload && systemctl enable --now poolgate");

    const unitPath = join(root, "etc/systemd/system/poolgate.service");
    expect(readFileSync(unitPath, "utf8")).toBe(renderServiceUnit({ user: "gateway", binary: "/opt/poolgate/bin/poolgate", port: 8080 }));
    const envPath = join(root, "etc/poolgate/env");
    expect(readFileSync(envPath, "utf8")).toBe(renderEnvFile());
    expect(statSync(envPath).mode & 0o777).toBe(0o640);
    expect(statSync(join(root, "var/lib/poolgate")).mode & 0o777).toBe(0o700);
    expect(existsSync(binary)).toBe(false); // run from source: nothing to copy, and it says so
    expect(install.stdout).toContain("bun run build");

    const analyze = Bun.which("systemd-analyze");
    if (analyze) {
      // With ExecStart at an executable that exists, the installed unit verifies.
      const again = await runCli(["service", "install", "--root", root, "--user", "gateway", "--binary", process.execPath], {});
      expect(again.stdout).toContain("updated /etc/systemd/system/poolgate.service");
      const verify = Bun.spawnSync([analyze, "verify", "--man=no", unitPath], { stdout: "pipe", stderr: "pipe" });
      expect({ code: verify.exitCode, out: `${verify.stdout}${verify.stderr}` }).toEqual({ code: 0, out: expect.not.stringMatching(/poolgate\.service:\d+:/) });
    } else console.warn("skipping systemd-analyze verify of the installed unit: systemd-analyze is not installed");

    writeFileSync(envPath, "PORT=9999\n");
    const reinstall = await runCli(["service", "install", "--root", root], {});
    expect(reinstall.code).toBe(0);
    expect(reinstall.stdout).toContain("kept the existing /etc/poolgate/env");
    expect(readFileSync(envPath, "utf8")).toBe("PORT=9999\n");

    writeFileSync(join(root, "var/lib/poolgate/poolgate.db"), "data");
    const uninstall = await runCli(["service", "uninstall", "--root", root], {});
    expect(uninstall.code).toBe(0);
    expect(existsSync(unitPath)).toBe(false);
    expect(uninstall.stdout).toContain("Kept the data in /var/lib/poolgate");
    expect(existsSync(join(root, "var/lib/poolgate/poolgate.db"))).toBe(true);
    expect(existsSync(envPath)).toBe(true);
  });

  it("refusesWithExitCode2AndOneLineWithoutSystemd", async () => {
    const result = await runCli(["service", "install", "--root", stagingRoot(false)], {});
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("systemd is not running");
  });

  it("refusesWithExitCode2AndOneLineWhenNotRoot", async () => {
    let result: { code: number; stderr: string };
    if (process.getuid?.() !== 0) {
      result = await runCli(["service", "install"], {});
    } else {
      const setpriv = Bun.which("setpriv");
      if (!setpriv) {
        console.warn("skipping the not-root refusal: running as root and setpriv is not installed");
        return;
      }
      // Drop to nobody for the one command; the source tree must be readable, which it is.
      const proc = Bun.spawnSync([setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", process.execPath, MAIN_SOURCE, "service", "install"], {
        env: { PATH: process.env.PATH ?? "", HOME: "/tmp" },
        cwd: "/tmp",
        stdout: "pipe",
        stderr: "pipe",
      });
      result = { code: proc.exitCode, stderr: proc.stderr.toString() };
    }
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain("must run as root");
  });

  it("rejectsBadOptionsAsUsageErrors", async () => {
    const root = stagingRoot(true);
    for (const [args, message] of [
      [["service", "install", "--root", root, "--port", "0"], "--port must be"],
      [["service", "install", "--root", root, "--user", "Bad User"], "not a valid user name"],
      [["service", "install", "--root", root, "--binary", "relative/poolgate"], "absolute path"],
      [["service", "restart"], 'unknown action "restart"'],
    ] as const) {
      const result = await runCli([...args], {});
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toContain(message);
    }
    expect((await runCli(["service", "--help"], {})).stdout).toContain("poolgate service install");
  });
});
