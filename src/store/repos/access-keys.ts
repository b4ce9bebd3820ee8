// Reads and writes the `access_keys` table (the keys clients present to the proxy). Only the
// keyed hash of a secret is stored, with a short display prefix; the secret itself never
// reaches this file's callers back.

import type { Database } from "bun:sqlite";
import { asc, eq } from "drizzle-orm";
import type { Db } from "../open.ts";
import { accessKeys } from "../schema.ts";

export type AccessKeyRow = typeof accessKeys.$inferSelect;
export type AccessKeyValues = Omit<typeof accessKeys.$inferInsert, "id" | "createdAt" | "updatedAt" | "requests" | "lastUsedAt">;

export function listAccessKeys(db: Db): AccessKeyRow[] {
  return db.select().from(accessKeys).orderBy(asc(accessKeys.id)).all();
}

export function getAccessKey(db: Db, id: number): AccessKeyRow | undefined {
  return db.select().from(accessKeys).where(eq(accessKeys.id, id)).get();
}

export function insertAccessKey(db: Db, values: AccessKeyValues, now: number): AccessKeyRow {
  return db.insert(accessKeys).values({ ...values, createdAt: now, updatedAt: now }).returning().get();
}

export function updateAccessKey(db: Db, id: number, values: Partial<Omit<AccessKeyValues, "secretHash" | "displayPrefix">>, now: number): AccessKeyRow | undefined {
  return db.update(accessKeys).set({ ...values, updatedAt: now }).where(eq(accessKeys.id, id)).returning().get();
}

export function deleteAccessKey(db: Db, id: number): boolean {
  return db.delete(accessKeys).where(eq(accessKeys.id, id)).returning({ id: accessKeys.id }).all().length > 0;
}

/** Requests of one access key since the last write-behind flush. */
export interface AccessKeyUsageDelta {
  id: number;
  requests: number;
  lastUsedAt: number;
}

/**
 * Adds write-behind usage to access keys in one transaction (prepared once): requests += n and
 * last_used_at moved forward, never back. Deleted keys are simply not matched. Not a config
 * change, so updated_at stays.
 */
export function createAccessKeyUsageWriter(sqlite: Database): (deltas: readonly AccessKeyUsageDelta[]) => void {
  const update = sqlite.prepare(
    "UPDATE access_keys SET requests = requests + ?, last_used_at = max(coalesce(last_used_at, 0), ?) WHERE id = ?",
  );
  const writeAll = sqlite.transaction((deltas: readonly AccessKeyUsageDelta[]) => {
    for (const d of deltas) update.run(d.requests, d.lastUsedAt, d.id);
  });
  return (deltas) => {
    if (deltas.length) writeAll.immediate(deltas);
  };
}
