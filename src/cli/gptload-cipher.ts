// Decrypts GPT-Load's encrypted `api_keys.key_value`: hex of (12-byte nonce | AES-256-GCM
// ciphertext | 16-byte tag) under a key derived from its ENCRYPTION_KEY with PBKDF2-SHA256
// (100,000 iterations, salt "gpt-load-encryption-v1", 32 bytes). Read-only: never encrypts.

import { createDecipheriv, pbkdf2Sync } from "node:crypto";

const SALT = "gpt-load-encryption-v1";
const ITERATIONS = 100_000;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/** Hex long enough to hold a nonce, a tag and at least one byte: what an encrypted value looks like. */
export function looksEncrypted(value: string): boolean {
  return value.length >= (NONCE_BYTES + TAG_BYTES + 1) * 2 && value.length % 2 === 0 && /^[0-9a-f]+$/i.test(value);
}

/** Returns a function that decrypts one value, or answers undefined when it cannot (wrong key, not encrypted). */
export function createGptLoadDecipher(encryptionKey: string): (value: string) => string | undefined {
  const key = pbkdf2Sync(encryptionKey, SALT, ITERATIONS, 32, "sha256");
  return (value) => {
    if (!looksEncrypted(value)) return undefined;
    const raw = Buffer.from(value, "hex");
    try {
      const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, NONCE_BYTES));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(NONCE_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString("utf8");
    } catch {
      return undefined;
    }
  };
}
