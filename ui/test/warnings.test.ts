import { describe, expect, it } from "bun:test";
import type { Group } from "../src/api/groups.ts";
import type { Setting } from "../src/api/settings.ts";
import { snippet, snippetKindsFor } from "../src/lib/snippets.ts";
import { dashboardWarnings } from "../src/lib/warnings.ts";

const s = (key: string, value: Setting["value"]): Setting => ({ key, value, default: value, description: "", type: "string", min: null, max: null, category: "security", group_override: false });
const g = (name: string, active: number, total: number, over: Partial<Group> = {}): Group =>
  ({ name, enabled: true, sub_groups: [], key_counts: { total, active, cooldown: 0, invalid: total - active, disabled: 0 }, ...over }) as Group;

describe("dashboard warnings", () => {
  it("warnsAboutOpenMetricsLoggedBodiesAndGroupsShortOfKeys", () => {
    const warnings = dashboardWarnings([s("metrics_token", ""), s("log_bodies", true)], [g("ok", 90, 100), g("low", 1, 100), g("dead", 0, 5), g("empty", 0, 0), g("off", 0, 0, { enabled: false })]);
    expect(warnings.map((w) => w.key)).toEqual(["warning.metricsOpen", "warning.logBodies", "warning.fewKeys", "warning.noUsableKeys", "warning.noKeys"]);
    expect(warnings[2]!.params).toEqual({ name: "low", active: 1, total: 100 });
  });

  it("warnsFirstAboutAWeakAdminKey", () => {
    expect(dashboardWarnings([s("metrics_token", "t0ken")], [g("ok", 5, 5)], true).map((w) => w.key)).toEqual(["warning.weakAdminKey"]);
  });

  it("readsWhetherTheWriteOnlyMetricsTokenIsSet", () => {
    const token = (isSet: boolean): Setting => ({ ...s("metrics_token", ""), secret: true, is_set: isSet });
    expect(dashboardWarnings([token(false)], []).map((w) => w.key)).toEqual(["warning.metricsOpen"]);
    expect(dashboardWarnings([token(true)], [])).toEqual([]);
  });

  it("staysQuietWhenAllIsWell", () => {
    expect(dashboardWarnings([s("metrics_token", "t0ken"), s("log_bodies", false)], [g("ok", 5, 5)])).toEqual([]);
  });
});

describe("snippets", () => {
  it("pointsEachSdkAtTheGroupsBaseUrl", () => {
    expect(snippet("openai", "http://gw", "main", "openai", "gpt-4o")).toContain('baseURL: "http://gw/proxy/main/v1"');
    expect(snippet("anthropic", "http://gw", "claude", "anthropic")).toContain('baseURL: "http://gw/proxy/claude"');
    expect(snippet("gemini", "http://gw", "gem", "gemini")).toContain('baseUrl: "http://gw/proxy/gem"');
    expect(snippet("curl", "http://gw", "main", "openai")).toContain("http://gw/proxy/main/v1/chat/completions");
    expect(snippet("curl", "http://gw", "c", "anthropic")).toContain("/v1/messages");
    expect(snippetKindsFor("gemini")).toEqual(["gemini", "curl"]);
  });
});
