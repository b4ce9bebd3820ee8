// Puts the upstream key on an outgoing request in exactly one header, after removing every
// header a client could have carried a credential in. Shared by all channels; it must not
// touch the URL (a key in `?key=` would end up in access logs) or any other header.

/** Every request header a provider or poolgate's client auth reads a credential from. */
export const AUTH_HEADERS: readonly string[] = Object.freeze(["authorization", "x-api-key", "x-goog-api-key"]);

/** Removes every credential header, then sets `name` to `value`. */
export function setUpstreamAuth(headers: Headers, name: string, value: string): void {
  for (const h of AUTH_HEADERS) headers.delete(h);
  headers.set(name, value);
}
