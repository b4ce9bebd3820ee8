// The change bus: admin writes the store, then publishes what changed; every node's
// subscriber (wired in app.ts) applies it to memory. In-process here; Redis for clusters.

export type ChangeEvent =
  | { kind: "group-changed"; groupId: number }
  | { kind: "group-deleted"; groupId: number }
  | { kind: "keys-changed"; groupId: number }
  | { kind: "access-keys-changed" }
  | { kind: "settings-changed" };

export interface Bus {
  publish(event: ChangeEvent): void;
  subscribe(handler: (event: ChangeEvent) => void): () => void;
}

export function createLocalBus(): Bus {
  const handlers = new Set<(event: ChangeEvent) => void>();
  return {
    publish(event) {
      for (const h of handlers) h(event);
    },
    subscribe(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
  };
}
