// Turns the chosen upstream answer into the client's response. Event streams go through the tap
// (usage from SSE, idle watchdog); small JSON answers are read whole under the total timeout so
// their usage is known (STACK-NOTES: ~12% vs ~35% for a tap); anything else is relayed as it comes.

import { createSseParser, parseSseJson } from "../channels/sse.ts";
import type { Channel, Usage } from "../channels/types.ts";
import type { GroupPolicy } from "../pool/group-registry.ts";
import type { AttemptControl } from "./forward.ts";
import { buildResponseHeaders } from "./headers.ts";
import { bodyForLog, finishRecord, recordUsage, type LogSink, type RequestRecord } from "./request-record.ts";
import { nativeError } from "./respond.ts";
import { tapStream, type StreamEnd } from "./stream-tap.ts";

/** Non-stream JSON answers up to this size are read whole to take their usage. */
export const USAGE_BUFFER_MAX_BYTES = 256 * 1024;

const decoder = new TextDecoder();

/**
 * Every channel's usage lives under a key starting with "usage" (usage, usageMetadata): a body or
 * stream event without that text has none, and is not parsed at all (e.g. model lists, images,
 * the content deltas of a stream).
 */
const USAGE_KEY = '"usage';

export interface RelayInput {
  response: Response;
  control: AttemptControl;
  channel: Channel;
  method: string;
  requestId: string;
  policy: GroupPolicy;
  record: RequestRecord;
  sink: LogSink;
  /** Called when the upstream fails after its first byte (counts against its circuit). */
  onUpstreamBroke: (message: string) => void;
}

function isPlain(encoding: string | null): boolean {
  return encoding === null || encoding === "identity";
}

export async function relaySuccess(input: RelayInput): Promise<Response> {
  const { response, control, channel, record, sink, policy } = input;
  const contentType = response.headers.get("content-type");
  const plain = isPlain(response.headers.get("content-encoding"));
  const eventStream = contentType !== null && contentType.startsWith("text/event-stream");
  const headers = buildResponseHeaders(response.headers, input.requestId, eventStream);
  record.entry.stream = eventStream;
  const status = response.status;

  if (response.body === null || input.method === "HEAD") {
    control.release();
    finishRecord(record, sink, { status });
    return new Response(null, { status, headers });
  }

  const onEnd = (end: StreamEnd, usage: Usage | undefined) => {
    recordUsage(record, usage);
    if (end.kind === "done") finishRecord(record, sink, { status });
    else if (end.kind === "client-gone") finishRecord(record, sink, { status: 499, errorClass: "client-gone", error: "client went away during the answer" });
    else {
      input.onUpstreamBroke(end.message);
      finishRecord(record, sink, { status, errorClass: "stream-error", error: end.message });
    }
  };

  if (eventStream) {
    let usage: Usage | undefined;
    const parser = plain
      ? createSseParser((data, event) => {
          if (channel.mayCarryUsage !== undefined && !channel.mayCarryUsage(data, event)) return;
          const parsed = parseSseJson(data);
          if (parsed !== undefined) usage = channel.usageFromEvent(parsed, usage);
        }, { skipWithout: USAGE_KEY })
      : undefined;
    control.watchIdle(policy.idleTimeoutMs);
    const body = tapStream(response.body, {
      control,
      observe: parser && ((chunk) => parser.push(chunk)),
      onEnd: (end) => {
        parser?.end();
        onEnd(end, usage);
      },
    });
    return new Response(body, { status, headers });
  }

  const totalLeft = Math.max(1, record.startedAt + policy.totalTimeoutMs - performance.now());
  const length = Number(response.headers.get("content-length") ?? Number.NaN);
  const json = contentType !== null && contentType.includes("json");
  if (json && length <= USAGE_BUFFER_MAX_BYTES && plain) {
    control.arm(totalLeft, "total-timeout");
    let bytes: Uint8Array;
    try {
      bytes = await response.bytes();
    } catch (error) {
      control.release();
      if (control.reason === "client-gone") {
        finishRecord(record, sink, { status: 499, errorClass: "client-gone", error: "client went away during the answer" });
        return new Response(null, { status: 499 });
      }
      const message = control.reason ? `${control.reason} while reading the answer` : `upstream answer broke: ${String(error)}`;
      input.onUpstreamBroke(message);
      finishRecord(record, sink, { status: 502, errorClass: "stream-error", error: message });
      return nativeError(channel, 502, `the upstream answer broke off: ${message}`, { requestId: input.requestId });
    }
    control.release();
    const text = decoder.decode(bytes);
    if (text.includes(USAGE_KEY)) {
      try {
        recordUsage(record, channel.usageFromBody(JSON.parse(text)));
      } catch {
        // Not JSON after all: relayed unchanged, without usage.
      }
    }
    if (policy.logBodies) record.entry.responseBody = bodyForLog(bytes, policy.logBodyMaxBytes);
    finishRecord(record, sink, { status });
    return new Response(bytes as Uint8Array<ArrayBuffer>, { status, headers });
  }

  // Large or unknown-length answers (files, audio, Gemini's JSON-array streams): relayed as they come.
  headers.delete("content-length");
  if (Number.isFinite(length)) control.arm(totalLeft, "total-timeout");
  else control.watchIdle(policy.idleTimeoutMs);
  const body = tapStream(response.body, { control, onEnd: (end) => onEnd(end, undefined) });
  return new Response(body, { status, headers });
}

/** An upstream error answer already read whole: relayed with its status, headers and bytes. */
export function relayAnswer(answer: { status: number; headers: Headers; bytes: Uint8Array }, requestId: string): Response {
  const headers = buildResponseHeaders(answer.headers, requestId, false);
  headers.delete("content-length");
  return new Response(answer.bytes as Uint8Array<ArrayBuffer>, { status: answer.status, headers });
}
