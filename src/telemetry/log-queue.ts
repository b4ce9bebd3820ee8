// The request-log queue: the proxy pushes one entry per client request (no I/O on the hot
// path); app.ts flushes it in batches, by size or on a timer, and on shutdown, to a sink that
// writes them (the log writer thread, store/log-writer-thread.ts). Bounded: entries handed over
// and not yet written count against the bound, so when the database cannot keep up new entries
// are dropped and counted, never silently.

import type { RequestLogEntry } from "../store/repos/logs.ts";

/** The entry is the request_logs row the store writes; defined there, re-exported for the push side. */
export type { RequestLogEntry } from "../store/repos/logs.ts";

export interface LogQueueOptions {
  /**
   * Writes one batch: synchronously (throws on failure), or in the background (the promise
   * settles when the batch is written or has failed). A failed batch is counted as dropped.
   */
  sink: (batch: RequestLogEntry[]) => void | Promise<void>;
  /**
   * Shown every pushed entry, in order, before it is queued (or dropped because the queue is full):
   * in-memory counters, and whatever must adjust the entry first. No I/O in an observer.
   */
  observers?: readonly ((entry: RequestLogEntry) => void)[];
  /** Entries held at most, queued or being written; beyond it new entries are dropped and counted. */
  maxEntries?: number;
  /** A push that brings the queue to this size asks for a flush soon. */
  batchSize?: number;
  /** Called when the queue reaches batchSize (app.ts schedules a flush on the next tick). */
  onBatchReady?: () => void;
}

export interface LogQueue {
  push(entry: RequestLogEntry): void;
  /**
   * Hands the oldest `max` entries queued (default: all of them) to the sink as one batch;
   * returns how many were handed over (0 when a synchronous sink failed).
   */
  flush(max?: number): number;
  /** Flushes everything queued and resolves once every batch handed over is written or failed. */
  settled(): Promise<void>;
  /** Entries queued or being written. */
  depth(): number;
  dropped(): number;
  written(): number;
}

export function createLogQueue(options: LogQueueOptions): LogQueue {
  const maxEntries = options.maxEntries ?? 100_000;
  const batchSize = options.batchSize ?? 1000;
  let queue: RequestLogEntry[] = [];
  let writing = 0;
  let dropped = 0;
  let written = 0;
  let batchSignalled = false;
  const pending = new Set<Promise<void>>();
  const observers = options.observers ?? [];

  const hand = (batch: RequestLogEntry[]): number => {
    const n = batch.length;
    let result: void | Promise<void>;
    try {
      result = options.sink(batch);
    } catch {
      dropped += n;
      return 0;
    }
    if (result === undefined) {
      written += n;
      return n;
    }
    writing += n;
    const done: Promise<void> = result.then(
      () => {
        written += n;
      },
      () => {
        dropped += n;
      },
    ).finally(() => {
      writing -= n;
      pending.delete(done);
    });
    pending.add(done);
    return n;
  };

  const flush = (max = Infinity): number => {
    batchSignalled = false;
    if (!queue.length) return 0;
    let batch: RequestLogEntry[];
    if (queue.length <= max) {
      batch = queue;
      queue = [];
    } else {
      batch = queue.splice(0, max);
    }
    return hand(batch);
  };

  return {
    push(entry) {
      for (let i = 0; i < observers.length; i++) observers[i]!(entry);
      if (queue.length + writing >= maxEntries) {
        dropped++;
        return;
      }
      queue.push(entry);
      if (queue.length >= batchSize && !batchSignalled) {
        batchSignalled = true;
        options.onBatchReady?.();
      }
    },
    flush,
    async settled() {
      flush();
      while (pending.size) await Promise.all(pending);
    },
    depth: () => queue.length + writing,
    dropped: () => dropped,
    written: () => written,
  };
}
