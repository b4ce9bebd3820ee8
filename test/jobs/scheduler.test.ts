import { describe, expect, it } from "bun:test";
import { createScheduler, type SchedulerTimers } from "../../src/jobs/scheduler.ts";
import type { Logger } from "../../src/telemetry/logger.ts";

/** Timers that fire only when the test says so. */
function manualTimers() {
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let next = 1;
  const timers: SchedulerTimers = {
    setTimeout: (fn, ms) => (pending.set(next, { fn, ms }), next++),
    clearTimeout: (h) => void pending.delete(h as number),
  };
  return {
    timers,
    pending,
    fireAll() {
      const due = [...pending.entries()];
      pending.clear();
      for (const [, t] of due) t.fn();
    },
  };
}

function recordingLogger() {
  const errors: Record<string, unknown>[] = [];
  const logger: Logger = { debug() {}, info() {}, warn() {}, error: (msg, f) => void errors.push({ msg, ...f }) };
  return { logger, errors };
}

const settle = () => new Promise<void>((resolve) => queueMicrotask(() => queueMicrotask(resolve)));

describe("jobs/scheduler", () => {
  it("runsEachJobOnItsIntervalAfterTheFirstDelay", async () => {
    const clock = manualTimers();
    const s = createScheduler({ logger: recordingLogger().logger, timers: clock.timers });
    let runs = 0;
    s.add({ name: "a", intervalMs: 60_000, firstRunMs: 5_000, run: () => void runs++ });
    expect(clock.pending.size).toBe(0);
    s.start();
    expect([...clock.pending.values()].map((t) => t.ms)).toEqual([5_000]);
    clock.fireAll();
    await settle();
    expect(runs).toBe(1);
    expect([...clock.pending.values()].map((t) => t.ms)).toEqual([60_000]);
    await s.stop();
  });

  it("neverOverlapsTwoRunsOfTheSameJob", async () => {
    const s = createScheduler({ logger: recordingLogger().logger, timers: manualTimers().timers });
    let release!: () => void;
    let starts = 0;
    s.add({ name: "slow", intervalMs: 1000, run: () => (starts++, new Promise<void>((r) => (release = r))) });
    const a = s.runNow("slow");
    const b = s.runNow("slow");
    expect(starts).toBe(1);
    release();
    await Promise.all([a, b]);
    const c = s.runNow("slow");
    expect(starts).toBe(2);
    release();
    await c;
  });

  it("logsAFailedRunAndKeepsScheduling", async () => {
    const clock = manualTimers();
    const { logger, errors } = recordingLogger();
    const s = createScheduler({ logger, timers: clock.timers });
    s.add({ name: "boom", intervalMs: 1000, run: () => { throw new Error("disk on fire"); } });
    s.start();
    clock.fireAll();
    await settle();
    expect(errors).toEqual([{ msg: "job failed", job: "boom", error: "disk on fire" }]);
    expect(clock.pending.size).toBe(1);
    await s.stop();
  });

  it("stopsWaitingForTheRunningJobAndSchedulesNothingAfter", async () => {
    const clock = manualTimers();
    const s = createScheduler({ logger: recordingLogger().logger, timers: clock.timers });
    let release!: () => void;
    let finished = false;
    s.add({ name: "j", intervalMs: 1000, run: () => new Promise<void>((r) => (release = r)).then(() => void (finished = true)) });
    s.start();
    clock.fireAll();
    const stopped = s.stop();
    expect(finished).toBe(false);
    release();
    await stopped;
    expect(finished).toBe(true);
    expect(clock.pending.size).toBe(0);
  });

  it("skipsRunsWhileThisNodeIsNotTheLeader", async () => {
    let leader = false;
    let runs = 0;
    const s = createScheduler({ logger: recordingLogger().logger, timers: manualTimers().timers, isLeader: () => leader });
    s.add({ name: "j", intervalMs: 1000, run: () => void runs++ });
    await s.runNow("j");
    leader = true;
    await s.runNow("j");
    expect(runs).toBe(1);
  });
});
