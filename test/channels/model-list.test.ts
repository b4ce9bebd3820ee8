import { describe, expect, it } from "bun:test";
import { anthropic } from "../../src/channels/anthropic.ts";
import { gemini } from "../../src/channels/gemini.ts";
import { rewriteModelListWith, stripModelsPrefix, type ModelListPlan } from "../../src/channels/model-list.ts";
import { OPENAI_MODEL_LIST, openai } from "../../src/channels/openai.ts";
import { openaiResponses } from "../../src/channels/openai-responses.ts";

const NONE: ModelListPlan = { aliases: {}, strict: false };
const openaiList = (...ids: string[]) => ({ object: "list", data: ids.map((id) => ({ id, object: "model", created: 1, owned_by: "openai" })) });

describe("model-list", () => {
  it("addsRedirectAliasesDescribedLikeTheirTargets", () => {
    const out = openai.rewriteModelList!([openaiList("gpt-4o", "gpt-4o-mini")], { aliases: { fast: "gpt-4o-mini" }, strict: false }, "/v1/models");
    expect(out).toEqual({
      object: "list",
      data: [
        { id: "gpt-4o", object: "model", created: 1, owned_by: "openai" },
        { id: "gpt-4o-mini", object: "model", created: 1, owned_by: "openai" },
        { id: "fast", object: "model", created: 1, owned_by: "openai" },
      ],
    });
  });

  it("listsOnlyTheAliasesInStrictMode", () => {
    const out = openai.rewriteModelList!([openaiList("gpt-4o", "gpt-4o-mini")], { aliases: { fast: "gpt-4o-mini", smart: "o9" }, strict: true }, "/v1/models");
    expect(out).toEqual({
      object: "list",
      data: [
        { id: "fast", object: "model", created: 1, owned_by: "openai" },
        { id: "smart", object: "model", created: 0, owned_by: "poolgate" },
      ],
    });
  });

  it("doesNotListAnAliasTwiceWhenTheUpstreamHasThatNameToo", () => {
    const out = openai.rewriteModelList!([openaiList("gpt-4o")], { aliases: { "gpt-4o": "gpt-4o-2024" }, strict: false }, "/v1/models");
    expect((out!.data as { id: string }[]).map((m) => m.id)).toEqual(["gpt-4o"]);
  });

  it("mergesSeveralListsKeepingTheFirstEnvelopeAndEachIdOnce", () => {
    const out = openaiResponses.rewriteModelList!([{ ...openaiList("a", "b"), extra: 1 }, openaiList("b", "c"), { not: "a list" }], NONE, "/v1/models");
    expect(out!.extra).toBe(1);
    expect((out!.data as { id: string }[]).map((m) => m.id)).toEqual(["a", "b", "c"]);
  });

  it("answersUndefinedWhenNothingHasTheListShape", () => {
    expect(openai.rewriteModelList!([{ error: "x" }, null, "text", [1]], NONE, "/v1/models")).toBeUndefined();
    expect(rewriteModelListWith(OPENAI_MODEL_LIST, [], NONE)).toBeUndefined();
  });

  it("skipsEntriesWithoutAnId", () => {
    const out = openai.rewriteModelList!([{ object: "list", data: [{ id: "a" }, { name: "b" }, 3, { id: "" }] }], NONE, "/v1/models");
    expect(out!.data).toEqual([{ id: "a" }]);
  });

  it("keepsAnthropicsShapeWithFirstAndLastIdsFollowingTheData", () => {
    const list = {
      data: [{ type: "model", id: "claude-3-5-haiku-latest", display_name: "Claude Haiku 3.5", created_at: "2024-10-22T00:00:00Z" }],
      has_more: false,
      first_id: "claude-3-5-haiku-latest",
      last_id: "claude-3-5-haiku-latest",
    };
    const out = anthropic.rewriteModelList!([list], { aliases: { quick: "claude-3-5-haiku-latest", other: "nope" }, strict: false }, "/v1/models");
    expect(out).toEqual({
      data: [
        list.data[0],
        { type: "model", id: "quick", display_name: "quick", created_at: "2024-10-22T00:00:00Z" },
        { type: "model", id: "other", display_name: "other", created_at: "1970-01-01T00:00:00Z" },
      ],
      has_more: false,
      first_id: "claude-3-5-haiku-latest",
      last_id: "other",
    });
    const empty = anthropic.rewriteModelList!([list], { aliases: {}, strict: true }, "/v1/models");
    expect(empty).toMatchObject({ data: [], first_id: null, last_id: null });
  });

  it("namesGeminiAliasesModelsSlashAliasInTheNativeList", () => {
    const list = {
      models: [{ name: "models/gemini-2.0-flash", displayName: "Gemini 2.0 Flash", inputTokenLimit: 1_048_576, supportedGenerationMethods: ["generateContent"] }],
      nextPageToken: "tok",
    };
    const out = gemini.rewriteModelList!([list], { aliases: { flash: "models/gemini-2.0-flash", pro: "gemini-9-pro" }, strict: false }, "/v1beta/models");
    expect(out).toEqual({
      models: [
        list.models[0],
        { name: "models/flash", displayName: "flash", inputTokenLimit: 1_048_576, supportedGenerationMethods: ["generateContent"] },
        { name: "models/pro", displayName: "pro" },
      ],
      nextPageToken: "tok",
    });
    // An alias spelled like an upstream model (with or without "models/") is not listed twice.
    const same = gemini.rewriteModelList!([list], { aliases: { "gemini-2.0-flash": "gemini-9" }, strict: false }, "/v1/models");
    expect(same!.models).toHaveLength(1);
  });

  it("listsGeminiAliasesAsSpelledInTheOpenAiCompatibleList", () => {
    const list = { object: "list", data: [{ id: "models/gemini-2.0-flash", object: "model", created: 0, owned_by: "google" }] };
    const out = gemini.rewriteModelList!([list], { aliases: { flash: "gemini-2.0-flash" }, strict: true }, "/v1beta/openai/models");
    expect(out).toEqual({ object: "list", data: [{ id: "flash", object: "model", created: 0, owned_by: "google" }] });
  });

  it("stripsGeminisModelsPrefix", () => {
    expect(stripModelsPrefix("models/x")).toBe("x");
    expect(stripModelsPrefix("x")).toBe("x");
  });
});
