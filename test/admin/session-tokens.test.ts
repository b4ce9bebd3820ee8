import { describe, expect, it } from "bun:test";
import { SessionTokens } from "../../src/admin/session-tokens.ts";

describe("admin/session-tokens", () => {
  it("verifiesATokenItIssuedUntilItExpires", () => {
    let now = 1_000_000;
    const tokens = new SessionTokens("admin-key", () => now);
    const { token, expiresAt } = tokens.issue(60_000);
    expect(expiresAt).toBe(1_060_000);
    expect(tokens.verify(token)?.expiresAt).toBe(expiresAt);
    now = 1_059_999;
    expect(tokens.verify(token)).not.toBeNull();
    now = 1_060_000;
    expect(tokens.verify(token)).toBeNull();
  });

  it("refusesATokenSignedWithAnotherAdminKey", () => {
    const a = new SessionTokens("admin-key-a", () => 0);
    const b = new SessionTokens("admin-key-b", () => 0);
    expect(b.verify(a.issue(1000).token)).toBeNull();
  });

  it("refusesARevokedTokenButNotOthers", () => {
    const tokens = new SessionTokens("k", () => 0);
    const one = tokens.issue(1000).token;
    const two = tokens.issue(1000).token;
    tokens.revoke(tokens.verify(one)!);
    expect(tokens.verify(one)).toBeNull();
    expect(tokens.verify(two)).not.toBeNull();
  });

  it("refusesMalformedTokens", () => {
    const tokens = new SessionTokens("k", () => 0);
    for (const bad of ["", "a.b", "a.b.c", "1.2.3.4", "99999999999999999.n.m"]) expect(tokens.verify(bad)).toBeNull();
  });
});
