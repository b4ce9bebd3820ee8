// A tiny periodic job runner: one timer per job, never two runs of the same job at once, errors
// logged and never thrown, stop() waits for running jobs. Leader-only comes with the cluster lease
// (isLeader); a single node is always the leader. Started and stopped by app.ts only.

/** The two log levels the runner uses (telemetry's Logger fits; jobs/ does not import telemetry/). */
export interface JobLogger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

export interface JobDefinition {
  name: string;
  intervalMs: number;
  /** Delay before the first run (default: intervalMs). */
  firstRunMs?: number;
  run: () => void | Promise<void>;
}

/** Timer functions, injectable so tests drive time without sleeping. */
export interface SchedulerTimers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

export interface SchedulerOptions {
  logger: JobLogger;
  /** Runs happen only while this says true (the cluster lease); default: always. */
  isLeader?: () => boolean;
  timers?: SchedulerTimers;
}

export interface Scheduler {
  add(job: JobDefinition): void;
  start(): void;
  /** Runs one job now unless it is already running; resolves when that run ends. */
  runNow(name: string): Promise<void>;
  /** Cancels future runs and waits for the running ones to end. */
  stop(): Promise<void>;
}

interface JobState {
  job: JobDefinition;
  timer: unknown;
  running: Promise<void> | null;
}

const defaultTimers: SchedulerTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

export function createScheduler(options: SchedulerOptions): Scheduler {
  const timers = options.timers ?? defaultTimers;
  const isLeader = options.isLeader ?? (() => true);
  const jobs = new Map<string, JobState>();
  let started = false;
  let stopped = false;

  const arm = (state: JobState, ms: number) => {
    if (stopped) return;
    state.timer = timers.setTimeout(() => {
      state.timer = null;
      void runJob(state).finally(() => arm(state, state.job.intervalMs));
    }, ms);
  };

  const runJob = (state: JobState): Promise<void> => {
    if (state.running) return state.running;
    if (stopped || !isLeader()) return Promise.resolve();
    const startedAt = performance.now();
    state.running = (async () => {
      try {
        await state.job.run();
        options.logger.debug("job finished", { job: state.job.name, ms: Math.round(performance.now() - startedAt) });
      } catch (err) {
        options.logger.error("job failed", { job: state.job.name, error: err instanceof Error ? err.message : String(err) });
      } finally {
        state.running = null;
      }
    })();
    return state.running;
  };

  return {
    add(job) {
      if (jobs.has(job.name)) throw new Error(`job "${job.name}" is already scheduled`);
      const state: JobState = { job, timer: null, running: null };
      jobs.set(job.name, state);
      if (started) arm(state, job.firstRunMs ?? job.intervalMs);
    },
    start() {
      if (started) return;
      started = true;
      for (const state of jobs.values()) arm(state, state.job.firstRunMs ?? state.job.intervalMs);
    },
    runNow(name) {
      const state = jobs.get(name);
      if (!state) return Promise.reject(new Error(`no job named "${name}"`));
      return runJob(state);
    },
    async stop() {
      stopped = true;
      for (const state of jobs.values()) {
        if (state.timer !== null) timers.clearTimeout(state.timer);
        state.timer = null;
      }
      await Promise.all([...jobs.values()].map((s) => s.running));
    },
  };
}
