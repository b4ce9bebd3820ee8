// Background tasks: POST /api/groups/:id/keys/validate starts a key validation and answers 202 at
// once; GET /api/tasks/:id reports its progress. The task runner is passed in (app.ts builds it in
// jobs/), seen here only through the TaskService shape; this file keeps no state of its own.

import { Elysia, t } from "elysia";
import { ApiError } from "./api-error.ts";
import type { ValidationScope, ValidationTask } from "../store/repos/key-validation.ts";
import { isPlainObject } from "./group-rules.ts";

const SCOPES: readonly ValidationScope[] = ["invalid", "active", "all"];

export interface TaskService {
  start(
    groupId: number,
    scope: ValidationScope,
  ): { kind: "started" | "running"; task: ValidationTask } | { kind: "not-found" } | { kind: "unusable"; field: string; message: string };
  get(id: string): ValidationTask | undefined;
}

export function taskJson(task: ValidationTask) {
  return {
    id: task.id,
    kind: task.kind,
    group_id: task.groupId,
    scope: task.scope,
    trigger: task.trigger,
    status: task.status,
    total: task.total,
    done: task.done,
    valid: task.valid,
    invalid: task.invalid,
    unknown: task.unknown,
    rate_limited: task.rateLimited,
    restored: task.restored,
    invalidated: task.invalidated,
    started_at: task.startedAt,
    finished_at: task.finishedAt,
    ...(task.error !== undefined ? { error: task.error } : {}),
  };
}

/** Default "all": an operator pressing "validate" expects every non-disabled key to be checked. */
function scopeOf(body: unknown): ValidationScope {
  if (body === undefined || body === null) return "all";
  if (!isPlainObject(body)) throw ApiError.invalid("body", 'send nothing, or an object such as {"status": "invalid"}');
  const status = body.status;
  if (status === undefined) return "all";
  if (typeof status !== "string" || !(SCOPES as readonly string[]).includes(status)) {
    throw ApiError.invalid("status", `status must be one of ${SCOPES.join(", ")} (which keys to test; disabled keys are never tested)`);
  }
  return status as ValidationScope;
}

export function createTaskRoutes(tasks: TaskService | undefined) {
  const detail = (summary: string) => ({ summary, tags: ["tasks"] });
  return new Elysia()
    .post(
      "/groups/:id/keys/validate",
      ({ params, body, set }) => {
        const scope = scopeOf(body);
        if (!tasks) throw new ApiError(503, "unavailable", "key validation does not run on this node");
        const started = tasks.start(params.id, scope);
        if (started.kind === "not-found") throw ApiError.notFound("group", params.id);
        if (started.kind === "unusable") throw ApiError.invalid(started.field, started.message);
        set.headers.location = `/api/tasks/${started.task.id}`;
        if (started.kind === "running") {
          set.status = 409;
          const message = `keys of group ${params.id} are already being validated by task ${started.task.id}; follow it at GET /api/tasks/${started.task.id}`;
          return { error: { code: "validation_running", message }, task_id: started.task.id };
        }
        set.status = 202;
        return { task_id: started.task.id, task: taskJson(started.task) };
      },
      {
        params: t.Object({ id: t.Integer({ description: "Group id" }) }),
        body: t.Optional(t.Unknown({ description: '{"status": "invalid" | "active" | "all"} (default "all": every key not disabled)' })),
        detail: detail("Start validating a group's keys in the background; answers 202 {task_id, task}, or 409 {error, task_id} while one runs"),
      },
    )
    .get(
      "/tasks/:id",
      ({ params }) => {
        const task = tasks?.get(params.id);
        if (!task) throw ApiError.notFound("task", params.id);
        return taskJson(task);
      },
      {
        params: t.Object({ id: t.String({ maxLength: 100, description: "Task id" }) }),
        detail: detail("A background task's progress: {status: running | done | failed, total, done, valid, invalid, unknown, ...}"),
      },
    );
}
