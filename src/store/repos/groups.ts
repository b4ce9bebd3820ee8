// Reads and writes the `groups` table and counts each group's keys by status. Values arrive
// already validated by the admin API; this file knows SQL, not the rules of a good group.

import type { Database } from "bun:sqlite";
import { asc, eq } from "drizzle-orm";
import type { Db } from "../open.ts";
import { groups, type KeyStatusCounts } from "../schema.ts";

export type GroupRow = typeof groups.$inferSelect;
/** Every column a caller may set; ids and timestamps are the repository's business. */
export type GroupValues = Omit<typeof groups.$inferInsert, "id" | "createdAt" | "updatedAt">;

export function listGroups(db: Db): GroupRow[] {
  return db.select().from(groups).orderBy(asc(groups.sort), asc(groups.id)).all();
}

export function getGroup(db: Db, id: number): GroupRow | undefined {
  return db.select().from(groups).where(eq(groups.id, id)).get();
}

export function getGroupByName(db: Db, name: string): GroupRow | undefined {
  return db.select().from(groups).where(eq(groups.name, name)).get();
}

/**
 * The group a filter names by id (digits, taken as given) or by name (looked up); null when no
 * group has that name.
 */
export function groupIdByRef(db: Db, ref: string): number | null {
  if (/^\d+$/.test(ref)) return Number(ref);
  return getGroupByName(db, ref)?.id ?? null;
}

export function insertGroup(db: Db, values: GroupValues, now: number): GroupRow {
  return db.insert(groups).values({ ...values, createdAt: now, updatedAt: now }).returning().get();
}

export function updateGroup(db: Db, id: number, values: Partial<GroupValues>, now: number): GroupRow | undefined {
  return db.update(groups).set({ ...values, updatedAt: now }).where(eq(groups.id, id)).returning().get();
}

/** Deletes the group; its keys go with it (ON DELETE CASCADE). */
export function deleteGroup(db: Db, id: number): boolean {
  return db.delete(groups).where(eq(groups.id, id)).returning({ id: groups.id }).all().length > 0;
}

export function emptyCounts(): KeyStatusCounts {
  return { total: 0, active: 0, cooldown: 0, invalid: 0, disabled: 0 };
}

function addCount(counts: KeyStatusCounts, status: string, n: number): void {
  counts.total += n;
  if (status === "active" || status === "cooldown" || status === "invalid" || status === "disabled") counts[status] += n;
}

type CountRow = { group_id: number; status: string; n: number };

/** Key counts of every group in one GROUP BY (served by the (group_id, status, id) index). */
export function countKeysByGroup(sqlite: Database): Map<number, KeyStatusCounts> {
  return countsByGroup(sqlite.query<CountRow, []>("SELECT group_id, status, count(*) AS n FROM api_keys GROUP BY group_id, status").all());
}

/**
 * Like countKeysByGroup, but a cooling key whose cooldown has ended by `now` counts as active, as
 * the live pool counts it (for groups the pool does not hold). Reads cooldown_until, so it walks
 * the table rather than the index.
 */
export function countKeysByGroupAt(sqlite: Database, now: number): Map<number, KeyStatusCounts> {
  return countsByGroup(
    sqlite
      .query<CountRow, [number]>(
        `SELECT group_id, CASE WHEN status = 'cooldown' AND coalesce(cooldown_until, 0) <= ? THEN 'active' ELSE status END AS status,
         count(*) AS n FROM api_keys GROUP BY 1, 2`,
      )
      .all(now),
  );
}

function countsByGroup(rows: readonly CountRow[]): Map<number, KeyStatusCounts> {
  const out = new Map<number, KeyStatusCounts>();
  for (const row of rows) {
    let counts = out.get(row.group_id);
    if (!counts) out.set(row.group_id, (counts = emptyCounts()));
    addCount(counts, row.status, row.n);
  }
  return out;
}

export function countKeysOfGroup(sqlite: Database, groupId: number): KeyStatusCounts {
  const rows = sqlite.query("SELECT status, count(*) AS n FROM api_keys WHERE group_id = ? GROUP BY status").all(groupId) as {
    status: string;
    n: number;
  }[];
  const counts = emptyCounts();
  for (const row of rows) addCount(counts, row.status, row.n);
  return counts;
}
