// What the in-memory pool is built from and written back to: group rows, decrypted key
// records, access keys, and the write-behind of key state and counters (one transaction,
// prepared statements). Called by app.ts at start, on bus events and on a timer; never per request.

import type { Database } from "bun:sqlite";
import type { Db } from "../open.ts";
import { groups, type KeyStatus } from "../schema.ts";
import type { SecretBox } from "../secrets.ts";
import type { GroupRow } from "./groups.ts";
import type { KeyListRow } from "./keys.ts";

export type { GroupRow };

/** A key as the pool holds it (same shape as pool/types KeyRecord; store/ may not import pool/). */
export interface StoredKey {
  id: number;
  value: string;
  masked: string;
  status: KeyStatus;
  reason: string | null;
  cooldownUntil: number;
  strikes: number;
  requests: number;
  failures: number;
  lastUsedAt: number;
}

/** The persisted part of a key's in-memory state. */
export interface KeyStateRow {
  id: number;
  status: KeyStatus;
  reason: string | null;
  cooldownUntil: number;
  requests: number;
  failures: number;
  lastUsedAt: number;
  /**
   * The status memory believes the row holds. When given, the state (status, reason, cooldown)
   * is written only if the row still holds it: an admin change made in between (disable,
   * restore, another node) wins over the stale memory. Counters are written either way.
   */
  storedStatus?: KeyStatus;
}

export function loadGroups(db: Db): GroupRow[] {
  return db.select().from(groups).all();
}

type RawKeyRow = Omit<KeyListRow, "notes"> & { value_enc: string };

/**
 * Every key of a group, decrypted. `knownValue` returns the plain value already in memory for an
 * id (a key's value never changes), which skips the decryption when a large group is reloaded.
 * Keys that fail to decrypt are skipped and reported through `onUndecryptable`.
 */
export function loadKeyRecords(
  sqlite: Database,
  box: SecretBox,
  groupId: number,
  options: { knownValue?: (id: number) => string | undefined; onUndecryptable?: (id: number) => void } = {},
): StoredKey[] {
  const rows = sqlite
    .query<RawKeyRow, [number]>(
      "SELECT id, value_enc, masked, status, reason, cooldown_until, requests, failures, last_used_at FROM api_keys WHERE group_id = ? ORDER BY id",
    )
    .all(groupId);
  const out: StoredKey[] = [];
  for (const row of rows) {
    let value = options.knownValue?.(row.id);
    if (value === undefined) {
      try {
        value = box.decrypt(row.value_enc);
      } catch {
        options.onUndecryptable?.(row.id);
        continue;
      }
    }
    out.push({
      id: row.id,
      value,
      masked: row.masked,
      status: row.status,
      reason: row.reason,
      cooldownUntil: row.cooldown_until ?? 0,
      strikes: 0,
      requests: row.requests,
      failures: row.failures,
      lastUsedAt: row.last_used_at ?? 0,
    });
  }
  return out;
}

/**
 * Writes key states and counters in one transaction; rows of deleted keys are simply not matched.
 * SET expressions all read the row as it was, so one statement does the compare-and-set.
 */
export function createKeyStateWriter(sqlite: Database): (records: readonly KeyStateRow[], now: number) => void {
  const update = sqlite.prepare(
    `UPDATE api_keys SET
       reason = CASE WHEN ?1 IS NULL OR status = ?1 THEN ?2 ELSE reason END,
       cooldown_until = CASE WHEN ?1 IS NULL OR status = ?1 THEN ?3 ELSE cooldown_until END,
       status = CASE WHEN ?1 IS NULL OR status = ?1 THEN ?4 ELSE status END,
       requests = ?5, failures = ?6, last_used_at = ?7, updated_at = ?8
     WHERE id = ?9`,
  );
  const writeAll = sqlite.transaction((records: readonly KeyStateRow[], now: number) => {
    for (const r of records) {
      update.run(r.storedStatus ?? null, r.reason, r.cooldownUntil || null, r.status, r.requests, r.failures, r.lastUsedAt || null, now, r.id);
    }
  });
  return (records, now) => {
    if (records.length) writeAll.immediate(records, now);
  };
}
