// POST /api/alerts/test: sends one test alert to the configured webhook and answers with what
// happened (the receiver's status or the error). The sender is passed in (app.ts builds it in
// telemetry/); this file keeps no state and never echoes the webhook URL or secret.

import { Elysia } from "elysia";
import { ApiError } from "./api-error.ts";

/** The outcome of one delivery, as app.ts reports it. */
export type AlertTestResult = { kind: "delivered"; status: number } | { kind: "failed"; status: number | null; error: string } | { kind: "not-configured" };

export interface AlertTester {
  sendTest(): Promise<AlertTestResult>;
}

export function createAlertRoutes(alerts: AlertTester | undefined) {
  return new Elysia().post(
    "/alerts/test",
    async () => {
      if (alerts === undefined) throw new ApiError(503, "alerts_unavailable", "alerts are not running on this node");
      const result = await alerts.sendTest();
      if (result.kind === "not-configured") {
        throw ApiError.invalid("alert_webhook_url", "no webhook URL is set: PATCH /api/settings with {\"alert_webhook_url\": \"https://...\"} first");
      }
      return result.kind === "delivered"
        ? { delivered: true, status: result.status, error: null }
        : { delivered: false, status: result.status, error: result.error };
    },
    { detail: { summary: "Send a test alert to the webhook and report the delivery", tags: ["alerts"] } },
  );
}
