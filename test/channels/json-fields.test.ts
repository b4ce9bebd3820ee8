import { describe, expect, it } from "bun:test";
import { isObject, numberAt, objectAt, stringAt } from "../../src/channels/json-fields.ts";

describe("json-fields", () => {
  it("tellsObjectsFromArraysAndNull", () => {
    expect(isObject({})).toBe(true);
    expect(isObject([])).toBe(false);
    expect(isObject(null)).toBe(false);
    expect(isObject("{}")).toBe(false);
  });

  it("readsOnlyFieldsOfTheAskedType", () => {
    const v = { o: { a: 1 }, n: 3, s: "x", e: "", inf: Number.POSITIVE_INFINITY, arr: [1] };
    expect(objectAt(v, "o")).toEqual({ a: 1 });
    expect(objectAt(v, "arr")).toBeUndefined();
    expect(objectAt(null, "o")).toBeUndefined();
    expect(numberAt(v, "n")).toBe(3);
    expect(numberAt(v, "s")).toBeUndefined();
    expect(numberAt(v, "inf")).toBeUndefined();
    expect(numberAt(undefined, "n")).toBeUndefined();
    expect(stringAt(v, "s")).toBe("x");
    expect(stringAt(v, "e")).toBeUndefined();
    expect(stringAt(v, "n")).toBeUndefined();
    expect(stringAt(7, "s")).toBeUndefined();
  });
});
