// Splits pasted or uploaded key text the way the server reads it (newlines, commas, spaces or
// semicolons; or a JSON array), drops repeats, and cuts the keys into batches so the UI can send
// them one batch at a time and show progress.

export interface ParsedKeyText {
  keys: string[];
  repeated: number;
}

export function parseKeyText(text: string): ParsedKeyText {
  const trimmed = text.trim();
  let items: unknown[] | undefined;
  if (trimmed.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) items = parsed;
    } catch {
      items = undefined;
    }
  }
  items ??= trimmed.split(/[\s,;]+/);
  const seen = new Set<string>();
  const out: ParsedKeyText = { keys: [], repeated: 0 };
  for (const item of items) {
    const key = typeof item === "string" ? item.trim() : "";
    if (!key) continue;
    if (seen.has(key)) out.repeated++;
    else {
      seen.add(key);
      out.keys.push(key);
    }
  }
  return out;
}

export function toBatches<T>(items: readonly T[], size: number): T[][] {
  if (size < 1) throw new RangeError("batch size must be at least 1");
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

export interface ImportProgress {
  done: number;
  total: number;
  added: number;
  duplicates: number;
  rejected: number;
}

/** Sends the batches one after another, reporting progress after each; stops on the first error. */
export async function importInBatches(
  keys: readonly string[],
  options: {
    batchSize: number;
    send: (batch: string[]) => Promise<{ added: number; duplicates: number; rejected: number }>;
    onProgress: (progress: ImportProgress) => void;
  },
): Promise<ImportProgress> {
  const progress: ImportProgress = { done: 0, total: keys.length, added: 0, duplicates: 0, rejected: 0 };
  options.onProgress({ ...progress });
  for (const batch of toBatches(keys, options.batchSize)) {
    const result = await options.send(batch);
    progress.done += batch.length;
    progress.added += result.added;
    progress.duplicates += result.duplicates;
    progress.rejected += result.rejected;
    options.onProgress({ ...progress });
  }
  return progress;
}
