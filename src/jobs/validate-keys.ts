// Background key validation (issue 3): sends each key's channel probe to the group's upstream with
// bounded concurrency and a timeout, restores invalid keys that answer 2xx and invalidates keys the
// provider rejects, then publishes keys-changed so every node reloads the group. Owns the in-memory
// validation tasks (one per group at a time) and the periodic run. Never logs or returns a key value.

import type { Database } from "bun:sqlite";
import { redactSecrets } from "../channels/classify-response.ts";
import { getChannel } from "../channels/index.ts";
import type { Channel, StatusPolicy, ValidationProbe } from "../channels/types.ts";
import type { Bus } from "../cluster/bus.ts";
import type { SettingValues } from "../config/settings.ts";
import { mergeSettings, resolvePolicy } from "../pool/group-registry.ts";
import type { Db } from "../store/open.ts";
import { createValidationStore, SCOPE_STATUSES, type ValidationChange, type ValidationScope, type ValidationTask } from "../store/repos/key-validation.ts";
import { getGroup } from "../store/repos/groups.ts";
import { loadGroups, type GroupRow } from "../store/repos/pool-source.ts";
import type { SecretBox } from "../store/secrets.ts";

export const PROBE_TIMEOUT_MS = 20_000;
/** Error bodies are read up to this size: enough for any provider's error JSON. */
const MAX_ERROR_BODY_BYTES = 16 * 1024;

export type ProbeOutcome =
  | { kind: "valid" }
  /** The provider accepted the key but throttled it: never a reason to invalidate. */
  | { kind: "rate-limited"; reason: string }
  | { kind: "invalid"; reason: string }
  /** 5xx, other 4xx, redirect, timeout or network error: says nothing about the key. */
  | { kind: "unknown"; reason: string };

export interface KeyResult {
  id: number;
  outcome: ProbeOutcome;
}

export interface ProbeGroup {
  channelType: string;
  upstreams: readonly { url: string; weight: number }[];
  testModel: string;
  /** The group's validation_endpoint: replaces the channel probe's path when not empty. */
  validationEndpoint?: string;
  statuses: StatusPolicy;
}

export interface ValidateKeysInput {
  group: ProbeGroup;
  keys: readonly { id: number; value: string }[];
  fetch: typeof fetch;
  concurrency: number;
  signal?: AbortSignal;
  now: () => number;
  timeoutMs?: number;
  onProgress?: (result: KeyResult) => void;
}

/** The first upstream with a weight above 0 and an http(s) URL, or undefined. */
export function firstUsableUpstream(upstreams: ProbeGroup["upstreams"]): string | undefined {
  for (const u of upstreams) {
    if (u.weight <= 0) continue;
    try {
      const parsed = new URL(u.url);
      if (parsed.protocol === "http:" || parsed.protocol === "https:") return u.url;
    } catch {
      // not a URL: try the next one
    }
  }
  return undefined;
}

/**
 * Probes every key (at most `concurrency` at once) and classifies each answer. Stops taking new
 * keys once `signal` aborts; the results of keys already probed are returned.
 */
export async function validateKeys(input: ValidateKeysInput): Promise<KeyResult[]> {
  const channel = getChannel(input.group.channelType);
  if (channel === undefined) throw new Error(`unknown channel type "${input.group.channelType}"`);
  const base = firstUsableUpstream(input.group.upstreams);
  if (base === undefined) throw new Error("the group has no usable upstream URL (http or https, weight above 0)");
  const probe = channel.validationProbe(input.group.testModel);
  const path = input.group.validationEndpoint || probe.path;
  const target: ProbeTarget = { channel, probe, path, url: base.replace(/\/+$/, "") + path };

  const results: KeyResult[] = [];
  let next = 0;
  const worker = async () => {
    while (next < input.keys.length && !input.signal?.aborted) {
      const key = input.keys[next++]!;
      const result = { id: key.id, outcome: await probeKey(target, key.value, input) };
      results.push(result);
      input.onProgress?.(result);
    }
  };
  const workers = Math.max(1, Math.min(input.concurrency, input.keys.length));
  await Promise.all(Array.from({ length: workers }, worker));
  return results;
}

/** Where and how every key of one run is probed. */
interface ProbeTarget {
  channel: Channel;
  probe: ValidationProbe;
  path: string;
  url: string;
}

async function probeKey({ channel, probe, path, url }: ProbeTarget, key: string, input: ValidateKeysInput): Promise<ProbeOutcome> {
  const headers = new Headers(channel.defaultHeaders);
  if (probe.body !== undefined) headers.set("content-type", "application/json");
  channel.injectKey(headers, key, path);
  const timeoutMs = input.timeoutMs ?? PROBE_TIMEOUT_MS;
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = input.signal ? AbortSignal.any([input.signal, timeout]) : timeout;
  try {
    const response = await input.fetch(url, { method: probe.method, headers, body: probe.body, signal, redirect: "manual" });
    if (response.status >= 200 && response.status < 300) {
      await response.arrayBuffer(); // drained so the connection is reused
      return { kind: "valid" };
    }
    if (response.status < 400) {
      await response.body?.cancel();
      return { kind: "unknown", reason: `${response.status} unexpected answer (redirect)` };
    }
    const bodyText = await readCapped(response, MAX_ERROR_BODY_BYTES);
    const event = channel.classify({ status: response.status, headers: response.headers, bodyText, now: input.now(), statuses: input.group.statuses, key });
    switch (event.kind) {
      case "success":
        return { kind: "valid" };
      case "invalid":
        return { kind: "invalid", reason: redactSecrets(event.reason, key) };
      case "rate-limited":
        return { kind: "rate-limited", reason: redactSecrets(event.reason, key) };
      default:
        return { kind: "unknown", reason: redactSecrets(event.reason, key) };
    }
  } catch (err) {
    if (timeout.aborted) return { kind: "unknown", reason: `no answer within ${timeoutMs} ms` };
    if (input.signal?.aborted) return { kind: "unknown", reason: "validation stopped" };
    return { kind: "unknown", reason: redactSecrets(`network error: ${err instanceof Error ? err.message : String(err)}`, key) };
  }
}

async function readCapped(response: Response, max: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < max) {
    const { done, value } = await reader.read();
    if (done) return new TextDecoder().decode(Buffer.concat(chunks));
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  return new TextDecoder().decode(Buffer.concat(chunks).subarray(0, max));
}

// ---- tasks: on demand (admin API) and periodic (scheduler) ----

/** Which keys a run tests: "active" includes cooling keys; disabled keys are never tested. */
export type StartValidation =
  | { kind: "started"; task: ValidationTask }
  | { kind: "running"; task: ValidationTask }
  | { kind: "not-found" }
  | { kind: "unusable"; field: string; message: string };

export interface ValidationLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface KeyValidationOptions {
  db: Db;
  sqlite: Database;
  box: SecretBox;
  bus: Bus;
  settings: () => SettingValues;
  fetch: typeof fetch;
  now: () => number;
  logger: ValidationLogger;
  /** Tasks kept in memory; the oldest finished ones are dropped first (default 100). */
  maxTasks?: number;
  timeoutMs?: number;
  /** State changes written (one transaction, one keys-changed event) every this many results. */
  applyBatch?: number;
  /** Writes the pool's in-memory key states to the database, so reads and writes here see them. */
  flushPool?: () => void;
  /** Told of the keys a run invalidated, once each, before the pool reloads them (the key.invalidated alert). */
  onInvalidated?: (groupId: number, keys: readonly { id: number; reason: string | null }[]) => void;
}

export type { ValidationScope, ValidationTask };

export interface KeyValidation {
  start(groupId: number, scope: ValidationScope, trigger?: ValidationTask["trigger"]): StartValidation;
  /** A copy of the task, or undefined (unknown or evicted). */
  get(id: string): ValidationTask | undefined;
  /** Resolves with the finished task (at once for a finished or unknown one). */
  finished(id: string): Promise<ValidationTask | undefined>;
  /** The periodic job: runs when validation_interval_minutes (0 = never) has passed since the last run. */
  runScheduled(): Promise<void>;
  /** Stops taking keys, waits for running tasks to write what they found. */
  stop(): Promise<void>;
}

export function createKeyValidation(options: KeyValidationOptions): KeyValidation {
  const { sqlite, now } = options;
  const maxTasks = options.maxTasks ?? 100;
  const applyBatch = options.applyBatch ?? 1000;
  const tasks = new Map<string, ValidationTask>();
  const running = new Map<number, { task: ValidationTask; done: Promise<void> }>();
  const stopper = new AbortController();
  let lastScheduledAt: number | null = null;

  const store = createValidationStore(sqlite);

  const evict = () => {
    for (const [id, task] of tasks) {
      if (tasks.size <= maxTasks) break;
      if (task.status !== "running") tasks.delete(id);
    }
  };

  const run = async (task: ValidationTask, group: GroupRow, settings: ReturnType<typeof mergeSettings>) => {
    const pending: ValidationChange[] = [];
    const flush = () => {
      if (pending.length === 0) return;
      options.flushPool?.();
      const applied = store.apply(group.id, pending.splice(0), now());
      task.restored += applied.restored;
      task.invalidated += applied.invalidated.length;
      if (applied.invalidated.length > 0) options.onInvalidated?.(group.id, applied.invalidated);
      if (applied.restored + applied.invalidated.length > 0) options.bus.publish({ kind: "keys-changed", groupId: group.id });
    };
    try {
      options.flushPool?.();
      const keys: { id: number; value: string }[] = [];
      for (const row of store.keysIn(group.id, SCOPE_STATUSES[task.scope])) {
        try {
          keys.push({ id: row.id, value: options.box.decrypt(row.value_enc) });
        } catch {
          task.unknown++;
          task.done++;
        }
      }
      task.total = keys.length + task.done;
      await validateKeys({
        group: {
          channelType: group.channelType,
          upstreams: group.upstreams,
          testModel: group.testModel,
          validationEndpoint: group.validationEndpoint,
          statuses: resolvePolicy(settings).statuses,
        },
        keys,
        fetch: options.fetch,
        concurrency: Number(settings.validation_concurrency) || 8,
        signal: stopper.signal,
        now,
        timeoutMs: options.timeoutMs,
        onProgress: ({ id, outcome }) => {
          task.done++;
          if (outcome.kind === "valid" || outcome.kind === "rate-limited") task.valid++;
          if (outcome.kind === "rate-limited") task.rateLimited++;
          if (outcome.kind === "valid") pending.push({ id, kind: "restore", reason: null });
          if (outcome.kind === "invalid") {
            task.invalid++;
            pending.push({ id, kind: "invalidate", reason: outcome.reason });
          }
          if (outcome.kind === "unknown") task.unknown++;
          if (pending.length >= applyBatch) flush();
        },
      });
      flush();
      if (stopper.signal.aborted && task.done < task.total) throw new Error("the server stopped before every key was tested");
      task.status = "done";
    } catch (err) {
      flush();
      task.status = "failed";
      task.error = err instanceof Error ? err.message : "validation failed";
    } finally {
      task.finishedAt = now();
      running.delete(group.id);
      evict();
      const { id, groupId, scope, trigger, status, total, valid, invalid, unknown, restored, invalidated } = task;
      options.logger.info("key validation finished", { task_id: id, group_id: groupId, scope, trigger, status, total, valid, invalid, unknown, restored, invalidated });
    }
  };

  const start = (groupId: number, scope: ValidationScope, trigger: ValidationTask["trigger"] = "manual"): StartValidation => {
    const busy = running.get(groupId);
    if (busy) return { kind: "running", task: { ...busy.task } };
    if (stopper.signal.aborted) return { kind: "unusable", field: "id", message: "the server is stopping; try again on another node or after the restart" };
    const group = getGroup(options.db, groupId);
    if (!group) return { kind: "not-found" };
    if (group.subGroups.length) {
      return { kind: "unusable", field: "id", message: `"${group.name}" is an aggregate group and holds no keys; validate its sub-groups` };
    }
    if (!getChannel(group.channelType)) return { kind: "unusable", field: "channel_type", message: `unknown channel type "${group.channelType}"` };
    if (firstUsableUpstream(group.upstreams) === undefined) {
      return { kind: "unusable", field: "upstreams", message: `"${group.name}" has no usable upstream (an http(s) URL with weight above 0) to validate against` };
    }
    const task: ValidationTask = {
      id: crypto.randomUUID(),
      kind: "validate-keys",
      groupId,
      scope,
      trigger,
      status: "running",
      ...{ total: 0, done: 0, valid: 0, invalid: 0, unknown: 0, rateLimited: 0, restored: 0, invalidated: 0 },
      startedAt: now(),
      finishedAt: null,
    };
    tasks.set(task.id, task);
    const settings = mergeSettings(options.settings(), group.config);
    running.set(groupId, { task, done: run(task, group, settings) });
    return { kind: "started", task: { ...task } };
  };

  return {
    start,
    get(id) {
      const task = tasks.get(id);
      return task ? { ...task } : undefined;
    },
    async finished(id) {
      const task = tasks.get(id);
      if (task?.status === "running") await running.get(task.groupId)?.done;
      return task ? { ...task } : undefined;
    },
    async runScheduled() {
      const minutes = Number(options.settings().validation_interval_minutes ?? 0);
      if (!(minutes > 0)) return;
      const at = now();
      if (lastScheduledAt !== null && at - lastScheduledAt < minutes * 60_000) return;
      lastScheduledAt = at;
      // One group after another, so a run never has more than validation_concurrency probes in flight.
      for (const group of loadGroups(options.db)) {
        if (stopper.signal.aborted) return;
        if (!group.enabled || group.subGroups.length) continue;
        const scope: ValidationScope = mergeSettings(options.settings(), group.config).validate_active_keys === true ? "all" : "invalid";
        if (store.countIn(group.id, SCOPE_STATUSES[scope]) === 0) continue;
        const started = start(group.id, scope, "schedule");
        if (started.kind === "started") await running.get(group.id)?.done;
        else if (started.kind === "unusable") options.logger.warn("periodic key validation skipped a group", { group_id: group.id, reason: started.message });
      }
    },
    async stop() {
      stopper.abort();
      await Promise.all([...running.values()].map((r) => r.done));
    },
  };
}
