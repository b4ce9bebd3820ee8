// `poolgate keys import|export` against a real temp DATA_DIR: imports from a file and from stdin,
// skips duplicates, exports by status, and answers usage and lookup errors with one line.

import { afterAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateSqlite } from "../../src/store/migrate.ts";
import { openSqlite } from "../../src/store/open.ts";
import { insertGroup } from "../../src/store/repos/groups.ts";
import { runCli } from "../support/run-cli.ts";

setDefaultTimeout(60_000);

const scratch = mkdtempSync(join(tmpdir(), "poolgate-keys-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let folders = 0;

/** A data dir with a plain group "alpha" and an aggregate "all" over it. */
function dataDirWithGroups(): string {
  const dataDir = mkdtempSync(join(scratch, `case-${++folders}-`));
  const store = openSqlite(join(dataDir, "poolgate.db"));
  try {
    migrateSqlite(store.sqlite);
    const base = { channelType: "openai", upstreams: [{ url: "https://api.openai.com", weight: 1 }] };
    const alpha = insertGroup(store.db, { name: "alpha", ...base }, Date.now());
    insertGroup(store.db, { name: "all", channelType: "openai", upstreams: [], subGroups: [{ group_id: alpha.id, weight: 1 }] }, Date.now());
  } finally {
    store.close();
  }
  return dataDir;
}

describe("keys-command", () => {
  it("importsKeysFromAFileAndStdinSkipsDuplicatesAndExportsThemByStatus", async () => {
    const dataDir = dataDirWithGroups();
    const keys = Array.from({ length: 3000 }, (_, i) => `sk-file-${String(i).padStart(6, "0")}-abcdefgh`);
    const file = join(dataDir, "keys.txt");
    writeFileSync(file, [...keys, keys[0], ""].join("\n"));

    const fromFile = await runCli(["keys", "import", "--group", "alpha", file], { DATA_DIR: dataDir });
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toContain('group "alpha": 3000 added, 1 duplicates, 0 rejected');
    for (const key of keys.slice(0, 50)) expect(fromFile.stdout + fromFile.stderr).not.toContain(key);

    const fromStdin = await runCli(["keys", "import", "--group", "alpha", "-"], { DATA_DIR: dataDir }, { stdin: `${keys[1]}, sk-stdin-new-0001-abcdefgh; sk-stdin-new-0002-abcdefgh` });
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toContain("2 added, 1 duplicates");

    const exported = await runCli(["keys", "export", "--group", "alpha"], { DATA_DIR: dataDir });
    expect(exported.code).toBe(0);
    expect(exported.stdout.trim().split("\n").sort()).toEqual([...keys, "sk-stdin-new-0001-abcdefgh", "sk-stdin-new-0002-abcdefgh"].sort());

    const store = openSqlite(join(dataDir, "poolgate.db"));
    store.sqlite.query("UPDATE api_keys SET status = 'invalid' WHERE id = (SELECT max(id) FROM api_keys)").run();
    store.close();
    const invalid = await runCli(["keys", "export", "--group", "alpha", "--status", "invalid"], { DATA_DIR: dataDir });
    expect(invalid.stdout.trim()).toBe("sk-stdin-new-0002-abcdefgh");
  });

  it("answersUsageErrorsWithExitCode2AndLookupErrorsWithExitCode1InOneLine", async () => {
    const dataDir = dataDirWithGroups();
    const cases: [string[], number, string][] = [
      [["keys", "import", "x.txt"], 2, "--group NAME is required"],
      [["keys", "import", "--group", "alpha"], 2, "give one FILE"],
      [["keys", "export", "--group", "alpha", "--status", "broken"], 2, "--status must be one of"],
      [["keys", "frob"], 2, 'unknown action "frob"'],
      [["keys", "export", "--group", "alpha", "--bogus"], 2, "unknown option --bogus"],
      [["keys", "export", "--group", "nope"], 1, 'no group named "nope"'],
      [["keys", "export", "--group", "all"], 1, "aggregate group"],
      [["keys", "import", "--group", "alpha", join(dataDir, "missing.txt")], 2, "no such file"],
    ];
    for (const [args, code, message] of cases) {
      const result = await runCli(args, { DATA_DIR: dataDir });
      expect({ args, code: result.code }).toEqual({ args, code });
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(result.stderr).toContain(message);
    }
    const noDatabase = await runCli(["keys", "export", "--group", "alpha"], { DATA_DIR: join(dataDir, "empty") });
    expect(noDatabase.code).toBe(1);
    expect(noDatabase.stderr).toContain("no poolgate database");
    const help = await runCli(["keys", "--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("poolgate keys export --group NAME");
  });
});
