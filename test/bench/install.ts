// A cold `npm install` of a fixture app whose dependency trees are all in the corpus: a web back end
// with HTTP clients, databases, auth, validation, logging, CLI and test tooling (about 500
// packages). Cold means an empty npm cache and no node_modules; first without a lockfile (npm
// resolves every range against the registry), then `npm ci` from the lockfile that install wrote.
import { readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { isolatedEnv, npmrc, run, Workspace } from '../helpers/clients.ts'
import type { ServerProcess } from './servers.ts'

/** Top-level dependencies of the fixture app, at the versions the corpus resolved them to. */
export const FIXTURE_DEPENDENCIES = [
  'express', 'fastify', 'koa', 'axios', 'got', 'pg', 'knex', 'sequelize', 'jsonwebtoken', 'passport', 'zod', 'joi', 'pino', 'dotenv', 'commander',
  'yargs', 'inquirer', 'chalk', 'dayjs', 'uuid', 'lodash', '@apollo/server', 'graphql', 'mocha', 'supertest', 'sinon', 'cheerio', 'socket.io', 'ws', 'semver',
]

export interface InstallRun {
  seconds: number
  /** Packages in the resulting lockfile. */
  packages: number
  /** CPU the registry process spent while npm ran: its share of the install, whatever the machine's load. */
  registryCpuSeconds: number | null
}

export interface InstallResult {
  withoutLockfile: InstallRun
  withLockfile: InstallRun
}

/** `package.json` of the fixture app: `^version` of each dependency as the corpus lockfile pinned it. */
export function fixtureManifest(corpusLockPath: string): Record<string, unknown> {
  const lock = JSON.parse(readFileSync(corpusLockPath, 'utf8')) as { packages: Record<string, { version?: string }> }
  const dependencies: Record<string, string> = {}
  for (const name of FIXTURE_DEPENDENCIES) {
    const version = lock.packages[`node_modules/${name}`]?.version
    if (!version) throw new Error(`${name} is not a top-level package of the corpus`)
    dependencies[name] = `^${version}`
  }
  return { name: 'bench-fixture-app', version: '1.0.0', private: true, dependencies }
}

const NPM_FLAGS = ['--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error']

/** One timed npm command with a fresh HOME (so an empty npm cache) in `app`. */
async function timedNpm(app: string, registry: ServerProcess, args: string[]): Promise<Omit<InstallRun, 'packages'>> {
  const ws = new Workspace('packr-bench-install-')
  try {
    ws.write('home/.npmrc', npmrc(registry.url))
    const cpuBefore = registry.cpuSeconds()
    const started = performance.now()
    const result = await run(['npm', ...args, ...NPM_FLAGS, '--registry', `${registry.url}/`], { cwd: app, env: isolatedEnv(ws.home), timeoutMs: 600_000 })
    const seconds = (performance.now() - started) / 1000
    const cpuAfter = registry.cpuSeconds()
    if (result.exitCode !== 0) throw new Error(`npm ${args.join(' ')} through ${registry.url} failed:\n${result.stderr.trim().split('\n').slice(-15).join('\n')}`)
    return { seconds, registryCpuSeconds: cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore }
  } finally {
    rmSync(ws.root, { recursive: true, force: true })
  }
}

function lockedPackages(app: string, url: string): number {
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, { resolved?: string }> }
  const entries = Object.entries(lock.packages).filter(([path]) => path !== '')
  const foreign = entries.filter(([, entry]) => entry.resolved && !entry.resolved.startsWith(url))
  if (foreign.length > 0) throw new Error(`lockfile resolved ${foreign.length} packages elsewhere than ${url}, e.g. ${foreign[0]?.[1].resolved}`)
  return entries.length
}

/** Both cold installs through `registry`, in a fresh app directory. */
export async function measureInstall(registry: ServerProcess, manifest: Record<string, unknown>): Promise<InstallResult> {
  const ws = new Workspace('packr-bench-app-')
  try {
    const app = ws.dir('app')
    writeFileSync(join(app, 'package.json'), JSON.stringify(manifest, null, 2))
    const withoutLockfile = await timedNpm(app, registry, ['install'])
    const packages = lockedPackages(app, registry.url)
    rmSync(join(app, 'node_modules'), { recursive: true, force: true })
    const withLockfile = await timedNpm(app, registry, ['ci'])
    return { withoutLockfile: { ...withoutLockfile, packages }, withLockfile: { ...withLockfile, packages: lockedPackages(app, registry.url) } }
  } finally {
    rmSync(ws.root, { recursive: true, force: true })
  }
}
