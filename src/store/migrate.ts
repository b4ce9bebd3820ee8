// Applies the embedded drizzle migrations (see migrations.gen.ts) idempotently, in one
// transaction, keeping drizzle's own `__drizzle_migrations` bookkeeping (sha256 of the file,
// created_at = journal `when`) so the database stays interchangeable with drizzle-kit's migrator.

import type { Database } from "bun:sqlite";
import { createHash } from "node:crypto";
import { EMBEDDED_MIGRATIONS } from "./migrations.gen.ts";

export interface Migration {
  tag: string;
  when: number;
  sql: string;
}

export interface MigrateResult {
  applied: string[];
  total: number;
}

export function migrateSqlite(sqlite: Database, migrations: readonly Migration[] = EMBEDDED_MIGRATIONS): MigrateResult {
  sqlite.exec(
    "CREATE TABLE IF NOT EXISTS __drizzle_migrations (id INTEGER PRIMARY KEY AUTOINCREMENT, hash text NOT NULL, created_at numeric)",
  );
  const last = sqlite.query("SELECT created_at FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1").get() as
    | { created_at: number }
    | null;
  const lastWhen = last ? Number(last.created_at) : -1;
  const pending = migrations.filter((m) => m.when > lastWhen);
  const record = sqlite.prepare("INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)");
  sqlite.transaction(() => {
    for (const m of pending) {
      for (const statement of m.sql.split("--> statement-breakpoint")) {
        if (statement.trim()) sqlite.exec(statement);
      }
      record.run(createHash("sha256").update(m.sql).digest("hex"), m.when);
    }
  }).immediate();
  return { applied: pending.map((m) => m.tag), total: migrations.length };
}
