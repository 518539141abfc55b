// PostgreSQL for tests: `PACKR_TEST_DATABASE_URL` names a server (any database on it); each caller
// gets a fresh database of its own, dropped afterwards, so tests never share state or collide with
// other people's runs on the same server.
import postgres from 'postgres'

/** The test server's URL, or undefined when the PostgreSQL tests are not to run. */
export const TEST_POSTGRES_URL = process.env.PACKR_TEST_DATABASE_URL || undefined

export interface TestDatabase {
  name: string
  url: string
  drop(): Promise<void>
}

function withDatabase(serverUrl: string, database: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  return url.toString()
}

async function admin<T>(serverUrl: string, work: (sql: postgres.Sql) => Promise<T>): Promise<T> {
  const sql = postgres(serverUrl, { max: 1, onnotice: () => {}, connect_timeout: 10 })
  try {
    return await work(sql)
  } finally {
    await sql.end({ timeout: 5 })
  }
}

/** Creates an empty database with a unique name on the test server. */
export async function createTestDatabase(serverUrl = TEST_POSTGRES_URL): Promise<TestDatabase> {
  if (!serverUrl) throw new Error('PACKR_TEST_DATABASE_URL is not set')
  const name = `packr_test_${crypto.randomUUID().replaceAll('-', '').slice(0, 16)}`
  await admin(serverUrl, (sql) => sql.unsafe(`CREATE DATABASE ${name}`))
  return {
    name,
    url: withDatabase(serverUrl, name),
    // FORCE: a registry process killed mid-test may still hold connections.
    drop: () => admin(serverUrl, (sql) => sql.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}),
  }
}

/** Secrets every instance on one database must share (the registry refuses to generate them there). */
export function sharedSecrets(): Record<string, string> {
  const secret = () => Buffer.from(crypto.getRandomValues(new Uint8Array(36))).toString('base64url')
  return { JWT_SECRET: secret(), SESSION_SECRET: secret(), INTERNAL_API_SECRET: secret() }
}

/** Prints why a PostgreSQL-only suite is skipped, so a skip is never silent. */
export function noticeSkippedWithoutPostgres(suite: string): void {
  if (!TEST_POSTGRES_URL) console.warn(`NOTICE: skipping "${suite}": it needs PostgreSQL (set PACKR_TEST_DATABASE_URL to run it)`)
}
