// Starts a real registry on a free loopback port with its own temporary DATA_DIR, on SQLite, or on a
// fresh PostgreSQL database of its own when PACKR_TEST_DATABASE_URL is set (the test runner's
// PostgreSQL pass), so every test runs on both without knowing it.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadConfig } from '../../registry/src/config/index.ts'
import { startRegistry, type RegistryOptions, type RunningRegistry } from '../../registry/src/server.ts'
import { createTestDatabase, sharedSecrets, TEST_POSTGRES_URL, type TestDatabase } from './postgres.ts'

export const ADMIN = { username: 'admin', password: 'admin-password-1' }

export interface TestRegistry extends RunningRegistry {
  dataDir: string
  /** A login token for the bootstrap admin. */
  adminToken: string
  /** Creates a user (with role `user`) and returns a login token for it. */
  createUser(username: string, password?: string): Promise<string>
  /** `fetch` to the registry's own socket (not through PUBLIC_URL), with an optional bearer token. */
  request: RegistryRequest
  /** Stops this registry and starts a new one on the same data directory and database (same env plus `env`). */
  restart(env?: Record<string, string>, options?: StartOptions): Promise<TestRegistry>
  /** Stops the registry and removes the database and data directory the helper created for it. */
  close(): Promise<void>
}

export type RegistryRequest = (path: string, init?: BunFetchRequestInit & { token?: string | undefined; json?: unknown }) => Promise<Response>

/** `fetch` relative to `baseUrl`, with an optional bearer token and JSON body. */
export function requester(baseUrl: string): RegistryRequest {
  return (path, init = {}) => {
    const { token, json, ...rest } = init
    const headers = new Headers(rest.headers)
    if (token) headers.set('authorization', `Bearer ${token}`)
    if (json !== undefined) headers.set('content-type', 'application/json')
    return fetch(`${baseUrl}${path}`, { ...rest, headers, ...(json !== undefined ? { body: JSON.stringify(json) } : {}) })
  }
}

/** The database settings for one test registry: what the test gave, or a fresh PostgreSQL database. */
async function databaseFor(env: Record<string, string>): Promise<{ env: Record<string, string>; database?: TestDatabase }> {
  if ('DATABASE_URL' in env || !TEST_POSTGRES_URL) return { env: {} }
  const database = await createTestDatabase()
  // A small pool: the server's connections are shared with every other test run on the machine.
  return { env: { DATABASE_URL: database.url, DATABASE_POOL_SIZE: '4', ...sharedSecrets() }, database }
}

/** `log`, and for tests that drive time: `clock`, `runJobs: false` (jobs run only on `ctx.jobs.drain()`). */
export type StartOptions = RegistryOptions

export async function startTestRegistry(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestRegistry> {
  const dataDir = env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'packr-test-'))
  const { env: databaseEnv, database } = await databaseFor(env)
  const effective = {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'error',
    ADMIN_USERNAME: ADMIN.username,
    ADMIN_PASSWORD: ADMIN.password,
    ...databaseEnv,
    ...env,
  }
  return launch(effective, { database, dataDir: env.DATA_DIR ? undefined : dataDir }, options)
}

/** What `close()` removes: the database and data directory the helper created. */
interface Owned {
  database: TestDatabase | undefined
  dataDir: string | undefined
}

async function launch(effective: Record<string, string>, owned: Owned, options: StartOptions): Promise<TestRegistry> {
  let registry: RunningRegistry
  try {
    registry = await startRegistry(loadConfig(effective), options)
  } catch (error) {
    await owned.database?.drop()
    throw error
  }
  // Straight to the listening socket: PUBLIC_URL may name a proxy in front of the registry.
  const request = requester(`http://127.0.0.1:${registry.port}`)
  const login = async (username: string, password: string) => {
    const response = await request('/-/v1/login', { method: 'POST', json: { name: username, password } })
    if (response.status !== 200) throw new Error(`login as ${username} failed: ${response.status} ${await response.text()}`)
    return ((await response.json()) as { token: string }).token
  }
  const adminToken = await login(ADMIN.username, ADMIN.password)
  return {
    ...registry,
    dataDir: effective.DATA_DIR as string,
    adminToken,
    request,
    async createUser(username, password = `${username}-password-1`) {
      await registry.ctx.users.create({ username, password, email: `${username}@example.test` })
      return login(username, password)
    },
    async restart(env = {}, restartOptions = {}) {
      await registry.stop()
      return launch({ ...effective, ...env }, owned, restartOptions)
    },
    async close() {
      await registry.stop()
      await owned.database?.drop()
      if (owned.dataDir) rmSync(owned.dataDir, { recursive: true, force: true })
    },
  }
}
