// The systemd unit template: hardening and limits present, the port and low-port capability
// rendered, and every rendering accepted by `systemd-analyze verify` (skipped, with the reason
// printed, only where that tool is missing).

import { afterAll, describe, expect, it } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderServiceUnit, STOP_TIMEOUT_S } from "../../src/cli/service-unit.ts";

const scratch = mkdtempSync(join(tmpdir(), "poolgate-unit-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const analyze = Bun.which("systemd-analyze");
if (!analyze) console.warn("skipping systemd-analyze verify: systemd-analyze is not installed (Debian package systemd)");

/** Runs `systemd-analyze verify` on the text saved as poolgate.service; answers its exit code and output. */
function verifyUnit(text: string, folder = mkdtempSync(join(scratch, "verify-"))): { code: number; output: string } {
  const path = join(folder, "poolgate.service");
  writeFileSync(path, text);
  const result = Bun.spawnSync([analyze!, "verify", "--man=no", path], { stdout: "pipe", stderr: "pipe" });
  return { code: result.exitCode, output: `${result.stdout}${result.stderr}` };
}

describe("service-unit", () => {
  it("hardensTheServiceAndOutlastsTheDrainOnStop", () => {
    const unit = renderServiceUnit({ user: "poolgate", binary: "/usr/local/bin/poolgate" });
    for (const line of [
      "User=poolgate",
      "ExecStart=/usr/local/bin/poolgate serve",
      "StateDirectory=poolgate",
      "Environment=DATA_DIR=/var/lib/poolgate",
      "EnvironmentFile=-/etc/poolgate/env",
      "Restart=on-failure",
      "KillSignal=SIGTERM",
      "NoNewPrivileges=yes",
      "ProtectSystem=strict",
      "ProtectHome=yes",
      "PrivateTmp=yes",
      "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
      "ExecReload=/bin/kill -HUP $MAINPID",
    ]) {
      expect(unit).toContain(`\n${line}\n`);
    }
    // Left unset so serve keeps its supervisor, which makes `systemctl reload` a zero-downtime swap.
    expect(unit).not.toContain("BUN_CONFIG_MAX_HTTP_REQUESTS");
    expect(Number(/\nLimitNOFILE=(\d+)/.exec(unit)![1])).toBeGreaterThanOrEqual(65536);
    expect(STOP_TIMEOUT_S).toBeGreaterThan(30); // the default shutdown_timeout drain
    expect(unit).toContain(`\nTimeoutStopSec=${STOP_TIMEOUT_S}\n`);
    expect(unit).not.toContain("MemoryDenyWriteExecute"); // Bun's JIT writes executable memory
    expect(unit).not.toContain("PORT=");
  });

  it("setsThePortAndGrantsOnlyTheBindCapabilityBelow1024", () => {
    expect(renderServiceUnit({ user: "gw", binary: "/opt/pg", port: 8080 })).toContain("\nEnvironment=PORT=8080\n");
    expect(renderServiceUnit({ user: "gw", binary: "/opt/pg", port: 8080 })).toContain("\nCapabilityBoundingSet=\n");
    const low = renderServiceUnit({ user: "gw", binary: "/opt/pg", port: 443 });
    expect(low).toContain("\nAmbientCapabilities=CAP_NET_BIND_SERVICE\n");
  });

  it.skipIf(!analyze)("passesSystemdAnalyzeVerify", () => {
    // verify insists that ExecStart names an existing executable: point it at one.
    for (const port of [undefined, 443]) {
      const result = verifyUnit(renderServiceUnit({ user: "poolgate", binary: process.execPath, port }));
      expect(result).toEqual({ code: 0, output: expect.any(String) });
      expect(result.output).not.toMatch(/poolgate\.service:\d+:/); // no complaint about any line
    }
  });
});
