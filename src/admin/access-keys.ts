// /api/access-keys: the keys clients present to the proxy (the admin key is not one). The
// secret is generated here and answered once, on creation; only its keyed hash is stored.
// Publishes access-keys-changed after every change.

import { randomBytes } from "node:crypto";
import { Elysia, t } from "elysia";
import { deleteAccessKey, getAccessKey, insertAccessKey, listAccessKeys, updateAccessKey, type AccessKeyRow } from "../store/repos/access-keys.ts";
import { listGroups } from "../store/repos/groups.ts";
import type { AdminContext } from "./admin-context.ts";
import { ApiError, throwNotFound } from "./api-error.ts";

export function accessKeyJson(row: AccessKeyRow) {
  return {
    id: row.id,
    name: row.name,
    display_prefix: row.displayPrefix,
    group_ids: row.groupIds,
    enabled: row.enabled,
    expires_at: row.expiresAt,
    rpm_limit: row.rpmLimit,
    requests: row.requests,
    last_used_at: row.lastUsedAt,
    created_at: row.createdAt,
  };
}

function checkName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || /[\u0000-\u001f\u007f]/.test(trimmed)) throw ApiError.invalid("name", "name must be 1-100 printable characters");
  return trimmed;
}

/** Epoch ms or an ISO date; null clears it. Must lie in the future. */
function parseExpiry(value: unknown, now: number): number | null {
  if (value === null) return null;
  const ms = typeof value === "number" ? value : typeof value === "string" ? Date.parse(value) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw ApiError.invalid("expires_at", "expires_at must be epoch milliseconds or an ISO date such as 2030-01-31T00:00:00Z (or null for never)");
  }
  if (ms <= now) throw ApiError.invalid("expires_at", "expires_at is in the past");
  return ms;
}

function checkGroupIds(ctx: AdminContext, ids: readonly number[]): number[] {
  const known = new Set(listGroups(ctx.db).map((g) => g.id));
  const unique = [...new Set(ids)];
  const missing = unique.find((id) => !known.has(id));
  if (missing !== undefined) throw ApiError.invalid("group_ids", `group ${missing} does not exist`);
  return unique;
}

const fields = {
  group_ids: t.Array(t.Integer(), { maxItems: 1000, description: "Groups this key may use; empty = every group" }),
  rpm_limit: t.Nullable(t.Integer({ minimum: 0, maximum: 1_000_000, description: "Requests per minute; null or 0 = no limit" })),
  expires_at: t.Unknown({ description: "Epoch ms or ISO date; null = never" }),
};
const NameField = t.String({ maxLength: 100 });
const IdParams = t.Object({ id: t.Integer({ description: "Access key id" }) });

export function createAccessKeyRoutes(ctx: AdminContext) {
  const requireKey = (id: number) => getAccessKey(ctx.db, id) ?? throwNotFound("access key", id);
  const changed = () => ctx.bus.publish({ kind: "access-keys-changed" });
  const detail = (summary: string) => ({ summary, tags: ["access-keys"] });

  return new Elysia()
    .get(
      "/access-keys",
      () => {
        const items = listAccessKeys(ctx.db).map(accessKeyJson);
        return { items, total: items.length };
      },
      { detail: detail("List access keys (never their secrets)") },
    )
    .post(
      "/access-keys",
      ({ body, set }) => {
        const now = ctx.now();
        const secret = `pk-${randomBytes(32).toString("base64url")}`;
        const row = insertAccessKey(
          ctx.db,
          {
            name: checkName(body.name),
            secretHash: ctx.box.hash(secret),
            displayPrefix: `${secret.slice(0, 7)}…${secret.slice(-4)}`,
            groupIds: checkGroupIds(ctx, body.group_ids ?? []),
            enabled: true,
            expiresAt: body.expires_at === undefined ? null : parseExpiry(body.expires_at, now),
            rpmLimit: body.rpm_limit || null,
          },
          now,
        );
        changed();
        set.status = 201;
        return { ...accessKeyJson(row), secret };
      },
      {
        body: t.Object({ name: NameField, group_ids: t.Optional(fields.group_ids), rpm_limit: t.Optional(fields.rpm_limit), expires_at: t.Optional(fields.expires_at) }),
        detail: detail("Create an access key; the answer (201) is the only time its secret is shown"),
      },
    )
    .patch(
      "/access-keys/:id",
      ({ params, body }) => {
        requireKey(params.id);
        const row = updateAccessKey(
          ctx.db,
          params.id,
          {
            ...(body.name !== undefined && { name: checkName(body.name) }),
            ...(body.group_ids !== undefined && { groupIds: checkGroupIds(ctx, body.group_ids) }),
            ...(body.rpm_limit !== undefined && { rpmLimit: body.rpm_limit || null }),
            ...(body.expires_at !== undefined && { expiresAt: parseExpiry(body.expires_at, ctx.now()) }),
            ...(body.enabled !== undefined && { enabled: body.enabled }),
          },
          ctx.now(),
        ) ?? throwNotFound("access key", params.id);
        changed();
        return accessKeyJson(row);
      },
      {
        params: IdParams,
        body: t.Partial(t.Object({ name: NameField, ...fields, enabled: t.Boolean() })),
        detail: detail("Rename, rescope, limit, expire, enable or disable an access key"),
      },
    )
    .delete(
      "/access-keys/:id",
      ({ params }) => {
        if (!deleteAccessKey(ctx.db, params.id)) throwNotFound("access key", params.id);
        changed();
        return new Response(null, { status: 204 });
      },
      { params: IdParams, detail: detail("Delete an access key (204)") },
    );
}
