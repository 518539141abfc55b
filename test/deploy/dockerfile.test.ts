// There is no Docker engine here, so the Dockerfile is checked by doing what it says: every COPY and
// the dependency RUN of the build stage are replayed into a scratch directory, the final stage is
// assembled the same way, its CMD is started with its ENV, and its HEALTHCHECK is run against it.
// Not replayed: the base image itself and `mkdir /data && chown` (system paths); see docs/scale-out.md.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dir, '../..')

interface Instruction {
  op: string
  args: string
}

interface Stage {
  name: string | undefined
  from: string
  instructions: Instruction[]
}

/** Dockerfile instructions by stage, with continuation lines joined and comments dropped. */
function parseDockerfile(text: string): Stage[] {
  const lines = text.replace(/\\\n\s*/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line && !line.startsWith('#'))
  const stages: Stage[] = []
  for (const line of lines) {
    const [, op = '', args = ''] = /^(\S+)\s+(.*)$/.exec(line) ?? []
    if (op.toUpperCase() === 'FROM') {
      const [, from = '', name] = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? []
      stages.push({ name, from, instructions: [] })
    } else {
      stages.at(-1)?.instructions.push({ op: op.toUpperCase(), args })
    }
  }
  return stages
}

/** JSON-array (exec form) arguments. */
const execForm = (args: string) => JSON.parse(args.replace(/^CMD\s+/, '')) as string[]

function copyInto(root: string, workdir: string, args: string, stages: Map<string, string>): void {
  const parts = args.split(/\s+/)
  const from = parts.find((part) => part.startsWith('--from='))?.slice('--from='.length)
  const paths = parts.filter((part) => !part.startsWith('--'))
  const destination = paths.pop() as string
  const sourceRoot = from ? (stages.get(from) as string) : ROOT
  for (const source of paths) {
    const sourcePath = from ? join(sourceRoot, source.replace(/^\/app\/?/, '')) : join(sourceRoot, source)
    if (!existsSync(sourcePath)) throw new Error(`COPY source ${source}${from ? ` (from ${from})` : ''} does not exist`)
    const target = destination.endsWith('/') ? join(root, workdir, destination, source.split('/').pop() as string) : join(root, workdir, destination)
    mkdirSync(dirname(target), { recursive: true })
    cpSync(sourcePath, target, { recursive: true, verbatimSymlinks: true })
  }
}

describe('Dockerfile', () => {
  const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'))
  const scratch = mkdtempSync(join(tmpdir(), 'packr-docker-'))
  const built = new Map<string, string>()
  let app: string
  const final = stages.at(-1) as Stage
  const env: Record<string, string> = {}
  let server: ReturnType<typeof Bun.spawn> | undefined

  beforeAll(async () => {
    for (const [index, stage] of stages.entries()) {
      const root = join(scratch, `stage-${index}`)
      let workdir = '/'
      for (const { op, args } of stage.instructions) {
        if (op === 'WORKDIR') workdir = args
        if (op === 'COPY') copyInto(root, workdir, args, built)
        if (op === 'ENV') for (const [, key, value] of args.matchAll(/(\w+)=(\S+)/g)) env[key as string] = value as string
        if (op === 'RUN' && !args.includes('/data')) {
          const proc = Bun.spawn(['sh', '-c', args], { cwd: join(root, workdir), env: { PATH: `${dirname(process.execPath)}:${process.env.PATH}`, HOME: root }, stdout: 'pipe', stderr: 'pipe' })
          const [stderr, code] = await Promise.all([new Response(proc.stderr).text(), proc.exited])
          if (code !== 0) throw new Error(`RUN ${args} failed (${code}): ${stderr}`)
        }
      }
      if (stage.name) built.set(stage.name, join(root, workdir))
      app = join(root, workdir)
    }
  })

  afterAll(() => {
    server?.kill()
    rmSync(scratch, { recursive: true, force: true })
  })

  test('builds on the Bun image of the version the project pins, as a non-root user with a /data volume', async () => {
    const bootstrap = await Bun.file(join(ROOT, 'scripts/bootstrap.mjs')).text()
    const pinned = /BUN_VERSION = '([^']+)'/.exec(bootstrap)?.[1]
    for (const stage of stages) expect(stage.from).toMatch(new RegExp(`^oven/bun:${pinned?.replaceAll('.', '\\.')}`))
    const ops = final.instructions
    expect(ops.find((instruction) => instruction.op === 'USER')?.args).toBe('bun')
    expect(ops.find((instruction) => instruction.op === 'VOLUME')?.args).toBe('/data')
    expect(env.DATA_DIR).toBe('/data')
    expect(ops.findIndex((instruction) => instruction.op === 'USER')).toBeLessThan(ops.findIndex((instruction) => instruction.op === 'CMD'))
  })

  test('the build stage installs production dependencies only, from the lockfile', () => {
    const deps = built.get('deps') as string
    expect(existsSync(join(deps, 'node_modules'))).toBe(true)
    expect(existsSync(join(deps, 'node_modules/.bin/pnpm'))).toBe(false)
  })

  test('the assembled image starts with its CMD and ENV and passes its HEALTHCHECK', async () => {
    const port = await new Promise<number>((resolvePort) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as { port: number }
        probe.close(() => resolvePort(free))
      })
    })
    const data = join(scratch, 'data')
    mkdirSync(data)
    const runtime = { ...env, PATH: `${dirname(process.execPath)}:${process.env.PATH}`, DATA_DIR: data, PORT: String(port), HOST: '127.0.0.1', ADMIN_USERNAME: 'admin', ADMIN_PASSWORD: 'docker-admin-1' }
    const [command, ...args] = execForm(final.instructions.find((instruction) => instruction.op === 'CMD')?.args as string)
    server = Bun.spawn([command === 'bun' ? process.execPath : (command as string), ...args], { cwd: app, env: runtime, stdout: 'ignore', stderr: 'pipe' })
    const healthcheck = final.instructions.find((instruction) => instruction.op === 'HEALTHCHECK')?.args as string
    const [checkCommand, ...checkArgs] = execForm(healthcheck.slice(healthcheck.indexOf('CMD ') + 4))
    const check = async () => Bun.spawn([checkCommand === 'bun' ? process.execPath : (checkCommand as string), ...checkArgs], { env: runtime, stdout: 'ignore', stderr: 'ignore' }).exited
    // Generous: on a loaded CI machine a cold start of Bun plus migrations can take a while.
    const deadline = Date.now() + 90_000
    let status = await check()
    while (status !== 0 && Date.now() < deadline) {
      await Bun.sleep(250)
      status = await check()
    }
    expect(status).toBe(0)
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { status: string; database: string }
    expect(health).toMatchObject({ status: 'ok', database: 'sqlite' })
    server.kill()
    await server.exited
    // With the server gone the healthcheck must fail, or it proves nothing.
    expect(await check()).not.toBe(0)
  })
})
