// Relays an upstream body to the client chunk by chunk, pulled by the client (back-pressure
// kept), and watches it pass: each chunk is handed on first and only then shown to `observe`
// (the SSE usage parser), so nothing is held back. Reports how the stream ended exactly once.

import type { AttemptControl } from "./forward.ts";

export type StreamEnd =
  | { kind: "done" }
  | { kind: "client-gone" }
  /** The upstream failed after the first byte (reset, idle or total timeout): the stream just ends. */
  | { kind: "failed"; message: string };

export interface TapOptions {
  control: AttemptControl;
  observe?: (chunk: Uint8Array) => void;
  onEnd: (end: StreamEnd) => void;
}

export function tapStream(body: ReadableStream<Uint8Array>, options: TapOptions): ReadableStream<Uint8Array> {
  const { control, observe, onEnd } = options;
  const reader = body.getReader();
  let ended = false;
  const end = (e: StreamEnd) => {
    if (ended) return;
    ended = true;
    control.release();
    onEnd(e);
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: Awaited<ReturnType<typeof reader.read>>;
        try {
          result = await reader.read();
        } catch (error) {
          const reason = control.reason;
          if (reason === "client-gone") {
            end({ kind: "client-gone" });
          } else {
            const message = reason !== undefined ? `${reason} after the first byte` : `upstream stream broke: ${error instanceof Error ? error.message : String(error)}`;
            end({ kind: "failed", message });
          }
          controller.error(error);
          return;
        }
        if (result.done) {
          end({ kind: "done" });
          controller.close();
          return;
        }
        control.touch();
        controller.enqueue(result.value);
        if (observe !== undefined) {
          try {
            observe(result.value);
          } catch {
            // A tap must never break the stream it watches.
          }
        }
      },
      cancel(reason) {
        control.abort("client-gone");
        reader.cancel(reason).catch(() => {});
        end({ kind: "client-gone" });
      },
    },
    { highWaterMark: 0 },
  );
}
