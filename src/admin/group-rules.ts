// The rules a group must satisfy before it is stored: name format and uniqueness, upstream
// URLs and weights, header rules, per-group setting overrides, and the aggregate (sub-group)
// constraints. Pure: takes the candidate and the other groups, throws ApiError naming the field.

import { CHANNEL_IDS, isChannelId } from "../channels/index.ts";
import { validateGroupConfig } from "../config/settings.ts";
import type { GroupRow, GroupValues } from "../store/repos/groups.ts";
import type { HeaderRule, SubGroupRef, Upstream } from "../store/schema.ts";
import { ApiError } from "./api-error.ts";

const NAME = /^[a-z0-9_-]{1,100}$/;
/** RFC 9110 §5.1 field-name token. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,200}$/;
const MAX_JSON_FIELD_BYTES = 64 * 1024;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A group as the rules see it: every column, the id when it already exists. */
export type GroupCandidate = GroupValues & { id?: number };

/** Checks a whole candidate group against the rules and the other groups; returns it normalised. */
export function checkGroup(candidate: GroupCandidate, all: readonly GroupRow[]): GroupValues {
  const { id: selfId, ...group } = candidate;
  if (!NAME.test(group.name)) {
    throw ApiError.invalid("name", "name must be 1-100 characters of a-z, 0-9, _ or - (it becomes the proxy path /proxy/<name>)");
  }
  if (all.some((g) => g.name === group.name && g.id !== selfId)) {
    throw ApiError.conflict(`a group named "${group.name}" already exists; pick another name`, "name");
  }
  if (!isChannelId(group.channelType)) {
    throw ApiError.invalid("channel_type", `channel_type must be one of ${CHANNEL_IDS.join(", ")}`);
  }
  const subGroups = group.subGroups ?? [];
  checkUpstreams(group.upstreams, subGroups.length > 0);
  if (group.validationEndpoint && !group.validationEndpoint.startsWith("/")) {
    throw ApiError.invalid("validation_endpoint", "validation_endpoint must be a path starting with / (e.g. /v1/chat/completions), or empty");
  }
  checkModelRedirect(group.modelRedirect);
  checkJsonObject("param_overrides", group.paramOverrides);
  checkHeaderRules(group.headerRules ?? []);
  const config = group.config ?? {};
  if (!isPlainObject(config)) throw ApiError.invalid("config", "config must be an object of setting overrides");
  const checked = validateGroupConfig(config);
  if (!checked.ok) throw ApiError.invalid(checked.field, checked.message);
  checkSubGroups(subGroups, group.channelType, selfId, all);
  if (selfId !== undefined) checkAsMember(selfId, group.channelType, subGroups.length > 0, all);
  return { ...group, config: checked.value };
}

function checkUpstreams(upstreams: readonly Upstream[], aggregate: boolean): void {
  upstreams.forEach((u, i) => {
    let url: URL | undefined;
    try {
      url = new URL(u.url);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "http:" && url.protocol !== "https:")) {
      throw ApiError.invalid(`upstreams.${i}.url`, `upstreams[${i}].url must be an http:// or https:// URL, got "${u.url.slice(0, 100)}"`);
    }
  });
  if (!aggregate && !upstreams.some((u) => u.weight > 0)) {
    throw ApiError.invalid("upstreams", "a group needs at least one upstream with weight > 0 (or sub_groups, for an aggregate group)");
  }
}

function checkModelRedirect(redirect: unknown): void {
  if (redirect === undefined) return;
  if (!isPlainObject(redirect)) throw ApiError.invalid("model_redirect", "model_redirect must be an object mapping client model names to upstream model names");
  for (const [from, to] of Object.entries(redirect)) {
    if (typeof to !== "string" || !to || to.length > 200 || !from || from.length > 200) {
      throw ApiError.invalid(`model_redirect.${from}`, `model_redirect["${from.slice(0, 100)}"] must be a non-empty model name of at most 200 characters`);
    }
  }
  checkJsonObject("model_redirect", redirect);
}

function checkJsonObject(field: string, value: unknown): void {
  if (value === undefined) return;
  if (!isPlainObject(value)) throw ApiError.invalid(field, `${field} must be an object`);
  if (JSON.stringify(value).length > MAX_JSON_FIELD_BYTES) throw ApiError.invalid(field, `${field} is larger than 64 KiB`);
}

function checkHeaderRules(rules: readonly HeaderRule[]): void {
  rules.forEach((rule, i) => {
    if (!HEADER_NAME.test(rule.name)) {
      throw ApiError.invalid(`header_rules.${i}.name`, `header_rules[${i}].name "${rule.name.slice(0, 100)}" is not a valid HTTP header name`);
    }
    if (rule.action === "set" && rule.value === undefined) {
      throw ApiError.invalid(`header_rules.${i}.value`, `header_rules[${i}] sets ${rule.name} and needs a value (variables such as \${client_ip} are allowed)`);
    }
    if (rule.value !== undefined && /[\r\n\0]/.test(rule.value)) {
      throw ApiError.invalid(`header_rules.${i}.value`, `header_rules[${i}].value must not contain line breaks`);
    }
  });
}

function checkSubGroups(subGroups: readonly SubGroupRef[], channelType: string, selfId: number | undefined, all: readonly GroupRow[]): void {
  if (!subGroups.length) return;
  const seen = new Set<number>();
  subGroups.forEach((ref, i) => {
    const field = `sub_groups.${i}.group_id`;
    if (ref.group_id === selfId) throw ApiError.invalid(field, "a group cannot be its own sub-group");
    if (seen.has(ref.group_id)) throw ApiError.invalid(field, `group ${ref.group_id} is listed twice in sub_groups`);
    seen.add(ref.group_id);
    const member = all.find((g) => g.id === ref.group_id);
    if (!member) throw ApiError.invalid(field, `sub-group ${ref.group_id} does not exist`);
    if (member.subGroups.length) throw ApiError.invalid(field, `"${member.name}" is itself an aggregate group; sub-groups must be plain groups`);
    if (member.channelType !== channelType) {
      throw ApiError.invalid(field, `"${member.name}" is a ${member.channelType} group; every sub-group must be ${channelType} like the aggregate`);
    }
  });
  if (!subGroups.some((s) => s.weight > 0)) throw ApiError.invalid("sub_groups", "at least one sub-group needs a weight > 0");
}

/** A group that is a member of an aggregate must stay plain and keep the aggregate's channel type. */
function checkAsMember(selfId: number, channelType: string, aggregate: boolean, all: readonly GroupRow[]): void {
  for (const parent of all) {
    if (!parent.subGroups.some((s) => s.group_id === selfId)) continue;
    if (aggregate) throw ApiError.invalid("sub_groups", `this group is a sub-group of "${parent.name}" and cannot become an aggregate group itself`);
    if (parent.channelType !== channelType) {
      throw ApiError.invalid("channel_type", `this group is a sub-group of "${parent.name}" (${parent.channelType}); remove it there before changing its channel type`);
    }
  }
}
