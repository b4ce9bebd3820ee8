// Key validation's vocabulary (scopes, the task shape shared by the job and the admin routes) and
// its reads and writes: the keys of a group in given statuses, and the results written back
// conditionally on the status each key was tested in, so a key changed meanwhile is left alone.

import type { Database } from "bun:sqlite";

export type ValidationScope = "invalid" | "active" | "all";

/** Which key statuses each scope tests (three slots for one prepared statement). */
export const SCOPE_STATUSES: Readonly<Record<ValidationScope, readonly [string, string, string]>> = {
  invalid: ["invalid", "invalid", "invalid"],
  active: ["active", "cooldown", "cooldown"],
  all: ["active", "cooldown", "invalid"],
};

export interface ValidationTask {
  id: string;
  kind: "validate-keys";
  groupId: number;
  scope: ValidationScope;
  trigger: "manual" | "schedule";
  status: "running" | "done" | "failed";
  total: number;
  done: number;
  /** Keys the provider accepted (2xx or rate-limited). */
  valid: number;
  invalid: number;
  unknown: number;
  /** Part of `valid`: accepted but throttled; their state is left unchanged. */
  rateLimited: number;
  /** Invalid keys set active. */
  restored: number;
  /** Active or cooling keys set invalid. */
  invalidated: number;
  startedAt: number;
  finishedAt: number | null;
  error?: string;
}

export interface ValidationChange {
  id: number;
  kind: "restore" | "invalidate";
  reason: string | null;
}

export interface ValidationStore {
  /** Encrypted values of the group's keys whose status is one of `statuses`, in id order. */
  keysIn(groupId: number, statuses: readonly [string, string, string]): { id: number; value_enc: string }[];
  countIn(groupId: number, statuses: readonly [string, string, string]): number;
  /**
   * Restores invalid keys and invalidates active or cooling ones, in one transaction; answers how
   * many were restored and which keys it invalidated (a change the database already had is neither).
   */
  apply(groupId: number, changes: readonly ValidationChange[], at: number): { restored: number; invalidated: ValidationChange[] };
}

export function createValidationStore(sqlite: Database): ValidationStore {
  const selectKeys = sqlite.prepare<{ id: number; value_enc: string }, [number, string, string, string]>(
    "SELECT id, value_enc FROM api_keys WHERE group_id = ? AND status IN (?, ?, ?) ORDER BY id",
  );
  const countKeys = sqlite.prepare<{ n: number }, [number, string, string, string]>(
    "SELECT count(*) AS n FROM api_keys WHERE group_id = ? AND status IN (?, ?, ?)",
  );
  const restore = sqlite.prepare(
    "UPDATE api_keys SET status = 'active', reason = NULL, cooldown_until = NULL, updated_at = ? WHERE id = ? AND group_id = ? AND status = 'invalid'",
  );
  const invalidate = sqlite.prepare(
    "UPDATE api_keys SET status = 'invalid', reason = ?, cooldown_until = NULL, updated_at = ? WHERE id = ? AND group_id = ? AND status IN ('active', 'cooldown')",
  );
  const apply = sqlite.transaction((groupId: number, changes: readonly ValidationChange[], at: number) => {
    let restored = 0;
    const invalidated: ValidationChange[] = [];
    for (const c of changes) {
      if (c.kind === "restore") restored += restore.run(at, c.id, groupId).changes;
      else if (invalidate.run(c.reason, at, c.id, groupId).changes > 0) invalidated.push(c);
    }
    return { restored, invalidated };
  });
  return {
    keysIn: (groupId, statuses) => selectKeys.all(groupId, ...statuses),
    countIn: (groupId, statuses) => countKeys.get(groupId, ...statuses)?.n ?? 0,
    apply: (groupId, changes, at) => apply.immediate(groupId, changes, at),
  };
}
