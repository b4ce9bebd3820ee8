// The request_logs repository. Writes: batches from the log queue's flush, one prepared INSERT
// per row in a single transaction (STACK-NOTES: ~10x faster than multi-row inserts), never from
// the request path; a row travels to the log writer thread as a plain array in column order (half
// the JSON of an entry object, both ways). Reads: filtered keyset pages for the admin API, each
// served by an index.

import type { Database } from "bun:sqlite";
import type { AttemptRecord } from "../schema.ts";

/** One client request as the proxy records it: one row of request_logs. */
export interface RequestLogEntry {
  ts: number;
  requestId: string;
  groupId: number | null;
  groupName: string;
  subGroupName: string | null;
  accessKeyId: number | null;
  accessKeyName: string | null;
  channel: string;
  model: string | null;
  upstreamModel: string | null;
  stream: boolean;
  status: number;
  errorClass: string | null;
  error: string | null;
  durationMs: number;
  ttfbMs: number | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  clientIp: string | null;
  userAgent: string | null;
  upstreamUrl: string | null;
  keyId: number | null;
  keyMasked: string | null;
  attempts: AttemptRecord[];
  requestBody: string | null;
  responseBody: string | null;
}

const COLUMNS = [
  "ts", "request_id", "group_id", "group_name", "sub_group_name", "access_key_id", "access_key_name", "channel",
  "model", "upstream_model", "stream", "status", "error_class", "error", "duration_ms", "ttfb_ms", "input_tokens",
  "output_tokens", "cached_tokens", "client_ip", "user_agent", "upstream_url", "key_id", "key_masked", "attempts",
  "request_body", "response_body",
] as const;

/** An entry as the values of its row, in COLUMNS order; attempts still an array (JSON-encoded on insert). */
export type LogValues = unknown[];

const ATTEMPTS_AT = COLUMNS.indexOf("attempts");

export function toLogValues(e: RequestLogEntry): LogValues {
  return [
    e.ts, e.requestId, e.groupId, e.groupName, e.subGroupName, e.accessKeyId, e.accessKeyName, e.channel,
    e.model, e.upstreamModel, e.stream ? 1 : 0, e.status, e.errorClass, e.error, e.durationMs, e.ttfbMs,
    e.inputTokens, e.outputTokens, e.cachedTokens, e.clientIp, e.userAgent, e.upstreamUrl, e.keyId, e.keyMasked,
    e.attempts, e.requestBody, e.responseBody,
  ];
}

/** Writes rows made by toLogValues, one transaction per call. */
export function createLogRowWriter(sqlite: Database): (rows: readonly LogValues[]) => void {
  const insert = sqlite.prepare<unknown, never[]>(
    `INSERT INTO request_logs (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`,
  );
  const writeAll = sqlite.transaction((rows: readonly LogValues[]) => {
    for (const row of rows) {
      row[ATTEMPTS_AT] = JSON.stringify(row[ATTEMPTS_AT]);
      insert.run(...(row as never[]));
    }
  });
  return (rows) => writeAll.immediate(rows);
}

/** Writes entries (tests, tools): the same INSERT through their rows. */
export function createLogWriter(sqlite: Database): (batch: readonly RequestLogEntry[]) => void {
  const writeRows = createLogRowWriter(sqlite);
  return (batch) => writeRows(batch.map(toLogValues));
}

// ---------------------------------------------------------------------------------------------
// Reading: filtered, keyset-paginated queries for the admin API (admin/logs.ts). Every filter
// maps to a WHERE term that one of the request_logs indexes in schema.ts can serve, ordered by
// (ts, id) descending so a page is a short index range walk even on 10M rows.

/** What the admin may filter on; every field optional. `to` is exclusive. */
export interface LogFilter {
  from?: number;
  to?: number;
  groupId?: number;
  model?: string;
  status?: number;
  /** true = status < 400, false = status >= 400 (served by the partial index request_logs_failed_ts_idx). */
  success?: boolean;
  accessKeyId?: number;
  keyId?: number;
  minDurationMs?: number;
  /** Text searched in `error` (LIKE, case-insensitive for ASCII); only rows with an error can match. */
  q?: string;
}

export interface LogCursor {
  ts: number;
  id: number;
}

/** One log as the API shows it: snake_case, attempts parsed, bodies only in the detail view. */
export interface LogRow {
  id: number;
  ts: number;
  request_id: string;
  group_id: number | null;
  group_name: string;
  sub_group_name: string | null;
  access_key_id: number | null;
  access_key_name: string | null;
  channel: string;
  model: string | null;
  upstream_model: string | null;
  stream: boolean;
  status: number;
  error_class: string | null;
  error: string | null;
  duration_ms: number;
  ttfb_ms: number | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cached_tokens: number | null;
  client_ip: string | null;
  user_agent: string | null;
  upstream_url: string | null;
  key_id: number | null;
  key_masked: string | null;
  attempts: AttemptRecord[];
}

export interface LogDetail extends LogRow {
  request_body: string | null;
  response_body: string | null;
}

export const LOG_ROW_FIELDS = [
  "id", "ts", "request_id", "group_id", "group_name", "sub_group_name", "access_key_id", "access_key_name", "channel",
  "model", "upstream_model", "stream", "status", "error_class", "error", "duration_ms", "ttfb_ms", "input_tokens",
  "output_tokens", "cached_tokens", "client_ip", "user_agent", "upstream_url", "key_id", "key_masked", "attempts",
] as const satisfies readonly (keyof LogRow)[];

type SqlParam = string | number;

/** The WHERE clause for a filter and an optional cursor (rows strictly after it in (ts, id) desc order). */
function logWhere(filter: LogFilter, cursor?: LogCursor): { where: string; params: SqlParam[] } {
  const terms: string[] = [];
  const params: SqlParam[] = [];
  /** Adds `term` with its one parameter, when the filter names a value. */
  const match = (term: string, value: SqlParam | undefined) => {
    if (value === undefined) return;
    terms.push(term);
    params.push(value);
  };
  match("ts >= ?", filter.from);
  match("ts < ?", filter.to);
  if (cursor) {
    // `ts <= ?` alone is an index range bound; the OR refines it within the cursor's millisecond.
    terms.push("ts <= ? AND (ts < ? OR id < ?)");
    params.push(cursor.ts, cursor.ts, cursor.id);
  }
  match("group_id = ?", filter.groupId);
  match("model = ?", filter.model);
  match("status = ?", filter.status);
  // Literal constants, not parameters: a partial index is usable only when the query repeats its WHERE term.
  if (filter.success === true) terms.push("status < 400");
  if (filter.success === false) terms.push("status >= 400");
  match("access_key_id = ?", filter.accessKeyId);
  match("key_id = ?", filter.keyId);
  match("duration_ms >= ?", filter.minDurationMs);
  if (filter.q) match("error IS NOT NULL AND error LIKE ? ESCAPE '\\'", `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
  return { where: terms.length ? `WHERE ${terms.join(" AND ")}` : "", params };
}

const LIST_COLUMNS = LOG_ROW_FIELDS.join(", ");

/** The page query (exported so tests can EXPLAIN it). */
export function logPageSql(filter: LogFilter, limit: number, cursor?: LogCursor): { sql: string; params: SqlParam[] } {
  const { where, params } = logWhere(filter, cursor);
  return { sql: `SELECT ${LIST_COLUMNS} FROM request_logs ${where} ORDER BY ts DESC, id DESC LIMIT ?`, params: [...params, limit] };
}

type RawRow = Omit<LogRow, "stream" | "attempts"> & { stream: number; attempts: string };

function toRow<T extends RawRow>(raw: T): Omit<T, "stream" | "attempts"> & { stream: boolean; attempts: AttemptRecord[] } {
  let attempts: AttemptRecord[] = [];
  try {
    const parsed = JSON.parse(raw.attempts);
    if (Array.isArray(parsed)) attempts = parsed;
  } catch {
    // A malformed attempts column shows as no attempts rather than failing the whole page.
  }
  return { ...raw, stream: raw.stream === 1, attempts };
}

/** One page, newest first; nextCursor is null on the last page. */
export function queryLogs(
  sqlite: Database,
  filter: LogFilter,
  page: { limit: number; cursor?: LogCursor },
): { rows: LogRow[]; nextCursor: LogCursor | null } {
  const { sql, params } = logPageSql(filter, page.limit + 1, page.cursor);
  const raw = sqlite.query(sql).all(...params) as RawRow[];
  const more = raw.length > page.limit;
  const rows = (more ? raw.slice(0, page.limit) : raw).map(toRow);
  const last = rows[rows.length - 1];
  return { rows, nextCursor: more && last ? { ts: last.ts, id: last.id } : null };
}

/** Matching rows, counted up to `cap` (a bounded index walk); capped = there are more than `cap`. */
export function countLogs(sqlite: Database, filter: LogFilter, cap: number): { count: number; capped: boolean } {
  const { where, params } = logWhere(filter);
  const row = sqlite.query(`SELECT count(*) AS n FROM (SELECT 1 FROM request_logs ${where} LIMIT ?)`).get(...params, cap + 1) as {
    n: number;
  };
  return row.n > cap ? { count: cap, capped: true } : { count: row.n, capped: false };
}

export function getLog(sqlite: Database, id: number): LogDetail | null {
  const raw = sqlite.query(`SELECT ${LIST_COLUMNS}, request_body, response_body FROM request_logs WHERE id = ?`).get(id) as
    | (RawRow & { request_body: string | null; response_body: string | null })
    | null;
  return raw ? toRow(raw) : null;
}

/** Deletes up to `batch` of the oldest logs older than `before` (walks the ts index); returns the count. */
export function pruneLogsBatch(sqlite: Database, before: number, batch: number): number {
  return sqlite
    .query("DELETE FROM request_logs WHERE id IN (SELECT id FROM request_logs WHERE ts < ? ORDER BY ts LIMIT ?)")
    .run(before, batch).changes;
}
