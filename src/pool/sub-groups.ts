// Aggregate groups: smooth weighted round robin over member groups with failover, so a member
// with no usable key hands the request to the next one. Pure: the caller says which members
// are usable (usually "its key pool can pick now"); no state beyond the WRR weights.

export interface SubGroupMember<Id> {
  id: Id;
  weight: number;
}

export interface SubGroups<Id> {
  /**
   * Next member (smooth WRR) for which `usable` says yes, trying the others in WRR order when it
   * says no; never one in `exclude`; undefined when none is usable. `usable` is asked at most
   * once per member per call. `now` is taken for symmetry with the other pickers.
   */
  pickMember(now: number, usable: (memberId: Id) => boolean, exclude?: ReadonlySet<Id>): Id | undefined;
}

export function createSubGroups<Id>(members: readonly SubGroupMember<Id>[]): SubGroups<Id> {
  const ids = members.map((m) => m.id);
  const weights = members.map((m) => Math.max(0, m.weight));
  const current = new Float64Array(members.length);
  /** tried[i] === call means member i was refused during that call; avoids a Set per call. */
  const tried = new Float64Array(members.length);
  let call = 0;

  /** One nginx-style smooth WRR step over the members not excluded and not yet tried. */
  function step(exclude: ReadonlySet<Id> | undefined): number {
    let best = -1;
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const w = weights[i]!;
      if (w <= 0 || tried[i] === call) continue;
      if (exclude !== undefined && exclude.has(ids[i]!)) continue;
      current[i] = current[i]! + w;
      total += w;
      if (best === -1 || current[i]! > current[best]!) best = i;
    }
    if (best !== -1) current[best] = current[best]! - total;
    return best;
  }

  return {
    pickMember(_now, usable, exclude) {
      call++;
      for (;;) {
        const i = step(exclude !== undefined && exclude.size !== 0 ? exclude : undefined);
        if (i === -1) return undefined;
        if (usable(ids[i]!)) return ids[i]!;
        tried[i] = call;
      }
    },
  };
}
