import { describe, expect, it } from "bun:test";
import { ApiError, createApiClient, queryString } from "../src/api/client.ts";
import { listKeys } from "../src/api/keys.ts";
import { saveSettings } from "../src/api/settings.ts";

type Call = { url: string; init: RequestInit };

function fakeFetch(reply: (call: Call) => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const call = { url: String(input), init: init ?? {} };
    calls.push(call);
    return reply(call);
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

describe("api client", () => {
  it("buildsQueriesFromDefinedNonEmptyValuesOnly", () => {
    expect(queryString({ a: 1, b: "", c: undefined, d: null, e: "x y", f: false })).toBe("?a=1&e=x+y&f=false");
    expect(queryString({})).toBe("");
    expect(queryString(undefined)).toBe("");
  });

  it("sendsJsonAndReturnsTheParsedAnswer", async () => {
    const { fetch, calls } = fakeFetch(() => Response.json({ items: [], total: 0 }));
    const api = createApiClient({ fetch, base: "http://gw" });
    const result = await saveSettings(api, { max_attempts: 4 });
    expect(result).toEqual({ items: [], total: 0 });
    expect(calls[0]!.url).toBe("http://gw/api/settings");
    expect(calls[0]!.init.method).toBe("PATCH");
    expect(calls[0]!.init.body).toBe('{"max_attempts":4}');
    expect((calls[0]!.init.headers as Record<string, string>)["content-type"]).toBe("application/json");
    expect(calls[0]!.init.credentials).toBe("same-origin");
  });

  it("pagesKeysWithTheServersQueryNames", async () => {
    const { fetch, calls } = fakeFetch(() => Response.json({ items: [], total: 0, page: 3, page_size: 200 }));
    await listKeys(createApiClient({ fetch }), 7, { page: 3, pageSize: 200, status: "invalid", q: "  abc " });
    expect(calls[0]!.url).toBe("/api/groups/7/keys?page=3&page_size=200&status=invalid&q=abc");
  });

  it("throwsTheServersErrorCodeMessageAndField", async () => {
    const { fetch } = fakeFetch(() => Response.json({ error: { code: "invalid_request", message: "name must be …", field: "name" } }, { status: 400 }));
    const error = await createApiClient({ fetch }).request("POST", "/groups", { body: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: "invalid_request", message: "name must be …", field: "name" });
  });

  it("throwsAPlainErrorWhenTheAnswerIsNotTheErrorShape", async () => {
    const { fetch } = fakeFetch(() => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    const error = (await createApiClient({ fetch }).request("GET", "/groups").catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.code).toBe("http_error");
    expect(error.message).toContain("502");
    const { fetch: f401 } = fakeFetch(() => new Response("", { status: 401 }));
    expect(((await createApiClient({ fetch: f401 }).request("GET", "/x").catch((e: unknown) => e)) as ApiError).code).toBe("unauthorized");
  });

  it("turnsANetworkFailureIntoANetworkApiError", async () => {
    const { fetch } = fakeFetch(() => {
      throw new TypeError("fetch failed");
    });
    const error = (await createApiClient({ fetch }).request("GET", "/groups").catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(0);
    expect(error.code).toBe("network");
  });

  it("letsAnAbortPassThroughUnchanged", async () => {
    const { fetch } = fakeFetch(() => {
      throw new DOMException("aborted", "AbortError");
    });
    const error = await createApiClient({ fetch }).request("GET", "/groups").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DOMException);
  });

  it("answersUndefinedForNoContent", async () => {
    const { fetch } = fakeFetch(() => new Response(null, { status: 204 }));
    expect(await createApiClient({ fetch }).request("DELETE", "/groups/1")).toBeUndefined();
  });

  it("buildsDownloadUrlsUnderApi", () => {
    expect(createApiClient({ base: "" }).url("/logs/export", { format: "csv", group: "" })).toBe("/api/logs/export?format=csv");
  });
});

describe("tasks api", () => {
  it("answersTheRunningTasksIdWhenAValidationIsAlreadyRunning", async () => {
    const { startValidation } = await import("../src/api/tasks.ts");
    const { fetch } = fakeFetch(() => Response.json({ error: { code: "validation_running", message: "busy" }, task_id: "t-9" }, { status: 409 }));
    expect(await startValidation(createApiClient({ fetch }), 1, "all")).toBe("t-9");
    const { fetch: ok, calls } = fakeFetch(() => Response.json({ task_id: "t-1", task: {} }, { status: 202 }));
    expect(await startValidation(createApiClient({ fetch: ok }), 4, "invalid")).toBe("t-1");
    expect(calls[0]!.url).toBe("/api/groups/4/keys/validate");
    expect(calls[0]!.init.body).toBe('{"status":"invalid"}');
    const { fetch: gone } = fakeFetch(() => Response.json({ error: { code: "not_found", message: "group 4 does not exist" } }, { status: 404 }));
    await expect(startValidation(createApiClient({ fetch: gone }), 4, "all")).rejects.toThrow("group 4 does not exist");
  });
});
