// The one attempt loop for every channel: pick a key never tried in this request (through an
// aggregate's members when the group has them) and an upstream, send, classify with the channel,
// report to the pool, and retry elsewhere while attempts and the time budget last (DESIGN table).
// attemptLoop() only decides the outcome; settle() turns a failed one into the client's answer.

import type { Channel } from "../channels/types.ts";
import type { GroupRegistry, GroupRuntime } from "../pool/group-registry.ts";
import type { SubGroups } from "../pool/sub-groups.ts";
import type { KeyRecord } from "../pool/types.ts";
import { ERROR_BODY_MAX_BYTES, readCapped, sendUpstream, type AttemptControl } from "./forward.ts";
import { buildUpstreamHeaders, type HeaderVariables } from "./headers.ts";
import { relayAnswer, relaySuccess } from "./relay.ts";
import { prepareRequest, type PreparedRequest, type RequestBody } from "./request-body.ts";
import { bodyForLog, finishRecord, type LogSink, type RequestRecord } from "./request-record.ts";
import { refuse } from "./respond.ts";

/** Text of an error answer given to classify (the client still gets every byte read). */
const CLASSIFY_TEXT_MAX_BYTES = 64 * 1024;

const decoder = new TextDecoder();
const SUCCESS = { kind: "success" } as const;
const NO_KEYS: ReadonlySet<number> = new Set();
const NO_URLS: ReadonlySet<string> = new Set();

export interface LoopInput {
  channel: Channel;
  group: GroupRuntime;
  /** The member picker of an aggregate group; undefined for an ordinary group. */
  members: SubGroups<number> | undefined;
  /** Only this member of the aggregate is tried (a model list asks every member in turn). */
  pinned?: GroupRuntime;
  registry: GroupRegistry;
  method: string;
  nativePath: string;
  /** Query to forward ("" or "?..."), client credentials already removed. */
  query: string;
  clientHeaders: Headers;
  clientSignal: AbortSignal;
  body: RequestBody;
  vars: HeaderVariables;
  record: RequestRecord;
  sink: LogSink;
  fetch: typeof fetch;
  now: () => number;
  rand: () => number;
}

type Picked = { target: GroupRuntime; key: KeyRecord };

/**
 * How the loop ended: an upstream success still to be relayed, an upstream answer to hand on
 * as it is (a client error, or the last failure), the gateway's own error, or the client gone.
 */
export type LoopOutcome =
  | { kind: "success"; response: Response; control: AttemptControl; target: GroupRuntime; upstreamUrl: string }
  | { kind: "answer"; status: number; headers: Headers; bytes: Uint8Array; errorClass: string | null; reason: string | null }
  | { kind: "gateway"; status: number; errorClass: string; message: string; retryAfterS?: number }
  | { kind: "client-gone"; message: string };

const CLIENT_GONE: LoopOutcome = { kind: "client-gone", message: "client went away before the upstream answered" };

function pickTarget(input: LoopInput, now: number, tried: ReadonlySet<number>): Picked | undefined {
  if (input.pinned !== undefined) {
    const key = input.pinned.keys.pick(now, tried);
    return key && { target: input.pinned, key };
  }
  if (input.members === undefined) {
    const key = input.group.keys.pick(now, tried);
    return key && { target: input.group, key };
  }
  let picked: Picked | undefined;
  input.members.pickMember(now, (id) => {
    const member = input.registry.byId(id);
    if (member === undefined || !member.enabled) return false;
    const key = member.keys.pick(now, tried);
    if (key === undefined) return false;
    picked = { target: member, key };
    return true;
  });
  return picked;
}

function trimSlash(url: string): string {
  return url.endsWith("/") ? url.slice(0, -1) : url;
}

/** The whole client request: the loop, then the relay of its success or the failure's answer. */
export async function runAttempts(input: LoopInput): Promise<Response> {
  const outcome = await attemptLoop(input);
  if (outcome.kind !== "success") return settle(input, outcome);
  const { target, upstreamUrl } = outcome;
  return relaySuccess({
    response: outcome.response,
    control: outcome.control,
    channel: input.channel,
    method: input.method,
    requestId: input.vars.requestId,
    policy: target.policy,
    record: input.record,
    sink: input.sink,
    onUpstreamBroke: () => target.upstreams.reportFailure(upstreamUrl, input.now()),
  });
}

/** Finishes the log entry of a request that ended without a success to relay, and answers. */
export function settle(input: LoopInput, outcome: Exclude<LoopOutcome, { kind: "success" }>): Response {
  const { record, sink, vars } = input;
  switch (outcome.kind) {
    case "client-gone":
      finishRecord(record, sink, { status: 499, errorClass: "client-gone", error: outcome.message });
      return new Response(null, { status: 499 });
    case "answer":
      finishRecord(record, sink, { status: outcome.status, errorClass: outcome.errorClass, error: outcome.reason });
      return relayAnswer(outcome, vars.requestId);
    case "gateway":
      return refuse(input.channel, record, sink, outcome);
  }
}

/**
 * Tries keys and upstreams until one answers with success or a client error, or attempts, time
 * or keys run out. Reports every outcome to the pool; never finishes the log entry itself.
 */
export async function attemptLoop(input: LoopInput): Promise<LoopOutcome> {
  const { channel, group, record } = input;
  const entry = record.entry;
  const policy = group.policy;
  const deadline = record.startedAt + policy.requestBudgetMs;
  // Allocated on the first retry: most requests are served by their first attempt.
  let firstKey = -1;
  let triedKeys: Set<number> | undefined;
  let failedUpstreams: Set<string> | undefined;
  let prepared: PreparedRequest | undefined;
  let preparedFor: GroupRuntime | undefined;
  let preparedByMember: Map<number, PreparedRequest> | undefined;
  let last: LoopOutcome | undefined;

  for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
    if (attempt > 0 && performance.now() >= deadline) break;
    const now = input.now();
    if (attempt === 1) triedKeys = new Set([firstKey]);
    const picked = pickTarget(input, now, triedKeys ?? NO_KEYS);
    if (picked === undefined) break;
    const { target, key } = picked;
    if (triedKeys === undefined) firstKey = key.id;
    else triedKeys.add(key.id);
    if (target !== group) entry.subGroupName = target.name;

    // Rules belong to the group that serves the attempt, so an aggregate prepares once per member.
    let prep: PreparedRequest;
    if (preparedFor === undefined || preparedFor === target) {
      prep = prepared ??= prepareRequest(channel, input.nativePath, input.body, target);
      preparedFor = target;
    } else {
      preparedByMember ??= new Map();
      let p = preparedByMember.get(target.id);
      if (p === undefined) {
        p = prepareRequest(channel, input.nativePath, input.body, target);
        preparedByMember.set(target.id, p);
      }
      prep = p;
    }
    if (prep.kind === "unknown-model") {
      entry.model = prep.model;
      const message = `model "${prep.model}" is not offered by group "${group.name}"; use one of: ${Object.keys(target.modelRedirect).join(", ")}`;
      return { kind: "gateway", status: 400, errorClass: "unknown-model", message };
    }
    entry.model = prep.model;
    entry.upstreamModel = prep.upstreamModel;
    if (attempt === 0 && target.policy.logBodies) entry.requestBody = bodyForLog(prep.body, target.policy.logBodyMaxBytes);

    const upstream = target.upstreams.pick(now, failedUpstreams ?? NO_URLS);
    if (upstream === undefined) {
      const none = target.upstreams.states(now).length === 0;
      last ??= {
        kind: "gateway",
        status: 503,
        errorClass: "no-upstream",
        message: none ? `group "${target.name}" has no upstream URL; add one` : `every upstream of group "${target.name}" is failing (circuit open); retry shortly`,
      };
      break;
    }
    entry.keyId = key.id;
    entry.keyMasked = key.masked;
    entry.upstreamUrl = upstream.url;

    const rules = target === group || group.headerRules.length === 0 ? target.headerRules : [...group.headerRules, ...target.headerRules];
    const headers = buildUpstreamHeaders(input.clientHeaders, channel.defaultHeaders, rules, input.vars);
    channel.injectKey(headers, key.value, prep.path);
    const attemptStart = performance.now();
    const budgetLeft = Math.max(1, deadline - attemptStart);
    const sent = await sendUpstream({
      fetch: input.fetch,
      url: trimSlash(upstream.url) + prep.path + input.query,
      method: input.method,
      headers,
      body: prep.body,
      clientSignal: input.clientSignal,
      firstByteMs: Math.min(target.policy.firstByteTimeoutMs, budgetLeft),
    });
    const after = input.now();
    const attemptLog = { key_id: key.id, key_masked: key.masked, upstream: upstream.url, status: 0, error_class: null as string | null, duration_ms: 0 };
    entry.attempts.push(attemptLog);

    if (sent.kind === "failed") {
      attemptLog.duration_ms = Math.round(performance.now() - attemptStart);
      if (sent.reason === "client-gone") {
        attemptLog.error_class = "client-gone";
        return CLIENT_GONE;
      }
      attemptLog.error_class = "upstream-failure";
      target.upstreams.reportFailure(upstream.url, after);
      target.keys.report(key.id, { kind: "upstream-failure", reason: sent.message }, after, input.rand, target.policy.cooldown);
      (failedUpstreams ??= new Set()).add(upstream.url);
      last = { kind: "gateway", status: sent.reason === "timeout" ? 504 : 502, errorClass: "upstream-failure", message: sent.message };
      continue;
    }

    const response = sent.response;
    attemptLog.status = response.status;
    if (entry.ttfbMs === null || attempt > 0) entry.ttfbMs = Math.round(performance.now() - record.startedAt);

    if (response.status < 400) {
      attemptLog.duration_ms = Math.round(performance.now() - attemptStart);
      target.upstreams.reportSuccess(upstream.url, after);
      target.keys.report(key.id, SUCCESS, after, input.rand, target.policy.cooldown);
      entry.errorClass = null;
      entry.error = null;
      return { kind: "success", response, control: sent.control, target, upstreamUrl: upstream.url };
    }

    // An error answer: read it (capped) to classify it and, maybe, to hand the same bytes on.
    sent.control.watchIdle(target.policy.idleTimeoutMs);
    let answer: { bytes: Uint8Array; truncated: boolean };
    try {
      answer = await readCapped(response.body, ERROR_BODY_MAX_BYTES);
    } catch {
      sent.control.release();
      attemptLog.duration_ms = Math.round(performance.now() - attemptStart);
      if (sent.control.reason === "client-gone") {
        attemptLog.error_class = "client-gone";
        return CLIENT_GONE;
      }
      attemptLog.error_class = "upstream-failure";
      target.upstreams.reportFailure(upstream.url, input.now());
      (failedUpstreams ??= new Set()).add(upstream.url);
      last = { kind: "gateway", status: 502, errorClass: "upstream-failure", message: `the upstream's ${response.status} answer broke off` };
      continue;
    }
    sent.control.release();
    attemptLog.duration_ms = Math.round(performance.now() - attemptStart);
    const text = decoder.decode(answer.bytes.byteLength > CLASSIFY_TEXT_MAX_BYTES ? answer.bytes.subarray(0, CLASSIFY_TEXT_MAX_BYTES) : answer.bytes);
    const event = channel.classify({
      status: response.status,
      headers: response.headers,
      bodyText: text,
      now: after,
      statuses: target.policy.statuses,
      key: key.value,
    });
    target.keys.report(key.id, event, after, input.rand, target.policy.cooldown);
    if (event.kind === "upstream-failure") {
      target.upstreams.reportFailure(upstream.url, after);
      (failedUpstreams ??= new Set()).add(upstream.url);
    } else {
      target.upstreams.reportSuccess(upstream.url, after);
    }
    const reason = "reason" in event ? event.reason : `${response.status}`;
    attemptLog.error_class = event.kind;
    if (target.policy.logBodies) entry.responseBody = bodyForLog(answer.bytes, target.policy.logBodyMaxBytes);

    const handOn = { kind: "answer", status: response.status, headers: response.headers, bytes: answer.bytes } as const;
    if (event.kind === "success") return { ...handOn, errorClass: null, reason: null };
    if (event.kind === "client-error") return { ...handOn, errorClass: "client-error", reason };
    last = { ...handOn, errorClass: event.kind, reason };
  }

  return last ?? noUsableKey(input);
}

/** 503 when not one key could be tried: says which states the keys are in and when to retry. */
function noUsableKey(input: LoopInput): LoopOutcome {
  const { group } = input;
  const now = input.now();
  const members = input.pinned
    ? [input.pinned]
    : input.members
      ? group.subGroups.map((s) => input.registry.byId(s.groupId)).filter((g) => g !== undefined)
      : [group];
  const c = { total: 0, active: 0, cooldown: 0, invalid: 0, disabled: 0 };
  let usableAt = Infinity;
  for (const g of members) {
    const n = g.keys.counts(now);
    c.total += n.total;
    c.active += n.active;
    c.cooldown += n.cooldown;
    c.invalid += n.invalid;
    c.disabled += n.disabled;
    if (g.enabled) usableAt = Math.min(usableAt, g.keys.nextUsableAt(now) ?? Infinity);
  }
  const parts = [
    c.active && `${c.active} active but at their per-minute rate cap (key_rpm_limit)`,
    c.cooldown && `${c.cooldown} cooling down`,
    c.invalid && `${c.invalid} invalid`,
    c.disabled && `${c.disabled} disabled`,
  ].filter(Boolean);
  const message =
    c.total === 0
      ? `group "${group.name}" has no keys; add upstream keys to it`
      : `no usable key in group "${group.name}" right now (${c.total} keys: ${parts.join(", ")}); retry later or add keys`;
  // Retry-After only when a key comes back by itself (cooldown or rate cap window), never for invalid or disabled ones.
  const retryAfterS = usableAt === Infinity ? undefined : Math.max(1, Math.ceil((usableAt - now) / 1000));
  return { kind: "gateway", status: 503, errorClass: "no-keys", message, retryAfterS };
}
