// Background key validation: start it for a group (202 with the task, or 409 naming the task
// already running) and read a task's progress.

import { ApiError, type ApiClient } from "./client.ts";

export type ValidationScope = "invalid" | "active" | "all";

export interface Task {
  id: string;
  kind: string;
  group_id: number;
  scope: string;
  trigger: string;
  status: "running" | "done" | "failed";
  total: number;
  done: number;
  valid: number;
  invalid: number;
  unknown: number;
  rate_limited: number;
  restored: number;
  invalidated: number;
  started_at: number;
  finished_at: number | null;
  error?: string;
}

/** Starts a validation and answers its task id; when one already runs, answers that one's id. */
export async function startValidation(api: ApiClient, groupId: number, scope: ValidationScope): Promise<string> {
  try {
    return (await api.request<{ task_id: string }>("POST", `/groups/${groupId}/keys/validate`, { body: { status: scope } })).task_id;
  } catch (error) {
    const running = error instanceof ApiError && error.status === 409 ? (error.body as { task_id?: unknown } | undefined)?.task_id : undefined;
    if (typeof running === "string") return running;
    throw error;
  }
}

export const getTask = (api: ApiClient, id: string) => api.request<Task>("GET", `/tasks/${encodeURIComponent(id)}`);
