// The /api Elysia plugin: builds the admin context, guards every route but login/logout and
// the docs, reads bodies (JSON, capped at 50 MiB), shapes every error as {error: {code, message,
// field?}}, serves OpenAPI and mounts the resource routes. Its hooks are local to this plugin:
// it must not add global hooks or parsers that would touch the proxy's parse:'none' routes.

import { openapi } from "@elysiajs/openapi";
import { Elysia, ParseError, ValidationError } from "elysia";
import type { Logger } from "../telemetry/logger.ts";
import { createAccessKeyRoutes } from "./access-keys.ts";
import { createAlertRoutes, type AlertTester } from "./alerts.ts";
import type { AdminContext } from "./admin-context.ts";
import { ApiError } from "./api-error.ts";
import { createGroupRoutes } from "./groups.ts";
import { createKeyRoutes } from "./keys.ts";
import { createLogRoutes } from "./logs.ts";
import { LoginLimiter } from "./login-limiter.ts";
import { authenticate, createSessionRoutes, SESSION_COOKIE } from "./session.ts";
import { SessionTokens } from "./session-tokens.ts";
import { createSettingsRoutes } from "./settings.ts";
import { createStatsRoutes } from "./stats.ts";
import { createTaskRoutes, type TaskService } from "./tasks.ts";

export const MAX_ADMIN_BODY_BYTES = 50 * 1024 * 1024;

/** The context's store, bus and settings fields as given; the clock is optional, sessions are built here. */
export interface AdminPluginOptions extends Pick<AdminContext, "db" | "sqlite" | "box" | "bus" | "authKey" | "settings" | "poolCounts"> {
  now?: () => number;
  /** Background tasks (key validation); without it the validate route answers 503. */
  tasks?: TaskService;
  /** Webhook alerts (POST /api/alerts/test); without it that route answers 503. */
  alerts?: AlertTester;
  /** Where unexpected errors are reported (their details never reach the client). */
  logger?: Logger;
  /** Shown in the OpenAPI document. */
  version?: string;
}

/**
 * Routes anyone may call. The OpenAPI document is public on purpose: it describes the API
 * (no data, no secrets) and the docs page must load before the user has signed in.
 */
const PUBLIC_PATHS = new Set(["/api/auth/login", "/api/auth/logout", "/api/docs", "/api/docs/json"]);

function requireAdmin(request: Request, ctx: AdminContext): void {
  if (PUBLIC_PATHS.has(new URL(request.url).pathname)) return;
  if (!authenticate(request, ctx)) {
    throw new ApiError(401, "unauthorized", "sign in first: send Authorization: Bearer <AUTH_KEY>, or POST /api/auth/login for a session cookie");
  }
}

function tooLarge(): ApiError {
  return new ApiError(413, "payload_too_large", `the request body is larger than ${MAX_ADMIN_BODY_BYTES / 1024 / 1024} MiB`);
}

/** Reads the body as JSON, refusing more than the cap whether or not content-length says so. */
async function readJsonBody(request: Request): Promise<unknown> {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_ADMIN_BODY_BYTES) throw tooLarge();
  if (!request.body) return undefined;
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_ADMIN_BODY_BYTES) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", 'the request body is not valid JSON; send a JSON object such as {"name": "..."} with content-type: application/json');
  }
}

const EXPECTED_TYPES: Record<string, string> = {
  string: "a string",
  boolean: "true or false",
  array: "an array",
  object: "an object",
  integer: "a whole number",
  number: "a number",
};

/** Turns TypeBox's "Expected integer" style into "must be a whole number". */
function expectation(message: string, schema: unknown): string {
  const anyOf = (schema as { anyOf?: { type?: string; format?: string }[] } | undefined)?.anyOf;
  if (anyOf?.some((s) => s.type === "integer" || s.format === "integer")) return "must be a whole number";
  if (anyOf?.some((s) => s.type === "number" || s.format === "numeric")) return "must be a number";
  const simple = /^Expected (\w+)$/.exec(message)?.[1];
  if (simple && EXPECTED_TYPES[simple]) return `must be ${EXPECTED_TYPES[simple]}`;
  return message.replace(/^Expected union value$/, "has the wrong type").replace(/^Expected /, "must be ");
}

function validationError(error: ValidationError): ApiError {
  const first = error.valueError ?? error.all[0];
  const path = (first?.path ?? "").replace(/^\//, "").replaceAll("/", ".");
  const field = path || error.type;
  const detail = first === undefined ? "is not valid" : first.value === undefined ? "is required" : expectation(first.message, first.schema);
  return ApiError.invalid(field, `${field} ${detail}`);
}

export function createAdminPlugin(options: AdminPluginOptions) {
  const now = options.now ?? Date.now;
  const ctx: AdminContext = {
    db: options.db,
    sqlite: options.sqlite,
    box: options.box,
    bus: options.bus,
    authKey: options.authKey,
    settings: options.settings,
    now,
    poolCounts: options.poolCounts,
    sessions: new SessionTokens(options.authKey, now),
    limiter: new LoginLimiter({ maxFailures: 5, windowMs: 5 * 60_000, now }),
  };

  return new Elysia({ prefix: "/api" })
    .use(
      openapi({
        path: "/docs",
        exclude: { paths: [/^(?!\/api\/)/] },
        documentation: {
          info: { title: "poolgate admin API", version: options.version ?? "0.0.0", description: "Manage groups, upstream keys, access keys and settings." },
          components: {
            securitySchemes: {
              bearer: { type: "http", scheme: "bearer", description: "The AUTH_KEY" },
              session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "Set by POST /api/auth/login" },
            },
          },
          security: [{ bearer: [] }, { session: [] }],
        },
      }),
    )
    .onParse(async ({ request }) => {
      requireAdmin(request, ctx); // before reading a byte of an unauthenticated body
      return readJsonBody(request);
    })
    .onTransform(({ request }) => requireAdmin(request, ctx))
    .onError(({ code, error, set }) => {
      let shaped: ApiError;
      const cause = error instanceof ParseError ? error.cause : undefined;
      if (error instanceof ApiError) shaped = error;
      else if (cause instanceof ApiError) shaped = cause;
      else if (error instanceof ValidationError) shaped = validationError(error);
      else if (code === "PARSE") shaped = new ApiError(400, "invalid_json", "the request body could not be read as JSON");
      else if (code === "NOT_FOUND") shaped = new ApiError(404, "not_found", "no such admin route; see /api/docs");
      else {
        options.logger?.error("admin request failed", { code: String(code), error: error instanceof Error ? `${error.name}: ${error.message}` : typeof error });
        shaped = new ApiError(500, "internal_error", "the server failed to handle this request; it has been logged");
      }
      set.status = shaped.status;
      Object.assign(set.headers, shaped.headers);
      if (shaped.status === 401) set.headers["www-authenticate"] = "Bearer";
      return shaped.body();
    })
    .use(createSessionRoutes(ctx))
    .use(createGroupRoutes(ctx))
    .use(createKeyRoutes(ctx))
    .use(createAccessKeyRoutes(ctx))
    .use(createSettingsRoutes(ctx))
    .use(createLogRoutes(ctx))
    .use(createStatsRoutes(ctx))
    .use(createTaskRoutes(options.tasks))
    .use(createAlertRoutes(options.alerts))
    // GET as well as ALL: the UI's GET /* fallback in app.ts would otherwise win for unknown GETs.
    .get("/*", ({ request }) => unknownRoute(request))
    .all("/*", ({ request }) => unknownRoute(request));
}

function unknownRoute(request: Request): never {
  throw new ApiError(404, "not_found", `no admin route ${request.method} ${new URL(request.url).pathname}; see /api/docs`);
}
