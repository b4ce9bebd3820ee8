import { describe, expect, it } from "bun:test";
import { createSseParser, parseSseJson } from "../../src/channels/sse.ts";
import { fixtureBytes } from "./contract.ts";

type Ev = { data: string; event: string };

const enc = new TextEncoder();

function collect(chunks: readonly (Uint8Array | string)[], options?: { maxLineBytes?: number; skipWithout?: string }, end = true): Ev[] {
  const events: Ev[] = [];
  const parser = createSseParser((data, event) => events.push({ data, event }), options);
  for (const c of chunks) parser.push(typeof c === "string" ? enc.encode(c) : c);
  if (end) parser.end();
  return events;
}

const FIXTURES = ["openai/chat-stream.sse", "openai-responses/response-stream.sse", "anthropic/message-stream.sse", "gemini/stream-generate-content.sse"];

describe("sse", () => {
  it("givesTheSameEventsWhereverAFixtureIsSplitInTwo", () => {
    for (const file of FIXTURES) {
      const bytes = fixtureBytes(file);
      const whole = collect([bytes]);
      expect(whole.length).toBeGreaterThan(2);
      for (let i = 0; i <= bytes.length; i++) {
        expect(collect([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(whole);
      }
    }
  });

  it("givesEveryEventHoldingTheSkipTextWhereverAFixtureIsSplit", () => {
    const holding = (events: Ev[]) => events.filter((e) => e.data.includes('"usage'));
    for (const file of FIXTURES) {
      const bytes = fixtureBytes(file);
      const wanted = holding(collect([bytes]));
      expect(wanted.length).toBeGreaterThan(0);
      for (let i = 0; i <= bytes.length; i++) {
        for (let j = i; j <= bytes.length; j += 97) {
          const chunks = [bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)];
          expect(holding(collect(chunks, { skipWithout: '"usage' }))).toEqual(wanted);
        }
      }
      const oneByOne = Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
      expect(holding(collect(oneByOne, { skipWithout: '"usage' }))).toEqual(wanted);
    }
  });

  it("passesOverWholeEventsOfAChunkThatLacksTheSkipText", () => {
    const chunks = ['data: {"a":1}\n\ndata: {"b":2}\n\ndata: {"c"', ':3}\n\n', 'data: {"usage":{}}\n\ndata: {"d":4}\n\n', "event: x\ndata: {}\r\n\r\n"];
    expect(collect(chunks, { skipWithout: '"usage' })).toEqual([
      { data: '{"c":3}', event: "message" },
      { data: '{"usage":{}}', event: "message" },
      { data: '{"d":4}', event: "message" },
      { data: "{}", event: "x" },
    ]);
  });

  it("givesTheSameEventsFedOneByteAtATime", () => {
    for (const file of FIXTURES) {
      const bytes = fixtureBytes(file);
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i++) chunks.push(bytes.subarray(i, i + 1));
      expect(collect(chunks)).toEqual(collect([bytes]));
    }
  });

  it("decodesMultiByteCharactersSplitAcrossChunks", () => {
    const bytes = enc.encode("data: é世👋\n\n");
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        expect(collect([bytes.subarray(0, i), bytes.subarray(i, j), bytes.subarray(j)])).toEqual([{ data: "é世👋", event: "message" }]);
      }
    }
  });

  it("acceptsLfCrlfAndLoneCrLineEndings", () => {
    const expected = [
      { data: "a", event: "message" },
      { data: "b", event: "message" },
    ];
    expect(collect(["data: a\n\ndata: b\n\n"])).toEqual(expected);
    expect(collect(["data: a\r\n\r\ndata: b\r\n\r\n"])).toEqual(expected);
    expect(collect(["data: a\r\rdata: b\r\r"])).toEqual(expected);
    expect(collect(["data: a\r\n\ndata: b\n\r\n"])).toEqual(expected);
  });

  it("doesNotTakeACrlfSplitBetweenChunksForTwoLineEnds", () => {
    for (const text of ["data: a\r\ndata: b\r\n\r\n", "data: a\r\n\r\n"]) {
      const bytes = enc.encode(text);
      const whole = collect([bytes]);
      for (let i = 0; i <= bytes.length; i++) expect(collect([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(whole);
    }
    expect(collect(["data: a\r", "\ndata: b\r", "\n\r", "\n"])).toEqual([{ data: "a\nb", event: "message" }]);
  });

  it("joinsMultiLineDataWithNewlines", () => {
    expect(collect(["data: {\ndata: \"a\": 1\ndata: }\n\n"])).toEqual([{ data: '{\n"a": 1\n}', event: "message" }]);
  });

  it("removesOnlyOneSpaceAfterTheColon", () => {
    expect(collect(["data:x\n\ndata:  y\n\ndata:\n\n"])).toEqual([
      { data: "x", event: "message" },
      { data: " y", event: "message" },
      { data: "", event: "message" },
    ]);
  });

  it("readsAFieldWithoutColonAsAnEmptyValue", () => {
    expect(collect(["data\ndata: b\n\n"])).toEqual([{ data: "\nb", event: "message" }]);
  });

  it("passesEventNamesAndForgetsThemAfterEachEvent", () => {
    expect(collect(["event: message_start\ndata: 1\n\ndata: 2\n\nevent:ping\ndata: 3\n\n"])).toEqual([
      { data: "1", event: "message_start" },
      { data: "2", event: "message" },
      { data: "3", event: "ping" },
    ]);
  });

  it("ignoresCommentsIdsRetriesAndUnknownFields", () => {
    expect(collect([": keep-alive\n\n:\nid: 7\nretry: 1000\nfoo: bar\ndata: x\n\n"])).toEqual([{ data: "x", event: "message" }]);
  });

  it("dispatchesNothingForABlankLineWithoutData", () => {
    expect(collect(["event: lonely\n\n\n\ndata: a\n\n"])).toEqual([{ data: "a", event: "message" }]);
  });

  it("skipsAByteOrderMarkOpeningTheStreamEvenWhenSplit", () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...enc.encode("data: a\n\n")]);
    for (let i = 0; i <= 4; i++) expect(collect([bytes.subarray(0, i), bytes.subarray(i)])).toEqual([{ data: "a", event: "message" }]);
  });

  it("keepsAByteOrderMarkThatDoesNotOpenTheStream", () => {
    expect(collect(["data: a\n\ndata: \uFEFFb\n\n"])[1]).toEqual({ data: "\uFEFFb", event: "message" });
  });

  it("dispatchesEventsBeforePushReturns", () => {
    const events: string[] = [];
    const parser = createSseParser((data) => events.push(data));
    parser.push(enc.encode("data: 1\n\ndata: 2"));
    expect(events).toEqual(["1"]);
    parser.push(enc.encode("\n\n"));
    expect(events).toEqual(["1", "2"]);
  });

  it("flushesAnUnterminatedLastEventAtTheEnd", () => {
    expect(collect(["data: [DONE]"])).toEqual([{ data: "[DONE]", event: "message" }]);
    expect(collect(["data: a\n"])).toEqual([{ data: "a", event: "message" }]);
    expect(collect(["data: a\n"], undefined, false)).toEqual([]);
  });

  it("ignoresEmptyChunks", () => {
    expect(collect(["", "data: a", "", "\n", "", "\n"])).toEqual([{ data: "a", event: "message" }]);
  });

  it("dropsAnEventWithALineOverTheLimitAndCarriesOn", () => {
    const big = "x".repeat(100);
    const text = `data: small\n\nevent: huge\ndata: ${big}\ndata: tail\n\ndata: after\n\n`;
    const bytes = enc.encode(text);
    const expected = [
      { data: "small", event: "message" },
      { data: "after", event: "message" },
    ];
    expect(collect([bytes], { maxLineBytes: 50 })).toEqual(expected);
    for (const size of [1, 3, 17, 64]) {
      const chunks: Uint8Array[] = [];
      for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
      expect(collect(chunks, { maxLineBytes: 50 })).toEqual(expected);
    }
  });

  it("dropsAnEventWhoseJoinedDataOutgrowsTheLimit", () => {
    const line = `data: ${"y".repeat(30)}\n`;
    expect(collect([`${line.repeat(3)}\ndata: ok\n\n`], { maxLineBytes: 50 })).toEqual([{ data: "ok", event: "message" }]);
  });

  it("dropsAnOversizedLineCutByTheEndOfTheStream", () => {
    expect(collect(["data: ok\n\n", `data: ${"z".repeat(80)}`], { maxLineBytes: 50 })).toEqual([{ data: "ok", event: "message" }]);
  });

  it("readsEveryEventOfTheRecordedStreams", () => {
    const anthropic = collect([fixtureBytes("anthropic/message-stream.sse")]);
    expect(anthropic.map((e) => e.event)).toEqual([
      "message_start",
      "content_block_start",
      "ping",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
    const openai = collect([fixtureBytes("openai/chat-stream.sse")]);
    expect(openai.at(-1)).toEqual({ data: "[DONE]", event: "message" });
    expect(collect([fixtureBytes("gemini/stream-generate-content.sse")]).length).toBe(3);
  });
});

describe("parseSseJson", () => {
  it("parsesObjectsAndArrays", () => {
    expect(parseSseJson('{"a":1}')).toEqual({ a: 1 });
    expect(parseSseJson("[1,2]")).toEqual([1, 2]);
    expect(parseSseJson('  {"a":1}\n')).toEqual({ a: 1 });
  });

  it("ignoresTheDoneSentinelBadJsonAndScalars", () => {
    for (const data of ["[DONE]", " [DONE] ", "", "{", '{"a":', "[1,", "42", '"text"', "null", "true", "ping"]) {
      expect(parseSseJson(data)).toBeUndefined();
    }
  });
});
