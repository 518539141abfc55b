// Runs the real package-manager CLIs (npm, pnpm, yarn 4, bun) as child processes. Always
// asynchronous: the registry under test runs in this same process and must keep serving.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dir, '../..')
const BIN = join(ROOT, 'node_modules', '.bin')

export type Client = 'npm' | 'pnpm' | 'yarn' | 'bun'

export interface RunResult {
  exitCode: number
  stdout: string
  stderr: string
}

/** Where each client's executable comes from: npm from the machine, the others from devDependencies. */
export function clientCommand(client: Client): string[] {
  switch (client) {
    case 'npm':
      return ['npm']
    case 'pnpm':
      return [join(BIN, 'pnpm')]
    case 'yarn':
      return [join(BIN, 'yarn')]
    case 'bun':
      return [process.execPath]
  }
}

/** An environment without the caller's npm/yarn/pnpm configuration, so only the test's files count. */
export function isolatedEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || /^(npm_|NPM_|YARN_|PNPM_|BUN_INSTALL|COREPACK_)/i.test(key)) continue
    env[key] = value
  }
  return {
    ...env,
    HOME: home,
    USERPROFILE: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_CACHE_HOME: join(home, '.cache'),
    XDG_DATA_HOME: join(home, '.local/share'),
    npm_config_cache: join(home, '.npm'),
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    COREPACK_ENABLE_STRICT: '0',
    YARN_ENABLE_TELEMETRY: '0',
    YARN_ENABLE_GLOBAL_CACHE: '0',
    BUN_INSTALL_CACHE_DIR: join(home, '.bun-cache'),
    CI: 'true',
    ...extra,
  }
}

export async function run(command: string[], options: { cwd: string; env: Record<string, string>; stdin?: string; timeoutMs?: number }): Promise<RunResult> {
  const proc = Bun.spawn(command, {
    cwd: options.cwd,
    env: options.env,
    stdin: options.stdin === undefined ? 'ignore' : new TextEncoder().encode(options.stdin),
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const timer = setTimeout(() => proc.kill('SIGKILL'), options.timeoutMs ?? 90_000)
  const [stdout, stderr, exitCode] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  clearTimeout(timer)
  return { exitCode, stdout, stderr }
}

/** A scratch workspace with its own HOME, for one client run or a series of them. */
export class Workspace {
  readonly root: string
  readonly home: string

  constructor(prefix = 'packr-client-') {
    this.root = mkdtempSync(join(tmpdir(), prefix))
    this.home = join(this.root, 'home')
    mkdirSync(this.home, { recursive: true })
  }

  /** Deletes the workspace and everything the clients left in it (caches, installs). */
  remove(): void {
    rmSync(this.root, { recursive: true, force: true })
  }

  dir(name: string): string {
    const path = join(this.root, name)
    mkdirSync(path, { recursive: true })
    return path
  }

  write(path: string, content: string): void {
    const full = join(this.root, path)
    mkdirSync(join(full, '..'), { recursive: true })
    writeFileSync(full, content)
  }

  run(client: Client, args: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<RunResult> {
    return this.exec([...clientCommand(client), ...args], cwd, extraEnv)
  }

  /**
   * Runs a client on a pseudo-terminal and answers its prompts in order (npm reads passwords only
   * from a TTY). Resolves with the exit code and everything the terminal showed.
   */
  async converse(client: Client, args: string[], cwd: string, replies: Array<{ prompt: string; reply: string }>, extraEnv: Record<string, string> = {}): Promise<{ exitCode: number; output: string }> {
    let output = ''
    const proc = Bun.spawn([...clientCommand(client), ...args], {
      cwd,
      env: isolatedEnv(this.home, extraEnv),
      terminal: { cols: 120, rows: 40, data: (_terminal, data) => (output += new TextDecoder().decode(data)) },
    })
    const timer = setTimeout(() => proc.kill('SIGKILL'), 60_000)
    let seen = 0
    for (const { prompt, reply } of replies) {
      while (output.indexOf(prompt, seen) < 0 && proc.exitCode === null) await Bun.sleep(20)
      seen = output.indexOf(prompt, seen) + prompt.length
      proc.terminal?.write(`${reply}\r`)
    }
    const exitCode = await proc.exited
    clearTimeout(timer)
    proc.terminal?.close()
    return { exitCode, output }
  }

  /** Any command, with this workspace's isolated HOME. */
  exec(command: string[], cwd: string, extraEnv: Record<string, string> = {}): Promise<RunResult> {
    return run(command, { cwd, env: isolatedEnv(this.home, extraEnv) })
  }
}

/** `.npmrc` content pointing everything at `registryUrl` with `token`; `scopes` also get their own `@scope:registry` line. */
export function npmrc(registryUrl: string, token?: string, scopes: string[] = []): string {
  const nerfDart = registryUrl.replace(/^https?:/, '')
  return (
    [
      `registry=${registryUrl}/`,
      ...scopes.map((scope) => `${scope}:registry=${registryUrl}/`),
      token ? `${nerfDart}/:_authToken=${token}` : '',
      'audit=false',
      'fund=false',
      'update-notifier=false',
    ]
      .filter(Boolean)
      .join('\n') + '\n'
  )
}

/** `.yarnrc.yml` for yarn 4, including the age gate that would otherwise refuse fresh versions. */
export function yarnrc(registryUrl: string, token: string | undefined, scopes: string[] = []): string {
  const lines = [
    `npmRegistryServer: "${registryUrl}"`,
    token ? `npmAuthToken: "${token}"` : '',
    'npmMinimalAgeGate: 0',
    'unsafeHttpWhitelist: ["localhost", "127.0.0.1"]',
    'enableTelemetry: false',
    'enableGlobalCache: false',
    'nodeLinker: node-modules',
  ]
  if (scopes.length > 0) {
    lines.push('npmScopes:')
    for (const scope of scopes) {
      lines.push(`  ${scope.replace(/^@/, '')}:`, `    npmRegistryServer: "${registryUrl}"`, '    npmMinimalAgeGate: 0')
      if (token) lines.push(`    npmAuthToken: "${token}"`)
    }
  }
  return lines.filter(Boolean).join('\n') + '\n'
}

/** A child's output read while it runs, for tests that must act on what it prints (a login URL). */
export class OutputWatcher {
  text = ''
  private readonly reader
  private readonly decoder = new TextDecoder()

  constructor(stream: ReadableStream<Uint8Array>) {
    this.reader = stream.getReader()
  }

  /** Reads until `pattern` matches the output so far; throws if the stream ends first. */
  async until(pattern: RegExp): Promise<RegExpExecArray> {
    for (;;) {
      const match = pattern.exec(this.text)
      if (match) return match
      const { value, done } = await this.reader.read()
      if (done) throw new Error(`output ended without matching ${pattern}:\n${this.text}`)
      this.text += this.decoder.decode(value, { stream: true })
    }
  }

  /** Reads to the end and returns everything. */
  async rest(): Promise<string> {
    for (;;) {
      const { value, done } = await this.reader.read()
      if (done) return this.text
      this.text += this.decoder.decode(value, { stream: true })
    }
  }
}
