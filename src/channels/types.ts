// The shape every provider channel fills in: how its key is sent, where its model and stream
// flag live, what its error answers mean for the key pool, how its usage is reported, and how
// it spells an error. Channels are frozen data plus pure functions of plain inputs.

import type { KeyEvent } from "../pool/types.ts";
import type { ModelListPlan } from "./model-list.ts";

export type ChannelId = "openai" | "openai-responses" | "anthropic" | "gemini";

/** One answer's tokens, the same meaning for every provider. */
export interface Usage {
  /** Every input token the provider processed, cached ones included (Anthropic's cache reads and writes are added in). */
  inputTokens: number;
  /** Every generated token billed as output, reasoning/thinking tokens included. */
  outputTokens: number;
  /** The part of inputTokens served from the provider's prompt cache. */
  cachedTokens: number;
}

/** Statuses the settings (global or per group) assign to each class. */
export interface StatusPolicy {
  invalidKey: readonly number[];
  rateLimit: readonly number[];
  retry: readonly number[];
}

export interface ClassifyInput {
  status: number;
  headers: Headers;
  /** Text of a non-2xx answer (read up to a small cap); "" for 2xx. */
  bodyText: string;
  now: number;
  statuses: StatusPolicy;
  /** The upstream key used, when known: removed from any reason text kept in logs. */
  key?: string;
}

/** A cheap request that proves a key works (relative to the upstream base URL). */
export interface ValidationProbe {
  method: "GET" | "POST";
  path: string;
  /** JSON text, when the probe has a body. */
  body?: string;
}

/** A parsed JSON request body; channels read and may change it in place. */
export type JsonBody = Record<string, unknown>;

export interface Channel {
  readonly id: ChannelId;
  /** Headers set on the upstream request when the client sent none of that name (e.g. anthropic-version). */
  readonly defaultHeaders: Readonly<Record<string, string>>;
  /** Puts the upstream key on the outgoing request; client auth is already stripped. */
  injectKey(headers: Headers, key: string, path: string): void;
  /** The model the request names (body field, or Gemini's path segment); undefined when none. */
  readModel(path: string, body: JsonBody | undefined): string | undefined;
  /** Replaces the model; changes `body` in place and returns the (possibly new) path and whether the body changed. */
  replaceModel(path: string, body: JsonBody | undefined, model: string): { path: string; bodyChanged: boolean };
  /** Whether the client asked for a streamed answer. */
  isStream(path: string, search: URLSearchParams, body: JsonBody | undefined): boolean;
  /** What an upstream answer means for the key and the upstream. */
  classify(input: ClassifyInput): KeyEvent;
  /** Token usage from a whole (non-stream) JSON response body. */
  usageFromBody(body: unknown): Usage | undefined;
  /** Folds one SSE event's parsed `data` into the running usage; returns the new running usage. */
  usageFromEvent(data: unknown, running: Usage | undefined): Usage | undefined;
  /**
   * Cheap text pre-check run on an SSE event before JSON.parse: false means the event cannot
   * change usage and may be skipped. May say true wrongly, never false wrongly. Absent = parse all.
   */
  mayCarryUsage?(data: string, event: string): boolean;
  /** The provider's native JSON error body for an answer the gateway makes itself. */
  errorBody(status: number, message: string): string;
  /** A cheap request proving a key works, using the group's test model. */
  validationProbe(testModel: string): ValidationProbe;
  /** True when the path lists models (so aggregate groups and redirects can rewrite the list). */
  isModelList(path: string): boolean;
  /**
   * Merges parsed model-list answers (one per aggregate member, or one) and applies `plan`,
   * keeping the provider's list shape; undefined when none has that shape. Absent = lists are
   * always relayed unchanged.
   */
  rewriteModelList?(lists: readonly unknown[], plan: ModelListPlan, path: string): Record<string, unknown> | undefined;
}
