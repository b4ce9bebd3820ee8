// Micro-benchmark of KeyPool.pick() on a 100,000-key group with 0%, 50%, 99% and 100% of the
// keys cooling, plus every key at its per-minute cap. Prints ns per pick; compare ratios between
// runs, not absolute figures. Run: bun bench/pool-pick.ts

import { createKeyPool } from "../src/pool/key-pool.ts";
import type { KeyPool, KeyRecord } from "../src/pool/types.ts";

const N = 100_000;
const PICKS = 2_000_000;
const T0 = 1_700_000_000_000;
const NONE: ReadonlySet<number> = new Set();

function records(coolingShare: number): KeyRecord[] {
  const cooling = Math.round(N * coolingShare);
  return Array.from({ length: N }, (_, i) => ({
    id: i + 1,
    value: `sk-${i + 1}`,
    masked: `sk-…${i + 1}`,
    // Spread the cooling keys over the ring, so a lazy scan would have to step over them.
    status: (i * 7919) % N < cooling ? ("cooldown" as const) : ("active" as const),
    reason: null,
    cooldownUntil: T0 + 3_600_000,
    strikes: 0,
    requests: 0,
    failures: 0,
    lastUsedAt: 0,
  }));
}

/** `clock` advances time by 1 ms every 1,024 picks, or not at all (to stay inside one minute). */
function measure(label: string, pool: KeyPool, exclude: ReadonlySet<number>, clock = true): void {
  const at = (i: number) => (clock ? T0 + (i >> 10) : T0);
  for (let i = 0; i < 100_000; i++) pool.pick(at(i), exclude);
  let found = 0;
  const start = Bun.nanoseconds();
  for (let i = 0; i < PICKS; i++) if (pool.pick(at(i), exclude) !== undefined) found++;
  const ns = (Bun.nanoseconds() - start) / PICKS;
  pool.takeWriteBack();
  console.log(`${label.padEnd(34)} ${ns.toFixed(1).padStart(8)} ns/pick  (${found === PICKS ? "all found" : `${found} found`})`);
}

for (const share of [0, 0.5, 0.99, 1]) {
  const pool = createKeyPool(records(share));
  console.log(`# ${N} keys, ${(share * 100).toFixed(0)}% cooling: ${pool.counts(T0).active} active`);
  measure("  pick", pool, NONE);
  measure("  pick, 3 keys excluded", pool, new Set([1, 2, 3]));
}

const capped = createKeyPool(records(0));
capped.setRpmCap(1);
for (let i = 0; i < N; i++) capped.pick(T0, NONE);
console.log(`# ${N} keys, every key at its rpm cap`);
measure("  pick", capped, NONE, false);
