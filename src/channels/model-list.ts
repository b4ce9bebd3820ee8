// Rewrites a provider's model list so it names what a group's clients may ask for: several
// lists merged (first one's envelope kept, entries deduplicated by id), redirect aliases added
// or, in strict mode, listed alone. Each channel supplies only its list shape. Pure data in/out.

import { isObject } from "./json-fields.ts";

/** What a group offers beyond (or instead of) the upstream's own names. */
export interface ModelListPlan {
  /** Client-facing name -> the upstream model it stands for (a group's model_redirect). */
  aliases: Readonly<Record<string, string>>;
  /** List only the aliases (model_redirect_strict). */
  strict: boolean;
}

export type ListEntry = Record<string, unknown>;

/** One provider's list shape. */
export interface ModelListShape {
  /** The entries of a list body; undefined when the body is not this shape. */
  entries(body: Record<string, unknown>): readonly unknown[] | undefined;
  /** The model id of an entry, as clients name it (e.g. without Gemini's "models/"). */
  idOf(entry: ListEntry): string | undefined;
  /** An entry for `alias`: a copy of the target's entry when the list has one, else a minimal one. */
  aliasEntry(alias: string, target: ListEntry | undefined): ListEntry;
  /** The envelope of `first` holding `entries` instead of its own. */
  wrap(first: Record<string, unknown>, entries: ListEntry[]): Record<string, unknown>;
}

/**
 * Merges `lists` and applies `plan`; undefined when no list has the expected shape (the caller
 * then relays the upstream bytes unchanged). Lists that are not the shape are skipped.
 */
export function rewriteModelListWith(shape: ModelListShape, lists: readonly unknown[], plan: ModelListPlan): Record<string, unknown> | undefined {
  let first: Record<string, unknown> | undefined;
  const byId = new Map<string, ListEntry>();
  const order: ListEntry[] = [];
  for (const body of lists) {
    if (!isObject(body)) continue;
    const entries = shape.entries(body);
    if (entries === undefined) continue;
    first ??= body;
    for (const entry of entries) {
      if (!isObject(entry)) continue;
      const id = shape.idOf(entry);
      if (id === undefined || byId.has(id)) continue;
      byId.set(id, entry);
      order.push(entry);
    }
  }
  if (first === undefined) return undefined;
  const aliased: ListEntry[] = [];
  for (const alias in plan.aliases) {
    if (!plan.strict && byId.has(alias)) continue;
    const target = plan.aliases[alias]!;
    aliased.push(shape.aliasEntry(alias, byId.get(target) ?? byId.get(stripModelsPrefix(target))));
  }
  return shape.wrap(first, plan.strict ? aliased : [...order, ...aliased]);
}

/** Gemini names models "models/<id>" in lists and accepts both forms in requests. */
export function stripModelsPrefix(id: string): string {
  return id.startsWith("models/") ? id.slice("models/".length) : id;
}
