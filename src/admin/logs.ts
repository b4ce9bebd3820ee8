// /api/logs: filtered, keyset-paginated request logs, one log in full, and a streamed CSV/NDJSON
// export. Parses and checks the query here; the SQL (and which index serves each filter) lives in
// store/repos/logs.ts. Never loads a whole result set in memory, never returns a whole secret.

import { Elysia, t } from "elysia";
import { groupIdByRef } from "../store/repos/groups.ts";
import {
  countLogs,
  getLog,
  LOG_ROW_FIELDS,
  queryLogs,
  type LogCursor,
  type LogFilter,
  type LogRow,
} from "../store/repos/logs.ts";
import type { AdminContext } from "./admin-context.ts";
import { ApiError, throwNotFound } from "./api-error.ts";

/**
 * `total` is exact only up to TOTAL_CAP and only on the first page (no cursor): counting every
 * match on 10M rows would cost a full index walk per page. Past the cap the answer carries
 * `total: TOTAL_CAP, total_capped: true`; later pages omit `total`; `next_cursor` is the truth.
 */
const TOTAL_CAP = 10_000;
const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 500;
const EXPORT_BATCH = 1000;

const LogQuery = t.Object({
  from: t.Optional(t.String({ description: "Start (inclusive): epoch ms or ISO 8601" })),
  to: t.Optional(t.String({ description: "End (exclusive): epoch ms or ISO 8601" })),
  group: t.Optional(t.String({ description: "Group id or name" })),
  model: t.Optional(t.String()),
  status: t.Optional(t.String({ description: "Exact HTTP status" })),
  success: t.Optional(t.String({ description: "true = status < 400, false = status >= 400" })),
  access_key: t.Optional(t.String({ description: "Access key id" })),
  key_id: t.Optional(t.String({ description: "Upstream key id" })),
  min_duration_ms: t.Optional(t.String()),
  q: t.Optional(t.String({ description: "Text contained in the error message" })),
  cursor: t.Optional(t.String({ description: "next_cursor of the previous page" })),
  limit: t.Optional(t.String({ description: `Page size, 1-${MAX_LIMIT} (default ${DEFAULT_LIMIT})` })),
});
type LogQueryInput = typeof LogQuery.static;

const ExportQuery = t.Composite([
  t.Omit(LogQuery, ["cursor", "limit"]),
  t.Object({
    format: t.Optional(t.String({ description: "csv (default) or ndjson" })),
    limit: t.Optional(t.String({ description: "Most rows exported (default: all matches)" })),
  }),
]);

export function createLogRoutes(ctx: AdminContext) {
  const detail = (summary: string) => ({ summary, tags: ["logs"] });
  return new Elysia()
    .get(
      "/logs",
      ({ query }) => {
        const filter = parseFilter(query, ctx);
        const limit = parseIntParam("limit", query.limit, 1, MAX_LIMIT) ?? DEFAULT_LIMIT;
        const cursor = query.cursor !== undefined ? decodeCursor(query.cursor) : undefined;
        const page = filter ? queryLogs(ctx.sqlite, filter, { limit, cursor }) : { rows: [], nextCursor: null };
        const body: { items: LogRow[]; next_cursor: string | null; total?: number; total_capped?: boolean } = {
          items: page.rows,
          next_cursor: page.nextCursor ? encodeCursor(page.nextCursor) : null,
        };
        if (!cursor) {
          const counted = filter ? countLogs(ctx.sqlite, filter, TOTAL_CAP) : { count: 0, capped: false };
          body.total = counted.count;
          if (counted.capped) body.total_capped = true;
        }
        return body;
      },
      { query: LogQuery, detail: detail("Request logs, newest first, keyset-paginated ({items, next_cursor, total?})") },
    )
    .get(
      "/logs/export",
      ({ query }) => {
        const format = query.format ?? "csv";
        if (format !== "csv" && format !== "ndjson") throw ApiError.invalid("format", "format must be csv or ndjson");
        const max = parseIntParam("limit", query.limit, 1, Number.MAX_SAFE_INTEGER);
        const filter = parseFilter(query, ctx);
        const stamp = new Date(ctx.now()).toISOString().replace(/[:.]/g, "-");
        return new Response(exportStream(ctx, filter, format, max), {
          headers: {
            "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
            "content-disposition": `attachment; filename="poolgate-logs-${stamp}.${format}"`,
            "cache-control": "no-store",
          },
        });
      },
      { query: ExportQuery, detail: detail("Every matching log as a CSV or NDJSON download, streamed in batches") },
    )
    .get(
      "/logs/:id",
      ({ params }) => {
        const id = Number(params.id);
        if (!Number.isSafeInteger(id) || id < 1) throwNotFound("log", params.id);
        return getLog(ctx.sqlite, id) ?? throwNotFound("log", id);
      },
      { params: t.Object({ id: t.String({ description: "Log id" }) }), detail: detail("One log with its attempts and stored bodies") },
    );
}

/** The filter for a query; null when it names a group that does not exist (nothing can match). */
function parseFilter(query: Omit<LogQueryInput, "cursor" | "limit">, ctx: AdminContext): LogFilter | null {
  const filter: LogFilter = {};
  if (query.from) filter.from = parseTime("from", query.from);
  if (query.to) filter.to = parseTime("to", query.to);
  if (query.group) {
    const id = groupIdByRef(ctx.db, query.group);
    if (id === null) return null;
    filter.groupId = id;
  }
  if (query.model) filter.model = query.model;
  const status = parseIntParam("status", query.status, 100, 999);
  if (status !== undefined) filter.status = status;
  if (query.success !== undefined && query.success !== "") {
    if (query.success !== "true" && query.success !== "false") throw ApiError.invalid("success", "success must be true or false");
    filter.success = query.success === "true";
  }
  const accessKey = parseIntParam("access_key", query.access_key, 0, Number.MAX_SAFE_INTEGER);
  if (accessKey !== undefined) filter.accessKeyId = accessKey;
  const keyId = parseIntParam("key_id", query.key_id, 0, Number.MAX_SAFE_INTEGER);
  if (keyId !== undefined) filter.keyId = keyId;
  const minDuration = parseIntParam("min_duration_ms", query.min_duration_ms, 0, Number.MAX_SAFE_INTEGER);
  if (minDuration !== undefined) filter.minDurationMs = minDuration;
  if (query.q) {
    if (query.q.length > 500) throw ApiError.invalid("q", "q must be at most 500 characters");
    filter.q = query.q;
  }
  return filter;
}

/** Epoch milliseconds from digits, or from an ISO 8601 date/time. */
function parseTime(field: string, value: string): number {
  const ms = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
  if (!Number.isSafeInteger(ms)) throw ApiError.invalid(field, `${field} must be epoch milliseconds or an ISO 8601 time`);
  return ms;
}

function parseIntParam(field: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || value === "") return undefined;
  const n = Number(value);
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw ApiError.invalid(field, `${field} must be a whole number from ${min} to ${max}`);
  }
  return n;
}

function encodeCursor(c: LogCursor): string {
  return Buffer.from(`${c.ts}:${c.id}`).toString("base64url");
}

function decodeCursor(value: string): LogCursor {
  const m = /^(\d+):(\d+)$/.exec(Buffer.from(value, "base64url").toString());
  if (!m) throw ApiError.invalid("cursor", "cursor is not one this API gave out");
  return { ts: Number(m[1]), id: Number(m[2]) };
}

/** Pages through the matches in keyset batches as the client reads (pull = backpressure). */
function exportStream(ctx: AdminContext, filter: LogFilter | null, format: "csv" | "ndjson", max: number | undefined): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: LogCursor | undefined;
  let sent = 0;
  let headerSent = false;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let out = "";
      if (format === "csv" && !headerSent) {
        out += LOG_ROW_FIELDS.join(",") + "\r\n";
        headerSent = true;
      }
      const limit = Math.min(EXPORT_BATCH, max === undefined ? EXPORT_BATCH : max - sent);
      const page = filter && limit > 0 ? queryLogs(ctx.sqlite, filter, { limit, cursor }) : { rows: [], nextCursor: null };
      for (const row of page.rows) out += format === "csv" ? csvLine(row) : JSON.stringify(row) + "\n";
      sent += page.rows.length;
      if (out) controller.enqueue(encoder.encode(out));
      if (!page.nextCursor || (max !== undefined && sent >= max)) controller.close();
      else cursor = page.nextCursor;
    },
  }, { highWaterMark: 0 });
}

function csvLine(row: LogRow): string {
  let line = "";
  for (let i = 0; i < LOG_ROW_FIELDS.length; i++) {
    const field = LOG_ROW_FIELDS[i]!;
    const value = row[field];
    if (i) line += ",";
    line += csvCell(field === "attempts" ? JSON.stringify(value) : value);
  }
  return line + "\r\n";
}

/**
 * One RFC 4180 cell: quoted when it holds a comma, quote, CR or LF, quotes doubled. Text starting
 * with = + - @ or a tab gets a leading apostrophe so spreadsheets do not run it as a formula
 * (OWASP "CSV injection"): error texts come from upstreams and clients, not from us.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  let s = String(value);
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
