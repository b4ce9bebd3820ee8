// Answers the gateway makes itself (unknown group, bad access key, body too large, no usable
// key...): the channel's native error JSON with a status and a message that says what to fix.
// Upstream answers never pass through here; they are streamed unchanged by the attempt loop.

import type { Channel } from "../channels/types.ts";
import { finishRecord, type LogSink, type RequestRecord } from "./request-record.ts";

export interface NativeErrorOptions {
  requestId: string;
  /** Seconds; sets Retry-After (429, 503). */
  retryAfterS?: number;
}

export function nativeError(channel: Pick<Channel, "errorBody">, status: number, message: string, options: NativeErrorOptions): Response {
  const headers = new Headers({ "content-type": "application/json", "x-request-id": options.requestId });
  if (options.retryAfterS !== undefined) headers.set("retry-after", String(Math.max(1, Math.ceil(options.retryAfterS))));
  return new Response(channel.errorBody(status, message), { status, headers });
}

/** The gateway refuses the request itself: logged, and answered in the channel's native shape. */
export function refuse(
  channel: Pick<Channel, "errorBody">,
  record: RequestRecord,
  sink: LogSink,
  refusal: { status: number; errorClass: string; message: string; retryAfterS?: number },
): Response {
  finishRecord(record, sink, { status: refusal.status, errorClass: refusal.errorClass, error: refusal.message });
  return nativeError(channel, refusal.status, refusal.message, { requestId: record.entry.requestId, retryAfterS: refusal.retryAfterS });
}

/**
 * The channel an unknown group's client most likely speaks, so even a 404 for a mistyped group
 * arrives in a shape its SDK can show: Gemini by its path or header, Anthropic by its version
 * header or /messages path, OpenAI otherwise.
 */
export function guessChannelId(nativePath: string, headers: Headers): "openai" | "anthropic" | "gemini" {
  if (headers.has("x-goog-api-key") || nativePath.includes(":generateContent") || nativePath.includes(":streamGenerateContent")) return "gemini";
  if (headers.has("anthropic-version") || nativePath.endsWith("/messages")) return "anthropic";
  return "openai";
}
