// Reads and writes upstream keys (`api_keys`) with raw prepared statements on bun:sqlite, so
// that importing, listing and exporting 100k keys in a group stays fast. Plain key values only
// pass through here on their way into SecretBox.encrypt or out of decrypt; never logged.

import type { Database } from "bun:sqlite";
import type { KeyStatus } from "../schema.ts";
import type { SecretBox } from "../secrets.ts";

/** A key as listings show it (column names as in the table, which are the API's names too). */
export interface KeyListRow {
  id: number;
  masked: string;
  status: KeyStatus;
  reason: string | null;
  cooldown_until: number | null;
  requests: number;
  failures: number;
  last_used_at: number | null;
  notes: string;
}

export interface KeyRow extends KeyListRow {
  group_id: number;
}

const LIST_COLUMNS = "id, masked, status, reason, cooldown_until, requests, failures, last_used_at, notes";

/** First 4 + "…" + last 4 characters; keys of 8 characters or fewer show only "…" and their last 2. */
export function maskKey(value: string): string {
  return value.length <= 8 ? `…${value.slice(-2)}` : `${value.slice(0, 4)}…${value.slice(-4)}`;
}

/** The state a key is added with when it is not the default (active, no counters, no notes): a key copied from GPT-Load. */
export interface ImportedKeyState {
  status: KeyStatus;
  reason: string | null;
  requests: number;
  failures: number;
  lastUsedAt: number | null;
  notes: string;
}

const NEW_KEY_STATE: ImportedKeyState = { status: "active", reason: null, requests: 0, failures: 0, lastUsedAt: null, notes: "" };

/**
 * Inserts the keys (already checked and free of repeats) in one transaction; a key already in
 * the group is skipped by the unique (group_id, key_hash) index and keeps its state. Keys added
 * start as `stateOf(value)` says, else active. Returns how many were added.
 */
export function importKeys(
  sqlite: Database,
  box: SecretBox,
  groupId: number,
  values: readonly string[],
  now: number,
  options: { stateOf?: (value: string) => ImportedKeyState | undefined } = {},
): number {
  const insert = sqlite.prepare(
    "INSERT OR IGNORE INTO api_keys (group_id, value_enc, key_hash, masked, status, reason, notes, requests, failures, last_used_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const exists = sqlite.prepare("SELECT 1 FROM api_keys WHERE group_id = ? AND key_hash = ?");
  // Random inserts into the (group_id, key_hash) index thrash SQLite's default 2 MB page cache;
  // a larger cache for the length of the import makes 100k keys several times faster.
  const { cache_size: cacheSize } = sqlite.query("PRAGMA cache_size").get() as { cache_size: number };
  if (values.length > 1000) sqlite.exec("PRAGMA cache_size = -65536");
  let added = 0;
  try {
    sqlite.transaction(() => {
      for (const value of values) {
        const hash = box.hash(value);
        if (exists.get(groupId, hash)) continue; // skip the encryption cost for keys already present
        const s = options.stateOf?.(value) ?? NEW_KEY_STATE;
        added += insert.run(groupId, box.encrypt(value), hash, maskKey(value), s.status, s.reason, s.notes, s.requests, s.failures, s.lastUsedAt, now, now).changes;
      }
    }).immediate();
  } finally {
    insert.finalize();
    exists.finalize();
    sqlite.exec(`PRAGMA cache_size = ${Math.trunc(cacheSize)}`);
  }
  return added;
}

export interface KeyFilter {
  groupId: number;
  status?: KeyStatus;
  /** Matches the masked form or the notes (substring). */
  q?: string;
  /** Keyed hash of `q`, so that a whole key finds itself. */
  qHash?: string;
}

function whereOf(filter: KeyFilter): { sql: string; params: (string | number)[] } {
  const clauses = ["group_id = ?"];
  const params: (string | number)[] = [filter.groupId];
  if (filter.status) {
    clauses.push("status = ?");
    params.push(filter.status);
  }
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, "\\$&")}%`;
    clauses.push("(masked LIKE ? ESCAPE '\\' OR notes LIKE ? ESCAPE '\\' OR key_hash = ?)");
    params.push(like, like, filter.qHash ?? "");
  }
  return { sql: clauses.join(" AND "), params };
}

/**
 * One page of a group's keys in id order. The page's ids come from an index alone (sorting
 * integers, not whole rows), then only those rows are read: ~30 ms for a deep page of 100k keys.
 */
export function listKeys(sqlite: Database, filter: KeyFilter, page: { limit: number; offset: number }): { items: KeyListRow[]; total: number } {
  const where = whereOf(filter);
  const total = (sqlite.query(`SELECT count(*) AS n FROM api_keys WHERE ${where.sql}`).get(...where.params) as { n: number }).n;
  const ids = (sqlite.query(`SELECT id FROM api_keys WHERE ${where.sql} ORDER BY id LIMIT ? OFFSET ?`).all(...where.params, page.limit, page.offset) as {
    id: number;
  }[]).map((r) => r.id);
  if (!ids.length) return { items: [], total };
  const items = sqlite
    .query(`SELECT ${LIST_COLUMNS} FROM api_keys WHERE id IN (${ids.map(() => "?").join(",")}) ORDER BY id`)
    .all(...ids) as KeyListRow[];
  return { items, total };
}

export function getKey(sqlite: Database, id: number): KeyRow | undefined {
  return (sqlite.query(`SELECT group_id, ${LIST_COLUMNS} FROM api_keys WHERE id = ?`).get(id) as KeyRow | null) ?? undefined;
}

/** Sets the status (clearing reason and cooldown) and/or the notes of one key. */
export function updateKey(sqlite: Database, id: number, change: { status?: KeyStatus; notes?: string }, now: number): KeyRow | undefined {
  sqlite.transaction(() => {
    if (change.status !== undefined) {
      sqlite.query("UPDATE api_keys SET status = ?, reason = NULL, cooldown_until = NULL, updated_at = ? WHERE id = ?").run(change.status, now, id);
    }
    if (change.notes !== undefined) sqlite.query("UPDATE api_keys SET notes = ?, updated_at = ? WHERE id = ?").run(change.notes, now, id);
  }).immediate();
  return getKey(sqlite, id);
}

export interface KeyDeletion {
  ids?: readonly number[];
  hashes?: readonly string[];
  status?: KeyStatus;
}

/** Deletes the keys of a group named by id, by hash, or by status; returns how many went. */
export function deleteKeys(sqlite: Database, groupId: number, which: KeyDeletion): number {
  const byId = sqlite.prepare("DELETE FROM api_keys WHERE group_id = ? AND id = ?");
  const byHash = sqlite.prepare("DELETE FROM api_keys WHERE group_id = ? AND key_hash = ?");
  let deleted = 0;
  try {
    sqlite.transaction(() => {
      for (const id of which.ids ?? []) deleted += byId.run(groupId, id).changes;
      for (const hash of which.hashes ?? []) deleted += byHash.run(groupId, hash).changes;
      if (which.status) deleted += sqlite.query("DELETE FROM api_keys WHERE group_id = ? AND status = ?").run(groupId, which.status).changes;
    }).immediate();
  } finally {
    byId.finalize();
    byHash.finalize();
  }
  return deleted;
}

/** Puts invalid and cooling keys of a group back to active; returns how many. */
export function restoreKeys(sqlite: Database, groupId: number, now: number): number {
  return sqlite
    .query("UPDATE api_keys SET status = 'active', reason = NULL, cooldown_until = NULL, updated_at = ? WHERE group_id = ? AND status IN ('invalid', 'cooldown')")
    .run(now, groupId).changes;
}

/** Yields the plain keys of a group (optionally of one status) in id order, a batch at a time. */
export function* keyValueBatches(sqlite: Database, box: SecretBox, groupId: number, status: KeyStatus | undefined, batchSize = 2000): Generator<string[]> {
  const sql = `SELECT id, value_enc FROM api_keys WHERE group_id = ?${status ? " AND status = ?" : ""} AND id > ? ORDER BY id LIMIT ?`;
  let after = 0;
  for (;;) {
    const params = status ? [groupId, status, after, batchSize] : [groupId, after, batchSize];
    const rows = sqlite.query(sql).all(...params) as { id: number; value_enc: string }[];
    if (!rows.length) return;
    after = rows[rows.length - 1]!.id;
    yield rows.map((r) => box.decrypt(r.value_enc));
    if (rows.length < batchSize) return;
  }
}
