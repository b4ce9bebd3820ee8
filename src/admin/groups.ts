// /api/groups: list, create, read, change and delete groups. Input is typed by the `t`
// schemas here and checked by group-rules.ts; every change is published on the bus so each
// node reloads the group. Answers groups in snake_case with their key counts by status.

import { Elysia, t } from "elysia";
import { CHANNEL_IDS } from "../channels/index.ts";
import type { PoolCounts } from "../pool/types.ts";
import {
  countKeysByGroup,
  countKeysOfGroup,
  deleteGroup,
  emptyCounts,
  getGroup,
  insertGroup,
  listGroups,
  updateGroup,
  type GroupRow,
  type GroupValues,
} from "../store/repos/groups.ts";
import type { AdminContext } from "./admin-context.ts";
import { ApiError, throwNotFound } from "./api-error.ts";
import { checkGroup } from "./group-rules.ts";

const Upstream = t.Object({
  url: t.String({ maxLength: 2048, description: "http:// or https:// base URL" }),
  weight: t.Integer({ minimum: 0, maximum: 1000 }),
});
const HeaderRule = t.Object({
  action: t.Union([t.Literal("set"), t.Literal("remove")]),
  name: t.String({ maxLength: 200 }),
  value: t.Optional(t.String({ maxLength: 4096, description: "May use ${client_ip}, ${group_name}, ..." })),
});
const SubGroup = t.Object({ group_id: t.Integer(), weight: t.Integer({ minimum: 0, maximum: 1000 }) });

const groupFields = {
  display_name: t.String({ maxLength: 200 }),
  description: t.String({ maxLength: 2000 }),
  upstreams: t.Array(Upstream, { maxItems: 100 }),
  test_model: t.String({ maxLength: 200 }),
  validation_endpoint: t.String({ maxLength: 500 }),
  model_redirect: t.Unknown({ description: "Object: client model -> upstream model" }),
  model_redirect_strict: t.Boolean(),
  param_overrides: t.Unknown({ description: "Object merged into JSON request bodies" }),
  header_rules: t.Array(HeaderRule, { maxItems: 100 }),
  config: t.Unknown({ description: "Object of per-group setting overrides (see GET /api/settings, group_override)" }),
  sub_groups: t.Array(SubGroup, { maxItems: 100, description: "Members of an aggregate group" }),
  enabled: t.Boolean(),
  sort: t.Integer({ minimum: -1_000_000_000, maximum: 1_000_000_000 }),
};
const NameField = t.String({ maxLength: 100, description: "^[a-z0-9_-]{1,100}$; the proxy path is /proxy/<name>" });
const ChannelField = t.String({ maxLength: 40, description: CHANNEL_IDS.join(" | ") });

const CreateGroup = t.Composite([t.Object({ name: NameField, channel_type: ChannelField }), t.Partial(t.Object(groupFields))]);
const PatchGroup = t.Partial(t.Object({ name: NameField, channel_type: ChannelField, ...groupFields }));
type GroupInput = Partial<typeof PatchGroup.static>;

const IdParams = t.Object({ id: t.Integer({ description: "Group id" }) });

export function groupJson(row: GroupRow, counts: PoolCounts) {
  return {
    id: row.id,
    name: row.name,
    display_name: row.displayName,
    description: row.description,
    channel_type: row.channelType,
    upstreams: row.upstreams,
    test_model: row.testModel,
    validation_endpoint: row.validationEndpoint,
    model_redirect: row.modelRedirect,
    model_redirect_strict: row.modelRedirectStrict,
    param_overrides: row.paramOverrides,
    header_rules: row.headerRules,
    config: row.config,
    sub_groups: row.subGroups,
    enabled: row.enabled,
    sort: row.sort,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
    key_counts: counts,
  };
}

/** The columns an input sets (only the fields it names). */
function toValues(input: GroupInput): Partial<GroupValues> {
  const out: Partial<GroupValues> = {};
  const set = <K extends keyof GroupValues>(key: K, value: GroupValues[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set("name", input.name);
  set("displayName", input.display_name);
  set("description", input.description);
  set("channelType", input.channel_type);
  set("upstreams", input.upstreams?.map((u) => ({ url: u.url.trim(), weight: u.weight })));
  set("testModel", input.test_model);
  set("validationEndpoint", input.validation_endpoint);
  set("modelRedirect", input.model_redirect as Record<string, string> | undefined);
  set("modelRedirectStrict", input.model_redirect_strict);
  set("paramOverrides", input.param_overrides as Record<string, unknown> | undefined);
  set("headerRules", input.header_rules);
  set("config", input.config as Record<string, unknown> | undefined);
  set("subGroups", input.sub_groups);
  set("enabled", input.enabled);
  set("sort", input.sort);
  return out;
}

const DEFAULTS: Omit<GroupValues, "name" | "channelType"> = {
  displayName: "",
  description: "",
  upstreams: [],
  testModel: "",
  validationEndpoint: "",
  modelRedirect: {},
  modelRedirectStrict: false,
  paramOverrides: {},
  headerRules: [],
  config: {},
  subGroups: [],
  enabled: true,
  sort: 0,
};

export function createGroupRoutes(ctx: AdminContext) {
  const requireGroup = (id: number) => getGroup(ctx.db, id) ?? throwNotFound("group", id);
  const countsOf = (id: number) => ctx.poolCounts?.(id) ?? countKeysOfGroup(ctx.sqlite, id);
  const detail = (summary: string) => ({ summary, tags: ["groups"] });

  return new Elysia()
    .get(
      "/groups",
      () => {
        const counts = countKeysByGroup(ctx.sqlite);
        const items = listGroups(ctx.db).map((row) => groupJson(row, counts.get(row.id) ?? emptyCounts()));
        return { items, total: items.length };
      },
      { detail: detail("List groups with their key counts by status") },
    )
    .post(
      "/groups",
      ({ body, set }) => {
        const values = checkGroup({ ...DEFAULTS, ...toValues(body as GroupInput) } as GroupValues, listGroups(ctx.db));
        const row = insertGroup(ctx.db, values, ctx.now());
        ctx.bus.publish({ kind: "group-changed", groupId: row.id });
        set.status = 201;
        return groupJson(row, emptyCounts());
      },
      { body: CreateGroup, detail: detail("Create a group (201 with the group)") },
    )
    .get("/groups/:id", ({ params }) => groupJson(requireGroup(params.id), countsOf(params.id)), {
      params: IdParams,
      detail: detail("A group with its live key counts by status"),
    })
    .patch(
      "/groups/:id",
      ({ params, body }) => {
        const existing = requireGroup(params.id);
        const { id, createdAt: _c, updatedAt: _u, ...current } = existing;
        const values = checkGroup({ ...current, ...toValues(body as GroupInput), id }, listGroups(ctx.db));
        const row = updateGroup(ctx.db, id, values, ctx.now()) ?? throwNotFound("group", id);
        ctx.bus.publish({ kind: "group-changed", groupId: id });
        return groupJson(row, countsOf(id));
      },
      { params: IdParams, body: PatchGroup, detail: detail("Change some fields of a group") },
    )
    .delete(
      "/groups/:id",
      ({ params }) => {
        const group = requireGroup(params.id);
        const parents = listGroups(ctx.db).filter((g) => g.subGroups.some((s) => s.group_id === group.id));
        if (parents.length) {
          throw ApiError.conflict(`"${group.name}" is a sub-group of ${parents.map((p) => `"${p.name}"`).join(", ")}; remove it from there first`);
        }
        deleteGroup(ctx.db, group.id);
        ctx.bus.publish({ kind: "group-deleted", groupId: group.id });
        return new Response(null, { status: 204 });
      },
      { params: IdParams, detail: detail("Delete a group and its keys (204); refused while it is a sub-group") },
    );
}
