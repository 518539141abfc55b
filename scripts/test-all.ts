// `npm test` / `bun run test:all`: the whole suite on SQLite, then the whole suite again on PostgreSQL
// when PACKR_TEST_DATABASE_URL names a server (each test registry then gets a fresh database of its
// own there). Without it the PostgreSQL pass is skipped with a notice; with it, an unreachable
// server fails the run instead of silently testing less. Extra arguments go to both `bun test` runs.
import postgres from 'postgres'

// bunfig.toml's test timeout is not applied by every Bun release; the CLI flag is.
const TIMEOUT_MS = '120000'
const serverUrl = process.env.PACKR_TEST_DATABASE_URL || undefined
const args = process.argv.slice(2)

function redact(url: string): string {
  return url.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')
}

async function runPass(label: string, env: Record<string, string | undefined>): Promise<number> {
  console.log(`\n=== test pass: ${label} ===\n`)
  const proc = Bun.spawn([process.execPath, 'test', '--timeout', TIMEOUT_MS, ...args], { env, stdio: ['ignore', 'inherit', 'inherit'] })
  return proc.exited
}

const sqliteEnv = { ...process.env }
delete sqliteEnv.PACKR_TEST_DATABASE_URL
const failures: string[] = []
if ((await runPass('SQLite', sqliteEnv)) !== 0) failures.push('SQLite')

if (!serverUrl) {
  console.log('\nNOTICE: PostgreSQL pass skipped: PACKR_TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/postgres).')
} else {
  const sql = postgres(serverUrl, { max: 1, connect_timeout: 5, onnotice: () => {} })
  let reachable = true
  try {
    await sql`select 1`
  } catch (error) {
    reachable = false
    console.error(`\nPostgreSQL at ${redact(serverUrl)} is unreachable (${(error as Error).message}); the PostgreSQL pass cannot run.`)
    failures.push('PostgreSQL (unreachable)')
  } finally {
    await sql.end({ timeout: 1 }).catch(() => {})
  }
  if (reachable && (await runPass(`PostgreSQL (${redact(serverUrl)})`, process.env)) !== 0) failures.push('PostgreSQL')
}

if (failures.length > 0) {
  console.error(`\nfailed test passes: ${failures.join(', ')}`)
  process.exit(1)
}
console.log(`\nall test passes succeeded${serverUrl ? ' (SQLite and PostgreSQL)' : ' (SQLite only)'}`)
