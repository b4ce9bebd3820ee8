// The request-log queue: the proxy pushes one entry per client request (no I/O on the hot
// path); app.ts flushes it to the database in batches, by size or on a timer, and on shutdown.
// Bounded: when the database cannot keep up, new entries are dropped and counted, never silently.

import type { RequestLogEntry } from "../store/repos/logs.ts";

/** The entry is the request_logs row the store writes; defined there, re-exported for the push side. */
export type { RequestLogEntry } from "../store/repos/logs.ts";

export interface LogQueueOptions {
  /** Writes one batch; throws on failure (the batch is then counted as dropped). */
  sink: (batch: RequestLogEntry[]) => void;
  /**
   * Shown every pushed entry, in order, before it is queued (or dropped because the queue is full):
   * in-memory counters, and whatever must adjust the entry first. No I/O in an observer.
   */
  observers?: readonly ((entry: RequestLogEntry) => void)[];
  /** Entries held at most; beyond it new entries are dropped and counted. */
  maxEntries?: number;
  /** A push that brings the queue to this size asks for a flush soon. */
  batchSize?: number;
  /** Called when the queue reaches batchSize (app.ts schedules a flush on the next tick). */
  onBatchReady?: () => void;
}

export interface LogQueue {
  push(entry: RequestLogEntry): void;
  /**
   * Writes the oldest `max` entries queued (default: all of them) in one batch; returns how many
   * were written. app.ts flushes in slices so one write never stalls the event loop for long.
   */
  flush(max?: number): number;
  depth(): number;
  dropped(): number;
  written(): number;
}

export function createLogQueue(options: LogQueueOptions): LogQueue {
  const maxEntries = options.maxEntries ?? 100_000;
  const batchSize = options.batchSize ?? 1000;
  let queue: RequestLogEntry[] = [];
  let dropped = 0;
  let written = 0;
  let batchSignalled = false;
  const observers = options.observers ?? [];
  return {
    push(entry) {
      for (let i = 0; i < observers.length; i++) observers[i]!(entry);
      if (queue.length >= maxEntries) {
        dropped++;
        return;
      }
      queue.push(entry);
      if (queue.length >= batchSize && !batchSignalled) {
        batchSignalled = true;
        options.onBatchReady?.();
      }
    },
    flush(max = Infinity) {
      batchSignalled = false;
      if (!queue.length) return 0;
      let batch: RequestLogEntry[];
      if (queue.length <= max) {
        batch = queue;
        queue = [];
      } else {
        batch = queue.splice(0, max);
      }
      try {
        options.sink(batch);
        written += batch.length;
        return batch.length;
      } catch {
        dropped += batch.length;
        return 0;
      }
    },
    depth: () => queue.length,
    dropped: () => dropped,
    written: () => written,
  };
}
