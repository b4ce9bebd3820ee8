import { describe, expect, it } from "bun:test";
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { migrateSqlite } from "../../src/store/migrate.ts";
import { constantTimeEqual, openSecretBox, WrongEncryptionKeyError } from "../../src/store/secrets.ts";
import { startTestGateway } from "../support/gateway.ts";

function memoryDb(): Database {
  const db = new Database(":memory:");
  migrateSqlite(db);
  return db;
}

describe("store/secrets", () => {
  it("decryptsWhatItEncryptedWithAFreshIvEachTime", () => {
    const box = openSecretBox(memoryDb(), "encryption-key-0123456789");
    const a = box.encrypt("sk-live-secret-value");
    const b = box.encrypt("sk-live-secret-value");
    expect(a).not.toBe(b);
    expect(box.decrypt(a)).toBe("sk-live-secret-value");
    expect(box.decrypt(box.encrypt("ünïcødé ✓"))).toBe("ünïcødé ✓");
  });

  it("refusesTamperedCiphertext", () => {
    const box = openSecretBox(memoryDb(), "encryption-key-0123456789");
    const raw = Buffer.from(box.encrypt("value"), "base64");
    raw[14]! ^= 1;
    expect(() => box.decrypt(raw.toString("base64"))).toThrow();
  });

  it("refusesToOpenADatabaseWithAnotherEncryptionKey", () => {
    const db = memoryDb();
    openSecretBox(db, "first-key-0123456789");
    expect(() => openSecretBox(db, "other-key-0123456789")).toThrow(WrongEncryptionKeyError);
  });

  it("hashesDeterministicallyPerInstall", () => {
    const one = openSecretBox(memoryDb(), "same-key-0123456789");
    const two = openSecretBox(memoryDb(), "same-key-0123456789");
    expect(one.hash("k")).toBe(one.hash("k"));
    expect(one.hash("k")).not.toBe(two.hash("k"));
  });

  it("comparesInConstantTimeAcrossLengths", () => {
    expect(constantTimeEqual("abc", "abc")).toBe(true);
    expect(constantTimeEqual("abc", "abd")).toBe(false);
    expect(constantTimeEqual("abc", "abcd")).toBe(false);
  });

  it("storesNoPlainKeyInTheDatabaseFiles", async () => {
    const gw = startTestGateway();
    const res = await gw.call("/api/groups", { method: "POST", json: { name: "g", channel_type: "openai", upstreams: [{ url: "https://a.example", weight: 1 }] } });
    const { id } = (await res.json()) as { id: number };
    const keys = Array.from({ length: 50 }, (_, i) => `sk-plain-needle-${i}-${crypto.randomUUID()}`);
    expect((await gw.call(`/api/groups/${id}/keys`, { method: "POST", json: { keys } })).status).toBe(200);
    const access = (await (await gw.call("/api/access-keys", { method: "POST", json: { name: "client" } })).json()) as { secret: string };
    const dbPath = gw.gateway.config.databaseUrl;
    const read = () =>
      ["", "-wal", "-shm"].map((suffix) => (existsSync(dbPath + suffix) ? readFileSync(dbPath + suffix).toString("latin1") : "")).join("");
    const needles = [...keys.map((k) => k.slice(16)), access.secret.slice(3)];
    const whileOpen = read();
    for (const n of needles) expect(whileOpen.includes(n)).toBe(false);
    await gw.gateway.stop();
    const afterClose = readFileSync(join(dbPath)).toString("latin1");
    expect(afterClose.length).toBeGreaterThan(0);
    for (const n of needles) expect(afterClose.includes(n)).toBe(false);
    // The keys are in there, encrypted: a fresh gateway on the same folder exports them.
    const { rmSync } = await import("node:fs");
    const again = startTestGateway({ DATA_DIR: gw.dataDir });
    const exported = await (await again.call(`/api/groups/${id}/keys/export`)).text();
    expect(exported.trimEnd().split("\n")).toEqual(keys);
    await again.close();
    rmSync(gw.dataDir, { recursive: true, force: true });
  });
});
