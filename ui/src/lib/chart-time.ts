// Time labels of the dashboard charts for the chosen locale (Intl), replacing uPlot's built-in
// US formats: the x-axis tick labels and the cursor readout in the legend. Pure functions of
// (epoch ms, locale[, time zone]); the Chart component hands them uPlot's ticks.

const DAY_MS = 86_400_000;
const formats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(locale: string, options: Intl.DateTimeFormatOptions, timeZone?: string): Intl.DateTimeFormat {
  const id = `${locale}|${timeZone ?? ""}|${JSON.stringify(options)}`;
  let format = formats.get(id);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { ...options, timeZone });
    formats.set(id, format);
  }
  return format;
}

/**
 * Labels for the x-axis ticks (epoch ms) spaced `stepMs` apart. Steps of a day or more show the
 * date; shorter steps show the time (with seconds below a minute) and add the date on a second
 * line at the first tick and wherever the day changes.
 */
export function formatAxisTimes(ticks: readonly number[], stepMs: number, locale: string, timeZone?: string): string[] {
  const date = dateFormat(locale, { month: "numeric", day: "numeric" }, timeZone);
  if (stepMs >= DAY_MS) return ticks.map((t) => date.format(t));
  const time = dateFormat(locale, stepMs < 60_000 ? { hour: "numeric", minute: "2-digit", second: "2-digit" } : { hour: "numeric", minute: "2-digit" }, timeZone);
  const day = dateFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" }, timeZone);
  let previousDay = "";
  return ticks.map((t) => {
    const thisDay = day.format(t);
    const label = thisDay === previousDay ? time.format(t) : `${time.format(t)}\n${date.format(t)}`;
    previousDay = thisDay;
    return label;
  });
}

/** The time under the cursor, as the legend shows it: "Jan 31, 2026, 1:05 PM" / "2026年1月31日 13:05". */
export function formatCursorTime(ts: number | null | undefined, locale: string, timeZone?: string): string {
  if (ts === null || ts === undefined || !Number.isFinite(ts)) return "–";
  return dateFormat(locale, { dateStyle: "medium", timeStyle: "short" }, timeZone).format(ts);
}
