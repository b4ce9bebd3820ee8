// The channel registry: channel id -> channel, one line per provider. Adding a provider is one
// new file in channels/ and one line here; nothing else may hold a list of channels.

import type { Channel, ChannelId } from "./types.ts";
import { anthropic } from "./anthropic.ts";
import { gemini } from "./gemini.ts";
import { openai } from "./openai.ts";
import { openaiResponses } from "./openai-responses.ts";

export const CHANNELS: Readonly<Record<ChannelId, Channel>> = Object.freeze({
  openai,
  "openai-responses": openaiResponses,
  anthropic,
  gemini,
});

export const CHANNEL_IDS: readonly ChannelId[] = Object.freeze(Object.keys(CHANNELS) as ChannelId[]);

export function isChannelId(id: string): id is ChannelId {
  return Object.hasOwn(CHANNELS, id);
}

/** The channel named `id`, or undefined for an unknown id (e.g. a stale config value). */
export function getChannel(id: string): Channel | undefined {
  return isChannelId(id) ? CHANNELS[id] : undefined;
}
