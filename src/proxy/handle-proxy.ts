// One client request through the data plane: group lookup, client auth and its per-minute limit,
// body under the size cap, then the attempt loop; every path ends in exactly one log entry.
// Framework-free (takes a Request); state only through the registry and callbacks passed in.

import type { Channel } from "../channels/types.ts";
import type { GroupRegistry, GroupRuntime } from "../pool/group-registry.ts";
import { createRateWindow } from "../pool/rate-window.ts";
import { createSubGroups, type SubGroups } from "../pool/sub-groups.ts";
import type { AccessKeyUsage } from "./access-key-usage.ts";
import { runAttempts, type LoopInput } from "./attempt-loop.ts";
import { checkAccess, forwardQuery, formatBytes, MISSING_KEY_MESSAGE, readBody, readClientKey, splitProxyUrl, type AccessKeyInfo } from "./intake.ts";
import { listModels, rewritesModelList } from "./model-list.ts";
import { createRequestBody } from "./request-body.ts";
import { createRecord, finishRecord, type LogSink } from "./request-record.ts";
import { guessChannelId, nativeError, refuse } from "./respond.ts";

export interface ProxyDeps {
  groups: GroupRegistry;
  getChannel: (id: string) => Channel | undefined;
  /** Looks an access key up by its secret (app.ts: keyed hash, then a map lookup). */
  authenticate: (secret: string) => AccessKeyInfo | undefined;
  logQueue: LogSink;
  /** The max_body_bytes setting, read per request (hot-reloadable). */
  maxBodyBytes: () => number;
  /** Counts requests per access key in memory (app.ts writes them behind); absent = not counted. */
  accessKeyUsage?: AccessKeyUsage;
  fetch?: typeof fetch;
  now?: () => number;
  rand?: () => number;
}

export type ProxyHandler = (request: Request, groupName: string, clientIp: string | null) => Promise<Response>;

export function createProxyHandler(deps: ProxyDeps): ProxyHandler {
  const now = deps.now ?? Date.now;
  const rand = deps.rand ?? Math.random;
  const doFetch = deps.fetch ?? fetch;
  const accessRates = createRateWindow();
  const memberPickers = new WeakMap<GroupRuntime, SubGroups<number>>();
  const sink = deps.logQueue;

  function membersOf(group: GroupRuntime): SubGroups<number> | undefined {
    if (group.subGroups.length === 0) return undefined;
    let picker = memberPickers.get(group);
    if (picker === undefined) {
      picker = createSubGroups(group.subGroups.map((s) => ({ id: s.groupId, weight: s.weight })));
      memberPickers.set(group, picker);
    }
    return picker;
  }

  return async function handleProxy(request, groupName, clientIp) {
    const requestId = crypto.randomUUID();
    const { nativePath, search } = splitProxyUrl(request.url, groupName);
    // A name the admin rules would refuse is simply not in the registry: no pattern test here.
    const group = deps.groups.byName(groupName);
    if (group === undefined) {
      const guess = deps.getChannel(guessChannelId(nativePath, request.headers));
      const message = `unknown group "${groupName}": no group of that name exists; check the /proxy/<group>/ part of the base URL`;
      return guess ? nativeError(guess, 404, message, { requestId }) : new Response(message, { status: 404 });
    }
    const channel = deps.getChannel(group.channelType);
    const record = createRecord({
      ts: now(),
      requestId,
      groupName: group.name,
      channel: group.channelType,
      clientIp,
      userAgent: request.headers.get("user-agent"),
    });
    record.entry.groupId = group.id;
    if (channel === undefined) {
      const message = `group "${group.name}" uses channel "${group.channelType}", which this version does not support`;
      finishRecord(record, sink, { status: 500, errorClass: "config", error: message });
      return new Response(JSON.stringify({ error: { message } }), { status: 500, headers: { "content-type": "application/json", "x-request-id": requestId } });
    }

    const secret = readClientKey(request.headers, search);
    if (secret === undefined) return refuse(channel, record, sink, { status: 401, errorClass: "auth", message: MISSING_KEY_MESSAGE });
    const info = deps.authenticate(secret);
    const t = record.entry.ts;
    const access = checkAccess(info, group, t);
    if (!access.ok) return refuse(channel, record, sink, { status: access.status, errorClass: "auth", message: access.message });
    record.entry.accessKeyId = info!.id;
    record.entry.accessKeyName = info!.name;
    if (!group.enabled) return refuse(channel, record, sink, { status: 403, errorClass: "group-disabled", message: `group "${group.name}" is disabled; enable it in the admin UI` });
    if (info!.rpmLimit !== null && info!.rpmLimit > 0) {
      const d = accessRates.take(info!.id, info!.rpmLimit, t);
      if (!d.allowed) {
        const message = `access key "${info!.name}" is over its limit of ${info!.rpmLimit} requests per minute; retry later`;
        return refuse(channel, record, sink, { status: 429, errorClass: "access-key-rate-limit", message, retryAfterS: d.retryAfterMs / 1000 });
      }
    }
    // Every request admitted past auth and the rate limit counts, whatever the upstream answers.
    deps.accessKeyUsage?.count(info!.id, t);

    const cap = deps.maxBodyBytes();
    let read: Awaited<ReturnType<typeof readBody>>;
    try {
      read = await readBody(request, cap);
    } catch {
      finishRecord(record, sink, { status: 499, errorClass: "client-gone", error: "client went away while sending the body" });
      return new Response(null, { status: 499 });
    }
    if (read.kind === "too-large") {
      return refuse(channel, record, sink, { status: 413, errorClass: "body-too-large", message: `request body is larger than ${formatBytes(cap)} (max_body_bytes); send a smaller body` });
    }

    try {
      const input: LoopInput = {
        channel,
        group,
        members: membersOf(group),
        registry: deps.groups,
        method: request.method,
        nativePath,
        query: forwardQuery(search),
        clientHeaders: request.headers,
        clientSignal: request.signal,
        body: createRequestBody(read.bytes, request.headers.get("content-type")),
        vars: { clientIp: clientIp ?? "", groupName: group.name, requestId },
        record,
        sink,
        fetch: doFetch,
        now,
        rand,
      };
      return await (rewritesModelList(input) ? listModels(input) : runAttempts(input));
    } catch (error) {
      // A bug, not an upstream answer: the client gets a generic native error, the log the detail.
      const detail = error instanceof Error ? error.message : String(error);
      if (!record.finished) finishRecord(record, sink, { status: 500, errorClass: "internal", error: detail });
      return nativeError(channel, 500, `internal gateway error (request id ${requestId})`, { requestId });
    }
  };
}
