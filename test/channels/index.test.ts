import { describe, expect, it } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { CHANNEL_IDS, CHANNELS, getChannel, isChannelId } from "../../src/channels/index.ts";

const SRC = `${import.meta.dir}/../../src/channels`;
const sources = readdirSync(SRC)
  .filter((f) => f.endsWith(".ts"))
  .map((f) => ({ file: f, text: readFileSync(`${SRC}/${f}`, "utf8") }));

describe("channels registry", () => {
  it("listsTheFourChannelsUnderTheirOwnIds", () => {
    expect([...CHANNEL_IDS].sort()).toEqual(["anthropic", "gemini", "openai", "openai-responses"]);
    for (const id of CHANNEL_IDS) expect(CHANNELS[id].id).toBe(id);
    expect(Object.isFrozen(CHANNELS)).toBe(true);
    expect(Object.isFrozen(CHANNEL_IDS)).toBe(true);
  });

  it("findsAChannelByIdAndNothingForOtherNames", () => {
    expect(getChannel("gemini")).toBe(CHANNELS.gemini);
    for (const id of ["", "OpenAI", "azure", "toString", "__proto__", "constructor"]) {
      expect(getChannel(id)).toBeUndefined();
      expect(isChannelId(id)).toBe(false);
    }
  });

  it("hasATestFileForEverySourceFile", () => {
    const tests = new Set(readdirSync(import.meta.dir));
    for (const { file } of sources) if (file !== "types.ts") expect(tests.has(file.replace(/\.ts$/, ".test.ts"))).toBe(true);
  });
});

describe("channels purity", () => {
  it("usesNoClockRandomnessTimersNetworkOrBunApi", () => {
    const forbidden = [/\bfetch\(/, /\bBun\./, /Date\.now\(/, /Math\.random\(/, /\bset(?:Timeout|Interval|Immediate)\(/, /new Date\(\s*\)/, /\bprocess\./];
    for (const { file, text } of sources) {
      const code = text.replace(/^\s*\/\/.*$/gm, "");
      for (const pattern of forbidden) expect({ file, hit: pattern.test(code) }).toEqual({ file, hit: false });
    }
  });

  it("importsOnlySiblingsAndTypesFromThePool", () => {
    for (const { file, text } of sources) {
      for (const line of text.split("\n").filter((l) => /^import\b/.test(l))) {
        const from = /from\s+"([^"]+)"/.exec(line)?.[1] ?? "";
        const ok = from.startsWith("./") || (from.startsWith("../pool/") && line.startsWith("import type"));
        expect({ file, line, ok }).toEqual({ file, line, ok: true });
      }
    }
  });

  it("opensEveryFileWithAShortHeaderComment", () => {
    for (const { file, text } of sources) {
      const lines = text.split("\n");
      let n = 0;
      while (lines[n]?.startsWith("//")) n++;
      expect({ file, n: n >= 2 && n <= 5 }).toEqual({ file, n: true });
    }
  });
});
