// Ready-to-paste client snippets for a group's endpoint: OpenAI, Anthropic, Gemini SDKs and curl.
// Base URL conventions follow STACK-NOTES ("The official SDKs as clients").

import type { ChannelType } from "../api/groups.ts";

export type SnippetKind = "openai" | "anthropic" | "gemini" | "curl";

export function groupEndpoint(origin: string, groupName: string): string {
  return `${origin}/proxy/${groupName}`;
}

export function snippet(kind: SnippetKind, origin: string, groupName: string, channel: ChannelType, model = "MODEL"): string {
  const base = groupEndpoint(origin, groupName);
  switch (kind) {
    case "openai":
      return `import OpenAI from "openai";\n\nconst client = new OpenAI({ apiKey: process.env.POOLGATE_KEY, baseURL: "${base}/v1" });\nconst reply = await client.chat.completions.create({ model: "${model}", messages: [{ role: "user", content: "Hello" }] });`;
    case "anthropic":
      return `import Anthropic from "@anthropic-ai/sdk";\n\nconst client = new Anthropic({ apiKey: process.env.POOLGATE_KEY, baseURL: "${base}" });\nconst reply = await client.messages.create({ model: "${model}", max_tokens: 256, messages: [{ role: "user", content: "Hello" }] });`;
    case "gemini":
      return `import { GoogleGenAI } from "@google/genai";\n\nconst ai = new GoogleGenAI({ apiKey: process.env.POOLGATE_KEY, httpOptions: { baseUrl: "${base}" } });\nconst reply = await ai.models.generateContent({ model: "${model}", contents: "Hello" });`;
    case "curl": {
      if (channel === "anthropic") {
        return `curl ${base}/v1/messages \\\n  -H "x-api-key: $POOLGATE_KEY" -H "anthropic-version: 2023-06-01" -H "content-type: application/json" \\\n  -d '{"model":"${model}","max_tokens":256,"messages":[{"role":"user","content":"Hello"}]}'`;
      }
      if (channel === "gemini") {
        return `curl "${base}/v1beta/models/${model}:generateContent" \\\n  -H "x-goog-api-key: $POOLGATE_KEY" -H "content-type: application/json" \\\n  -d '{"contents":[{"parts":[{"text":"Hello"}]}]}'`;
      }
      const path = channel === "openai-responses" ? "/v1/responses" : "/v1/chat/completions";
      const body = channel === "openai-responses" ? `{"model":"${model}","input":"Hello"}` : `{"model":"${model}","messages":[{"role":"user","content":"Hello"}]}`;
      return `curl ${base}${path} \\\n  -H "Authorization: Bearer $POOLGATE_KEY" -H "content-type: application/json" \\\n  -d '${body}'`;
    }
  }
}

/** The SDK snippet kinds that make sense for a channel (curl always). */
export function snippetKindsFor(channel: ChannelType): SnippetKind[] {
  if (channel === "anthropic") return ["anthropic", "curl"];
  if (channel === "gemini") return ["gemini", "curl"];
  return ["openai", "curl"];
}
