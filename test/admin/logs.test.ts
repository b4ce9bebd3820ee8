import { afterAll, beforeAll, describe, expect, it } from "bun:test";
import { csvCell } from "../../src/admin/logs.ts";
import { startTestGateway, type TestGateway } from "../support/gateway.ts";
import { logEntry, writeEntries } from "../support/log-entries.ts";

const T0 = Date.UTC(2025, 0, 1);
const BULK = 2500;

let gw: TestGateway;
beforeAll(async () => {
  gw = startTestGateway();
  const res = await gw.call("/api/groups", { method: "POST", json: { name: "main", channel_type: "openai", upstreams: [{ url: "https://api.openai.com", weight: 1 }] } });
  expect(res.status).toBe(201);
  const entries = Array.from({ length: BULK }, (_, i) =>
    logEntry({ ts: T0 + i * 1000, groupId: 1, groupName: "main", model: i % 2 ? "gpt-4o" : "gpt-4o-mini", status: i % 10 === 0 ? 429 : 200, error: i % 10 === 0 ? "slow down" : null }),
  );
  entries.push(
    logEntry({ ts: T0 + BULK * 1000, groupId: 2, groupName: "other", status: 500, error: 'upstream said "no", then\nhung up', model: "=cmd()" }),
  );
  writeEntries(gw.gateway.store.sqlite, entries);
});
afterAll(() => gw.close());

interface Page {
  items: { id: number; ts: number; status: number; model: string; attempts: unknown[]; stream: boolean; group_name: string }[];
  next_cursor: string | null;
  total?: number;
  total_capped?: boolean;
}

const page = async (query: string) => {
  const res = await gw.call(`/api/logs${query}`);
  expect(res.status, query).toBe(200);
  return (await res.json()) as Page;
};

/** RFC 4180 reader: quoted fields with doubled quotes, CRLF or LF records. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") row.push(cell), (cell = "");
    else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(cell), rows.push(row), (row = []), (cell = "");
    } else cell += c;
  }
  if (cell || row.length) row.push(cell), rows.push(row);
  return rows;
}

describe("admin/logs", () => {
  it("pagesNewestFirstWithACursorAndGivesTheTotalOnTheFirstPageOnly", async () => {
    const first = await page("?limit=500");
    expect(first.items.length).toBe(500);
    expect(first.total).toBe(BULK + 1);
    expect(first.items[0]!.group_name).toBe("other");
    const ids = first.items.map((i) => i.id);
    let cursor = first.next_cursor;
    while (cursor) {
      const next = await page(`?limit=500&cursor=${cursor}`);
      expect(next.total).toBeUndefined();
      ids.push(...next.items.map((i) => i.id));
      cursor = next.next_cursor;
    }
    expect(ids).toEqual(Array.from({ length: BULK + 1 }, (_, i) => BULK + 1 - i));
  });

  it("returnsAttemptsAsAnArrayAndFieldsInSnakeCase", async () => {
    const { items } = await page("?limit=1");
    const item = items[0] as unknown as Record<string, unknown>;
    expect(Array.isArray(item.attempts)).toBe(true);
    for (const key of ["request_id", "group_id", "duration_ms", "ttfb_ms", "input_tokens", "key_masked", "error_class"]) expect(key in item).toBe(true);
    expect("requestBody" in item || "request_body" in item).toBe(false);
  });

  it("filtersByGroupNameOrIdModelStatusSuccessTimeAndText", async () => {
    expect((await page("?group=main")).total).toBe(BULK);
    expect((await page("?group=1")).total).toBe(BULK);
    expect((await page("?group=nope")).total).toBe(0);
    expect((await page("?model=gpt-4o")).total).toBe(BULK / 2);
    expect((await page("?status=429")).total).toBe(BULK / 10);
    expect((await page("?success=false")).total).toBe(BULK / 10 + 1);
    expect((await page("?success=true&model=gpt-4o-mini")).total).toBe(BULK / 2 - BULK / 10);
    const from = new Date(T0 + 10_000).toISOString();
    expect((await page(`?from=${encodeURIComponent(from)}&to=${T0 + 20_000}`)).total).toBe(10);
    expect((await page("?q=SAID%20%22NO")).items.map((i) => i.group_name)).toEqual(["other"]);
    expect((await page("?min_duration_ms=121")).total).toBe(0);
  });

  it("refusesMalformedFiltersWithTheFieldNamed", async () => {
    for (const [query, field] of [["?status=abc", "status"], ["?success=yes", "success"], ["?from=yesterday", "from"], ["?limit=0", "limit"], ["?cursor=@@", "cursor"]] as const) {
      const res = await gw.call(`/api/logs${query}`);
      expect(res.status, query).toBe(400);
      const body = (await res.json()) as { error: { code: string; field: string } };
      expect(body.error).toMatchObject({ code: "invalid_request", field });
    }
  });

  it("showsOneLogAndAnswers404InTheErrorShapeForAnUnknownOne", async () => {
    const res = await gw.call("/api/logs/1");
    expect(res.status).toBe(200);
    const log = (await res.json()) as { id: number; attempts: unknown[]; request_body: null };
    expect(log.id).toBe(1);
    expect(log.attempts.length).toBe(1);
    expect(log.request_body).toBeNull();
    for (const id of ["999999", "abc"]) {
      const missing = await gw.call(`/api/logs/${id}`);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found");
    }
  });

  it("keepsLogsBehindTheAdminGuard", async () => {
    for (const path of ["/api/logs", "/api/logs/1", "/api/logs/export"]) expect((await gw.call(path, { auth: false })).status).toBe(401);
  });

  it("exportsEveryMatchAsQuotedCsvAcrossBatches", async () => {
    const res = await gw.call("/api/logs/export?format=csv");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/csv");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="poolgate-logs-.+\.csv"$/);
    const rows = parseCsv(await res.text());
    const header = rows[0]!;
    expect(header).toContain("attempts");
    expect(rows.length).toBe(BULK + 2);
    const first = Object.fromEntries(header.map((h, i) => [h, rows[1]![i]]));
    expect(first.error).toBe('upstream said "no", then\nhung up');
    expect(first.model).toBe("'=cmd()");
    expect(JSON.parse(first.attempts!)).toHaveLength(1);
    expect(rows.slice(1).map((r) => Number(r[0]))).toEqual(Array.from({ length: BULK + 1 }, (_, i) => BULK + 1 - i));
  });

  it("exportsFilteredNdjsonWithAnOptionalRowLimit", async () => {
    const res = await gw.call("/api/logs/export?format=ndjson&status=429&limit=30");
    expect(res.headers.get("content-disposition")).toContain(".ndjson");
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l) as { status: number; attempts: unknown[] });
    expect(lines.length).toBe(30);
    expect(lines.every((l) => l.status === 429 && Array.isArray(l.attempts))).toBe(true);
    expect((await gw.call("/api/logs/export?format=xml")).status).toBe(400);
  });

  it("quotesCsvCellsOnlyWhenNeeded", () => {
    expect(csvCell(null)).toBe("");
    expect(csvCell(12)).toBe("12");
    expect(csvCell(true)).toBe("true");
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("-1+1")).toBe("'-1+1");
  });
});
