// `bun run start`: the registry on embedded defaults (SQLite and tarballs under DATA_DIR).
import { ConfigError, loadConfig } from './config/index.ts'
import { startRegistry } from './server.ts'

let config
try {
  config = loadConfig()
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`packr: ${error.message}`)
    process.exit(1)
  }
  throw error
}

const registry = await startRegistry(config)
let stopping = false
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, async () => {
    if (stopping) return
    stopping = true
    await registry.stop()
    process.exit(0)
  })
}
