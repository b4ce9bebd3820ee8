// The one attempt loop for every channel: pick a key never tried in this request (through an
// aggregate's members when the group has them) and an upstream, send, classify with the channel,
// report to the pool, and retry elsewhere while attempts and the time budget last (DESIGN table).

import type { Channel } from "../channels/types.ts";
import type { GroupRegistry, GroupRuntime } from "../pool/group-registry.ts";
import type { SubGroups } from "../pool/sub-groups.ts";
import type { KeyRecord } from "../pool/types.ts";
import { ERROR_BODY_MAX_BYTES, readCapped, sendUpstream } from "./forward.ts";
import { buildUpstreamHeaders, type HeaderVariables } from "./headers.ts";
import { relayAnswer, relaySuccess } from "./relay.ts";
import { prepareRequest, type PreparedRequest, type RequestBody } from "./request-body.ts";
import { bodyForLog, finishRecord, type LogSink, type RequestRecord } from "./request-record.ts";
import { nativeError } from "./respond.ts";

/** Text of an error answer given to classify (the client still gets every byte read). */
const CLASSIFY_TEXT_MAX_BYTES = 64 * 1024;

export interface LoopInput {
  channel: Channel;
  group: GroupRuntime;
  /** The member picker of an aggregate group; undefined for an ordinary group. */
  members: SubGroups<number> | undefined;
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

/** What the client gets if no attempt succeeds: the last upstream answer, or the gateway's own error. */
type LastFailure =
  | { kind: "answer"; status: number; headers: Headers; bytes: Uint8Array; errorClass: string; reason: string }
  | { kind: "gateway"; status: number; errorClass: string; message: string };

function pickTarget(input: LoopInput, now: number, tried: ReadonlySet<number>): Picked | undefined {
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

export async function runAttempts(input: LoopInput): Promise<Response> {
  const { channel, group, record, sink, vars } = input;
  const entry = record.entry;
  const policy = group.policy;
  const deadline = record.startedAt + policy.requestBudgetMs;
  const triedKeys = new Set<number>();
  const failedUpstreams = new Set<string>();
  const prepared = new Map<number, PreparedRequest>();
  let last: LastFailure | undefined;

  for (let attempt = 0; attempt < policy.maxAttempts; attempt++) {
    if (attempt > 0 && performance.now() >= deadline) break;
    const now = input.now();
    const picked = pickTarget(input, now, triedKeys);
    if (picked === undefined) break;
    const { target, key } = picked;
    triedKeys.add(key.id);
    if (target !== group) entry.subGroupName = target.name;

    let prep = prepared.get(target.id);
    if (prep === undefined) {
      prep = prepareRequest(channel, input.nativePath, input.body, target);
      prepared.set(target.id, prep);
    }
    if (prep.kind === "unknown-model") {
      entry.model = prep.model;
      const message = `model "${prep.model}" is not offered by group "${group.name}"; use one of: ${Object.keys(target.modelRedirect).join(", ")}`;
      finishRecord(record, sink, { status: 400, errorClass: "unknown-model", error: message });
      return nativeError(channel, 400, message, { requestId: vars.requestId });
    }
    entry.model = prep.model;
    entry.upstreamModel = prep.upstreamModel;
    if (attempt === 0 && target.policy.logBodies) entry.requestBody = bodyForLog(prep.body, target.policy.logBodyMaxBytes);

    const upstream = target.upstreams.pick(now, failedUpstreams);
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
    const headers = buildUpstreamHeaders(input.clientHeaders, channel.defaultHeaders, rules, vars);
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
        finishRecord(record, sink, { status: 499, errorClass: "client-gone", error: "client went away before the upstream answered" });
        return new Response(null, { status: 499 });
      }
      attemptLog.error_class = "upstream-failure";
      target.upstreams.reportFailure(upstream.url, after);
      target.keys.report(key.id, { kind: "upstream-failure", reason: sent.message }, after, input.rand, target.policy.cooldown);
      failedUpstreams.add(upstream.url);
      last = { kind: "gateway", status: sent.reason === "timeout" ? 504 : 502, errorClass: "upstream-failure", message: sent.message };
      continue;
    }

    const response = sent.response;
    attemptLog.status = response.status;
    if (entry.ttfbMs === null || attempt > 0) entry.ttfbMs = Math.round(performance.now() - record.startedAt);

    if (response.status < 400) {
      attemptLog.duration_ms = Math.round(performance.now() - attemptStart);
      target.upstreams.reportSuccess(upstream.url, after);
      target.keys.report(key.id, { kind: "success" }, after, input.rand, target.policy.cooldown);
      entry.errorClass = null;
      entry.error = null;
      return relaySuccess({
        response,
        control: sent.control,
        channel,
        method: input.method,
        requestId: vars.requestId,
        policy: target.policy,
        record,
        sink,
        onUpstreamBroke: () => target.upstreams.reportFailure(upstream.url, input.now()),
      });
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
        finishRecord(record, sink, { status: 499, errorClass: "client-gone", error: "client went away before the upstream answered" });
        return new Response(null, { status: 499 });
      }
      attemptLog.error_class = "upstream-failure";
      target.upstreams.reportFailure(upstream.url, input.now());
      failedUpstreams.add(upstream.url);
      last = { kind: "gateway", status: 502, errorClass: "upstream-failure", message: `the upstream's ${response.status} answer broke off` };
      continue;
    }
    sent.control.release();
    attemptLog.duration_ms = Math.round(performance.now() - attemptStart);
    const text = new TextDecoder().decode(answer.bytes.byteLength > CLASSIFY_TEXT_MAX_BYTES ? answer.bytes.subarray(0, CLASSIFY_TEXT_MAX_BYTES) : answer.bytes);
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
      failedUpstreams.add(upstream.url);
    } else {
      target.upstreams.reportSuccess(upstream.url, after);
    }
    const reason = "reason" in event ? event.reason : `${response.status}`;
    attemptLog.error_class = event.kind;
    if (target.policy.logBodies) entry.responseBody = bodyForLog(answer.bytes, target.policy.logBodyMaxBytes);

    if (event.kind === "client-error" || event.kind === "success") {
      finishRecord(record, sink, { status: response.status, errorClass: event.kind === "success" ? null : "client-error", error: event.kind === "success" ? null : reason });
      return relayAnswer({ status: response.status, headers: response.headers, bytes: answer.bytes }, vars.requestId);
    }
    last = { kind: "answer", status: response.status, headers: response.headers, bytes: answer.bytes, errorClass: event.kind, reason };
  }

  if (last?.kind === "answer") {
    finishRecord(record, sink, { status: last.status, errorClass: last.errorClass, error: last.reason });
    return relayAnswer(last, vars.requestId);
  }
  if (last?.kind === "gateway") {
    finishRecord(record, sink, { status: last.status, errorClass: last.errorClass, error: last.message });
    return nativeError(channel, last.status, last.message, { requestId: vars.requestId });
  }
  return noUsableKey(input);
}

/** 503 when not one key could be tried: says which states the keys are in. */
function noUsableKey(input: LoopInput): Response {
  const { group, record, sink, channel } = input;
  const now = input.now();
  const members = input.members ? group.subGroups.map((s) => input.registry.byId(s.groupId)).filter((g) => g !== undefined) : [group];
  const c = { total: 0, active: 0, cooldown: 0, invalid: 0, disabled: 0 };
  for (const g of members) {
    const n = g.keys.counts(now);
    c.total += n.total;
    c.active += n.active;
    c.cooldown += n.cooldown;
    c.invalid += n.invalid;
    c.disabled += n.disabled;
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
  finishRecord(record, sink, { status: 503, errorClass: "no-keys", error: message });
  return nativeError(channel, 503, message, { requestId: input.vars.requestId });
}
