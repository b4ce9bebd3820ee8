// The benchmark's knobs: each one a flag (`--duration 5` or `--duration=5`) and an environment
// variable (BENCH_DURATION=5); flags win. Defaults keep one full run near a minute on 2 cores.
// Pure parsing: it reads the argv and env it is given and starts nothing.

export const TEST_NAMES = ["json", "sse", "slow", "hold"] as const;
export type TestName = (typeof TEST_NAMES)[number];
export const TARGET_NAMES = ["direct", "passthrough", "poolgate"] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

export interface BenchOptions {
  durationS: number;
  warmupS: number;
  concurrency: number;
  sseChunks: number;
  slowChunks: number;
  slowGapMs: number;
  slowClients: number;
  slowDurationS: number;
  holdStreams: number;
  holdChunks: number;
  holdGapMs: number;
  keys: number;
  /** 1: run poolgate with Bun's CPU profiler; the profile lands beside the results. */
  profile: number;
  tests: TestName[];
  targets: TargetName[];
  out: string;
}

interface Knob {
  flag: string;
  field: keyof BenchOptions;
  help: string;
  fallback: string;
}

const KNOBS: Knob[] = [
  { flag: "duration", field: "durationS", fallback: "5", help: "seconds measured per target in the json and sse tests" },
  { flag: "warmup", field: "warmupS", fallback: "1", help: "seconds of unmeasured load before each of those" },
  { flag: "concurrency", field: "concurrency", fallback: "64", help: "clients in the json and sse tests" },
  { flag: "sse-chunks", field: "sseChunks", fallback: "50", help: "events per stream in the sse test (last one carries usage)" },
  { flag: "slow-chunks", field: "slowChunks", fallback: "20", help: "events per stream in the slow test" },
  { flag: "slow-gap-ms", field: "slowGapMs", fallback: "50", help: "ms between events in the slow test" },
  { flag: "slow-clients", field: "slowClients", fallback: "4", help: "concurrent clients in the slow test" },
  { flag: "slow-duration", field: "slowDurationS", fallback: "5", help: "seconds each slow-test client keeps starting rounds (one stream per target)" },
  { flag: "streams", field: "holdStreams", fallback: "2000", help: "streams held open at once in the hold test" },
  { flag: "hold-chunks", field: "holdChunks", fallback: "30", help: "events per held stream" },
  { flag: "hold-gap-ms", field: "holdGapMs", fallback: "150", help: "ms between events of a held stream" },
  { flag: "keys", field: "keys", fallback: "100", help: "upstream keys in poolgate's group" },
  { flag: "profile", field: "profile", fallback: "0", help: "1 = CPU-profile poolgate (bun --cpu-prof-md) into the results folder" },
  { flag: "tests", field: "tests", fallback: TEST_NAMES.join(","), help: "which tests, comma-separated" },
  { flag: "targets", field: "targets", fallback: TARGET_NAMES.join(","), help: "which targets, comma-separated" },
  { flag: "out", field: "out", fallback: "bench/results/latest.json", help: "where the JSON results go" },
];

export function usage(): string {
  const lines = KNOBS.map((k) => `  --${k.flag.padEnd(14)} BENCH_${envName(k.flag).padEnd(14)} ${k.help} (default ${k.fallback})`);
  return ["Usage: bun run bench [-- options]", "", "Options (flag, or environment variable):", ...lines, ""].join("\n");
}

function envName(flag: string): string {
  return flag.toUpperCase().replaceAll("-", "_");
}

function pickList<T extends string>(raw: string, allowed: readonly T[], what: string): T[] {
  const items = raw.split(",").map((s) => s.trim()).filter(Boolean);
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`unknown ${what} "${item}" (one of ${allowed.join(", ")})`);
  return allowed.filter((name) => items.includes(name));
}

/** Parses flags and env into options; throws an Error with a one-line message on bad input. */
export function parseBenchOptions(argv: readonly string[], env: Record<string, string | undefined>): BenchOptions {
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith("--")) throw new Error(`unexpected argument "${arg}"`);
    const eq = arg.indexOf("=");
    const name = eq > 0 ? arg.slice(2, eq) : arg.slice(2);
    if (!KNOBS.some((k) => k.flag === name)) throw new Error(`unknown option --${name}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`--${name} needs a value`);
    given.set(name, value);
  }
  const options: Record<string, unknown> = {};
  for (const knob of KNOBS) {
    const raw = given.get(knob.flag) ?? env[`BENCH_${envName(knob.flag)}`] ?? knob.fallback;
    if (knob.field === "tests") options.tests = pickList(raw, TEST_NAMES, "test");
    else if (knob.field === "targets") options.targets = pickList(raw, TARGET_NAMES, "target");
    else if (knob.field === "out") options.out = raw;
    else {
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0) throw new Error(`--${knob.flag} must be a number >= 0, got "${raw}"`);
      options[knob.field] = value;
    }
  }
  const parsed = options as unknown as BenchOptions;
  for (const field of ["concurrency", "slowClients", "holdStreams", "sseChunks", "slowChunks", "holdChunks"] as const) {
    parsed[field] = Math.max(1, Math.round(parsed[field]));
  }
  if (parsed.durationS <= 0) throw new Error("--duration must be > 0");
  return parsed;
}
