// A min-heap of (until, slot) pairs: which cooling key comes back first. Entries are never
// updated in place; the key pool drops stale ones when it pops them or compacts the heap.
// Parallel number arrays, so pushes and pops do not allocate once the arrays have grown.

export interface CooldownHeap {
  push(until: number, slot: number): void;
  /** Earliest `until`, Infinity when empty. */
  peekUntil(): number;
  /** Slot of the earliest entry, -1 when empty. */
  peekSlot(): number;
  /** Removes the earliest entry and returns its slot (-1 when empty). */
  pop(): number;
  size(): number;
  /** Keeps only the entries for which `keep` says yes, then restores the heap order. */
  compact(keep: (until: number, slot: number) => boolean): void;
}

export function createCooldownHeap(): CooldownHeap {
  const untils: number[] = [];
  const slots: number[] = [];

  function swap(a: number, b: number): void {
    const u = untils[a]!;
    untils[a] = untils[b]!;
    untils[b] = u;
    const s = slots[a]!;
    slots[a] = slots[b]!;
    slots[b] = s;
  }

  function up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (untils[parent]! <= untils[i]!) return;
      swap(i, parent);
      i = parent;
    }
  }

  function down(i: number): void {
    const n = untils.length;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) return;
      const right = left + 1;
      const child = right < n && untils[right]! < untils[left]! ? right : left;
      if (untils[i]! <= untils[child]!) return;
      swap(i, child);
      i = child;
    }
  }

  return {
    push(until, slot) {
      untils.push(until);
      slots.push(slot);
      up(untils.length - 1);
    },
    peekUntil() {
      return untils.length === 0 ? Infinity : untils[0]!;
    },
    peekSlot() {
      return slots.length === 0 ? -1 : slots[0]!;
    },
    pop() {
      if (untils.length === 0) return -1;
      const slot = slots[0]!;
      const lastUntil = untils.pop()!;
      const lastSlot = slots.pop()!;
      if (untils.length > 0) {
        untils[0] = lastUntil;
        slots[0] = lastSlot;
        down(0);
      }
      return slot;
    },
    size() {
      return untils.length;
    },
    compact(keep) {
      let w = 0;
      for (let r = 0; r < untils.length; r++) {
        if (!keep(untils[r]!, slots[r]!)) continue;
        untils[w] = untils[r]!;
        slots[w] = slots[r]!;
        w++;
      }
      untils.length = w;
      slots.length = w;
      for (let i = (w >> 1) - 1; i >= 0; i--) down(i);
    },
  };
}
