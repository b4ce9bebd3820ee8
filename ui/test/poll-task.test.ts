import { describe, expect, it } from "bun:test";
import { followTask } from "../src/lib/poll-task.ts";

describe("poll task", () => {
  it("readsUntilTheTaskStopsRunningAndReportsEachRead", async () => {
    const states = [
      { status: "running" as const, done: 0 },
      { status: "running" as const, done: 5 },
      { status: "done" as const, done: 10 },
    ];
    const seen: number[] = [];
    let waits = 0;
    const last = await followTask({ read: async () => states.shift()!, onUpdate: (t) => seen.push(t.done), wait: async () => void waits++ });
    expect(last).toEqual({ status: "done", done: 10 });
    expect(seen).toEqual([0, 5, 10]);
    expect(waits).toBe(2);
  });

  it("stopsWhenCancelled", async () => {
    let reads = 0;
    const last = await followTask({ read: async () => ({ status: "running" as const, n: ++reads }), onUpdate: () => {}, wait: async () => {}, cancelled: () => reads >= 3 });
    expect(last.n).toBe(3);
  });
});
