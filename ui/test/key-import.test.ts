import { describe, expect, it } from "bun:test";
import { importInBatches, parseKeyText, toBatches, type ImportProgress } from "../src/lib/key-import.ts";

describe("key import", () => {
  it("splitsOnNewlinesCommasSpacesAndSemicolonsAndDropsRepeats", () => {
    expect(parseKeyText("a\nb, c;d  e\r\na\n\n")).toEqual({ keys: ["a", "b", "c", "d", "e"], repeated: 1 });
    expect(parseKeyText("")).toEqual({ keys: [], repeated: 0 });
  });

  it("readsAJsonArrayOfKeys", () => {
    expect(parseKeyText('["k1", "k 2", "k1", 3]')).toEqual({ keys: ["k1", "k 2"], repeated: 1 });
    expect(parseKeyText("[not json")).toEqual({ keys: ["[not", "json"], repeated: 0 });
  });

  it("cutsKeysIntoBatches", () => {
    expect(toBatches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(toBatches([], 2)).toEqual([]);
    expect(() => toBatches([1], 0)).toThrow();
  });

  it("sendsBatchesInOrderAndReportsProgressAfterEach", async () => {
    const keys = Array.from({ length: 1000 }, (_, i) => `k${i}`);
    const sent: number[] = [];
    const seen: ImportProgress[] = [];
    const result = await importInBatches(keys, {
      batchSize: 250,
      send: async (batch) => {
        sent.push(batch.length);
        return { added: batch.length - 1, duplicates: 1, rejected: 0 };
      },
      onProgress: (p) => seen.push(p),
    });
    expect(sent).toEqual([250, 250, 250, 250]);
    expect(seen.map((p) => p.done)).toEqual([0, 250, 500, 750, 1000]);
    expect(result).toEqual({ done: 1000, total: 1000, added: 996, duplicates: 4, rejected: 0 });
  });

  it("stopsAtTheFirstFailedBatch", async () => {
    let calls = 0;
    const run = importInBatches(["a", "b", "c"], {
      batchSize: 1,
      send: async () => {
        if (++calls === 2) throw new Error("server said no");
        return { added: 1, duplicates: 0, rejected: 0 };
      },
      onProgress: () => {},
    });
    await expect(run).rejects.toThrow("server said no");
    expect(calls).toBe(2);
  });
});
