// What the pool is built from and written back to: key records decrypted from a real migrated
// database (100k of them in reasonable time), values reused from memory on reload, and key
// states and counters saved in one transaction.

import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, it, setDefaultTimeout } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { migrateSqlite } from "../../../src/store/migrate.ts";
import { openSqlite, type OpenedStore } from "../../../src/store/open.ts";
import { listAccessKeys } from "../../../src/store/repos/access-keys.ts";
import { getGroup } from "../../../src/store/repos/groups.ts";
import { createKeyStateWriter, loadGroups, loadKeyRecords } from "../../../src/store/repos/pool-source.ts";
import { openSecretBox, type SecretBox } from "../../../src/store/secrets.ts";

setDefaultTimeout(30_000);

let dir: string;
let store: OpenedStore;
let box: SecretBox;
let groupId: number;

function insertKeys(sqlite: Database, gid: number, values: string[]): void {
  const insert = sqlite.prepare("INSERT INTO api_keys (group_id, value_enc, key_hash, masked, created_at, updated_at) VALUES (?, ?, ?, ?, 1, 1)");
  sqlite.transaction(() => {
    for (const v of values) insert.run(gid, box.encrypt(v), box.hash(v), `${v.slice(0, 4)}…${v.slice(-4)}`);
  })();
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "poolgate-pool-source-"));
  store = openSqlite(join(dir, "db.sqlite"));
  migrateSqlite(store.sqlite);
  box = openSecretBox(store.sqlite, "pool-source-test-key-0123456789");
  store.sqlite.run("INSERT INTO groups (name, channel_type, upstreams, created_at, updated_at) VALUES ('g', 'openai', '[]', 1, 1)");
  groupId = (store.sqlite.query("SELECT id FROM groups WHERE name = 'g'").get() as { id: number }).id;
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("pool source", () => {
  it("loads groups and access keys as rows", () => {
    expect(loadGroups(store.db).map((g) => g.name)).toEqual(["g"]);
    expect(getGroup(store.db, groupId)!.channelType).toBe("openai");
    expect(getGroup(store.db, 999)).toBeUndefined();
    expect(listAccessKeys(store.db)).toEqual([]);
  });

  it("decrypts a group's keys into records and skips undecryptable ones", () => {
    insertKeys(store.sqlite, groupId, ["sk-one-000000000001", "sk-two-000000000002"]);
    store.sqlite.run("INSERT INTO api_keys (group_id, value_enc, key_hash, masked, created_at, updated_at) VALUES (?, 'garbage', 'h', 'm', 1, 1)", [groupId]);
    const bad: number[] = [];
    const records = loadKeyRecords(store.sqlite, box, groupId, { onUndecryptable: (id) => bad.push(id) });
    expect(records.map((r) => r.value)).toEqual(["sk-one-000000000001", "sk-two-000000000002"]);
    expect(records[0]).toMatchObject({ status: "active", cooldownUntil: 0, strikes: 0, requests: 0, lastUsedAt: 0 });
    expect(bad).toHaveLength(1);
    store.sqlite.run("DELETE FROM api_keys WHERE id = ?", [bad[0]!]);
  });

  it("reuses values already in memory instead of decrypting them", () => {
    const records = loadKeyRecords(store.sqlite, box, groupId, { knownValue: () => "from-memory" });
    expect(records.every((r) => r.value === "from-memory")).toBe(true);
  });

  it("saves states and counters in one go", () => {
    const [a, b] = loadKeyRecords(store.sqlite, box, groupId);
    createKeyStateWriter(store.sqlite)(
      [
        { ...a!, status: "cooldown", reason: "429", cooldownUntil: 5000, requests: 7, failures: 1, lastUsedAt: 4000 },
        { ...b!, status: "invalid", reason: "401 invalid_api_key", requests: 2, failures: 2, lastUsedAt: 3000 },
      ],
      9000,
    );
    const [ra, rb] = loadKeyRecords(store.sqlite, box, groupId);
    expect(ra).toMatchObject({ status: "cooldown", reason: "429", cooldownUntil: 5000, requests: 7, failures: 1, lastUsedAt: 4000 });
    expect(rb).toMatchObject({ status: "invalid", reason: "401 invalid_api_key", cooldownUntil: 0, requests: 2 });
  });

  it("loads 100k keys of one group in reasonable time", () => {
    store.sqlite.run("INSERT INTO groups (name, channel_type, upstreams, created_at, updated_at) VALUES ('big', 'openai', '[]', 1, 1)");
    const big = (store.sqlite.query("SELECT id FROM groups WHERE name = 'big'").get() as { id: number }).id;
    // One ciphertext for every row keeps the setup cheap; loading still decrypts each row.
    const sealed = box.encrypt("sk-big-000000000000");
    const insert = store.sqlite.prepare("INSERT INTO api_keys (group_id, value_enc, key_hash, masked, created_at, updated_at) VALUES (?, ?, ?, 'sk-b…0000', 1, 1)");
    store.sqlite.transaction(() => {
      for (let i = 0; i < 100_000; i++) insert.run(big, sealed, `h${i}`);
    })();
    const t0 = performance.now();
    const records = loadKeyRecords(store.sqlite, box, big);
    const ms = performance.now() - t0;
    expect(records).toHaveLength(100_000);
    expect(records[99_999]!.value).toBe("sk-big-000000000000");
    // Generous bound for a shared 2-core machine; typically well under a second.
    expect(ms).toBeLessThan(5000);
  });
});
