// deploy/poolgate.service and deploy/poolgate.env.example are the default renderings of the
// templates `poolgate service install` writes (one source of truth), and the example lists
// every process setting.

import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_VARIABLES } from "../../src/config/env.ts";
import { renderEnvFile } from "../../src/cli/env-file.ts";
import { DEFAULT_BINARY, DEFAULT_SERVICE_USER, renderServiceUnit } from "../../src/cli/service-unit.ts";

const deploy = join(import.meta.dir, "..", "..", "deploy");
const REGENERATE = "the deploy file differs from its template in src/cli; write the template's default rendering into deploy/";

describe("deploy files", () => {
  it("shipsTheUnitServiceInstallWritesByDefault", () => {
    const shipped = readFileSync(join(deploy, "poolgate.service"), "utf8");
    expect(shipped, REGENERATE).toBe(renderServiceUnit({ user: DEFAULT_SERVICE_USER, binary: DEFAULT_BINARY }));
  });

  it("shipsTheEnvFileServiceInstallWritesListingEverySetting", () => {
    const shipped = readFileSync(join(deploy, "poolgate.env.example"), "utf8");
    expect(shipped, REGENERATE).toBe(renderEnvFile());
    for (const v of CONFIG_VARIABLES) expect(shipped).toMatch(new RegExp(`^#${v.env}=`, "m"));
  });
});
