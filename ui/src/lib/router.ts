// Matching a URL path against the route table (patterns like "/groups/:id/keys"). Pure; the
// current location signal and navigation live in main.tsx.

export interface RouteDef<N extends string> {
  name: N;
  pattern: string;
}

export interface Match<N extends string> {
  name: N;
  params: Record<string, string>;
}

export function matchPath<N extends string>(routes: readonly RouteDef<N>[], pathname: string): Match<N> | null {
  const parts = pathname.replace(/\/+$/, "").split("/").filter(Boolean);
  for (const route of routes) {
    const pattern = route.pattern.split("/").filter(Boolean);
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length; i++) {
      const p = pattern[i]!;
      const v = parts[i]!;
      if (p.startsWith(":")) params[p.slice(1)] = decodeURIComponent(v);
      else if (p !== v) {
        ok = false;
        break;
      }
    }
    if (ok) return { name: route.name, params };
  }
  return null;
}
