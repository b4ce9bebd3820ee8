// `poolgate import-gptload` end to end: builds GPT-Load-shaped databases (SQLite with plain and
// encrypted keys, PostgreSQL, MySQL), runs the real CLI against a temp DATA_DIR and reads the
// resulting poolgate database back: groups, sub-groups, settings, access keys, keys and states.

import { afterAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openSecretBox } from "../../src/store/secrets.ts";
import { createGptLoadSqlite, gptLoadStatements, type Dialect, type GptLoadFixture } from "../support/gptload-database.ts";
import { runCli, type CliResult } from "../support/run-cli.ts";

setDefaultTimeout(60_000);

const scratch = mkdtempSync(join(tmpdir(), "poolgate-import-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let folders = 0;
const fresh = () => mkdtempSync(join(scratch, `case-${++folders}-`));
const GPTLOAD_KEY = "gptload-encryption-secret-Q7x2";

function importFrom(from: string, dataDir: string, extra: string[] = []): Promise<CliResult> {
  return runCli(["import-gptload", "--from", from, ...extra], { DATA_DIR: dataDir });
}

/** What the import left in poolgate's database, read with bun:sqlite and the install's own SecretBox. */
function readPoolgate(dataDir: string) {
  const db = new Database(join(dataDir, "poolgate.db"), { readonly: true });
  try {
    const box = openSecretBox(db, readFileSync(join(dataDir, "encryption.key"), "utf8").trim());
    const groups = db.query("SELECT * FROM groups ORDER BY id").all() as Record<string, any>[];
    const byId = new Map(groups.map((g) => [g.id as number, g.name as string]));
    const keys = (db.query("SELECT * FROM api_keys ORDER BY id").all() as Record<string, any>[]).map((k) => ({
      group: byId.get(k.group_id)!,
      value: box.decrypt(k.value_enc),
      status: k.status as string,
      requests: k.requests as number,
      failures: k.failures as number,
      lastUsedAt: k.last_used_at as number | null,
    }));
    const accessKeys = db.query("SELECT * FROM access_keys ORDER BY id").all() as Record<string, any>[];
    const settings = Object.fromEntries((db.query("SELECT key, value FROM system_settings").all() as { key: string; value: string }[]).map((r) => [r.key, JSON.parse(r.value)]));
    return { groups, byId, keys, accessKeys, settings, hash: (s: string) => box.hash(s) };
  } finally {
    db.close();
  }
}

function expectNoSecretPrinted(result: CliResult, fixture: GptLoadFixture): void {
  const output = result.stdout + result.stderr;
  for (const key of fixture.keys) expect(output).not.toContain(key.value);
  for (const key of fixture.proxyKeys) expect(output).not.toContain(key);
}

/** The full picture after one import of the standard fixture. */
function expectImported(dataDir: string, fixture: GptLoadFixture): void {
  const db = readPoolgate(dataDir);
  expect(db.groups.map((g) => g.name)).toEqual(["openai-main", "gemini-a", "gemini-b", "gemini-all"]);
  const [openai, geminiA, geminiB, aggregate] = db.groups;
  expect(openai!.channel_type).toBe("openai");
  expect(JSON.parse(openai!.upstreams)).toEqual([{ url: "https://api.openai.com", weight: 1 }]);
  expect(JSON.parse(openai!.model_redirect)).toEqual({ "gpt-4": "gpt-4o" });
  expect(openai!.model_redirect_strict).toBe(1);
  expect(JSON.parse(openai!.param_overrides)).toEqual({ temperature: 0.5 });
  expect(JSON.parse(openai!.header_rules)).toEqual([
    { action: "set", name: "X-Client", value: "${client_ip}" },
    { action: "remove", name: "X-Drop" },
  ]);
  expect(JSON.parse(openai!.config)).toEqual({ max_attempts: 3 });
  expect(JSON.parse(aggregate!.sub_groups)).toEqual([
    { group_id: geminiA!.id, weight: 3 },
    { group_id: geminiB!.id, weight: 1 },
  ]);
  expect(JSON.parse(aggregate!.upstreams)).toEqual([]);

  expect(db.settings).toMatchObject({ max_attempts: 5, log_retention_days: 14 });
  expect(db.settings).not.toHaveProperty("connect_timeout_ms"); // no connect phase in Bun's fetch: reported unmapped

  expect(db.keys.map((k) => [k.group, k.value, k.status]).sort()).toEqual(fixture.keys.map((k) => [k.group, k.value, k.status]).sort());
  const invalid = db.keys.find((k) => k.status === "invalid")!;
  expect(invalid).toMatchObject({ requests: 5, failures: 5 });
  expect(invalid.lastUsedAt).toBeGreaterThan(0);

  // Proxy keys: stored under the same keyed hash the admin API looks up, scoped like in GPT-Load.
  const byHash = new Map(db.accessKeys.map((a) => [a.secret_hash as string, a]));
  expect(byHash.size).toBe(fixture.proxyKeys.length);
  expect(JSON.parse(byHash.get(db.hash(fixture.globalProxyKeys[0]!))!.group_ids)).toEqual([]);
  expect(JSON.parse(byHash.get(db.hash("sk-123456"))!.group_ids)).toEqual([]); // global wins over a group scope
  expect(JSON.parse(byHash.get(db.hash(fixture.groupProxyKeys["openai-main"]![0]!))!.group_ids)).toEqual([openai!.id]);
  expect(JSON.parse(byHash.get(db.hash(fixture.groupProxyKeys["gemini-all"]![0]!))!.group_ids)).toEqual([aggregate!.id]);
  for (const a of db.accessKeys) {
    for (const secret of fixture.proxyKeys) expect(a.display_prefix).not.toContain(secret);
  }
}

describe("import-gptload", () => {
  it("importsGroupsSubGroupsSettingsAccessKeysAndPlainKeysFromSqliteAndASecondRunAddsNothing", async () => {
    const source = join(fresh(), "gpt-load.db");
    const fixture = createGptLoadSqlite(source, { bulkKeys: 2500 });
    const dataDir = join(fresh(), "data");

    const first = await importFrom(source, dataDir);
    expect(first.code).toBe(0);
    expect(first.stdout).toContain("groups:        4 added");
    expect(first.stdout).toContain(`upstream keys: ${fixture.keys.length} added`);
    expect(first.stdout).toContain("access keys:   4 added");
    expect(first.stdout).toContain("blacklist_threshold");
    expect(first.stdout).toContain("${API_KEY}");
    expectNoSecretPrinted(first, fixture);
    expectImported(dataDir, fixture);

    const second = await importFrom(source, dataDir);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain("groups:        0 added, 4 already present");
    expect(second.stdout).toContain(`upstream keys: 0 added, ${fixture.keys.length} already present`);
    expect(second.stdout).toContain("access keys:   0 added, 4 already present");
    expect(second.stdout).toContain("settings:      0 set");
    expectNoSecretPrinted(second, fixture);
    expectImported(dataDir, fixture);
  });

  it("decryptsKeysGptLoadStoredEncryptedAndRefusesWithoutOrWithAWrongKey", async () => {
    const source = join(fresh(), "gpt-load.db");
    const fixture = createGptLoadSqlite(source, { encryptionKey: GPTLOAD_KEY });
    const dataDir = join(fresh(), "data");

    const without = await importFrom(source, dataDir);
    expect(without.code).toBe(2);
    expect(without.stderr.trim().split("\n")).toHaveLength(1);
    expect(without.stderr).toContain("--encryption-key");

    const wrong = await importFrom(source, dataDir, ["--encryption-key", "not-the-key-at-all-123"]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain("does not decrypt");

    const right = await importFrom(source, dataDir, ["--encryption-key", GPTLOAD_KEY]);
    expect(right.code).toBe(0);
    expectNoSecretPrinted(right, fixture);
    expect(right.stdout + right.stderr).not.toContain(GPTLOAD_KEY);
    expectImported(dataDir, fixture);
  });

  it("writesNothingOnADryRunNeitherToAFreshDataDirNorToAnExistingDatabase", async () => {
    const source = join(fresh(), "gpt-load.db");
    const fixture = createGptLoadSqlite(source);
    const dataDir = join(fresh(), "data");

    const dry = await importFrom(source, dataDir, ["--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain("Dry run: nothing was written");
    expect(dry.stdout).toContain("groups:        4 added");
    expectNoSecretPrinted(dry, fixture);
    expect(existsSync(dataDir)).toBe(false);

    expect((await runCli(["migrate"], { DATA_DIR: dataDir })).code).toBe(0);
    const dbFile = join(dataDir, "poolgate.db");
    const before = statSync(dbFile).size;
    const dryAgain = await importFrom(source, dataDir, ["--dry-run"]);
    expect(dryAgain.code).toBe(0);
    expect(dryAgain.stdout).toContain(`upstream keys: ${fixture.keys.length} added`);
    const db = new Database(dbFile, { readonly: true });
    try {
      for (const table of ["groups", "api_keys", "access_keys", "system_settings", "install_meta"]) {
        expect(db.query(`SELECT count(*) AS n FROM ${table}`).get()).toEqual({ n: 0 });
      }
    } finally {
      db.close();
    }
    expect(existsSync(join(dataDir, "encryption.key"))).toBe(false);
    expect(statSync(dbFile).size).toBe(before);
  });

  it("exitsWithCode2AndOneLineForAMissingSourceOrMissingFrom", async () => {
    const dataDir = join(fresh(), "data");
    const missing = await importFrom(join(fresh(), "nope.db"), dataDir);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    const noFrom = await runCli(["import-gptload"], { DATA_DIR: dataDir });
    expect(noFrom.code).toBe(2);
    expect(noFrom.stderr).toContain("--from is required");
    const help = await runCli(["import-gptload", "--help"], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("--encryption-key");
  });

  for (const dialect of ["postgres", "mysql"] as const) {
    it(`importsFromA${dialect === "postgres" ? "PostgreSQL" : "MySQL"}DatabaseIdempotently`, async () => {
      const server = await connectServer(dialect);
      if (!server) return;
      const name = `gptload_${process.pid}_${Date.now().toString(36)}`;
      await server.unsafe(`CREATE DATABASE ${name}`);
      try {
        const url = `${server.baseUrl}/${name}`;
        const target = new Bun.SQL(url);
        const { statements, fixture } = gptLoadStatements(dialect, { encryptionKey: dialect === "mysql" ? GPTLOAD_KEY : undefined });
        try {
          for (const s of statements) await target.unsafe(s);
        } finally {
          await target.close();
        }
        const extra = dialect === "mysql" ? ["--encryption-key", GPTLOAD_KEY] : [];
        const dataDir = join(fresh(), "data");
        const first = await importFrom(url, dataDir, extra);
        expect(first.code).toBe(0);
        expectNoSecretPrinted(first, fixture);
        expectImported(dataDir, fixture);
        const second = await importFrom(url, dataDir, extra);
        expect(second.stdout).toContain("groups:        0 added, 4 already present");
        expect(second.stdout).toContain(`upstream keys: 0 added, ${fixture.keys.length} already present`);
        expectImported(dataDir, fixture);
      } finally {
        await server.unsafe(dialect === "postgres" ? `DROP DATABASE IF EXISTS ${name} WITH (FORCE)` : `DROP DATABASE IF EXISTS ${name}`);
        await server.close();
      }
    });
  }
});

/** A connection to the local database server, or undefined (with the reason printed) when none answers. */
async function connectServer(dialect: Exclude<Dialect, "sqlite">): Promise<(Bun.SQL & { baseUrl: string }) | undefined> {
  const candidates = dialect === "postgres" ? ["postgres://postgres@127.0.0.1:5432", "postgres://root@127.0.0.1:5432"] : ["mysql://root@127.0.0.1:3306"];
  let lastError = "";
  for (const baseUrl of candidates) {
    const sql = new Bun.SQL(`${baseUrl}/test`, { connectionTimeout: 3 });
    try {
      await sql.unsafe("SELECT 1");
      return Object.assign(sql, { baseUrl });
    } catch (error) {
      lastError = String(error);
      await sql.close().catch(() => undefined);
    }
  }
  console.warn(`skipping the ${dialect} import test: no ${dialect} server on 127.0.0.1 (${lastError})`);
  return undefined;
}
