// The OpenAI Responses API channel (/v1/responses, used by Codex CLI): everything from
// `openaiBase` by composition, plus Responses usage (input/output tokens) and its stream's
// final response.* event. Must not mutate openai's objects. Pure: no I/O, no clock.

import type { Channel, Usage } from "./types.ts";
import { objectAt } from "./json-fields.ts";
import { chatUsage, OPENAI_DEFAULT_TEST_MODEL, openaiBase, usageWith, type UsageFields } from "./openai.ts";

/** usage.input_tokens / output_tokens / input_tokens_details.cached_tokens (https://platform.openai.com/docs/api-reference/responses/object). */
const RESPONSES_USAGE: UsageFields = Object.freeze({ input: "input_tokens", output: "output_tokens", details: "input_tokens_details" });

/** A group of this channel may still be sent chat completions; their usage is read too. */
function anyUsage(usage: Record<string, unknown> | undefined): Usage | undefined {
  return usageWith(RESPONSES_USAGE, usage) ?? chatUsage(usage);
}

export const openaiResponses: Channel = Object.freeze({
  ...openaiBase,
  id: "openai-responses",

  usageFromBody(body: unknown): Usage | undefined {
    return anyUsage(objectAt(body, "usage"));
  },

  // Streams end with response.completed (or .incomplete / .failed) whose `response` carries the
  // usage (https://platform.openai.com/docs/api-reference/responses-streaming/response/completed);
  // a chat chunk with include_usage has it at the top.
  usageFromEvent(data: unknown, running: Usage | undefined): Usage | undefined {
    return anyUsage(objectAt(objectAt(data, "response"), "usage")) ?? anyUsage(objectAt(data, "usage")) ?? running;
  },

  validationProbe(testModel: string) {
    const model = testModel === "" ? OPENAI_DEFAULT_TEST_MODEL : testModel;
    // 16 is the smallest max_output_tokens the Responses API accepts.
    return { method: "POST", path: "/v1/responses", body: JSON.stringify({ model, input: "hi", max_output_tokens: 16 }) } as const;
  },
});
