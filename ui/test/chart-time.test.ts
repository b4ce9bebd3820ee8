import { describe, expect, it } from "bun:test";
import { formatAxisTimes, formatCursorTime } from "../src/lib/chart-time.ts";

describe("chart-time", () => {
  const t0 = Date.UTC(2026, 0, 31, 22, 0, 0);
  const hour = 3_600_000;

  it("labelsHourlyTicksWithTheTimeAndAddsTheDateWhereTheDayChanges", () => {
    expect(formatAxisTimes([t0, t0 + hour, t0 + 2 * hour, t0 + 3 * hour], hour, "en", "UTC")).toEqual(["10:00 PM\n1/31", "11:00 PM", "12:00 AM\n2/1", "1:00 AM"]);
  });

  it("usesTheLocalesOwnClockInChinese", () => {
    expect(formatAxisTimes([t0, t0 + hour, t0 + 2 * hour], hour, "zh-CN", "UTC")).toEqual(["22:00\n1/31", "23:00", "0:00\n2/1"]);
  });

  it("showsSecondsBelowAMinuteAndOnlyDatesForDailyTicks", () => {
    expect(formatAxisTimes([t0, t0 + 30_000], 30_000, "en", "UTC")).toEqual(["10:00:00 PM\n1/31", "10:00:30 PM"]);
    expect(formatAxisTimes([t0, t0 + 24 * hour], 24 * hour, "en", "UTC")).toEqual(["1/31", "2/1"]);
  });

  it("readsTheCursorTimeForTheLegend", () => {
    expect(formatCursorTime(t0, "en", "UTC")).toBe("Jan 31, 2026, 10:00 PM");
    expect(formatCursorTime(t0, "zh-CN", "UTC")).toBe("2026年1月31日 22:00");
    expect(formatCursorTime(null, "en")).toBe("–");
  });
});
