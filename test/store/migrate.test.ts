import { describe, expect, it } from "bun:test";
import { Database } from "bun:sqlite";
import { readFileSync } from "node:fs";
import { renderMigrationsModule } from "../../deploy/embed-migrations.ts";
import { migrateSqlite } from "../../src/store/migrate.ts";

const root = `${import.meta.dir}/../..`;

describe("migrate", () => {
  it("createsEveryTableOnAFreshDatabase", () => {
    const db = new Database(":memory:");
    const result = migrateSqlite(db);
    expect(result.applied.length).toBe(result.total);
    const tables = (db.query("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map((t) => t.name);
    for (const t of ["groups", "api_keys", "access_keys", "system_settings", "request_logs", "hourly_stats", "install_meta"]) {
      expect(tables).toContain(t);
    }
  });

  it("isIdempotentOnAnExistingDatabase", () => {
    const db = new Database(":memory:");
    migrateSqlite(db);
    db.exec("INSERT INTO system_settings (key, value, updated_at) VALUES ('max_attempts', '5', 1)");
    const second = migrateSqlite(db);
    expect(second.applied).toEqual([]);
    expect(db.query("SELECT value FROM system_settings").get()).toEqual({ value: "5" });
    expect((db.query("SELECT count(*) AS n FROM __drizzle_migrations").get() as { n: number }).n).toBe(second.total);
  });

  it("appliesOnlyMigrationsNewerThanTheLastOneRecorded", () => {
    const db = new Database(":memory:");
    migrateSqlite(db);
    const extra = { tag: "9999_extra", when: Date.now() + 1e9, sql: "CREATE TABLE extra_probe (id integer)" };
    const result = migrateSqlite(db, [extra]);
    expect(result.applied).toEqual(["9999_extra"]);
    expect(migrateSqlite(db, [extra]).applied).toEqual([]);
  });

  it("embedsEveryMigrationOfTheJournal", () => {
    const journal = JSON.parse(readFileSync(`${root}/drizzle/sqlite/meta/_journal.json`, "utf8"));
    const generated = readFileSync(`${root}/src/store/migrations.gen.ts`, "utf8");
    expect(generated).toBe(renderMigrationsModule(journal.entries));
  });
});
