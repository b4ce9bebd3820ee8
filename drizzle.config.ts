// drizzle-kit configuration: `bun run db:generate` writes SQL migrations to drizzle/sqlite
// and regenerates the module that embeds them in the binary (src/store/migrations.gen.ts).
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "sqlite",
  schema: "./src/store/schema.ts",
  out: "./drizzle/sqlite",
});
