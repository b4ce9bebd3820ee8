// /api/stats: the dashboard's overview (totals with the change against the previous period) and
// time series for charts. Reads hourly_stats after folding in pending logs (rollupPending), so
// sums are exact; windows under a day read request_logs directly. Key counts come from the pool.

import { Elysia, t } from "elysia";
import { countKeysByGroupAt, groupIdByRef } from "../store/repos/groups.ts";
import {
  HOUR_MS,
  rollupPending,
  seriesFromHours,
  seriesFromLogs,
  sumHours,
  sumLogs,
  type StatsPoint,
  type StatsScope,
  type StatsTotals,
} from "../store/repos/stats.ts";
import type { AdminContext } from "./admin-context.ts";
import { ApiError } from "./api-error.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;
const RANGES = { "1h": HOUR_MS, "24h": DAY_MS, "7d": 7 * DAY_MS, "30d": 30 * DAY_MS } as const;
type RangeName = keyof typeof RANGES;
const BUCKETS = { minute: MINUTE_MS, hour: HOUR_MS, day: DAY_MS } as const;
type BucketName = keyof typeof BUCKETS;

const RangeField = t.Optional(t.String({ description: "1h | 24h (default) | 7d | 30d" }));

export interface Change {
  value: number | null;
  previous: number | null;
  /** value - previous. */
  delta: number | null;
  /** (value - previous) / previous; null when there is no previous value or it is 0. */
  change_pct: number | null;
}

export function createStatsRoutes(ctx: AdminContext) {
  const detail = (summary: string) => ({ summary, tags: ["stats"] });
  return new Elysia()
    .get(
      "/stats/overview",
      ({ query }) => {
        const range = parseRange(query.range);
        const now = ctx.now();
        const w = windowOf(range, now);
        const [current, previous] = range === "1h"
          ? [sumLogs(ctx.sqlite, w.from, now), sumLogs(ctx.sqlite, w.from - HOUR_MS, w.from)]
          : (rollupPending(ctx.sqlite), [sumHours(ctx.sqlite, w.from, w.to), sumHours(ctx.sqlite, w.prevFrom, w.from)]);
        const minutesNow = Math.max(1, (Math.min(now, w.to) - w.from) / MINUTE_MS);
        const minutesPrev = (w.from - w.prevFrom) / MINUTE_MS;
        const keys = keyCounts(ctx, now);
        return {
          range,
          from: w.from,
          to: w.to,
          requests: change(current.requests, previous.requests),
          success_rate: change(rate(current), rate(previous)),
          rpm: change(round2(current.requests / minutesNow), round2(previous.requests / minutesPrev)),
          input_tokens: change(current.input_tokens, previous.input_tokens),
          output_tokens: change(current.output_tokens, previous.output_tokens),
          cached_tokens: change(current.cached_tokens, previous.cached_tokens),
          // Key states have no history: only the present count is known.
          active_keys: change(keys.active, null),
          cooldown_keys: change(keys.cooldown, null),
          invalid_keys: change(keys.invalid, null),
        };
      },
      { query: t.Object({ range: RangeField }), detail: detail("Totals of a period with the change against the period before") },
    )
    .get(
      "/stats/series",
      ({ query }) => {
        const range = parseRange(query.range);
        const bucket = parseBucket(query.bucket, range);
        const scope: StatsScope = {};
        if (query.group) {
          const id = groupIdByRef(ctx.db, query.group);
          if (id === null) throw ApiError.notFound("group", query.group);
          scope.groupId = id;
        }
        if (query.model) scope.model = query.model;
        const now = ctx.now();
        const step = BUCKETS[bucket];
        const to = Math.floor(now / step) * step + step;
        const from = to - Math.ceil(RANGES[range] / step) * step;
        let points: StatsPoint[];
        if (bucket === "minute") points = seriesFromLogs(ctx.sqlite, from, to, step, scope);
        else {
          rollupPending(ctx.sqlite);
          points = seriesFromHours(ctx.sqlite, from, to, step, scope);
        }
        return { range, bucket, from, to, items: fillBuckets(points, from, to, step) };
      },
      {
        query: t.Object({
          range: RangeField,
          group: t.Optional(t.String({ description: "Group id or name" })),
          model: t.Optional(t.String()),
          bucket: t.Optional(t.String({ description: "minute (1h only) | hour | day | auto (default)" })),
        }),
        detail: detail("Requests, outcomes and tokens per time bucket (UTC), empty buckets as zeros"),
      },
    );
}

function parseRange(value: string | undefined): RangeName {
  const range = value || "24h";
  if (!(range in RANGES)) throw ApiError.invalid("range", "range must be 1h, 24h, 7d or 30d");
  return range as RangeName;
}

function parseBucket(value: string | undefined, range: RangeName): BucketName {
  if (!value || value === "auto") return range === "1h" ? "minute" : range === "30d" ? "day" : "hour";
  if (!(value in BUCKETS)) throw ApiError.invalid("bucket", "bucket must be minute, hour, day or auto");
  if (value === "minute" && range !== "1h") throw ApiError.invalid("bucket", "minute buckets are only offered for range=1h");
  return value as BucketName;
}

/**
 * The period a range covers and the one before it. 1h is a rolling hour read from request_logs;
 * longer ranges are whole UTC hours from hourly_stats, the current (partial) hour included.
 */
function windowOf(range: RangeName, now: number): { from: number; to: number; prevFrom: number } {
  const span = RANGES[range];
  if (range === "1h") return { from: now - span, to: now, prevFrom: now - 2 * span };
  const to = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
  return { from: to - span, to, prevFrom: to - 2 * span };
}

/** Keys by state over every group: the live pool where it holds the group, else the database. */
function keyCounts(ctx: AdminContext, now: number): { active: number; cooldown: number; invalid: number } {
  const fromDb = countKeysByGroupAt(ctx.sqlite, now);
  const groups = ctx.sqlite.query("SELECT id FROM groups").all() as { id: number }[];
  const out = { active: 0, cooldown: 0, invalid: 0 };
  for (const g of groups) {
    const counts = ctx.poolCounts?.(g.id) ?? fromDb.get(g.id);
    if (!counts) continue;
    out.active += counts.active;
    out.cooldown += counts.cooldown;
    out.invalid += counts.invalid;
  }
  return out;
}

function rate(totals: StatsTotals): number | null {
  return totals.requests ? round4(totals.successes / totals.requests) : null;
}

function change(value: number | null, previous: number | null): Change {
  const delta = value !== null && previous !== null ? round4(value - previous) : null;
  const pct = delta !== null && previous ? round4(delta / previous) : null;
  return { value, previous, delta, change_pct: pct };
}

/** Every bucket of [from, to) in order, zeros where nothing happened. */
function fillBuckets(points: StatsPoint[], from: number, to: number, step: number): StatsPoint[] {
  const byT = new Map(points.map((p) => [p.t, p]));
  const out: StatsPoint[] = [];
  for (let t = from; t < to; t += step) {
    out.push(byT.get(t) ?? { t, requests: 0, successes: 0, failures: 0, input_tokens: 0, output_tokens: 0 });
  }
  return out;
}

const round2 = (n: number) => Math.round(n * 100) / 100;
const round4 = (n: number) => Math.round(n * 10_000) / 10_000;
