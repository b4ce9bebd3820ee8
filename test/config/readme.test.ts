// Keeps README.md in step with the code: every process variable, flag and hot setting defined in
// src/config must be documented there, so adding one without documenting it fails the tests.

import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { CONFIG_VARIABLES } from "../../src/config/env.ts";
import { SETTINGS } from "../../src/config/settings.ts";

const readme = readFileSync(join(import.meta.dir, "..", "..", "README.md"), "utf8");

describe("README", () => {
  it("documentsEveryEnvironmentVariableAndItsFlag", () => {
    const missing = CONFIG_VARIABLES.filter((v) => !readme.includes(`\`${v.env}\``) || !readme.includes(`\`${v.flag}\``));
    expect(missing.map((v) => v.env)).toEqual([]);
  });

  it("documentsEveryHotSetting", () => {
    const missing = SETTINGS.filter((s) => !readme.includes(`\`${s.key}\``));
    expect(missing.map((s) => s.key)).toEqual([]);
  });

  it("namesTheTestCommandThePackageScriptRuns", () => {
    const pkg = JSON.parse(readFileSync(join(import.meta.dir, "..", "..", "package.json"), "utf8"));
    expect(readme).toContain(`\n${pkg.scripts.test}\n`);
  });
});
