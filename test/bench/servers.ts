// The processes the benchmark compares: Packr (registry/src/main.ts on embedded defaults), Verdaccio 6
// (under Node, installed from npm into .cache/verdaccio) and a bare Bun.serve as the ceiling. Each
// runs as its own process on a loopback port the OS picks, with its own temporary storage.
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Subprocess } from 'bun'
import { run } from '../helpers/clients.ts'

export const ROOT = resolve(import.meta.dir, '../..')
export const CACHE_DIR = join(ROOT, '.cache')
const VERDACCIO_DIR = join(CACHE_DIR, 'verdaccio')
/** The last Verdaccio 6 release that runs on Node 20 (6.9 and later require Node 22). */
export const VERDACCIO_VERSION = '6.8.0'

export const BENCH_USER = { username: 'bench', password: 'bench-password-1' }

export interface ServerProcess {
  name: string
  url: string
  pid: number
  /** Peak resident memory so far, in bytes (VmHWM), or null where /proc is not available. */
  peakRss(): number | null
  /** CPU time (user + system) the process has used so far, in seconds, or null without /proc. */
  cpuSeconds(): number | null
  stop(): Promise<void>
}

async function sh(command: string[], what: string, timeoutMs = 600_000): Promise<string> {
  const result = await run(command, { cwd: ROOT, env: process.env as Record<string, string>, timeoutMs })
  if (result.exitCode !== 0) throw new Error(`${what} failed (exit ${result.exitCode}):\n${result.stderr.trim() || result.stdout.trim()}`)
  return result.stdout
}

/** wrk from Debian's packages, installed with apt-get when it is missing. */
export async function ensureWrk(): Promise<string> {
  if (!Bun.which('wrk')) {
    console.log('bench: installing wrk with apt-get')
    await sh(['apt-get', 'update'], 'apt-get update')
    await sh(['apt-get', 'install', '-y', 'wrk'], 'apt-get install wrk')
  }
  const version = await run(['wrk', '-v'], { cwd: ROOT, env: process.env as Record<string, string> })
  return (version.stdout + version.stderr).split('\n')[0]?.trim() ?? 'wrk'
}

/**
 * Verdaccio 6 from npm into .cache/verdaccio. Its `node-fetch@cjs` dependency tag does not resolve
 * from the registry mirror here, so `overrides` pins node-fetch 2.7.0 (what that tag names).
 */
export async function ensureVerdaccio(): Promise<string> {
  const manifest = { name: 'packr-bench-verdaccio', private: true, dependencies: { verdaccio: VERDACCIO_VERSION }, overrides: { 'node-fetch': '2.7.0' } }
  const installed = join(VERDACCIO_DIR, 'node_modules', 'verdaccio', 'package.json')
  if (existsSync(installed) && JSON.parse(readFileSync(installed, 'utf8')).version === VERDACCIO_VERSION) return VERDACCIO_VERSION
  console.log(`bench: installing verdaccio@${VERDACCIO_VERSION} into ${VERDACCIO_DIR}`)
  mkdirSync(VERDACCIO_DIR, { recursive: true })
  writeFileSync(join(VERDACCIO_DIR, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`)
  await sh(['npm', 'install', '--prefix', VERDACCIO_DIR, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], 'npm install verdaccio')
  return VERDACCIO_VERSION
}

function peakRssOf(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return match ? Number(match[1]) * 1024 : null
  } catch {
    return null
  }
}

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS = 100

function cpuSecondsOf(pid: number): number | null {
  try {
    // Fields after the parenthesized command name; utime and stime are the 14th and 15th fields.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS
  } catch {
    return null
  }
}

/** Waits until `file` contains a line matching `pattern`, or the process dies, or 60 s pass. */
async function waitForLine(proc: Subprocess, file: string, pattern: RegExp, what: string): Promise<RegExpExecArray> {
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
    const match = pattern.exec(text)
    if (match) return match
    if (proc.exitCode !== null) throw new Error(`${what} exited with ${proc.exitCode} before it listened:\n${text}`)
    await Bun.sleep(50)
  }
  proc.kill('SIGKILL')
  throw new Error(`${what} did not start within 60 s (see ${file})`)
}

/** Spawns `command` with stdout and stderr appended to `logFile` (one descriptor, so lines interleave). */
function spawnLogged(command: string[], env: Record<string, string>, logFile: string, cwd = ROOT): Subprocess {
  const fd = openSync(logFile, 'a')
  try {
    return Bun.spawn(command, { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env }, stdout: fd, stderr: fd, stdin: 'ignore' })
  } finally {
    closeSync(fd)
  }
}

function serverProcess(name: string, url: string, proc: Subprocess, cleanup: () => void): ServerProcess {
  return {
    name,
    url,
    pid: proc.pid,
    peakRss: () => peakRssOf(proc.pid),
    cpuSeconds: () => cpuSecondsOf(proc.pid),
    async stop() {
      proc.kill('SIGTERM')
      const exited = await Promise.race([proc.exited.then(() => true), Bun.sleep(10_000).then(() => false)])
      if (!exited) {
        proc.kill('SIGKILL')
        await proc.exited
      }
      cleanup()
    },
  }
}

/** Packr exactly as `bun run start` runs it: SQLite and tarballs in a fresh DATA_DIR. */
export async function startPackr(): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'packr-bench-'))
  const log = join(dir, 'server.log')
  const proc = spawnLogged(
    [process.execPath, join(ROOT, 'registry/src/main.ts')],
    { PORT: '0', HOST: '127.0.0.1', DATA_DIR: join(dir, 'data'), ADMIN_USERNAME: BENCH_USER.username, ADMIN_PASSWORD: BENCH_USER.password, LOG_LEVEL: 'info' },
    log,
  )
  const match = await waitForLine(proc, log, /"message":"packr registry listening".*?"port":(\d+)/, 'packr')
  return serverProcess('packr', `http://127.0.0.1:${match[1]}`, proc, () => rmSync(dir, { recursive: true, force: true }))
}

/**
 * Verdaccio with local storage, htpasswd users and JWT API tokens (without `security.api.jwt` every
 * request re-checks a bcrypt hash). No uplinks: it serves only what is published to it. Logging at
 * `warn`, so it does not pay for a log line per request (Packr writes none either).
 */
export async function startVerdaccio(): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'verdaccio-bench-'))
  const config = join(dir, 'config.yaml')
  writeFileSync(
    config,
    [
      `storage: ${join(dir, 'storage')}`,
      'auth:',
      '  htpasswd:',
      `    file: ${join(dir, 'htpasswd')}`,
      '    max_users: 100',
      'security:',
      '  api:',
      '    jwt:',
      '      sign:',
      '        expiresIn: 7d',
      'uplinks: {}',
      'packages:',
      "  '**':",
      '    access: $all',
      '    publish: $authenticated',
      '    unpublish: $authenticated',
      'web:',
      '  enable: false',
      'max_body_size: 200mb',
      'log: { type: stdout, format: json, level: warn }',
      '',
    ].join('\n'),
  )
  const log = join(dir, 'server.log')
  const proc = spawnLogged(['node', join(import.meta.dir, 'verdaccio-server.cjs'), join(VERDACCIO_DIR, 'node_modules', 'verdaccio'), config], {}, log, dir)
  const match = await waitForLine(proc, log, /\{"port":(\d+)\}/, 'verdaccio')
  return serverProcess('verdaccio', `http://127.0.0.1:${match[1]}`, proc, () => rmSync(dir, { recursive: true, force: true }))
}

/** A bare Bun.serve (fixed 1 KiB JSON, and the files of `tarballDir`): the ceiling for reads on this machine. */
export async function startBaseline(tarballDir: string): Promise<ServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'baseline-bench-'))
  const log = join(dir, 'server.log')
  const proc = spawnLogged([process.execPath, join(import.meta.dir, 'baseline-server.ts'), tarballDir], {}, log)
  const match = await waitForLine(proc, log, /\{"port":(\d+)\}/, 'baseline')
  return serverProcess('bun.serve', `http://127.0.0.1:${match[1]}`, proc, () => rmSync(dir, { recursive: true, force: true }))
}

/** A bearer token for BENCH_USER: Packr's admin logs in; Verdaccio's user is created by couch login. */
export async function loginToken(server: ServerProcess): Promise<string> {
  if (server.name === 'packr') {
    const response = await fetch(`${server.url}/-/v1/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: BENCH_USER.username, password: BENCH_USER.password }) })
    if (!response.ok) throw new Error(`packr login failed: ${response.status} ${await response.text()}`)
    return ((await response.json()) as { token: string }).token
  }
  const response = await fetch(`${server.url}/-/user/org.couchdb.user:${BENCH_USER.username}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: `org.couchdb.user:${BENCH_USER.username}`, name: BENCH_USER.username, password: BENCH_USER.password, type: 'user', roles: [] }),
  })
  if (!response.ok) throw new Error(`${server.name} user creation failed: ${response.status} ${await response.text()}`)
  return ((await response.json()) as { token: string }).token
}
