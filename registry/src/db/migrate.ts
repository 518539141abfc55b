// `bun run migrate`: applies pending migrations to the configured database (DATABASE_URL, or the
// SQLite file in DATA_DIR) and exits. The registry also does this at every start.
import { ConfigError, loadConfig } from '../config/index.ts'
import { openDatabase } from './index.ts'

try {
  const config = loadConfig()
  const db = await openDatabase(config.database)
  await db.close()
  console.log(`packr: ${config.database.kind} database is up to date`)
} catch (error) {
  console.error(`packr: ${error instanceof ConfigError ? error.message : `migration failed: ${(error as Error).message}`}`)
  process.exit(1)
}
