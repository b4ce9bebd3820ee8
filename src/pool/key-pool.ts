// The keys of one group in memory: records by id, a ring of the active keys with a cursor, and
// a min-heap of the cooling ones. pick() is O(1) amortised and allocation-free; report() moves
// keys between states. Pure: no timers, no clock, no I/O; callers pass `now` and `rand`.
// Cooling keys leave the ring and wait in the heap (rather than being skipped lazily in it), so
// a pool where 99% of 100k keys cool still picks in one step; see bench/pool-pick.ts.

import { cooldownUntil, providerResetUntil } from "./backoff.ts";
import { createCooldownHeap } from "./cooldown-heap.ts";
import { createRpmBuckets } from "./rpm-buckets.ts";
import type { KeyPool, KeyRecord, KeyStateChange, KeyStatus, KeyWriteBack, PoolCounts } from "./types.ts";

/** Stale heap entries tolerated (beyond twice the cooling keys) before the heap is compacted. */
const HEAP_SLACK = 1024;

/** Status <-> byte, for the per-slot status the database is believed to hold. */
const STATUS_CODES: readonly KeyStatus[] = ["active", "cooldown", "invalid", "disabled"];
const codeOf = (status: KeyStatus): number => STATUS_CODES.indexOf(status);

export function createKeyPool(records: readonly KeyRecord[]): KeyPool {
  const slotById = new Map<number, number>();
  /** Record per slot; slots are reused after remove(). */
  const recs: (KeyRecord | undefined)[] = [];
  const freeSlots: number[] = [];
  /** Slots of the active keys, in rotation order; ringPos[slot] is the index, -1 when absent. */
  const ring: number[] = [];
  let ringPos = new Int32Array(64).fill(-1);
  let cursor = 0;
  let dirtyFlag = new Uint8Array(64);
  /** Per slot, the status code the database held when last loaded or written (see KeyWriteBack). */
  let storedCode = new Uint8Array(64);
  const dirtyList: number[] = [];
  const cooling = createCooldownHeap();
  const rpm = createRpmBuckets();
  let rpmCap = 0;
  /** Set after a fruitless lap with no excluded key: nothing can be picked before this time. */
  let idleUntil = 0;
  const tally: Record<KeyStatus, number> = { active: 0, cooldown: 0, invalid: 0, disabled: 0 };

  function allocSlot(): number {
    const reused = freeSlots.pop();
    if (reused !== undefined) return reused;
    const slot = recs.length;
    recs.push(undefined);
    if (slot >= ringPos.length) {
      const nextPos = new Int32Array(ringPos.length * 2).fill(-1);
      nextPos.set(ringPos);
      ringPos = nextPos;
      const nextDirty = new Uint8Array(dirtyFlag.length * 2);
      nextDirty.set(dirtyFlag);
      dirtyFlag = nextDirty;
      const nextStored = new Uint8Array(storedCode.length * 2);
      nextStored.set(storedCode);
      storedCode = nextStored;
    }
    rpm.ensure(slot + 1);
    return slot;
  }

  function ringAdd(slot: number): void {
    if (ringPos[slot] !== -1) return;
    ringPos[slot] = ring.length;
    ring.push(slot);
    idleUntil = 0;
  }

  function ringRemove(slot: number): void {
    const pos = ringPos[slot]!;
    if (pos === -1) return;
    const last = ring.pop()!;
    if (last !== slot) {
      ring[pos] = last;
      ringPos[last] = pos;
    }
    ringPos[slot] = -1;
  }

  function markDirty(slot: number): void {
    if (dirtyFlag[slot] === 1) return;
    dirtyFlag[slot] = 1;
    dirtyList.push(slot);
  }

  function isLiveEntry(until: number, slot: number): boolean {
    const rec = recs[slot];
    return rec !== undefined && rec.status === "cooldown" && rec.cooldownUntil === until;
  }

  function pushCooling(until: number, slot: number): void {
    cooling.push(until, slot);
    if (cooling.size() > 2 * tally.cooldown + HEAP_SLACK) cooling.compact(isLiveEntry);
  }

  /** Files a record under its status: ring for active, heap for cooling, neither otherwise. */
  function enter(slot: number, rec: KeyRecord): void {
    tally[rec.status]++;
    if (rec.status === "active") ringAdd(slot);
    else if (rec.status === "cooldown") pushCooling(rec.cooldownUntil, slot);
  }

  function leave(slot: number, rec: KeyRecord): void {
    tally[rec.status]--;
    ringRemove(slot);
  }

  function move(slot: number, rec: KeyRecord, status: KeyStatus, reason: string | null, until: number): KeyStateChange {
    leave(slot, rec);
    rec.status = status;
    rec.reason = reason;
    rec.cooldownUntil = status === "cooldown" ? until : 0;
    enter(slot, rec);
    markDirty(slot);
    return { keyId: rec.id, status, reason, cooldownUntil: rec.cooldownUntil };
  }

  /** Brings back every cooling key whose time has come (a state change for takeWriteBack). */
  function promote(now: number): void {
    while (cooling.peekUntil() <= now) {
      const until = cooling.peekUntil();
      const slot = cooling.pop();
      const rec = recs[slot];
      if (rec !== undefined && isLiveEntry(until, slot)) move(slot, rec, "active", null, 0);
    }
  }

  function normalize(r: KeyRecord): KeyRecord {
    return { ...r, reason: r.status === "active" ? null : r.reason, cooldownUntil: r.status === "cooldown" ? r.cooldownUntil : 0 };
  }

  /** Records given to upsert come from the database (or another node's write): their status is stored. */
  function upsert(input: readonly KeyRecord[]): void {
    for (const r of input) {
      const rec = normalize(r);
      const slot = slotById.get(rec.id);
      if (slot === undefined) {
        const fresh = allocSlot();
        slotById.set(rec.id, fresh);
        recs[fresh] = rec;
        storedCode[fresh] = codeOf(rec.status);
        enter(fresh, rec);
        continue;
      }
      const old = recs[slot]!;
      recs[slot] = rec;
      storedCode[slot] = codeOf(rec.status);
      // An active key that stays active keeps its place in the rotation.
      if (old.status === "active" && rec.status === "active") continue;
      leave(slot, old);
      enter(slot, rec);
    }
  }

  /** A late 429 from a request sent before the key cooled: no new strike, only a later reset. */
  function extendCooldown(slot: number, rec: KeyRecord, reason: string, named: number | undefined): KeyStateChange | undefined {
    if (named === undefined || named <= rec.cooldownUntil) return undefined;
    return move(slot, rec, "cooldown", reason, named);
  }

  upsert(records);

  return {
    pick(now, exclude) {
      if (cooling.peekUntil() <= now) promote(now);
      const n = ring.length;
      if (n === 0 || now < idleUntil) return undefined;
      let excluded = false;
      for (let i = 0; i < n; i++) {
        if (cursor >= n) cursor = 0;
        const slot = ring[cursor++]!;
        const rec = recs[slot]!;
        if (exclude.size !== 0 && exclude.has(rec.id)) {
          excluded = true;
          continue;
        }
        if (rpmCap !== 0) {
          if (rpm.count(slot, now) >= rpmCap) continue;
          rpm.add(slot, now);
        }
        rec.requests++;
        rec.lastUsedAt = now;
        markDirty(slot);
        return rec;
      }
      // Only per-minute caps (or the request's own exclusions) can end a lap empty-handed.
      if (!excluded) idleUntil = Math.min(rpm.nextShiftAt(now), cooling.peekUntil());
      return undefined;
    },

    report(keyId, event, now, rand, policy) {
      const slot = slotById.get(keyId);
      if (slot === undefined) return undefined;
      const rec = recs[slot]!;
      switch (event.kind) {
        case "success":
          if (rec.strikes !== 0) {
            rec.strikes = 0;
            markDirty(slot);
          }
          return undefined;
        case "invalid":
          rec.failures++;
          markDirty(slot);
          if (rec.status === "invalid" || rec.status === "disabled") return undefined;
          return move(slot, rec, "invalid", event.reason, 0);
        case "rate-limited": {
          rec.failures++;
          markDirty(slot);
          if (rec.status === "invalid" || rec.status === "disabled") return undefined;
          const named = providerResetUntil(event.resetAt, now);
          if (rec.status === "cooldown" && rec.cooldownUntil > now) return extendCooldown(slot, rec, event.reason, named);
          const until = named ?? cooldownUntil(rec.strikes, now, rand, policy);
          rec.strikes++;
          return move(slot, rec, "cooldown", event.reason, until);
        }
        default:
          // upstream-failure blames the upstream, client-error the client: the key is untouched.
          return undefined;
      }
    },

    setRpmCap(cap) {
      rpmCap = Number.isFinite(cap) && cap > 0 ? Math.floor(cap) : 0;
      idleUntil = 0;
    },

    upsert,

    remove(ids) {
      for (const id of ids) {
        const slot = slotById.get(id);
        if (slot === undefined) continue;
        leave(slot, recs[slot]!);
        recs[slot] = undefined;
        slotById.delete(id);
        dirtyFlag[slot] = 0;
        rpm.reset(slot);
        freeSlots.push(slot);
      }
    },

    get(id) {
      const slot = slotById.get(id);
      return slot === undefined ? undefined : recs[slot];
    },

    counts(now): PoolCounts {
      if (cooling.peekUntil() <= now) promote(now);
      return { total: slotById.size, ...tally };
    },

    // Each dirty key once, in the order it became dirty; afterwards it is clean again.
    takeWriteBack() {
      const out: KeyWriteBack[] = [];
      for (const slot of dirtyList) {
        const rec = recs[slot];
        if (dirtyFlag[slot] !== 1 || rec === undefined) continue;
        dirtyFlag[slot] = 0;
        const storedStatus = STATUS_CODES[storedCode[slot]!]!;
        storedCode[slot] = codeOf(rec.status);
        out.push({
          id: rec.id,
          status: rec.status,
          reason: rec.reason,
          cooldownUntil: rec.cooldownUntil,
          requests: rec.requests,
          failures: rec.failures,
          lastUsedAt: rec.lastUsedAt,
          storedStatus,
        });
      }
      dirtyList.length = 0;
      return out;
    },

    nextUsableAt(now) {
      if (cooling.peekUntil() <= now) promote(now);
      let best = Infinity;
      if (ring.length !== 0) {
        if (rpmCap === 0) return now;
        // Every active key is at its cap: O(active keys), paid only on the no-usable-key path.
        for (const slot of ring) {
          const at = rpm.freeAt(slot, now, rpmCap);
          if (at <= now) return now;
          if (at < best) best = at;
        }
      }
      // Stale heap entries (keys that left cooldown another way) must not promise an early return.
      while (cooling.size() !== 0 && !isLiveEntry(cooling.peekUntil(), cooling.peekSlot())) cooling.pop();
      best = Math.min(best, cooling.peekUntil());
      return best === Infinity ? undefined : best;
    },

    size() {
      return slotById.size;
    },
  };
}
