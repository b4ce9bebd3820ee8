import { describe, expect, it } from "bun:test";
import { createCooldownHeap } from "../../src/pool/cooldown-heap.ts";

describe("cooldown-heap", () => {
  it("popsSlotsInOrderOfTheirUntil", () => {
    const heap = createCooldownHeap();
    const untils = [50, 10, 40, 30, 20, 60, 0, 35];
    untils.forEach((u, slot) => heap.push(u, slot));
    const order: number[] = [];
    while (heap.size() > 0) {
      order.push(heap.peekUntil());
      heap.pop();
    }
    expect(order).toEqual([...untils].sort((a, b) => a - b));
  });

  it("reportsInfinityAndMinusOneWhenEmpty", () => {
    const heap = createCooldownHeap();
    expect(heap.peekUntil()).toBe(Infinity);
    expect(heap.pop()).toBe(-1);
  });

  it("peeksTheSlotOfTheEarliestEntryWithoutRemovingIt", () => {
    const heap = createCooldownHeap();
    expect(heap.peekSlot()).toBe(-1);
    heap.push(30, 3);
    heap.push(10, 1);
    expect(heap.peekSlot()).toBe(1);
    expect(heap.size()).toBe(2);
  });

  it("returnsTheSlotOfTheEarliestEntry", () => {
    const heap = createCooldownHeap();
    heap.push(30, 3);
    heap.push(10, 1);
    heap.push(20, 2);
    expect(heap.pop()).toBe(1);
    expect(heap.pop()).toBe(2);
    expect(heap.pop()).toBe(3);
  });

  it("compactsAwayEntriesItIsToldToDropAndKeepsOrder", () => {
    const heap = createCooldownHeap();
    for (let i = 0; i < 100; i++) heap.push((i * 37) % 100, i);
    heap.compact((_until, slot) => slot % 2 === 0);
    expect(heap.size()).toBe(50);
    let last = -Infinity;
    while (heap.size() > 0) {
      const until = heap.peekUntil();
      expect(until).toBeGreaterThanOrEqual(last);
      last = until;
      expect(heap.pop() % 2).toBe(0);
    }
  });
});
