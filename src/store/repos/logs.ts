// Batched writes of request-log entries: one prepared INSERT run per entry inside a single
// transaction (STACK-NOTES: ~10x faster than multi-row inserts on bun:sqlite). Called only from
// the log queue's flush, never from the request path.

import type { Database } from "bun:sqlite";
import type { RequestLogEntry } from "../../telemetry/log-queue.ts";

const COLUMNS = [
  "ts", "request_id", "group_id", "group_name", "sub_group_name", "access_key_id", "access_key_name", "channel",
  "model", "upstream_model", "stream", "status", "error_class", "error", "duration_ms", "ttfb_ms", "input_tokens",
  "output_tokens", "cached_tokens", "client_ip", "user_agent", "upstream_url", "key_id", "key_masked", "attempts",
  "request_body", "response_body",
] as const;

export function createLogWriter(sqlite: Database): (batch: RequestLogEntry[]) => void {
  const insert = sqlite.prepare(
    `INSERT INTO request_logs (${COLUMNS.join(", ")}) VALUES (${COLUMNS.map(() => "?").join(", ")})`,
  );
  const writeAll = sqlite.transaction((batch: RequestLogEntry[]) => {
    for (const e of batch) {
      insert.run(
        e.ts, e.requestId, e.groupId, e.groupName, e.subGroupName, e.accessKeyId, e.accessKeyName, e.channel,
        e.model, e.upstreamModel, e.stream ? 1 : 0, e.status, e.errorClass, e.error, e.durationMs, e.ttfbMs,
        e.inputTokens, e.outputTokens, e.cachedTokens, e.clientIp, e.userAgent, e.upstreamUrl, e.keyId, e.keyMasked,
        JSON.stringify(e.attempts), e.requestBody, e.responseBody,
      );
    }
  });
  return (batch) => writeAll(batch);
}
