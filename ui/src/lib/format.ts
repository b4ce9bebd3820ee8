// Locale-aware formatting of numbers, percentages, durations, dates and relative times with
// Intl. Pure functions of (value, locale[, now]); no DOM, no signals, no hard-coded words.

const numberFormats = new Map<string, Intl.NumberFormat>();

function numberFormat(locale: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
  const id = `${locale}|${JSON.stringify(options)}`;
  let format = numberFormats.get(id);
  if (!format) {
    format = new Intl.NumberFormat(locale, options);
    numberFormats.set(id, format);
  }
  return format;
}

/** "12,345" / "12,345" ; "–" for null. */
export function formatNumber(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return numberFormat(locale, { maximumFractionDigits: 2 }).format(value);
}

/** "1.2K", "3.4M" (en) / "1.2万" (zh-CN); "–" for null. */
export function formatCompact(value: number | null | undefined, locale: string): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return numberFormat(locale, { notation: "compact", maximumFractionDigits: 1 }).format(value);
}

/** A ratio (0.9876) as "98.8%"; "–" for null. */
export function formatPercent(ratio: number | null | undefined, locale: string): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  return numberFormat(locale, { style: "percent", maximumFractionDigits: 1 }).format(ratio);
}

/** A relative change (0.125) as "+12.5%" / "-3%"; "–" when unknown. */
export function formatChange(ratio: number | null | undefined, locale: string): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return "–";
  return numberFormat(locale, { style: "percent", maximumFractionDigits: 1, signDisplay: "exceptZero" }).format(ratio);
}

/** The direction of a change, for colouring a trend. */
export function trendOf(ratio: number | null | undefined): "up" | "down" | "flat" {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio) || ratio === 0) return "flat";
  return ratio > 0 ? "up" : "down";
}

/** Milliseconds in the largest fitting unit: "350 ms", "1.5 sec", "2 min", "3 hr", "2 days". */
export function formatDuration(ms: number | null | undefined, locale: string): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "–";
  const abs = Math.abs(ms);
  const [value, unit] =
    abs < 1000 ? [ms, "millisecond"] : abs < 60_000 ? [ms / 1000, "second"] : abs < 3_600_000 ? [ms / 60_000, "minute"] : abs < 86_400_000 ? [ms / 3_600_000, "hour"] : [ms / 86_400_000, "day"];
  return numberFormat(locale, { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: unit === "millisecond" ? 0 : 1 }).format(value);
}

/** Epoch ms as a short local date and time; "–" for null. */
export function formatDateTime(ts: number | null | undefined, locale: string, timeZone?: string): string {
  if (ts === null || ts === undefined || !Number.isFinite(ts)) return "–";
  return new Intl.DateTimeFormat(locale, { dateStyle: "short", timeStyle: "medium", timeZone }).format(ts);
}

/** Epoch ms relative to now: "in 5 minutes", "3 hours ago"; "–" for null. */
export function formatRelative(ts: number | null | undefined, now: number, locale: string): string {
  if (ts === null || ts === undefined || !Number.isFinite(ts)) return "–";
  const diff = ts - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: "auto" });
  if (abs < 60_000) return rtf.format(Math.round(diff / 1000), "second");
  if (abs < 3_600_000) return rtf.format(Math.round(diff / 60_000), "minute");
  if (abs < 86_400_000) return rtf.format(Math.round(diff / 3_600_000), "hour");
  return rtf.format(Math.round(diff / 86_400_000), "day");
}

/** A countdown "m:ss" (or "h:mm:ss") until `until`; "0:00" once passed. */
export function formatCountdown(until: number, now: number): string {
  const total = Math.max(0, Math.ceil((until - now) / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, "0");
  return h > 0 ? `${h}:${String(m).padStart(2, "0")}:${s}` : `${m}:${s}`;
}
