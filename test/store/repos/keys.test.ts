import { describe, expect, it } from "bun:test";
import { Database } from "bun:sqlite";
import { migrateSqlite } from "../../../src/store/migrate.ts";
import { deleteKeys, importKeys, keyValueBatches, listKeys, maskKey, restoreKeys, updateKey } from "../../../src/store/repos/keys.ts";
import { openSecretBox } from "../../../src/store/secrets.ts";

function setup() {
  const sqlite = new Database(":memory:", { strict: true });
  migrateSqlite(sqlite);
  const box = openSecretBox(sqlite, "repo-test-key-0123456789");
  sqlite.exec("INSERT INTO groups (name, channel_type, upstreams, created_at, updated_at) VALUES ('a', 'openai', '[]', 0, 0), ('b', 'openai', '[]', 0, 0)");
  return { sqlite, box };
}

describe("store/repos/keys", () => {
  it("masksLongKeysWithFirstAndLastFourAndShortOnesWithLastTwo", () => {
    expect(maskKey("sk-1234567890abcd")).toBe("sk-1…abcd");
    expect(maskKey("123456789")).toBe("1234…6789");
    expect(maskKey("12345678")).toBe("…78");
    expect(maskKey("ab")).toBe("…ab");
  });

  it("storesKeysEncryptedWithTheirHashAndSkipsOnesAlreadyInTheGroup", () => {
    const { sqlite, box } = setup();
    expect(importKeys(sqlite, box, 1, ["key-one-1234", "key-two-1234"], 5)).toBe(2);
    expect(importKeys(sqlite, box, 1, ["key-two-1234", "key-three-12"], 6)).toBe(1);
    expect(importKeys(sqlite, box, 2, ["key-two-1234"], 6)).toBe(1);
    const row = sqlite.query("SELECT value_enc, key_hash, masked, status, created_at FROM api_keys WHERE id = 1").get() as Record<string, unknown>;
    expect(box.decrypt(row.value_enc as string)).toBe("key-one-1234");
    expect(row).toMatchObject({ key_hash: box.hash("key-one-1234"), masked: "key-…1234", status: "active", created_at: 5 });
  });

  it("pagesInIdOrderAndFiltersByStatusAndSearch", () => {
    const { sqlite, box } = setup();
    importKeys(sqlite, box, 1, Array.from({ length: 30 }, (_, i) => `key-${String(i).padStart(4, "0")}-tail`), 0);
    updateKey(sqlite, 3, { status: "disabled", notes: "spare" }, 1);
    const page = listKeys(sqlite, { groupId: 1 }, { limit: 10, offset: 20 });
    expect(page.total).toBe(30);
    expect(page.items.map((k) => k.id)).toEqual(Array.from({ length: 10 }, (_, i) => 21 + i));
    expect(listKeys(sqlite, { groupId: 1, status: "disabled" }, { limit: 10, offset: 0 }).items.map((k) => k.notes)).toEqual(["spare"]);
    expect(listKeys(sqlite, { groupId: 1, q: "spa" }, { limit: 10, offset: 0 }).total).toBe(1);
    expect(listKeys(sqlite, { groupId: 1, q: "key-0007-tail", qHash: box.hash("key-0007-tail") }, { limit: 10, offset: 0 }).items[0]!.id).toBe(8);
    expect(listKeys(sqlite, { groupId: 2 }, { limit: 10, offset: 0 })).toEqual({ items: [], total: 0 });
  });

  it("restoresDeletesAndExportsInBatches", () => {
    const { sqlite, box } = setup();
    const values = Array.from({ length: 25 }, (_, i) => `key-${i}-value`);
    importKeys(sqlite, box, 1, values, 0);
    sqlite.exec("UPDATE api_keys SET status = 'invalid', reason = 'r' WHERE id <= 5");
    expect(restoreKeys(sqlite, 1, 1)).toBe(5);
    expect(restoreKeys(sqlite, 2, 1)).toBe(0);
    expect([...keyValueBatches(sqlite, box, 1, undefined, 10)].map((b) => b.length)).toEqual([10, 10, 5]);
    expect([...keyValueBatches(sqlite, box, 1, undefined, 10)].flat()).toEqual(values);
    expect(deleteKeys(sqlite, 2, { ids: [1] })).toBe(0);
    expect(deleteKeys(sqlite, 1, { ids: [1, 2], hashes: [box.hash("key-24-value")] })).toBe(3);
    expect([...keyValueBatches(sqlite, box, 1, "active")].flat()).toHaveLength(22);
  });
});
