// `poolgate groups list` on a real temp database: the table, JSON output, an empty database and
// a missing one.

import { afterAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateSqlite } from "../../src/store/migrate.ts";
import { openSqlite } from "../../src/store/open.ts";
import { insertGroup } from "../../src/store/repos/groups.ts";
import { runCli } from "../support/run-cli.ts";

setDefaultTimeout(60_000);

const scratch = mkdtempSync(join(tmpdir(), "poolgate-groups-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("groups-command", () => {
  it("listsGroupsWithChannelUpstreamsSubGroupsAndKeyCountsAsTableAndJson", async () => {
    const dataDir = mkdtempSync(join(scratch, "list-"));
    const empty = await runCli(["migrate"], { DATA_DIR: dataDir });
    expect(empty.code).toBe(0);
    expect((await runCli(["groups", "list"], { DATA_DIR: dataDir })).stdout).toContain("no groups yet");

    const store = openSqlite(join(dataDir, "poolgate.db"));
    migrateSqlite(store.sqlite);
    const alpha = insertGroup(store.db, { name: "alpha", channelType: "anthropic", upstreams: [{ url: "https://api.anthropic.com", weight: 1 }] }, 1);
    insertGroup(store.db, { name: "mix", channelType: "anthropic", upstreams: [], subGroups: [{ group_id: alpha.id, weight: 7 }] }, 1);
    store.close();
    const keys = await runCli(["keys", "import", "--group", "alpha", "-"], { DATA_DIR: dataDir }, { stdin: "sk-ant-one-1234567890\nsk-ant-two-1234567890" });
    expect(keys.code).toBe(0);

    const table = await runCli(["groups", "list"], { DATA_DIR: dataDir });
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^ID\s+NAME\s+CHANNEL/);
    expect(lines[1]).toMatch(/alpha\s+anthropic\s+2 \(2\/0\/0\/0\)\s+https:\/\/api\.anthropic\.com/);
    expect(lines[2]).toMatch(/mix\s+anthropic\s+0 \(0\/0\/0\/0\)\s+alpha:7/);

    const json = await runCli(["groups", "list", "--json"], { DATA_DIR: dataDir });
    const rows = JSON.parse(json.stdout) as { name: string; keys: { total: number } }[];
    expect(rows.map((r) => [r.name, r.keys.total])).toEqual([["alpha", 2], ["mix", 0]]);
  });

  it("failsWithOneLineWhenThereIsNoDatabaseOrTheActionIsWrong", async () => {
    const missing = await runCli(["groups", "list"], { DATA_DIR: join(scratch, "nothing-here") });
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    const wrong = await runCli(["groups", "show"], {});
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('unknown action "show"');
    expect((await runCli(["groups", "--help"], {})).stdout).toContain("poolgate groups list");
  });
});
