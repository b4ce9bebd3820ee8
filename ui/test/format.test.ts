import { describe, expect, it } from "bun:test";
import { formatChange, formatCompact, formatCountdown, formatDateTime, formatDuration, formatNumber, formatPercent, formatRelative, trendOf } from "../src/lib/format.ts";

describe("format", () => {
  it("groupsThousandsForTheLocale", () => {
    expect(formatNumber(1234567, "en")).toBe("1,234,567");
    expect(formatNumber(1234567, "zh-CN")).toBe("1,234,567");
    expect(formatNumber(null, "en")).toBe("–");
    expect(formatNumber(Number.NaN, "en")).toBe("–");
  });

  it("shortensLargeNumbersInTheLocalesOwnUnits", () => {
    expect(formatCompact(12_300, "en")).toBe("12.3K");
    expect(formatCompact(12_300, "zh-CN")).toBe("1.2万");
  });

  it("showsRatiosAsPercentagesAndChangesWithASign", () => {
    expect(formatPercent(0.857142, "en")).toBe("85.7%");
    expect(formatPercent(null, "en")).toBe("–");
    expect(formatChange(0.125, "en")).toBe("+12.5%");
    expect(formatChange(-0.03, "en")).toBe("-3%");
    expect(formatChange(0, "en")).toBe("0%");
    expect(formatChange(null, "en")).toBe("–");
  });

  it("namesTheDirectionOfATrend", () => {
    expect(trendOf(0.2)).toBe("up");
    expect(trendOf(-0.2)).toBe("down");
    expect(trendOf(0)).toBe("flat");
    expect(trendOf(null)).toBe("flat");
  });

  it("picksTheLargestFittingUnitForDurations", () => {
    expect(formatDuration(350, "en")).toBe("350 ms");
    expect(formatDuration(1500, "en")).toBe("1.5 sec");
    expect(formatDuration(120_000, "en")).toBe("2 min");
    expect(formatDuration(3 * 3_600_000, "en")).toBe("3 hr");
    expect(formatDuration(2 * 86_400_000, "en")).toBe("2 days");
    expect(formatDuration(1500, "zh-CN")).toBe("1.5秒");
    expect(formatDuration(null, "en")).toBe("–");
  });

  it("formatsDatesInTheGivenTimeZone", () => {
    const ts = Date.UTC(2026, 0, 31, 13, 5, 9);
    expect(formatDateTime(ts, "en", "UTC")).toBe("1/31/26, 1:05:09 PM");
    expect(formatDateTime(ts, "zh-CN", "UTC")).toBe("2026/1/31 13:05:09");
    expect(formatDateTime(null, "en")).toBe("–");
  });

  it("saysHowLongAgoOrHowSoon", () => {
    const now = 1_000_000_000_000;
    expect(formatRelative(now - 5 * 60_000, now, "en")).toBe("5 minutes ago");
    expect(formatRelative(now + 2 * 3_600_000, now, "en")).toBe("in 2 hours");
    expect(formatRelative(now - 86_400_000, now, "en")).toBe("yesterday");
    expect(formatRelative(now - 5 * 60_000, now, "zh-CN")).toBe("5分钟前");
    expect(formatRelative(null, now, "en")).toBe("–");
  });

  it("countsDownToACooldownsEnd", () => {
    expect(formatCountdown(10_000 + 65_000, 10_000)).toBe("1:05");
    expect(formatCountdown(3_600_000 + 61_000, 0)).toBe("1:01:01");
    expect(formatCountdown(0, 5_000)).toBe("0:00");
  });
});
