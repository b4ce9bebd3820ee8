// What every admin route file receives: the store handles, the secret box, the bus, the
// live settings, the clock and the session machinery. Built once by plugin.ts; route files
// read it and must not construct databases, buses or timers of their own.

import type { Database } from "bun:sqlite";
import type { Bus } from "../cluster/bus.ts";
import type { SettingValues } from "../config/settings.ts";
import type { PoolCounts } from "../pool/types.ts";
import type { Db } from "../store/open.ts";
import type { SecretBox } from "../store/secrets.ts";
import type { LoginLimiter } from "./login-limiter.ts";
import type { SessionTokens } from "./session-tokens.ts";

export interface AdminContext {
  db: Db;
  sqlite: Database;
  box: SecretBox;
  bus: Bus;
  authKey: string;
  settings: () => SettingValues;
  now: () => number;
  /** Live pool counts of a group when the pool holds it; rows in api_keys are counted otherwise. */
  poolCounts?: (groupId: number) => PoolCounts | undefined;
  sessions: SessionTokens;
  limiter: LoginLimiter;
}
