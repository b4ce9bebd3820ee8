// The hourly_stats repository: the incremental rollup of request_logs into hourly rows, its
// retention, and the sums and time series the stats API reads. Synchronous bun:sqlite calls;
// scheduling and yielding belong to jobs/, HTTP shapes to admin/stats.ts.

import type { Database } from "bun:sqlite";

export const HOUR_MS = 3_600_000;

/** install_meta key holding the id of the last request_logs row folded into hourly_stats. */
const WATERMARK_KEY = "stats_rollup_last_log_id";

/**
 * Failure class of a failed row (status >= 400), from the error_class the proxy records: the
 * pool's KeyEvent kinds (invalid, rate-limited, upstream-failure, client-error) and the gateway's
 * own refusals (src/proxy: auth, group-disabled, body-too-large, unknown-model,
 * access-key-rate-limit and client-gone are the client's doing; no-keys, no-upstream and
 * stream-error the upstream side's). Unknown or missing classes fall back to the status:
 * 401/403 key, 429 rate limit, 499 (client went away) client, 5xx upstream, other 4xx client.
 */
const FAILURE_CLASS_SQL = `CASE
  WHEN error_class IN ('invalid', 'key', 'invalid-key') THEN 'key'
  WHEN error_class IN ('rate-limited', 'rate_limit') THEN 'rate_limit'
  WHEN error_class IN ('upstream-failure', 'stream-error', 'no-keys', 'no-upstream', 'upstream') THEN 'upstream'
  WHEN error_class IN ('client-error', 'client-gone', 'auth', 'group-disabled', 'body-too-large', 'unknown-model',
    'access-key-rate-limit', 'client') THEN 'client'
  WHEN status IN (401, 403) THEN 'key'
  WHEN status = 429 THEN 'rate_limit'
  WHEN status = 499 THEN 'client'
  WHEN status >= 500 THEN 'upstream'
  ELSE 'client' END`;

const AGGREGATE_SQL = `SELECT (ts / ${HOUR_MS}) * ${HOUR_MS} AS hour, coalesce(group_id, 0) AS group_id, coalesce(key_id, 0) AS key_id,
    coalesce(model, '') AS model, coalesce(access_key_id, 0) AS access_key_id,
    count(*) AS requests, sum(status < 400) AS successes,
    sum(status >= 400 AND cls = 'key') AS failures_key, sum(status >= 400 AND cls = 'rate_limit') AS failures_rate_limit,
    sum(status >= 400 AND cls = 'upstream') AS failures_upstream, sum(status >= 400 AND cls = 'client') AS failures_client,
    sum(coalesce(input_tokens, 0)) AS input_tokens, sum(coalesce(output_tokens, 0)) AS output_tokens,
    sum(coalesce(cached_tokens, 0)) AS cached_tokens, sum(duration_ms) AS duration_ms_sum, sum(coalesce(ttfb_ms, 0)) AS ttfb_ms_sum
  FROM (SELECT *, ${FAILURE_CLASS_SQL} AS cls FROM request_logs WHERE %RANGE%)
  WHERE 1
  GROUP BY 1, 2, 3, 4, 5`;

const STAT_COLUMNS =
  "hour, group_id, key_id, model, access_key_id, requests, successes, failures_key, failures_rate_limit, failures_upstream, failures_client, input_tokens, output_tokens, cached_tokens, duration_ms_sum, ttfb_ms_sum";

const ADDITIVE = STAT_COLUMNS.split(", ").slice(5);

const UPSERT_SQL = `INSERT INTO hourly_stats (${STAT_COLUMNS}) ${AGGREGATE_SQL.replace("%RANGE%", "id > ? AND id <= ?")}
  ON CONFLICT (hour, group_id, key_id, model, access_key_id) DO UPDATE SET
  ${ADDITIVE.map((c) => `${c} = ${c} + excluded.${c}`).join(", ")}`;

interface RollupChunk {
  /** Log rows folded in by this call. */
  rows: number;
  /** True when no newer rows remain. */
  done: boolean;
}

/**
 * Folds the next `maxRows` log ids after the watermark into hourly_stats and moves the watermark,
 * in one transaction, so a run is exactly-once and safe to repeat or interrupt. Incremental by id
 * rather than "delete the hours, re-aggregate them": late rows (a long stream logged an hour after
 * it started) land in their own hour without re-reading whole hours, and an hour already thinned by
 * log retention is never recomputed from what is left of it. rebuildHours() is the full recompute.
 */
function rollupNextChunk(sqlite: Database, maxRows = 50_000): RollupChunk {
  return sqlite.transaction(() => {
    const last = readWatermark(sqlite);
    const maxRow = sqlite.query("SELECT max(id) AS id FROM request_logs").get() as { id: number | null };
    const maxId = maxRow.id ?? 0;
    if (maxId <= last) return { rows: 0, done: true };
    const upTo = Math.min(maxId, last + maxRows);
    const counted = sqlite.query("SELECT count(*) AS n FROM request_logs WHERE id > ? AND id <= ?").get(last, upTo) as { n: number };
    sqlite.query(UPSERT_SQL).run(last, upTo);
    writeWatermark(sqlite, upTo);
    return { rows: counted.n, done: upTo === maxId };
  }).immediate();
}

/** Folds in every pending row now (the stats API calls this before reading, so sums are exact). */
export function rollupPending(sqlite: Database, maxRowsPerChunk = 50_000): number {
  let total = 0;
  for (;;) {
    const chunk = rollupNextChunk(sqlite, maxRowsPerChunk);
    total += chunk.rows;
    if (chunk.done) return total;
  }
}

/** Recomputes whole hours [fromHour, toHour) from the logs still present (repair tool; idempotent). */
export function rebuildHours(sqlite: Database, fromHour: number, toHour: number): void {
  sqlite.transaction(() => {
    sqlite.query("DELETE FROM hourly_stats WHERE hour >= ? AND hour < ?").run(fromHour, toHour);
    sqlite.query(`INSERT INTO hourly_stats (${STAT_COLUMNS}) ${AGGREGATE_SQL.replace("%RANGE%", "ts >= ? AND ts < ?")}`).run(fromHour, toHour);
  }).immediate();
}

function readWatermark(sqlite: Database): number {
  const row = sqlite.query("SELECT value FROM install_meta WHERE key = ?").get(WATERMARK_KEY) as { value: string } | null;
  return row ? Number(row.value) || 0 : 0;
}

function writeWatermark(sqlite: Database, id: number): void {
  sqlite
    .query("INSERT INTO install_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value")
    .run(WATERMARK_KEY, String(id));
}

/** Deletes up to `batch` hourly rows older than `beforeHour`; returns how many went. */
export function pruneStatsBatch(sqlite: Database, beforeHour: number, batch: number): number {
  return sqlite.query("DELETE FROM hourly_stats WHERE rowid IN (SELECT rowid FROM hourly_stats WHERE hour < ? LIMIT ?)").run(beforeHour, batch).changes;
}

// --- reading --------------------------------------------------------------------------------

export interface StatsScope {
  groupId?: number;
  model?: string;
}

export interface StatsTotals {
  requests: number;
  successes: number;
  failures: number;
  input_tokens: number;
  output_tokens: number;
  cached_tokens: number;
}

export interface StatsPoint extends Omit<StatsTotals, "cached_tokens"> {
  t: number;
}

const TOTALS_COLUMNS =
  "coalesce(sum(requests), 0) AS requests, coalesce(sum(successes), 0) AS successes, coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens, coalesce(sum(cached_tokens), 0) AS cached_tokens";

const LIVE_COLUMNS =
  "count(*) AS requests, coalesce(sum(status < 400), 0) AS successes, coalesce(sum(input_tokens), 0) AS input_tokens, coalesce(sum(output_tokens), 0) AS output_tokens, coalesce(sum(cached_tokens), 0) AS cached_tokens";

function scopeTerms(scope: StatsScope): { sql: string; params: (string | number)[] } {
  let sql = "";
  const params: (string | number)[] = [];
  if (scope.groupId !== undefined) {
    sql += " AND group_id = ?";
    params.push(scope.groupId);
  }
  if (scope.model !== undefined) {
    sql += " AND model = ?";
    params.push(scope.model);
  }
  return { sql, params };
}

type TotalsRow = Omit<StatsTotals, "failures">;

function withFailures<T extends { requests: number; successes: number }>(row: T): T & { failures: number } {
  return { ...row, failures: row.requests - row.successes };
}

/** Sums of hourly_stats over the hours in [fromHour, toHour). */
export function sumHours(sqlite: Database, fromHour: number, toHour: number, scope: StatsScope = {}): StatsTotals {
  const s = scopeTerms(scope);
  const row = sqlite.query(`SELECT ${TOTALS_COLUMNS} FROM hourly_stats WHERE hour >= ? AND hour < ?${s.sql}`).get(fromHour, toHour, ...s.params) as TotalsRow;
  return withFailures(row);
}

/** Sums straight from request_logs over [from, to) (for windows finer than an hour). */
export function sumLogs(sqlite: Database, from: number, to: number, scope: StatsScope = {}): StatsTotals {
  const s = scopeTerms(scope);
  const row = sqlite.query(`SELECT ${LIVE_COLUMNS} FROM request_logs WHERE ts >= ? AND ts < ?${s.sql}`).get(from, to, ...s.params) as TotalsRow;
  return withFailures(row);
}

/** Non-empty buckets of hourly_stats in [from, to), bucketMs a multiple of an hour (UTC-aligned). */
export function seriesFromHours(sqlite: Database, from: number, to: number, bucketMs: number, scope: StatsScope = {}): StatsPoint[] {
  const s = scopeTerms(scope);
  const rows = sqlite
    .query(
      `SELECT (hour / ${bucketMs}) * ${bucketMs} AS t, ${TOTALS_COLUMNS} FROM hourly_stats WHERE hour >= ? AND hour < ?${s.sql} GROUP BY 1 ORDER BY 1`,
    )
    .all(from, to, ...s.params) as (TotalsRow & { t: number })[];
  return rows.map(pointOf);
}

/** Non-empty buckets straight from request_logs in [from, to) (minute buckets for short ranges). */
export function seriesFromLogs(sqlite: Database, from: number, to: number, bucketMs: number, scope: StatsScope = {}): StatsPoint[] {
  const s = scopeTerms(scope);
  const rows = sqlite
    .query(`SELECT (ts / ${bucketMs}) * ${bucketMs} AS t, ${LIVE_COLUMNS} FROM request_logs WHERE ts >= ? AND ts < ?${s.sql} GROUP BY 1 ORDER BY 1`)
    .all(from, to, ...s.params) as (TotalsRow & { t: number })[];
  return rows.map(pointOf);
}

function pointOf(r: TotalsRow & { t: number }): StatsPoint {
  return {
    t: r.t,
    requests: r.requests,
    successes: r.successes,
    failures: r.requests - r.successes,
    input_tokens: r.input_tokens,
    output_tokens: r.output_tokens,
  };
}
