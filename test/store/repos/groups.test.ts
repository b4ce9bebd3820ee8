import { describe, expect, it } from "bun:test";
import { Database } from "bun:sqlite";
import { drizzle } from "drizzle-orm/bun-sqlite";
import { migrateSqlite } from "../../../src/store/migrate.ts";
import type { Db } from "../../../src/store/open.ts";
import { countKeysByGroup, countKeysOfGroup, deleteGroup, getGroupByName, insertGroup, listGroups, updateGroup } from "../../../src/store/repos/groups.ts";
import * as schema from "../../../src/store/schema.ts";

function setup() {
  const sqlite = new Database(":memory:", { strict: true });
  sqlite.exec("PRAGMA foreign_keys = ON");
  migrateSqlite(sqlite);
  return { sqlite, db: drizzle({ client: sqlite, schema }) as Db };
}

const values = (name: string, sort = 0) => ({ name, channelType: "openai", upstreams: [{ url: "https://a", weight: 1 }], sort });

describe("store/repos/groups", () => {
  it("insertsListsBySortAndUpdatesGroups", () => {
    const { db } = setup();
    const b = insertGroup(db, values("b", 2), 10);
    insertGroup(db, values("a", 1), 10);
    expect(listGroups(db).map((g) => g.name)).toEqual(["a", "b"]);
    expect(updateGroup(db, b.id, { description: "x" }, 20)).toMatchObject({ description: "x", createdAt: 10, updatedAt: 20 });
    expect(getGroupByName(db, "b")?.id).toBe(b.id);
    expect(updateGroup(db, 999, { description: "x" }, 20)).toBeUndefined();
  });

  it("countsKeysByGroupAndStatusAndCascadesOnDelete", () => {
    const { db, sqlite } = setup();
    const a = insertGroup(db, values("a"), 0);
    const b = insertGroup(db, values("b"), 0);
    const add = sqlite.prepare("INSERT INTO api_keys (group_id, value_enc, key_hash, masked, status, created_at, updated_at) VALUES (?, 'x', ?, 'm', ?, 0, 0)");
    add.run(a.id, "h1", "active");
    add.run(a.id, "h2", "invalid");
    add.run(a.id, "h3", "invalid");
    add.run(b.id, "h1", "cooldown");
    const counts = countKeysByGroup(sqlite);
    expect(counts.get(a.id)).toEqual({ total: 3, active: 1, cooldown: 0, invalid: 2, disabled: 0 });
    expect(counts.get(b.id)).toEqual({ total: 1, active: 0, cooldown: 1, invalid: 0, disabled: 0 });
    expect(countKeysOfGroup(sqlite, a.id)).toEqual(counts.get(a.id)!);
    expect(deleteGroup(db, a.id)).toBe(true);
    expect(deleteGroup(db, a.id)).toBe(false);
    expect(countKeysOfGroup(sqlite, a.id).total).toBe(0);
  });
});
