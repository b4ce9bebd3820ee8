// Model lists (`GET .../models`) through a group with model_redirect or an aggregate group: the
// list names what clients can actually ask for (issue 3). Decides when to rewrite and gathers
// the upstream lists through the attempt loop; the list shapes belong to each channel's file.
// Any other list passes through the ordinary relay, byte for byte.

import type { ModelListPlan } from "../channels/model-list.ts";
import type { GroupRuntime } from "../pool/group-registry.ts";
import { attemptLoop, settle, type LoopInput, type LoopOutcome } from "./attempt-loop.ts";
import { readCapped } from "./forward.ts";
import { relayAnswer } from "./relay.ts";
import { hasEntries } from "./request-body.ts";
import { bodyForLog, finishRecord } from "./request-record.ts";

/** A list answer larger than this is not rewritten (the gateway answers 502 instead). */
export const MODEL_LIST_MAX_BYTES = 32 * 1024 * 1024;

const MERGE_ONLY: ModelListPlan = Object.freeze({ aliases: Object.freeze({}), strict: false });
const decoder = new TextDecoder();

/** True when this request lists models and the group changes what may be asked for. */
export function rewritesModelList(input: LoopInput): boolean {
  const { channel } = input;
  if (input.method !== "GET" || channel.rewriteModelList === undefined || !channel.isModelList(input.nativePath)) return false;
  return input.members !== undefined || hasEntries(input.group.modelRedirect);
}

type Fetched = { kind: "list"; status: number; headers: Headers; bytes: Uint8Array; parsed: unknown } | { kind: "failed"; outcome: Exclude<LoopOutcome, { kind: "success" }> };

/** One group's list through the attempt loop (pinned to a member for an aggregate), read whole. */
async function fetchList(input: LoopInput, member: GroupRuntime | undefined): Promise<Fetched> {
  const outcome = await attemptLoop(member === undefined ? input : { ...input, pinned: member });
  if (outcome.kind !== "success") return { kind: "failed", outcome };
  const { response, control, target, upstreamUrl } = outcome;
  control.arm(Math.max(1, input.record.startedAt + target.policy.totalTimeoutMs - performance.now()), "total-timeout");
  let read: { bytes: Uint8Array; truncated: boolean };
  try {
    read = await readCapped(response.body, MODEL_LIST_MAX_BYTES);
  } catch {
    control.release();
    if (control.reason === "client-gone") return { kind: "failed", outcome: { kind: "client-gone", message: "client went away during the answer" } };
    target.upstreams.reportFailure(upstreamUrl, input.now());
    return { kind: "failed", outcome: { kind: "gateway", status: 502, errorClass: "stream-error", message: "the upstream's model list broke off" } };
  }
  control.release();
  if (read.truncated) {
    const message = `the upstream's model list is larger than ${MODEL_LIST_MAX_BYTES} bytes; it cannot be rewritten for model_redirect or an aggregate group`;
    return { kind: "failed", outcome: { kind: "gateway", status: 502, errorClass: "model-list", message } };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(decoder.decode(read.bytes));
  } catch {
    parsed = undefined;
  }
  return { kind: "list", status: response.status, headers: response.headers, bytes: read.bytes, parsed };
}

function planOf(group: GroupRuntime): ModelListPlan {
  return { aliases: group.modelRedirect, strict: group.modelRedirectStrict };
}

/**
 * Answers a model list. An ordinary group: its upstream's list plus (or, strict, only) its
 * redirect aliases. An aggregate: every enabled member asked in parallel, each through the
 * attempt loop pinned to it, each list rewritten with that member's own redirects, then the
 * union. All members are asked rather than the first one alone because members may sit on
 * other upstreams or accounts with other models, and requests go to whichever member is
 * picked; members that fail are left out, and only when all fail does the client get a failure.
 */
export async function listModels(input: LoopInput): Promise<Response> {
  const { channel, group, record } = input;
  const members: GroupRuntime[] = [];
  if (input.members !== undefined) {
    for (const s of group.subGroups) {
      const m = input.registry.byId(s.groupId);
      if (m !== undefined && m.enabled && !members.includes(m)) members.push(m);
    }
  }
  // An aggregate without a usable member runs the plain loop, which answers its 503.
  const pinned: (GroupRuntime | undefined)[] = members.length === 0 ? [undefined] : members;
  const fetched = await Promise.all(pinned.map((m) => fetchList(input, m)));

  const lists: unknown[] = [];
  let first: Extract<Fetched, { kind: "list" }> | undefined;
  let failure: Extract<Fetched, { kind: "failed" }> | undefined;
  for (let i = 0; i < fetched.length; i++) {
    const f = fetched[i]!;
    if (f.kind === "failed") {
      if (f.outcome.kind === "client-gone") return settle(input, f.outcome);
      failure ??= f;
      continue;
    }
    first ??= f;
    const rules = pinned[i] ?? group;
    const rewritten = channel.rewriteModelList!([f.parsed], planOf(rules), input.nativePath);
    if (rewritten !== undefined) lists.push(rewritten);
  }
  if (first === undefined) return settle(input, failure!.outcome);
  if (input.members !== undefined) record.entry.subGroupName = null;

  const merged = lists.length === 0 ? undefined : lists.length === 1 ? lists[0] : channel.rewriteModelList!(lists, MERGE_ONLY, input.nativePath);
  // Not the provider's list shape after all: the first answer is handed on as it came.
  const bytes = merged === undefined ? first.bytes : new TextEncoder().encode(JSON.stringify(merged));
  if (group.policy.logBodies) record.entry.responseBody = bodyForLog(bytes, group.policy.logBodyMaxBytes);
  finishRecord(record, input.sink, { status: first.status });
  return relayAnswer({ status: first.status, headers: first.headers, bytes }, input.vars.requestId);
}
