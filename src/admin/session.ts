// Admin authentication: who is the admin (the AUTH_KEY as a Bearer token, or a session cookie
// obtained from it) and the /api/auth routes (login, logout, me). Login failures are throttled
// per address. Never logs or echoes the key; comparisons are constant-time.

import { weakSecretReasons } from "../config/env.ts";
import { Elysia, t } from "elysia";
import { constantTimeEqual } from "../store/secrets.ts";
import type { AdminContext } from "./admin-context.ts";
import { ApiError } from "./api-error.ts";
import type { VerifiedSession } from "./session-tokens.ts";

export const SESSION_COOKIE = "poolgate_session";

export type AdminIdentity = { via: "bearer" } | { via: "session"; session: VerifiedSession };

/** The admin behind a request, or null. A wrong bearer token does not hide a valid cookie. */
export function authenticate(request: Request, ctx: AdminContext): AdminIdentity | null {
  const header = request.headers.get("authorization");
  const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (bearer !== undefined && constantTimeEqual(bearer, ctx.authKey)) return { via: "bearer" };
  const session = sessionOf(request, ctx);
  return session ? { via: "session", session } : null;
}

/** The valid session the request's cookie names, or null. */
function sessionOf(request: Request, ctx: AdminContext): VerifiedSession | null {
  const token = readCookie(request.headers.get("cookie"), SESSION_COOKIE);
  return token ? ctx.sessions.verify(token) : null;
}

function readCookie(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function cookie(request: Request, value: string, maxAgeSeconds: number): string {
  const secure = request.url.startsWith("https:") || request.headers.get("x-forwarded-proto") === "https";
  return `${SESSION_COOKIE}=${value}; Path=/api; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}

const MeResponse = t.Object({
  authenticated: t.Boolean(),
  via: t.Optional(t.Union([t.Literal("bearer"), t.Literal("session")])),
  expires_at: t.Optional(t.Nullable(t.Number({ description: "Session expiry, epoch ms (null for bearer)" }))),
  admin_key_weak: t.Optional(t.Boolean({ description: "The admin key in force is weak (short or a common pattern): the UI warns" })),
});

export function createSessionRoutes(ctx: AdminContext) {
  // Said only to someone who already holds the key, so it reveals nothing new.
  const adminKeyWeak = weakSecretReasons(ctx.authKey).length > 0;
  return new Elysia()
    .post(
      "/auth/login",
      ({ body, request, server, set }) => {
        const address = server?.requestIP(request)?.address ?? "unknown";
        const wait = ctx.limiter.retryAfterSeconds(address);
        if (wait > 0) {
          throw new ApiError(429, "too_many_attempts", `too many failed logins from this address; try again in ${wait} s`, {
            headers: { "retry-after": String(wait) },
          });
        }
        if (!constantTimeEqual(body.auth_key, ctx.authKey)) {
          ctx.limiter.recordFailure(address);
          throw new ApiError(401, "unauthorized", "the admin key is wrong; use the AUTH_KEY the server was started with (see DATA_DIR/auth.key)", {
            field: "auth_key",
          });
        }
        ctx.limiter.recordSuccess(address);
        const ttlMs = Number(ctx.settings().session_ttl_hours) * 3_600_000;
        const { token, expiresAt } = ctx.sessions.issue(ttlMs);
        set.headers["set-cookie"] = cookie(request, token, Math.floor(ttlMs / 1000));
        return { authenticated: true, via: "session" as const, expires_at: expiresAt };
      },
      {
        body: t.Object({ auth_key: t.String({ maxLength: 4096 }) }),
        response: MeResponse,
        detail: { summary: "Exchange the admin key for an httpOnly session cookie", tags: ["auth"] },
      },
    )
    .post(
      "/auth/logout",
      ({ request, set }) => {
        const session = sessionOf(request, ctx);
        if (session) ctx.sessions.revoke(session);
        set.headers["set-cookie"] = cookie(request, "", 0);
        return { authenticated: false };
      },
      { response: MeResponse, detail: { summary: "End the session and clear its cookie", tags: ["auth"] } },
    )
    .get(
      "/auth/me",
      ({ request }) => {
        const who = authenticate(request, ctx);
        if (!who) throw new ApiError(401, "unauthorized", "not signed in");
        return { authenticated: true, via: who.via, expires_at: who.via === "session" ? who.session.expiresAt : null, admin_key_weak: adminKeyWeak };
      },
      { response: MeResponse, detail: { summary: "Who is calling (bearer or session) and until when", tags: ["auth"] } },
    );
}
