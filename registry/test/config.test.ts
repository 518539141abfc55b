// Configuration from the environment: defaults, sizes, secrets generated once with mode 0600, and a
// bad value stopping the registry with one clear line.
import { afterEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ConfigError, loadConfig, parseByteSize } from '../src/config/index.ts'

const dirs: string[] = []
const dataDir = () => {
  const dir = mkdtempSync(join(tmpdir(), 'packr-config-'))
  dirs.push(dir)
  return dir
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

describe('loadConfig', () => {
  test('embedded defaults: port 4873, all interfaces, 50 MB tarballs, no admin', () => {
    const config = loadConfig({ DATA_DIR: dataDir() })
    expect(config.port).toBe(4873)
    expect(config.host).toBe('0.0.0.0')
    expect(config.maxTarballSize).toBe(50 * 1024 * 1024)
    expect(config.admin).toBeUndefined()
    expect(config.database.kind).toBe('sqlite')
    expect(config.publicUrl).toBeUndefined()
  })

  test('sizes in bytes or with units', () => {
    expect(parseByteSize('52428800')).toBe(52428800)
    expect(parseByteSize('50MB')).toBe(50_000_000)
    expect(parseByteSize('48 MiB')).toBe(48 * 1024 * 1024)
    expect(parseByteSize('lots')).toBeUndefined()
    expect(loadConfig({ DATA_DIR: dataDir(), MAX_TARBALL_SIZE: '1MiB' }).maxTarballSize).toBe(1024 * 1024)
  })

  test('secrets are generated on first start, persisted with mode 0600, and reused', () => {
    const dir = dataDir()
    const first = loadConfig({ DATA_DIR: dir })
    const file = join(dir, 'secrets.json')
    expect(statSync(file).mode & 0o777).toBe(0o600)
    expect(first.secrets.jwtSecret.length).toBeGreaterThanOrEqual(32)
    expect(new Set([first.secrets.jwtSecret, first.secrets.sessionSecret, first.secrets.internalApiSecret]).size).toBe(3)
    expect(loadConfig({ DATA_DIR: dir }).secrets).toEqual(first.secrets)
    // A secret given in the environment wins and is not written to disk.
    const given = 'g'.repeat(40)
    expect(loadConfig({ DATA_DIR: dir, JWT_SECRET: given }).secrets.jwtSecret).toBe(given)
    expect(readFileSync(file, 'utf8')).not.toContain(given)
  })

  test('PUBLIC_URL loses its trailing slash; DATA_DIR is made absolute', () => {
    const dir = dataDir()
    const config = loadConfig({ DATA_DIR: dir, PUBLIC_URL: 'https://npm.example.com/' })
    expect(config.publicUrl).toBe('https://npm.example.com')
    expect(config.dataDir).toBe(resolve(dir))
  })

  test('each bad value is refused with a sentence naming the variable (and never echoing a secret)', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ PORT: 'eighty' }, /PORT must be a number \(got "eighty"\)/],
      [{ PORT: '70000' }, /PORT/],
      [{ PUBLIC_URL: 'ftp://x' }, /PUBLIC_URL must be an absolute http\(s\) URL/],
      [{ MAX_TARBALL_SIZE: 'huge' }, /MAX_TARBALL_SIZE must be a positive size/],
      [{ ADMIN_USERNAME: 'root' }, /ADMIN_USERNAME and ADMIN_PASSWORD must be set together/],
      [{ JWT_SECRET: 'short-secret' }, /JWT_SECRET must be at least 32 characters/],
    ]
    for (const [env, message] of cases) {
      let error: unknown
      try {
        loadConfig({ DATA_DIR: dataDir(), ...env })
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).not.toContain('short-secret')
      expect((error as Error).message).not.toContain('\n')
    }
  })
})

test('the registry refuses to start on a bad value with one line on stderr and exit code 1', async () => {
  const proc = Bun.spawn([process.execPath, join(import.meta.dir, '../src/main.ts')], {
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir(), PORT: 'not-a-port' },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [stderr, exitCode] = await Promise.all([new Response(proc.stderr).text(), proc.exited])
  expect(exitCode).toBe(1)
  expect(stderr.trim().split('\n')).toEqual(['packr: invalid configuration: PORT must be a number (got "not-a-port")'])
})
