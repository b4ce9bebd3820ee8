import { describe, expect, it } from "bun:test";
import { createSubGroups } from "../../src/pool/sub-groups.ts";

const always = () => true;

describe("sub-groups", () => {
  it("spreadsRequestsByWeight", () => {
    const groups = createSubGroups([{ id: "a", weight: 5 }, { id: "b", weight: 1 }, { id: "c", weight: 1 }]);
    const order = Array.from({ length: 7 }, () => groups.pickMember(0, always));
    expect(order).toEqual(["a", "a", "b", "a", "c", "a", "a"]);
  });

  it("failsOverToAnotherMemberWithoutUsableKeys", () => {
    const groups = createSubGroups([{ id: 1, weight: 3 }, { id: 2, weight: 1 }, { id: 3, weight: 1 }]);
    for (let i = 0; i < 20; i++) expect(groups.pickMember(0, (id) => id !== 1)).not.toBe(1);
  });

  it("keepsTheWeightsAmongTheMembersLeft", () => {
    const groups = createSubGroups([{ id: "a", weight: 4 }, { id: "b", weight: 2 }, { id: "c", weight: 1 }]);
    const tally = new Map<string, number>();
    for (let i = 0; i < 300; i++) {
      const id = groups.pickMember(0, (m) => m !== "a")!;
      tally.set(id, (tally.get(id) ?? 0) + 1);
    }
    expect(tally.get("b")! / tally.get("c")!).toBeCloseTo(2, 1);
  });

  it("returnsUndefinedWhenNoMemberIsUsable", () => {
    const groups = createSubGroups([{ id: "a", weight: 1 }, { id: "b", weight: 1 }]);
    expect(groups.pickMember(0, () => false)).toBeUndefined();
  });

  it("asksAboutEachMemberAtMostOncePerPick", () => {
    const groups = createSubGroups([{ id: "a", weight: 1 }, { id: "b", weight: 5 }, { id: "c", weight: 2 }]);
    const asked: string[] = [];
    groups.pickMember(0, (id) => {
      asked.push(id);
      return false;
    });
    expect(asked.sort()).toEqual(["a", "b", "c"]);
  });

  it("neverPicksAnExcludedMember", () => {
    const groups = createSubGroups([{ id: "a", weight: 9 }, { id: "b", weight: 1 }]);
    for (let i = 0; i < 10; i++) expect(groups.pickMember(0, always, new Set(["a"]))).toBe("b");
    expect(groups.pickMember(0, always, new Set(["a", "b"]))).toBeUndefined();
  });

  it("neverPicksAWeightZeroMember", () => {
    const groups = createSubGroups([{ id: "a", weight: 0 }, { id: "b", weight: 1 }]);
    for (let i = 0; i < 5; i++) expect(groups.pickMember(0, always)).toBe("b");
    expect(createSubGroups([{ id: "a", weight: 0 }]).pickMember(0, always)).toBeUndefined();
  });

  it("picksTheFailedMemberAgainOnceItHasKeys", () => {
    const groups = createSubGroups([{ id: "a", weight: 1 }, { id: "b", weight: 1 }]);
    let aHasKeys = false;
    const usable = (id: string) => id !== "a" || aHasKeys;
    expect([groups.pickMember(0, usable), groups.pickMember(0, usable)]).toEqual(["b", "b"]);
    aHasKeys = true;
    const next = [groups.pickMember(0, usable), groups.pickMember(0, usable)];
    expect(next.sort()).toEqual(["a", "b"]);
  });

  it("returnsUndefinedWithoutMembers", () => {
    expect(createSubGroups<string>([]).pickMember(0, always)).toBeUndefined();
  });
});
