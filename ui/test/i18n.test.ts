import { describe, expect, it } from "bun:test";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { en } from "../src/i18n/en.ts";
import { zhCN } from "../src/i18n/zh-cn.ts";
import { createTranslate, interpolate, pickLocale } from "../src/lib/i18n.ts";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : full.endsWith(".tsx") ? [full] : [];
  });
}

describe("i18n", () => {
  it("picksChineseForAnyChineseBrowserLanguageAndEnglishOtherwise", () => {
    expect(pickLocale(["zh-TW", "en"])).toBe("zh-CN");
    expect(pickLocale(["zh"])).toBe("zh-CN");
    expect(pickLocale(["fr-FR", "en-GB"])).toBe("en");
    expect(pickLocale(["de"])).toBe("en");
    expect(pickLocale(["en"], "zh-CN")).toBe("zh-CN");
    expect(pickLocale(["zh-CN"], "klingon")).toBe("zh-CN");
  });

  it("fillsPlaceholdersAndLeavesUnknownOnesVisible", () => {
    expect(interpolate("{a} of {b}", { a: 1, b: "2" })).toBe("1 of 2");
    expect(interpolate("{a} {missing}", { a: 1 })).toBe("1 {missing}");
    expect(createTranslate("zh-CN")("keys.total", { count: "1,000" })).toBe("共 1,000 个密钥");
  });

  it("keepsTheSamePlaceholdersInEveryTranslation", () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect({ key, p: placeholders(zhCN[key]) }).toEqual({ key, p: placeholders(en[key]) });
      expect(zhCN[key].trim()).not.toBe("");
    }
  });

  it("hasNoHardCodedWordsInComponents", () => {
    // Text between tags in JSX must come from the catalog: allow symbols, numbers and braces only.
    const offenders: string[] = [];
    for (const file of sourceFiles(join(import.meta.dir, "..", "src"))) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(/(?<![=\s])>([^<>{}\n]*[A-Za-z\u4e00-\u9fff]{2,}[^<>{}\n]*)</g)) {
        const words = m[1]!.trim();
        if (words && words !== "poolgate") offenders.push(`${file}: ${words}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
