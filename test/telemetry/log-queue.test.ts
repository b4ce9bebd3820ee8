// The request-log queue: batches go to the sink whole or in slices of the oldest entries, and a
// failed write is counted as dropped.

import { describe, expect, it } from "bun:test";
import { createLogQueue, type RequestLogEntry } from "../../src/telemetry/log-queue.ts";

const entry = (n: number) => ({ requestId: `r${n}` }) as RequestLogEntry;

describe("log-queue", () => {
  it("writesTheOldestEntriesFirstWhenFlushedInSlices", () => {
    const batches: string[][] = [];
    const q = createLogQueue({ sink: (b) => void batches.push(b.map((e) => e.requestId)) });
    for (let i = 0; i < 5; i++) q.push(entry(i));
    expect(q.flush(2)).toBe(2);
    expect(q.depth()).toBe(3);
    expect(q.flush()).toBe(3);
    expect(batches).toEqual([["r0", "r1"], ["r2", "r3", "r4"]]);
    expect(q.written()).toBe(5);
  });

  it("asksForAFlushOnceWhenABatchFillsUp", () => {
    let asked = 0;
    const q = createLogQueue({ sink: () => {}, batchSize: 2, onBatchReady: () => asked++ });
    for (let i = 0; i < 4; i++) q.push(entry(i));
    expect(asked).toBe(1);
    q.flush(1);
    q.push(entry(9));
    expect(asked).toBe(2);
  });

  it("countsAFailedWriteAsDropped", () => {
    const q = createLogQueue({
      sink: () => {
        throw new Error("disk full");
      },
    });
    q.push(entry(1));
    expect(q.flush()).toBe(0);
    expect(q.dropped()).toBe(1);
  });

  it("countsABackgroundWriteWhenItSettlesAndHoldsItAgainstTheBound", async () => {
    const writes: (() => void)[] = [];
    const q = createLogQueue({ sink: () => new Promise<void>((resolve) => writes.push(resolve)), maxEntries: 3 });
    for (let i = 0; i < 2; i++) q.push(entry(i));
    expect(q.flush()).toBe(2);
    expect([q.depth(), q.written()]).toEqual([2, 0]);
    q.push(entry(2));
    q.push(entry(3));
    expect([q.depth(), q.dropped()]).toEqual([3, 1]);
    const settled = q.settled();
    expect(writes).toHaveLength(2);
    for (const finish of writes) finish();
    await settled;
    expect([q.depth(), q.written(), q.dropped()]).toEqual([0, 3, 1]);
  });

  it("countsAFailedBackgroundWriteAsDropped", async () => {
    const q = createLogQueue({ sink: () => Promise.reject(new Error("database is locked")) });
    q.push(entry(1));
    q.push(entry(2));
    await q.settled();
    expect([q.depth(), q.written(), q.dropped()]).toEqual([0, 0, 2]);
  });
});
