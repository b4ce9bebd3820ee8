// Answers in each provider's own format for the fake upstream: whole JSON bodies and SSE
// streams for OpenAI chat, OpenAI Responses, Anthropic Messages and Gemini, each carrying known
// token usage (5 in / 2 out / 1 cached) so tests can check what the gateway logged.

import { sseEvent, type FakeReply } from "./fake-upstream.ts";

export const USAGE = { input: 5, output: 2, cached: 1 };

export function openaiChat(text = "hello", model = "gpt-4o-mini"): FakeReply {
  return {
    json: {
      id: "chatcmpl-1",
      object: "chat.completion",
      created: 1,
      model,
      choices: [{ index: 0, message: { role: "assistant", content: text }, finish_reason: "stop" }],
      usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 } },
    },
  };
}

export function openaiChatStream(parts = ["hel", "lo"], then: "end" | "reset" | "hang" = "end"): FakeReply {
  const chunk = (delta: object, finish: string | null = null) => ({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-4o-mini",
    choices: [{ index: 0, delta, finish_reason: finish }],
    usage: null,
  });
  const chunks = [
    sseEvent(chunk({ role: "assistant", content: "" })),
    ...parts.map((p) => sseEvent(chunk({ content: p }))),
  ];
  if (then === "end") {
    chunks.push(
      sseEvent(chunk({}, "stop")),
      sseEvent({
        id: "chatcmpl-1", object: "chat.completion.chunk", created: 1, model: "gpt-4o-mini", choices: [],
        usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7, prompt_tokens_details: { cached_tokens: 1 } },
      }),
      sseEvent("[DONE]"),
    );
  }
  return { stream: { chunks, then } };
}

const responsesUsage = { input_tokens: 5, output_tokens: 2, total_tokens: 7, input_tokens_details: { cached_tokens: 1 }, output_tokens_details: { reasoning_tokens: 0 } };

function responseObject(text: string, status: string) {
  return {
    id: "resp_1",
    object: "response",
    created_at: 1,
    status,
    model: "gpt-4o-mini",
    output: [{ type: "message", id: "msg_1", status: "completed", role: "assistant", content: [{ type: "output_text", text, annotations: [] }] }],
    usage: status === "completed" ? responsesUsage : null,
  };
}

export function responsesReply(text = "hello"): FakeReply {
  return { json: responseObject(text, "completed") };
}

export function responsesStream(parts = ["hel", "lo"]): FakeReply {
  let seq = 0;
  const chunks = [
    sseEvent({ type: "response.created", response: responseObject("", "in_progress"), sequence_number: seq++ }, "response.created"),
    ...parts.map((delta) =>
      sseEvent({ type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta, sequence_number: seq++ }, "response.output_text.delta"),
    ),
    sseEvent({ type: "response.completed", response: responseObject(parts.join(""), "completed"), sequence_number: seq++ }, "response.completed"),
  ];
  return { stream: { chunks } };
}

export function anthropicMessage(text = "hello", model = "claude-3-5-haiku-latest"): FakeReply {
  return {
    json: {
      id: "msg_1",
      type: "message",
      role: "assistant",
      model,
      content: [{ type: "text", text }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: { input_tokens: 4, output_tokens: 2, cache_read_input_tokens: 1, cache_creation_input_tokens: 0 },
    },
  };
}

export function anthropicStream(parts = ["hel", "lo"]): FakeReply {
  const chunks = [
    sseEvent({
      type: "message_start",
      message: {
        id: "msg_1", type: "message", role: "assistant", model: "claude-3-5-haiku-latest", content: [], stop_reason: null, stop_sequence: null,
        usage: { input_tokens: 4, output_tokens: 1, cache_read_input_tokens: 1, cache_creation_input_tokens: 0 },
      },
    }, "message_start"),
    sseEvent({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }, "content_block_start"),
    ...parts.map((text) => sseEvent({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text } }, "content_block_delta")),
    sseEvent({ type: "content_block_stop", index: 0 }, "content_block_stop"),
    sseEvent({ type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 2 } }, "message_delta"),
    sseEvent({ type: "message_stop" }, "message_stop"),
  ];
  return { stream: { chunks } };
}

function geminiChunk(text: string, final: boolean) {
  return {
    candidates: [{ content: { parts: [{ text }], role: "model" }, ...(final && { finishReason: "STOP" }), index: 0 }],
    ...(final && { usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 2, totalTokenCount: 7, cachedContentTokenCount: 1 } }),
    modelVersion: "gemini-2.0-flash",
  };
}

export function geminiReply(text = "hello"): FakeReply {
  return { json: geminiChunk(text, true) };
}

export function geminiStream(parts = ["hel", "lo"]): FakeReply {
  return { stream: { chunks: parts.map((p, i) => sseEvent(geminiChunk(p, i === parts.length - 1))) } };
}
