// Reads and writes the `access_keys` table (the keys clients present to the proxy). Only the
// keyed hash of a secret is stored, with a short display prefix; the secret itself never
// reaches this file's callers back.

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
