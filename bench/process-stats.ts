// Reads a process's resident memory, CPU time and the open-file limit from /proc (Linux only),
// and samples peak RSS while a test runs. Read-only: it never signals or changes a process.

import { readFileSync } from "node:fs";

/** Kernel clock ticks per second for /proc/<pid>/stat (USER_HZ; 100 on every Linux we run on). */
const CLOCK_TICKS = 100;

/** Resident set size in KiB (VmRSS), or NaN when the process is gone. */
export function readRssKiB(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : NaN;
  } catch {
    return NaN;
  }
}

/** User + system CPU time consumed so far by the whole process, in ms (10 ms resolution). */
export function readCpuMs(pid: number): number {
  return cpuMsOf(`/proc/${pid}/stat`);
}

/** The same for the process's main thread alone (Bun's event loop; not fetch's HTTP thread or workers). */
export function readMainThreadCpuMs(pid: number): number {
  return cpuMsOf(`/proc/${pid}/task/${pid}/stat`);
}

function cpuMsOf(statPath: string): number {
  try {
    const stat = readFileSync(statPath, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // After "pid (comm) ", field 3 is state; utime and stime are fields 14 and 15 of the full line.
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/** The soft open-file limit of this process (children inherit it). */
export function openFileLimit(): number {
  try {
    const match = /Max open files\s+(\d+|unlimited)/.exec(readFileSync("/proc/self/limits", "utf8"));
    return !match || match[1] === "unlimited" ? Infinity : Number(match[1]);
  } catch {
    return NaN;
  }
}

export interface RssSampler {
  /** Stops sampling; returns the peak RSS (KiB) seen per pid. */
  stop(): Record<number, number>;
}

/** Polls VmRSS of `pids` every `intervalMs` and keeps the peak of each. */
export function sampleRss(pids: number[], intervalMs = 50): RssSampler {
  const peak: Record<number, number> = {};
  const tick = () => {
    for (const pid of pids) {
      const rss = readRssKiB(pid);
      if (rss > (peak[pid] ?? -1)) peak[pid] = rss;
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      tick();
      return peak;
    },
  };
}
