// /api/groups/:id/keys and /api/keys/:id: import, list (masked), delete, restore, export and
// change upstream keys. Export is the only place a whole key leaves the server; it streams.
// Publishes keys-changed after every change; never logs a key.

import { Elysia, t } from "elysia";
import { getGroup } from "../store/repos/groups.ts";
import { deleteKeys, getKey, importKeys, keyValueBatches, listKeys, restoreKeys, updateKey } from "../store/repos/keys.ts";
import { KEY_STATUSES, type KeyStatus } from "../store/schema.ts";
import type { AdminContext } from "./admin-context.ts";
import { ApiError, throwNotFound } from "./api-error.ts";

const MAX_KEY_LENGTH = 1000;
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/;

export interface ParsedKeys {
  /** Distinct acceptable keys, in input order. */
  keys: string[];
  /** Entries that repeat an earlier one of the same input. */
  repeated: number;
  /** Entries that are empty, longer than 1000 characters, or hold control characters. */
  rejected: number;
}

/**
 * Reads keys from text (split on newlines, commas, spaces or semicolons), from text holding a
 * JSON array, or from an array. Throws when the input is neither text nor an array.
 */
export function parseKeyList(input: unknown, field = "keys"): ParsedKeys {
  let items: unknown[] | undefined;
  if (Array.isArray(input)) items = input;
  else if (typeof input === "string") {
    const text = input.trim();
    if (text.startsWith("[")) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (Array.isArray(parsed)) items = parsed;
      } catch {
        items = undefined; // not JSON after all: read it as plain text below
      }
    }
    items ??= text.split(/[\s,;]+/).filter((s) => s.length > 0);
  } else {
    throw ApiError.invalid(field, `${field} must be text (one key per line, or separated by commas, spaces or semicolons) or an array of strings`);
  }
  const seen = new Set<string>();
  const out: ParsedKeys = { keys: [], repeated: 0, rejected: 0 };
  for (const item of items) {
    const key = typeof item === "string" ? item.trim() : "";
    if (!key || key.length > MAX_KEY_LENGTH || CONTROL_CHARS.test(key)) out.rejected++;
    else if (seen.has(key)) out.repeated++;
    else {
      seen.add(key);
      out.keys.push(key);
    }
  }
  return out;
}

function statusOf(value: string | undefined, allowed: readonly KeyStatus[] = KEY_STATUSES): KeyStatus | undefined {
  if (value === undefined || value === "") return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw ApiError.invalid("status", `status must be one of ${allowed.join(", ")}`);
  return value as KeyStatus;
}

const GroupParams = t.Object({ id: t.Integer({ description: "Group id" }) });
const KeysInput = t.Unknown({ description: "Text (keys separated by newlines, commas, spaces or semicolons), text holding a JSON array, or an array of strings" });
const StatusField = t.String({ description: KEY_STATUSES.join(" | ") });

export function createKeyRoutes(ctx: AdminContext) {
  const requireGroup = (id: number) => getGroup(ctx.db, id) ?? throwNotFound("group", id);
  const changed = (groupId: number) => ctx.bus.publish({ kind: "keys-changed", groupId });
  const detail = (summary: string) => ({ summary, tags: ["keys"] });

  return new Elysia()
    .post(
      "/groups/:id/keys",
      ({ params, body }) => {
        const group = requireGroup(params.id);
        if (group.subGroups.length) {
          throw ApiError.invalid("keys", `"${group.name}" is an aggregate group and holds no keys; add keys to its sub-groups`);
        }
        if (body.keys === undefined) throw ApiError.invalid("keys", "keys is required: the keys as text or as an array of strings");
        const parsed = parseKeyList(body.keys);
        const added = parsed.keys.length ? importKeys(ctx.sqlite, ctx.box, group.id, parsed.keys, ctx.now()) : 0;
        if (added) changed(group.id);
        return { added, duplicates: parsed.repeated + parsed.keys.length - added, rejected: parsed.rejected };
      },
      { params: GroupParams, body: t.Object({ keys: KeysInput }), detail: detail("Import keys into a group; answers {added, duplicates, rejected}") },
    )
    .get(
      "/groups/:id/keys",
      ({ params, query }) => {
        const group = requireGroup(params.id);
        const page = query.page ?? 1;
        const pageSize = query.page_size ?? 50;
        const q = query.q?.trim() || undefined;
        const result = listKeys(
          ctx.sqlite,
          { groupId: group.id, status: statusOf(query.status), q, qHash: q ? ctx.box.hash(q) : undefined },
          { limit: pageSize, offset: (page - 1) * pageSize },
        );
        return { ...result, page, page_size: pageSize };
      },
      {
        params: GroupParams,
        query: t.Object({
          status: t.Optional(StatusField),
          q: t.Optional(t.String({ maxLength: MAX_KEY_LENGTH, description: "Part of the masked key or of the notes, or a whole key" })),
          page: t.Optional(t.Integer({ minimum: 1, maximum: 1_000_000 })),
          page_size: t.Optional(t.Integer({ minimum: 1, maximum: 1000 })),
        }),
        detail: detail("List a group's keys, masked, a page at a time"),
      },
    )
    .delete(
      "/groups/:id/keys",
      ({ params, body }) => {
        const group = requireGroup(params.id);
        const status = statusOf(body.status);
        if (!body.ids?.length && body.keys === undefined && !status) {
          throw ApiError.invalid("ids", "say which keys to delete: ids, keys (the key text) or status");
        }
        const hashes = body.keys === undefined ? [] : parseKeyList(body.keys).keys.map((k) => ctx.box.hash(k));
        const deleted = deleteKeys(ctx.sqlite, group.id, { ids: body.ids, hashes, status });
        if (deleted) changed(group.id);
        return { deleted };
      },
      {
        params: GroupParams,
        body: t.Object({
          ids: t.Optional(t.Array(t.Integer(), { maxItems: 1_000_000 })),
          keys: t.Optional(KeysInput),
          status: t.Optional(StatusField),
        }),
        detail: detail("Delete keys of a group by id, by value or by status; answers {deleted}"),
      },
    )
    .post(
      "/groups/:id/keys/restore",
      ({ params }) => {
        const group = requireGroup(params.id);
        const restored = restoreKeys(ctx.sqlite, group.id, ctx.now());
        if (restored) changed(group.id);
        return { restored };
      },
      { params: GroupParams, detail: detail("Set the invalid and cooling keys of a group back to active; answers {restored}") },
    )
    .get(
      "/groups/:id/keys/export",
      ({ params, query }) => {
        const group = requireGroup(params.id);
        const batches = keyValueBatches(ctx.sqlite, ctx.box, group.id, statusOf(query.status));
        const encoder = new TextEncoder();
        const body = new ReadableStream<Uint8Array>({
          pull(controller) {
            const next = batches.next();
            if (next.done) controller.close();
            else controller.enqueue(encoder.encode(next.value.join("\n") + "\n"));
          },
          cancel() {
            batches.return(undefined);
          },
        });
        return new Response(body, {
          headers: {
            "content-type": "text/plain; charset=utf-8",
            "cache-control": "no-store",
            "content-disposition": `attachment; filename="${group.name}-keys.txt"`,
          },
        });
      },
      {
        params: GroupParams,
        query: t.Object({ status: t.Optional(StatusField) }),
        detail: detail("Download the plain keys of a group, one per line (text/plain)"),
      },
    )
    .patch(
      "/keys/:id",
      ({ params, body }) => {
        const key = getKey(ctx.sqlite, params.id) ?? throwNotFound("key", params.id);
        const status = statusOf(body.status, ["active", "disabled"]);
        if (status === undefined && body.notes === undefined) throw ApiError.invalid("status", "send status (active or disabled) and/or notes");
        const row = updateKey(ctx.sqlite, key.id, { status, notes: body.notes }, ctx.now()) ?? throwNotFound("key", key.id);
        changed(row.group_id);
        return row;
      },
      {
        params: t.Object({ id: t.Integer({ description: "Key id" }) }),
        body: t.Object({ status: t.Optional(t.String({ description: "active | disabled" })), notes: t.Optional(t.String({ maxLength: 1000 })) }),
        detail: detail("Enable or disable one key, or change its notes"),
      },
    );
}
