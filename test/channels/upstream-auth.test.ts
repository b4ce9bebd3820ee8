import { describe, expect, it } from "bun:test";
import { AUTH_HEADERS, setUpstreamAuth } from "../../src/channels/upstream-auth.ts";

describe("upstream-auth", () => {
  it("leavesExactlyOneCredentialHeader", () => {
    const headers = new Headers({ Authorization: "Bearer c", "X-Api-Key": "c", "x-goog-api-key": "c", accept: "text/event-stream" });
    setUpstreamAuth(headers, "x-api-key", "upstream");
    expect([...headers.keys()].sort()).toEqual(["accept", "x-api-key"]);
    expect(headers.get("x-api-key")).toBe("upstream");
  });

  it("coversEveryHeaderTheClientAuthAccepts", () => {
    expect([...AUTH_HEADERS].sort()).toEqual(["authorization", "x-api-key", "x-goog-api-key"]);
    expect(Object.isFrozen(AUTH_HEADERS)).toBe(true);
  });
});
