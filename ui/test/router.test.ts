import { describe, expect, it } from "bun:test";
import { matchPath } from "../src/lib/router.ts";
import { ROUTES } from "../src/routes.ts";

describe("router", () => {
  it("matchesEveryPageAndReadsParams", () => {
    expect(matchPath(ROUTES, "/")).toEqual({ name: "dashboard", params: {} });
    expect(matchPath(ROUTES, "/groups/")).toEqual({ name: "groups", params: {} });
    expect(matchPath(ROUTES, "/groups/42/keys")).toEqual({ name: "keys", params: { id: "42" } });
    expect(matchPath(ROUTES, "/access-keys")?.name).toBe("accessKeys");
    expect(matchPath(ROUTES, "/nope")).toBeNull();
    expect(matchPath(ROUTES, "/groups/42")).toBeNull();
  });
});
