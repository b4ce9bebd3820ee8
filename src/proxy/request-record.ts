// The log entry of one client request while it is being served: filled in as the request goes
// (group, access key, model, attempts, usage) and pushed to the log queue exactly once, when the
// answer is complete (for streams: when the stream ends). No I/O: the queue is in memory.

import type { Usage } from "../channels/types.ts";
import type { RequestLogEntry } from "../telemetry/log-queue.ts";

export type AttemptRecord = RequestLogEntry["attempts"][number];

export interface RequestRecord {
  readonly entry: RequestLogEntry;
  /** performance.now() when the request arrived. */
  readonly startedAt: number;
  finished: boolean;
}

export interface LogSink {
  push(entry: RequestLogEntry): void;
}

export function createRecord(fields: {
  ts: number;
  requestId: string;
  groupName: string;
  channel: string;
  clientIp: string | null;
  userAgent: string | null;
}): RequestRecord {
  return {
    startedAt: performance.now(),
    finished: false,
    entry: {
      ts: fields.ts,
      requestId: fields.requestId,
      groupId: null,
      groupName: fields.groupName,
      subGroupName: null,
      accessKeyId: null,
      accessKeyName: null,
      channel: fields.channel,
      model: null,
      upstreamModel: null,
      stream: false,
      status: 0,
      errorClass: null,
      error: null,
      durationMs: 0,
      ttfbMs: null,
      inputTokens: null,
      outputTokens: null,
      cachedTokens: null,
      clientIp: fields.clientIp,
      userAgent: fields.userAgent,
      upstreamUrl: null,
      keyId: null,
      keyMasked: null,
      attempts: [],
      requestBody: null,
      responseBody: null,
    },
  };
}

export function recordUsage(record: RequestRecord, usage: Usage | undefined): void {
  if (usage === undefined) return;
  record.entry.inputTokens = usage.inputTokens;
  record.entry.outputTokens = usage.outputTokens;
  record.entry.cachedTokens = usage.cachedTokens;
}

/** Completes the entry and pushes it; later calls are ignored. */
export function finishRecord(
  record: RequestRecord,
  sink: LogSink,
  outcome: { status: number; errorClass?: string | null; error?: string | null },
): void {
  if (record.finished) return;
  record.finished = true;
  const e = record.entry;
  e.status = outcome.status;
  if (outcome.errorClass !== undefined) e.errorClass = outcome.errorClass;
  if (outcome.error !== undefined) e.error = outcome.error;
  e.durationMs = Math.round(performance.now() - record.startedAt);
  sink.push(e);
}

const decoder = new TextDecoder();

/** A body kept in a log entry (log_bodies): text, cut at `max` bytes. */
export function bodyForLog(bytes: Uint8Array | string | null, max: number): string | null {
  if (bytes === null || max <= 0) return null;
  if (typeof bytes === "string") return bytes.length > max ? `${bytes.slice(0, max)}…` : bytes;
  const cut = bytes.byteLength > max;
  const text = decoder.decode(cut ? bytes.subarray(0, max) : bytes);
  return cut ? `${text}…` : text;
}
