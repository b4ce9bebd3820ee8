// Webhook alerts (issue 4): per-group error counts by minute (a log-queue observer, O(1),
// no allocation per request), a pure incident state machine evaluated with a given `now`, and a
// signed JSON sender over an injected fetch. Holds no timer (app.ts runs evaluate) and never logs
// the webhook URL or secret; a failed delivery is reported, never thrown.

import { createHmac } from "node:crypto";

export type AlertSeverity = "critical" | "warning" | "info";

export interface AlertPayload {
  /** `keys.low`, `key.invalidated`, `error_rate.high`, `circuit.open`, `test`; recoveries add `.resolved`. */
  event: string;
  severity: AlertSeverity;
  group?: string;
  message: string;
  details: Record<string, unknown>;
  /** ISO 8601. */
  ts: string;
  node?: string;
}

export type AlertDelivery = { kind: "delivered"; status: number } | { kind: "failed"; status: number | null; error: string } | { kind: "not-configured" };

// ---- error counts ---------------------------------------------------------------------------

/** Minutes of history kept per group: the largest alert_error_window_minutes. */
export const ERROR_WINDOW_MAX_MINUTES = 60;
const MINUTE = 60_000;

interface GroupBuckets {
  minute: Float64Array;
  requests: Float64Array;
  errors: Float64Array;
}

export interface ErrorCounter {
  /** One logged request: a Map lookup and two increments (a group's buckets are made once). */
  observe(entry: { ts: number; groupId: number | null; status: number }): void;
  /** Requests and errors of one group over the last `minutes` minutes (the current one included). */
  read(groupId: number, minutes: number, now: number): { requests: number; errors: number };
  forget(groupId: number): void;
}

/** A request counts as an error when the client got a 5xx or no status at all (gateway or upstream failure). */
export const isErrorStatus = (status: number): boolean => status >= 500 || status < 100;

export function createErrorCounter(): ErrorCounter {
  const byGroup = new Map<number, GroupBuckets>();
  return {
    observe(e) {
      if (e.groupId === null) return;
      let b = byGroup.get(e.groupId);
      if (b === undefined) {
        const n = ERROR_WINDOW_MAX_MINUTES;
        b = { minute: new Float64Array(n).fill(-1), requests: new Float64Array(n), errors: new Float64Array(n) };
        byGroup.set(e.groupId, b);
      }
      const minute = Math.floor(e.ts / MINUTE);
      const i = minute % ERROR_WINDOW_MAX_MINUTES;
      if (b.minute[i] !== minute) {
        b.minute[i] = minute;
        b.requests[i] = 0;
        b.errors[i] = 0;
      }
      b.requests[i]!++;
      if (isErrorStatus(e.status)) b.errors[i]!++;
    },
    read(groupId, minutes, now) {
      const b = byGroup.get(groupId);
      let requests = 0;
      let errors = 0;
      if (b === undefined) return { requests, errors };
      const current = Math.floor(now / MINUTE);
      const span = Math.min(Math.max(1, minutes), ERROR_WINDOW_MAX_MINUTES);
      for (let m = current - span + 1; m <= current; m++) {
        const i = ((m % ERROR_WINDOW_MAX_MINUTES) + ERROR_WINDOW_MAX_MINUTES) % ERROR_WINDOW_MAX_MINUTES;
        if (b.minute[i] !== m) continue;
        requests += b.requests[i]!;
        errors += b.errors[i]!;
      }
      return { requests, errors };
    },
    forget(groupId) {
      byGroup.delete(groupId);
    },
  };
}

// ---- incident state machine -----------------------------------------------------------------

/** What app.ts reads from the registry and settings for one group at an evaluation. */
export interface GroupSnapshot {
  id: number;
  name: string;
  /** Keys that are neither invalid nor disabled (cooling keys come back by themselves). */
  usableKeys: number;
  totalKeys: number;
  minUsableKeys: number;
  requests: number;
  errors: number;
  errorRatePercent: number;
  minRequests: number;
  windowMinutes: number;
  circuits: readonly { url: string; state: "closed" | "open" | "half-open"; failures: number }[];
}

export interface AlertMonitor {
  /** From the key-state write-behind: a key of this group turned invalid (its value is never passed). */
  noteKeyInvalidated(group: { id: number; name: string }, key: { id: number; masked: string; reason: string | null }): void;
  /**
   * Compares the groups' state with the open incidents and returns the alerts to send: one when an
   * incident opens, one `.resolved` when it clears, and at most one `key.invalidated` per group per
   * `keyBurstWindowMs` (carrying the count since the last one).
   */
  evaluate(groups: readonly GroupSnapshot[], now: number, options: { keyBurstWindowMs: number }): AlertPayload[];
  /** Open incident ids (for tests and diagnostics). */
  openIncidents(): string[];
}

interface Incident {
  since: number;
  group: string;
}

interface KeyBurst {
  group: string;
  count: number;
  sample: { key_id: number; key_masked: string; reason: string | null }[];
  nextAt: number;
}

const BURST_SAMPLE = 10;

export function createAlertMonitor(node?: string): AlertMonitor {
  const open = new Map<string, Incident>();
  const bursts = new Map<number, KeyBurst>();

  const payload = (event: string, severity: AlertSeverity, group: string, message: string, details: Record<string, unknown>, now: number): AlertPayload => ({
    event,
    severity,
    group,
    message,
    details,
    ts: new Date(now).toISOString(),
    ...(node ? { node } : {}),
  });

  /** Opens or closes one incident; `firing` null means "no verdict" (leave it as it is). */
  const step = (out: AlertPayload[], id: string, firing: boolean | null, now: number, make: (resolved: boolean, since: number) => AlertPayload) => {
    const incident = open.get(id);
    if (firing === true && incident === undefined) {
      open.set(id, { since: now, group: id.split("|")[1]! });
      out.push(make(false, now));
    } else if (firing === false && incident !== undefined) {
      open.delete(id);
      out.push(make(true, incident.since));
    }
  };

  return {
    noteKeyInvalidated(group, key) {
      let b = bursts.get(group.id);
      if (b === undefined) bursts.set(group.id, (b = { group: group.name, count: 0, sample: [], nextAt: 0 }));
      b.group = group.name;
      b.count++;
      if (b.sample.length < BURST_SAMPLE) b.sample.push({ key_id: key.id, key_masked: key.masked, reason: key.reason });
    },

    evaluate(groups, now, options) {
      const out: AlertPayload[] = [];
      const seen = new Set<string>();
      for (const g of groups) {
        const tag = `${g.id}|${g.name}`;
        const keysId = `keys.low|${tag}`;
        seen.add(keysId);
        step(out, keysId, g.totalKeys > 0 && g.usableKeys < g.minUsableKeys, now, (resolved, since) =>
          resolved
            ? payload("keys.low.resolved", "info", g.name, `group ${g.name} has ${g.usableKeys} usable keys again (threshold ${g.minUsableKeys})`, { usable_keys: g.usableKeys, total_keys: g.totalKeys, threshold: g.minUsableKeys, since: new Date(since).toISOString() }, now)
            : payload("keys.low", "critical", g.name, `group ${g.name} has ${g.usableKeys} usable keys of ${g.totalKeys}, below ${g.minUsableKeys}`, { usable_keys: g.usableKeys, total_keys: g.totalKeys, threshold: g.minUsableKeys }, now),
        );

        const rateId = `error_rate.high|${tag}`;
        seen.add(rateId);
        const over = g.errors * 100 > g.errorRatePercent * g.requests;
        // Fires only on enough traffic; clears once the rate is back at or under the threshold.
        const firing = over && g.requests >= g.minRequests ? true : over ? null : false;
        const rate = g.requests === 0 ? 0 : Math.round((g.errors * 1000) / g.requests) / 10;
        const rateDetails = { requests: g.requests, errors: g.errors, error_rate_percent: rate, threshold_percent: g.errorRatePercent, window_minutes: g.windowMinutes };
        step(out, rateId, firing, now, (resolved, since) =>
          resolved
            ? payload("error_rate.high.resolved", "info", g.name, `group ${g.name} error rate is back to ${rate}% over ${g.windowMinutes} min`, { ...rateDetails, since: new Date(since).toISOString() }, now)
            : payload("error_rate.high", "warning", g.name, `group ${g.name} error rate is ${rate}% over ${g.windowMinutes} min (${g.errors} of ${g.requests} requests), above ${g.errorRatePercent}%`, rateDetails, now),
        );

        for (const c of g.circuits) {
          const circuitId = `circuit.open|${tag}|${c.url}`;
          seen.add(circuitId);
          step(out, circuitId, c.state !== "closed", now, (resolved, since) =>
            resolved
              ? payload("circuit.open.resolved", "info", g.name, `upstream ${c.url} of group ${g.name} is closed again`, { upstream: c.url, since: new Date(since).toISOString() }, now)
              : payload("circuit.open", "critical", g.name, `circuit of upstream ${c.url} in group ${g.name} opened after ${c.failures} failures`, { upstream: c.url, failures: c.failures }, now),
          );
        }

        const burst = bursts.get(g.id);
        if (burst !== undefined && burst.count > 0 && now >= burst.nextAt) {
          out.push(
            payload("key.invalidated", "warning", g.name, `${burst.count} key${burst.count === 1 ? "" : "s"} of group ${g.name} became invalid`, { count: burst.count, keys: burst.sample, window_minutes: options.keyBurstWindowMs / MINUTE }, now),
          );
          burst.count = 0;
          burst.sample = [];
          burst.nextAt = now + options.keyBurstWindowMs;
        }
      }
      // Incidents of groups or upstreams that no longer exist end silently.
      for (const id of open.keys()) if (!seen.has(id)) open.delete(id);
      const live = new Set(groups.map((g) => g.id));
      for (const id of bursts.keys()) if (!live.has(id)) bursts.delete(id);
      return out;
    },

    openIncidents() {
      return [...open.keys()];
    },
  };
}

// ---- delivery -------------------------------------------------------------------------------

export interface WebhookTarget {
  url: string;
  /** Empty: no signature header. */
  secret: string;
}

export interface AlertSenderOptions {
  fetch: (input: string, init: RequestInit) => Promise<Response>;
  target: () => WebhookTarget;
  timeoutMs: number;
  /** Told about failed deliveries (without URL or secret). */
  onFailure?: (payload: AlertPayload, delivery: AlertDelivery) => void;
}

/** `sha256=<hex>` of the exact body bytes. */
export function signAlertBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/** POSTs one alert as JSON; resolves with what happened and never throws. */
export function createAlertSender(options: AlertSenderOptions): (payload: AlertPayload) => Promise<AlertDelivery> {
  return async (payload) => {
    const { url, secret } = options.target();
    if (!url) return { kind: "not-configured" };
    const body = JSON.stringify(payload);
    const headers: Record<string, string> = { "content-type": "application/json", "x-poolgate-event": payload.event };
    if (secret) headers["x-poolgate-signature"] = signAlertBody(body, secret);
    let delivery: AlertDelivery;
    try {
      const res = await options.fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(options.timeoutMs), redirect: "manual" });
      await res.body?.cancel();
      delivery = res.ok ? { kind: "delivered", status: res.status } : { kind: "failed", status: res.status, error: `the webhook answered ${res.status}` };
    } catch (error) {
      const name = error instanceof Error ? error.name : "";
      const reason = name === "TimeoutError" ? `no answer within ${options.timeoutMs} ms` : error instanceof Error ? error.message : String(error);
      delivery = { kind: "failed", status: null, error: reason };
    }
    if (delivery.kind === "failed") options.onFailure?.(payload, delivery);
    return delivery;
  };
}
