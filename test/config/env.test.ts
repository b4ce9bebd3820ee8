import { describe, expect, it } from "bun:test";
import { CONFIG_VARIABLES, flagsToEnv, parseConfig, parseDotEnv, weakSecretReasons, type ConfigResult } from "../../src/config/env.ts";

function errorsOf(result: ConfigResult) {
  if (result.ok) throw new Error("expected errors, got a config");
  return result.errors;
}

function configOf(result: ConfigResult) {
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join("; "));
  return result.config;
}

describe("parseConfig", () => {
  it("usesDocumentedDefaultsWhenNothingIsGiven", () => {
    expect(configOf(parseConfig({}))).toEqual({
      port: 3001,
      host: "0.0.0.0",
      dataDir: "./data",
      databaseUrl: "./data/poolgate.db",
      databaseKind: "sqlite",
      authKey: undefined,
      encryptionKey: undefined,
      logLevel: "info",
      logFormat: "json",
      redisUrl: undefined,
    });
  });

  it("logsPrettyOnATerminalAndJsonOtherwise", () => {
    expect(configOf(parseConfig({}, [], true)).logFormat).toBe("pretty");
    expect(configOf(parseConfig({}, [], false)).logFormat).toBe("json");
    expect(configOf(parseConfig({ LOG_FORMAT: "json" }, [], true)).logFormat).toBe("json");
  });

  it("treatsBlankValuesAsUnset", () => {
    const config = configOf(parseConfig({ PORT: "  ", AUTH_KEY: "", LOG_LEVEL: "" }));
    expect(config.port).toBe(3001);
    expect(config.authKey).toBeUndefined();
    expect(config.logLevel).toBe("info");
  });

  it("placesTheDatabaseInsideDataDirAndDropsATrailingSlash", () => {
    const config = configOf(parseConfig({ DATA_DIR: "/var/lib/poolgate/" }));
    expect(config.dataDir).toBe("/var/lib/poolgate");
    expect(config.databaseUrl).toBe("/var/lib/poolgate/poolgate.db");
  });

  it("acceptsSqliteUrlsAndPlainPaths", () => {
    expect(configOf(parseConfig({ DATABASE_URL: "sqlite:///tmp/a.db" })).databaseUrl).toBe("/tmp/a.db");
    expect(configOf(parseConfig({ DATABASE_URL: "sqlite:rel/b.db" })).databaseUrl).toBe("rel/b.db");
    expect(configOf(parseConfig({ DATABASE_URL: "/srv/c.db" })).databaseUrl).toBe("/srv/c.db");
  });

  it("acceptsEveryLogLevelInAnyCase", () => {
    for (const level of ["debug", "info", "warn", "error", "WARN"]) {
      expect(configOf(parseConfig({ LOG_LEVEL: level })).logLevel).toBe(level.toLowerCase() as never);
    }
  });

  it("acceptsRedisUrls", () => {
    expect(configOf(parseConfig({ REDIS_URL: "redis://127.0.0.1:6379" })).redisUrl).toBe("redis://127.0.0.1:6379");
    expect(configOf(parseConfig({ REDIS_URL: "rediss://cache.example:6380/1" })).redisUrl).toBe("rediss://cache.example:6380/1");
  });

  const invalid: [string, string][] = [
    ["PORT", "0"],
    ["PORT", "65536"],
    ["PORT", "80a"],
    ["PORT", "-1"],
    ["PORT", "3001.5"],
    ["HOST", "a host"],
    ["HOST", "http://x"],
    ["DATABASE_URL", "mysql://db/x"],
    ["DATABASE_URL", "sqlite:"],
    ["DATABASE_URL", ":memory:"],
    ["DATABASE_URL", "postgres://u@127.0.0.1/test"],
    ["DATABASE_URL", "postgres://[bad"],
    ["LOG_LEVEL", "verbose"],
    ["LOG_FORMAT", "xml"],
    ["REDIS_URL", "http://127.0.0.1:6379"],
    ["REDIS_URL", "redis://[bad"],
  ];
  for (const [variable, value] of invalid) {
    it(`refuses ${variable}=${JSON.stringify(value)} with an error naming ${variable}`, () => {
      const errors = errorsOf(parseConfig({ [variable]: value }));
      expect(errors).toHaveLength(1);
      expect(errors[0]!.variable).toBe(variable);
      expect(errors[0]!.message).toContain(variable);
    });
  }

  it("reportsEveryInvalidVariableAtOnce", () => {
    const errors = errorsOf(parseConfig({ PORT: "x", LOG_LEVEL: "loud", LOG_FORMAT: "xml" }));
    expect(errors.map((e) => e.variable).sort()).toEqual(["LOG_FORMAT", "LOG_LEVEL", "PORT"]);
  });

  it("letsFlagsOverrideTheEnvironment", () => {
    const config = configOf(
      parseConfig({ PORT: "4000", DATA_DIR: "/env", LOG_LEVEL: "debug" }, ["--port", "5000", "--data-dir=/flag", "--log-level", "warn"]),
    );
    expect(config.port).toBe(5000);
    expect(config.dataDir).toBe("/flag");
    expect(config.logLevel).toBe("warn");
  });

  it("refusesAnInvalidValueGivenByFlagNamingTheVariable", () => {
    const errors = errorsOf(parseConfig({ PORT: "4000" }, ["--port=99999"]));
    expect(errors[0]!.variable).toBe("PORT");
  });

  it("refusesUnknownOptionsAndAFlagWithoutAValue", () => {
    expect(errorsOf(parseConfig({}, ["--nope", "1"])).map((e) => e.message)).toEqual(["unknown option --nope", "unknown option 1"]);
    expect(errorsOf(parseConfig({}, ["--port"]))[0]!.message).toContain("--port (missing value)");
  });
});

describe("flagsToEnv", () => {
  it("mapsEveryDocumentedFlagToItsVariable", () => {
    for (const v of CONFIG_VARIABLES) {
      expect(flagsToEnv([v.flag, "x"]).values).toEqual({ [v.env]: "x" });
      expect(flagsToEnv([`${v.flag}=y=z`]).values).toEqual({ [v.env]: "y=z" });
    }
  });
});

describe("parseDotEnv", () => {
  it("readsAssignmentsCommentsQuotesAndExport", () => {
    const text = [
      "# a comment",
      "PORT=4000",
      "export HOST=127.0.0.1",
      'AUTH_KEY="with # hash and spaces"',
      "ENCRYPTION_KEY='single quoted'",
      "LOG_LEVEL=debug # trailing comment",
      "  DATA_DIR = /srv/data  ",
      "EMPTY=",
      "not a line",
      "",
    ].join("\r\n");
    expect(parseDotEnv(text)).toEqual({
      PORT: "4000",
      HOST: "127.0.0.1",
      AUTH_KEY: "with # hash and spaces",
      ENCRYPTION_KEY: "single quoted",
      LOG_LEVEL: "debug",
      DATA_DIR: "/srv/data",
      EMPTY: "",
    });
  });

  it("keepsAHashInsideAnUnquotedValue", () => {
    expect(parseDotEnv("AUTH_KEY=abc#def")).toEqual({ AUTH_KEY: "abc#def" });
  });
});

describe("weakSecretReasons", () => {
  it("acceptsALongRandomSecret", () => {
    expect(weakSecretReasons("pg-admin-Wft4v02e6EvqPWr_EycvzikjaWmWqTvC")).toEqual([]);
  });

  it("namesEveryWeakness", () => {
    expect(weakSecretReasons("short1")).toContain("shorter than 16 characters");
    expect(weakSecretReasons("aaaaaaaaaaaaaaaaaaaa")).toContain("one repeated character");
    expect(weakSecretReasons("password-for-my-gateway-2024")).toContain("a common pattern");
    expect(weakSecretReasons("sk-123456-xxxxxxxxxxxxxx")).toContain("a common pattern");
    expect(weakSecretReasons("abababababababababab")).toContain("too few distinct characters");
  });
});
