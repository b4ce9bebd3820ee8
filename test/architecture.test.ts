// Enforces the dependency directions of shared/STYLE.md by scanning import lines, plus the
// purity of pool/, channels/ and config/, the forbidden grab-bag file names and the header
// comment every source file opens with.

import { describe, expect, it } from "bun:test";
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";

const SRC = resolve(import.meta.dir, "../src");
const files = [...new Bun.Glob("**/*.ts").scanSync(SRC)].filter((f) => !f.endsWith(".gen.ts") && !f.endsWith(".d.ts"));

/** Where each part of src/ may import from (besides itself). `type:` = type-only imports. */
const ALLOWED: Record<string, readonly string[]> = {
  "main.ts": ["app.ts", "cli", "config", "process", "store", "telemetry", "ui-serve.ts", "version.ts"],
  "app.ts": ["*"],
  proxy: ["channels", "pool", "config", "telemetry"],
  admin: ["store", "pool", "cluster", "channels", "config"],
  jobs: ["channels", "pool", "store", "cluster", "config"],
  cli: ["admin", "store", "pool", "channels", "config"],
  telemetry: ["type:store", "config"],
  store: ["config"],
  cluster: ["config"],
  channels: ["type:pool"],
  pool: [],
  config: [],
  process: [],
  "ui-serve.ts": [],
  "version.ts": [".."],
};
/** The process logger's type is cross-cutting: anything may take a Logger. */
const ANYWHERE_AS_TYPE = "telemetry/logger.ts";

interface ImportLine {
  file: string;
  target: string;
  typeOnly: boolean;
}

function importsOf(file: string): ImportLine[] {
  const text = readFileSync(join(SRC, file), "utf8");
  const out: ImportLine[] = [];
  for (const m of text.matchAll(/^(import|export)\s+(type\s+)?[^;]*?from\s+"(\.[^"]+)"/gms)) {
    const resolved = relative(SRC, resolve(SRC, dirname(file), m[3]!));
    out.push({ file, target: resolved, typeOnly: Boolean(m[2]) });
  }
  return out;
}

const partOf = (path: string) => (path.startsWith("..") ? ".." : path.split("/")[0]!);

describe("architecture", () => {
  it("importsOnlyInTheDirectionsStyleAllows", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = partOf(file);
      const allowed = ALLOWED[from];
      if (allowed === undefined) {
        violations.push(`${file}: src/${from} has no entry in the dependency rules`);
        continue;
      }
      for (const imp of importsOf(file)) {
        const to = partOf(imp.target);
        if (to === from || allowed.includes("*")) continue;
        if (imp.target === ANYWHERE_AS_TYPE && imp.typeOnly) continue;
        if (allowed.includes(to)) continue;
        if (allowed.includes(`type:${to}`) && imp.typeOnly) continue;
        violations.push(`${file} -> ${imp.target}${allowed.includes(`type:${to}`) ? " (only `import type` allowed)" : ""}`);
      }
    }
    expect(violations).toEqual([]);
  });

  it("keepsPoolChannelsAndConfigPure", () => {
    const impure = /\bfetch\(|\bBun\.|\bsetTimeout\(|\bsetInterval\(|\bDate\.now\(|\bMath\.random\(|from "(elysia|drizzle-orm[^"]*|bun:sqlite|node:fs)"/;
    const offenders = files
      .filter((f) => /^(pool|channels|config)\//.test(f))
      .filter((f) => readFileSync(join(SRC, f), "utf8").split("\n").some((line) => !/^\s*(\/\/|\*)/.test(line) && impure.test(line)));
    expect(offenders).toEqual([]);
  });

  it("hasNoGrabBagFileNames", () => {
    expect(files.filter((f) => /(^|\/)(utils|helpers|common|misc|globals)\.ts$|Utils\.ts$/.test(f))).toEqual([]);
  });

  it("opensEverySourceFileWithAHeaderComment", () => {
    expect(files.filter((f) => !readFileSync(join(SRC, f), "utf8").startsWith("//"))).toEqual([]);
  });
});
