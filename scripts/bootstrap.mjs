#!/usr/bin/env node
// Entry point for the README's two commands (`npm start`, `npm test`) on a machine that has only
// Node.js and npm: obtain Bun from the npm registry when it is not on PATH, install the workspace,
// then hand over to Bun. Plain Node, no dependencies, because nothing is installed yet.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { delimiter, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const BUN_VERSION = '1.4.5'
const root = resolve(fileURLToPath(import.meta.url), '../..')
const toolsDir = join(root, '.tools')
const commands = {
  start: ['run', 'serve'],
  test: ['run', 'test:all'],
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options })
  if (result.error) throw result.error
  return result.status ?? 1
}

function findOnPath(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, name))) return join(dir, name)
  }
  return undefined
}

function ensureBun() {
  const local = join(toolsDir, 'node_modules', '.bin', 'bun')
  if (existsSync(local)) return local
  const onPath = findOnPath('bun')
  if (onPath) return onPath
  console.log(`bootstrap: Bun not found, installing bun@${BUN_VERSION} from the npm registry into .tools/`)
  const status = run('npm', ['install', '--prefix', toolsDir, '--no-save', '--no-package-lock', '--no-audit', '--no-fund', `bun@${BUN_VERSION}`])
  if (status !== 0 || !existsSync(local)) {
    console.error('bootstrap: could not install Bun from the npm registry')
    process.exit(1)
  }
  return local
}

const command = process.argv[2]
if (!(command in commands)) {
  console.error(`usage: node scripts/bootstrap.mjs <${Object.keys(commands).join('|')}> [args...]`)
  process.exit(2)
}
const bun = ensureBun()
const env = { ...process.env, PATH: `${join(bun, '..')}${delimiter}${process.env.PATH ?? ''}` }
let status = run(bun, ['install', '--frozen-lockfile'], { env })
if (status !== 0) process.exit(status)
status = run(bun, [...commands[command], ...process.argv.slice(3)], { env })
process.exit(status)
