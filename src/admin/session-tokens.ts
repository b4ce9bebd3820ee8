// Stateless signed session tokens for the admin UI: `<expires_ms>.<nonce>.<hmac>`, the HMAC
// keyed from the admin key (so changing AUTH_KEY ends every session). Logout revokes a nonce
// in memory until the token would have expired anyway. No I/O; the caller passes the clock.

import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

export interface VerifiedSession {
  nonce: string;
  expiresAt: number;
}

export class SessionTokens {
  readonly #key: Buffer;
  readonly #now: () => number;
  /** nonce -> the expiry of the token it belonged to (dropped once past). */
  readonly #revoked = new Map<string, number>();

  constructor(authKey: string, now: () => number) {
    this.#key = createHmac("sha256", authKey).update("poolgate admin session v1").digest();
    this.#now = now;
  }

  issue(ttlMs: number): { token: string; expiresAt: number } {
    const expiresAt = this.#now() + ttlMs;
    const payload = `${expiresAt}.${randomBytes(18).toString("base64url")}`;
    return { token: `${payload}.${this.#sign(payload)}`, expiresAt };
  }

  verify(token: string): VerifiedSession | null {
    const parts = token.split(".");
    if (parts.length !== 3 || !/^\d{1,16}$/.test(parts[0]!)) return null;
    const given = Buffer.from(parts[2]!, "base64url");
    const expected = Buffer.from(this.#sign(`${parts[0]}.${parts[1]}`), "base64url");
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    const expiresAt = Number(parts[0]);
    if (expiresAt <= this.#now() || this.#revoked.has(parts[1]!)) return null;
    return { nonce: parts[1]!, expiresAt };
  }

  revoke(session: VerifiedSession): void {
    const now = this.#now();
    for (const [nonce, until] of this.#revoked) if (until <= now) this.#revoked.delete(nonce);
    this.#revoked.set(session.nonce, session.expiresAt);
  }

  #sign(payload: string): string {
    return createHmac("sha256", this.#key).update(payload).digest("base64url");
  }
}
