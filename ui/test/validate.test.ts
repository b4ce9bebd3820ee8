import { describe, expect, it } from "bun:test";
import type { Setting } from "../src/api/settings.ts";
import {
  accessKeyToForm,
  dateInputValue,
  emptyGroupForm,
  groupToForm,
  parseSettingInput,
  serverFieldError,
  stillFailing,
  validateAccessKeyEdit,
  validateAccessKeyForm,
  validateGroupForm,
  validateKeyNotes,
  type FieldError,
  type GroupForm,
} from "../src/lib/validate.ts";

const setting = (over: Partial<Setting>): Setting => ({
  key: "max_attempts",
  value: 3,
  default: 3,
  description: "",
  type: "integer",
  min: 1,
  max: 20,
  category: "proxy",
  group_override: true,
  ...over,
});

const form = (over: Partial<GroupForm>): GroupForm => ({ ...emptyGroupForm(), name: "main", upstreams: [{ url: "https://api.openai.com", weight: "1" }], ...over });

describe("validate settings", () => {
  it("acceptsWholeNumbersWithinBounds", () => {
    expect(parseSettingInput(setting({}), " 4 ")).toEqual({ ok: true, value: 4 });
    expect(parseSettingInput(setting({}), "0")).toEqual({ ok: false, error: { key: "validate.atLeast", params: { min: 1 } } });
    expect(parseSettingInput(setting({}), "99")).toEqual({ ok: false, error: { key: "validate.atMost", params: { max: 20 } } });
    expect(parseSettingInput(setting({}), "2.5")).toEqual({ ok: false, error: { key: "validate.wholeNumber" } });
    expect(parseSettingInput(setting({}), "")).toEqual({ ok: false, error: { key: "validate.wholeNumber" } });
  });

  it("readsStatusListsAndBooleans", () => {
    const list = setting({ type: "integer-list", min: null, max: null });
    expect(parseSettingInput(list, "401, 403 429")).toEqual({ ok: true, value: [401, 403, 429] });
    expect(parseSettingInput(list, "")).toEqual({ ok: true, value: [] });
    expect(parseSettingInput(list, "401, 99")).toEqual({ ok: false, error: { key: "validate.statusList" } });
    expect(parseSettingInput(setting({ type: "boolean" }), true)).toEqual({ ok: true, value: true });
    expect(parseSettingInput(setting({ type: "boolean" }), "false")).toEqual({ ok: true, value: false });
  });
});

describe("validate group form", () => {
  it("turnsAValidFormIntoTheApiInput", () => {
    const result = validateGroupForm(form({ model_redirect: '{"a":"b"}', config: { max_attempts: "5", idle_timeout_ms: "" } }), [setting({}), setting({ key: "idle_timeout_ms" })]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.value).toMatchObject({ name: "main", upstreams: [{ url: "https://api.openai.com", weight: 1 }], model_redirect: { a: "b" }, config: { max_attempts: 5 }, sort: 0 });
  });

  it("namesEveryBadFieldWithAMessageKey", () => {
    const result = validateGroupForm(
      form({
        name: "Bad Name",
        upstreams: [{ url: "ftp://x", weight: "-1" }],
        validation_endpoint: "v1/x",
        model_redirect: "[1]",
        param_overrides: "{",
        header_rules: '[{"action":"set","name":"bad header"}]',
        config: { max_attempts: "50" },
      }),
      [setting({})],
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.fromEntries(Object.entries(result.errors).map(([k, v]) => [k, v.key]))).toEqual({
      name: "validate.groupName",
      "upstreams.0.url": "validate.url",
      "upstreams.0.weight": "validate.weight",
      validation_endpoint: "validate.path",
      model_redirect: "validate.redirect",
      param_overrides: "validate.jsonObject",
      header_rules: "validate.headerRules",
      "config.max_attempts": "validate.atMost",
    });
  });

  it("needsAWeightedUpstreamUnlessTheGroupAggregatesOthers", () => {
    const plain = validateGroupForm(form({ upstreams: [{ url: "https://a.example", weight: "0" }] }));
    expect(plain.ok ? {} : plain.errors.upstreams?.key).toBe("validate.needUpstream");
    const aggregate = validateGroupForm(form({ upstreams: [{ url: "", weight: "1" }], sub_groups: [{ group_id: "2", weight: "3" }] }));
    expect(aggregate.ok && aggregate.value.sub_groups).toEqual([{ group_id: 2, weight: 3 }]);
    expect(aggregate.ok && aggregate.value.upstreams).toEqual([]);
  });

  it("roundTripsAGroupThroughTheFormAndCopiesUnderANewName", () => {
    const group = { name: "main", channel_type: "anthropic" as const, upstreams: [{ url: "https://x.example", weight: 2 }], config: { max_attempts: 5 }, header_rules: [], model_redirect: {} };
    const edit = groupToForm(group);
    expect(edit.upstreams).toEqual([{ url: "https://x.example", weight: "2" }]);
    expect(edit.config).toEqual({ max_attempts: "5" });
    expect(edit.header_rules).toBe("");
    expect(groupToForm(group, true).name).toBe("main-copy");
    const back = validateGroupForm(edit, [setting({})]);
    expect(back.ok && back.value.config).toEqual({ max_attempts: 5 });
  });
});

describe("validate access key form", () => {
  const now = Date.UTC(2026, 0, 1);
  it("acceptsANameWithOptionalLimitAndExpiry", () => {
    const result = validateAccessKeyForm({ name: " app ", group_ids: [1], rpm_limit: "60", expires_on: "2026-02-01" }, now);
    expect(result.ok && result.value).toMatchObject({ name: "app", group_ids: [1], rpm_limit: 60 });
    expect(result.ok && typeof result.value.expires_at).toBe("number");
    const open = validateAccessKeyForm({ name: "x", group_ids: [], rpm_limit: "0", expires_on: "" }, now);
    expect(open.ok && open.value).toEqual({ name: "x", group_ids: [], rpm_limit: null });
  });

  it("refusesAnEmptyNameABadLimitAndAPastDate", () => {
    const result = validateAccessKeyForm({ name: " ", group_ids: [], rpm_limit: "-3", expires_on: "2020-01-01" }, now);
    expect(result.ok ? {} : Object.keys(result.errors).sort()).toEqual(["expires_on", "name", "rpm_limit"]);
  });
});

describe("validate access key edit", () => {
  const now = new Date(2026, 0, 1, 12).getTime();
  const key = { name: "app", group_ids: [2, 1], rpm_limit: 60, expires_at: new Date(2026, 5, 30, 23, 59, 59).getTime() };

  it("fillsTheFormFromTheKeyWithTheExpiryAsALocalDay", () => {
    expect(accessKeyToForm(key)).toEqual({ name: "app", group_ids: [2, 1], rpm_limit: "60", expires_on: "2026-06-30" });
    expect(accessKeyToForm({ ...key, rpm_limit: null, expires_at: null })).toMatchObject({ rpm_limit: "", expires_on: "" });
    expect(dateInputValue(null)).toBe("");
  });

  it("sendsNothingWhenNothingChanged", () => {
    const result = validateAccessKeyEdit({ ...accessKeyToForm(key), group_ids: [1, 2] }, key, now);
    expect(result).toEqual({ ok: true, value: {} });
  });

  it("sendsOnlyTheChangedFields", () => {
    const result = validateAccessKeyEdit({ ...accessKeyToForm(key), name: " renamed ", rpm_limit: "120" }, key, now);
    expect(result).toEqual({ ok: true, value: { name: "renamed", rpm_limit: 120 } });
    const scoped = validateAccessKeyEdit({ ...accessKeyToForm(key), group_ids: [3] }, key, now);
    expect(scoped).toEqual({ ok: true, value: { group_ids: [3] } });
  });

  it("liftsTheLimitWithAnEmptyOrZeroRpm", () => {
    expect(validateAccessKeyEdit({ ...accessKeyToForm(key), rpm_limit: "" }, key, now)).toEqual({ ok: true, value: { rpm_limit: null } });
    expect(validateAccessKeyEdit({ ...accessKeyToForm(key), rpm_limit: "0" }, key, now)).toEqual({ ok: true, value: { rpm_limit: null } });
  });

  it("clearsTheExpiryWithAnEmptyDateAndSetsANewOneAtTheEndOfThatDay", () => {
    expect(validateAccessKeyEdit({ ...accessKeyToForm(key), expires_on: "" }, key, now)).toEqual({ ok: true, value: { expires_at: null } });
    const moved = validateAccessKeyEdit({ ...accessKeyToForm(key), expires_on: "2026-03-01" }, key, now);
    expect(moved).toEqual({ ok: true, value: { expires_at: new Date(2026, 2, 1, 23, 59, 59).getTime() } });
  });

  it("keepsAnExpiryAlreadyPastWhenOnlyTheNameChanges", () => {
    const expired = { ...key, expires_at: new Date(2025, 0, 1, 23, 59, 59).getTime() };
    expect(validateAccessKeyEdit({ ...accessKeyToForm(expired), name: "old" }, expired, now)).toEqual({ ok: true, value: { name: "old" } });
  });

  it("refusesABadNameLimitOrPastDate", () => {
    const result = validateAccessKeyEdit({ name: "", group_ids: [], rpm_limit: "1.5", expires_on: "2025-12-31" }, key, now);
    expect(result.ok ? {} : result.errors).toEqual({
      name: { key: "validate.accessKeyName" },
      rpm_limit: { key: "validate.rpm" },
      expires_on: { key: "validate.future" },
    });
    expect(validateAccessKeyEdit({ ...accessKeyToForm(key), rpm_limit: "1000001" }, key, now).ok).toBe(false);
  });

  it("putsTheApisFieldErrorOnTheFieldThatShowsIt", () => {
    expect(serverFieldError("expires_at", "expires_at is in the past")).toEqual({ expires_on: { key: "validate.server", params: { message: "expires_at is in the past" } } });
    expect(serverFieldError("group_ids", "group 9 does not exist")).toEqual({ group_ids: { key: "validate.server", params: { message: "group 9 does not exist" } } });
  });
});

describe("validate key notes", () => {
  it("trimsNotesAndAcceptsUpTo1000Characters", () => {
    expect(validateKeyNotes("  backup key  ")).toEqual({ ok: true, value: "backup key" });
    expect(validateKeyNotes("")).toEqual({ ok: true, value: "" });
    expect(validateKeyNotes("x".repeat(1000)).ok).toBe(true);
  });

  it("refusesNotesLongerThan1000Characters", () => {
    expect(validateKeyNotes("x".repeat(1001))).toEqual({ ok: false, error: { key: "validate.tooLong", params: { max: 1000 } } });
  });
});

describe("stillFailing", () => {
  const nameError = { key: "validate.groupName" } as FieldError;
  const server = { key: "validate.server", params: { message: "name taken" } } as FieldError;
  it("dropsAClientErrorOnceTheFieldChecksCleanAndKeepsServerErrors", () => {
    expect(stillFailing({ name: nameError, display_name: server }, { ok: true, value: {} })).toEqual({ display_name: server });
    expect(stillFailing({ name: nameError }, { ok: false, errors: { name: nameError, sort: nameError } })).toEqual({ name: nameError });
  });
});
