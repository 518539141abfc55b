// Crash safety: the registry runs as a child process (`bun registry/src/main.ts`) and is killed with
// SIGKILL in the middle of publishes — while a large body is still uploading, while a tarball is
// being written, right after it was stored but before the metadata commit, right after the first
// publish of a batch was acknowledged, and at fixed delays.
// After each restart on the same DATA_DIR every attempted version must be wholly there (packument
// entry and a tarball with the published bytes) or wholly absent (and publishable again), every
// acknowledged publish must have survived, and the disk must hold exactly the live tarballs.
import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative, resolve, sep } from 'node:path'
import ssri from 'ssri'
import { blobKeyFor } from '../src/publish/service.ts'
import { escapeName, packTarball, publishDocument } from '../../test/helpers/packages.ts'
import { ADMIN } from '../../test/helpers/registry.ts'

// Many registry restarts in one test: bun test's 5 s default is far too tight.
setDefaultTimeout(60_000)

const MAIN = resolve(import.meta.dir, '../src/main.ts')

interface ChildRegistry {
  url: string
  process: ReturnType<typeof Bun.spawn>
}

let dataDir: string
let token: string
let child: ChildRegistry | undefined

async function startChild(): Promise<ChildRegistry> {
  const proc = Bun.spawn([process.execPath, MAIN], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      MAX_TARBALL_SIZE: '32MB',
    },
    stdout: 'ignore',
    stderr: 'pipe',
  })
  // The start-up log line carries the bound URL.
  const reader = proc.stderr.getReader()
  let output = ''
  const deadline = Date.now() + 20_000
  while (Date.now() < deadline) {
    const { value, done } = await reader.read()
    if (done) break
    output += new TextDecoder().decode(value)
    const line = output.split('\n').find((candidate) => candidate.includes('packr registry listening'))
    if (line) {
      reader.releaseLock()
      void proc.stderr.pipeTo(new WritableStream())
      return { url: (JSON.parse(line) as { url: string }).url, process: proc }
    }
  }
  proc.kill('SIGKILL')
  throw new Error(`registry did not start: ${output}`)
}

async function killChild(): Promise<void> {
  if (!child) return
  child.process.kill('SIGKILL')
  await child.process.exited
  child = undefined
}

/** Every file under DATA_DIR/tarballs, as blob keys (temporary files included, with their folder). */
function filesOnDisk(): string[] {
  const root = join(dataDir, 'tarballs')
  if (!existsSync(root)) return []
  return readdirSync(root, { recursive: true })
    .map((entry) => String(entry))
    // A temporary file can be renamed between listing and stat.
    .filter((entry) => statSync(join(root, entry), { throwIfNoEntry: false })?.isFile() === true)
    .map((entry) => relative(root, join(root, entry)).split(sep).join('/'))
    .sort()
}

interface Attempt {
  name: string
  version: string
  tarball: Uint8Array
  integrity: string
  body: string
  /** Set when the registry answered 201 before it was killed. */
  acknowledged: boolean
}

async function makeAttempt(name: string, version: string, payloadBytes: number): Promise<Attempt> {
  // Random content does not compress, so the tarball is about `payloadBytes` long.
  const payload = crypto.getRandomValues(new Uint8Array(payloadBytes))
  const tarball = await packTarball({ name, version }, { 'payload.bin': payload }, { gzipLevel: 0 })
  const document = await publishDocument({ name, version }, { tarball })
  return { name, version, tarball, integrity: ssri.fromData(tarball, { algorithms: ['sha512'] }).toString(), body: JSON.stringify(document), acknowledged: false }
}

/** PUTs the attempt's publish document; `slow` streams it in 32 pieces, pausing between them. */
function send(url: string, attempt: Attempt, progress?: { sent: number; total: number }): Promise<void> {
  const bytes = new TextEncoder().encode(attempt.body)
  let body: Uint8Array | ReadableStream<Uint8Array> = bytes
  if (progress) {
    const pieces = 32
    const size = Math.ceil(bytes.byteLength / pieces)
    progress.total = pieces
    body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (progress.sent === pieces) return controller.close()
        await Bun.sleep(4)
        controller.enqueue(bytes.subarray(progress.sent * size, (progress.sent + 1) * size))
        progress.sent++
      },
    })
  }
  return fetch(`${url}/${escapeName(attempt.name)}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body,
  })
    .then((response) => {
      if (response.status === 201) attempt.acknowledged = true
    })
    .catch(() => {
      // The connection died with the server: the outcome is decided by what the restart shows.
    })
}

async function waitUntil(condition: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (condition()) return true
    await Bun.sleep(1)
  }
  return false
}

type KillMoment = 'mid-upload' | 'mid-write' | 'stored-before-commit' | 'first-acknowledged' | `after ${number} ms`

const attempts: Attempt[] = []
/** What the disk held right after each kill, and what the restart then removed. */
const rounds: Array<{ moment: KillMoment; temporary: number; removedTarballs: number; slowUpload: Attempt }> = []
let filesAfterKill: string[] = []

/**
 * One round: a large slowly uploaded publish, a large fast one and four small ones, all at once;
 * then SIGKILL at `moment`.
 */
async function crashRound(round: number, moment: KillMoment): Promise<void> {
  // The registry restarted by the previous round's verification serves this round.
  child ??= await startChild()
  const batch = await Promise.all([
    makeAttempt('crash-big', `${round}.0.0`, 8 * 1024 * 1024),
    makeAttempt('@crash/big', `${round}.0.0`, 4 * 1024 * 1024),
    ...[1, 2, 3, 4].map((i) => makeAttempt(i % 2 === 0 ? 'crash-small' : '@crash/small', `${round}.${i}.0`, 2048)),
  ])
  attempts.push(...batch)
  const before = new Set(filesOnDisk())
  // Holding SQLite's write lock from this process stalls the registry's commit (as a slow disk or
  // a backup would), so its tarball is stored while the version is not yet committed.
  const lock = moment === 'stored-before-commit' ? new Database(join(dataDir, 'packr.db')) : undefined
  lock?.exec('BEGIN IMMEDIATE')
  const upload = { sent: 0, total: Number.POSITIVE_INFINITY }
  const running = child
  const requests = batch.map((attempt, i) => send(running.url, attempt, i === 0 ? upload : undefined))

  if (moment === 'mid-upload') {
    expect(await waitUntil(() => upload.sent >= upload.total / 2)).toBe(true)
  } else if (moment === 'mid-write') {
    expect(await waitUntil(() => filesOnDisk().some((file) => file.startsWith('.tmp/')))).toBe(true)
  } else if (moment === 'stored-before-commit') {
    expect(await waitUntil(() => filesOnDisk().some((file) => !file.startsWith('.tmp/') && !before.has(file)))).toBe(true)
  } else if (moment === 'first-acknowledged') {
    expect(await waitUntil(() => batch.some((attempt) => attempt.acknowledged))).toBe(true)
  } else {
    await Bun.sleep(Number(moment.split(' ')[1]))
  }
  await killChild()
  lock?.exec('ROLLBACK')
  lock?.close()
  await Promise.all(requests)
  expect(running.process.signalCode).toBe('SIGKILL')
  filesAfterKill = filesOnDisk()
  rounds.push({ moment, temporary: filesAfterKill.filter((file) => file.startsWith('.tmp/')).length, removedTarballs: 0, slowUpload: batch[0] as Attempt })
}

/** Attempts whose stored bytes were already compared after an earlier restart. */
const verifiedBytes = new Set<Attempt>()

/**
 * Restarts on the same DATA_DIR and checks every attempt so far: wholly there (packument entry with
 * the published integrity; the tarball's bytes are compared the first time it is seen) or wholly
 * absent (no entry, no version document, no tarball); and on disk exactly the live tarballs.
 */
async function verifyAfterRestart(): Promise<{ present: number; absent: Attempt[] }> {
  await killChild()
  child = await startChild()
  const url = child.url
  type Packument = { versions?: Record<string, { dist: { integrity: string } }> }
  const packuments = new Map<string, Packument>()
  for (const name of new Set(attempts.map((attempt) => attempt.name))) {
    packuments.set(name, (await (await fetch(`${url}/${escapeName(name)}?write=true`)).json()) as Packument)
  }
  const absent: Attempt[] = []
  const liveKeys: string[] = []
  for (const attempt of attempts) {
    const entry = packuments.get(attempt.name)?.versions?.[attempt.version]
    const tarballUrl = `${url}/${attempt.name}/-/${attempt.name.split('/').at(-1)}-${attempt.version}.tgz`
    if (entry) {
      expect(entry.dist.integrity).toBe(attempt.integrity)
      liveKeys.push(blobKeyFor(attempt.name, attempt.version, attempt.integrity))
      if (verifiedBytes.has(attempt)) continue
      const tarball = await fetch(tarballUrl)
      expect(tarball.status).toBe(200)
      expect(Buffer.from(await tarball.arrayBuffer()).equals(Buffer.from(attempt.tarball))).toBe(true)
      verifiedBytes.add(attempt)
    } else {
      expect(attempt.acknowledged).toBe(false)
      const tarball = await fetch(tarballUrl)
      expect(tarball.status).toBe(404)
      await tarball.body?.cancel()
      expect((await fetch(`${url}/${escapeName(attempt.name)}/${attempt.version}`)).status).toBe(404)
      absent.push(attempt)
    }
  }
  // Nothing half-written stays behind: no temporary files, no tarball without a live version.
  const files = filesOnDisk()
  expect(files).toEqual(liveKeys.sort())
  const last = rounds.at(-1)
  if (last) last.removedTarballs = filesAfterKill.filter((file) => !file.startsWith('.tmp/') && !files.includes(file)).length
  filesAfterKill = files
  return { present: attempts.length - absent.length, absent }
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'packr-crash-'))
  const first = await startChild()
  const login = await fetch(`${first.url}/-/v1/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: ADMIN.username, password: ADMIN.password }),
  })
  token = ((await login.json()) as { token: string }).token
  first.process.kill('SIGKILL')
  await first.process.exited
})

afterAll(async () => {
  await killChild()
  rmSync(dataDir, { recursive: true, force: true })
})

describe('SIGKILL during publishes', () => {
  const moments: KillMoment[] = [
    'mid-upload',
    'mid-write',
    'stored-before-commit',
    'mid-write',
    'stored-before-commit',
    'mid-upload',
    'first-acknowledged',
    'after 0 ms',
    'after 20 ms',
    'after 80 ms',
    'first-acknowledged',
  ]

  test('every version is wholly there or wholly absent after each restart, and leftovers are removed', async () => {
    let absent: Attempt[] = []
    for (const [round, moment] of moments.entries()) {
      await crashRound(round + 1, moment)
      ;({ absent } = await verifyAfterRestart())
    }
    // The kills really landed mid-upload (the slow body never arrived whole), mid-write (temporary
    // files left) and between storing a tarball and committing its version (tarballs the restart
    // had to remove).
    const uploads = rounds.filter((round) => round.moment === 'mid-upload').map((round) => round.slowUpload)
    expect(uploads.every((attempt) => absent.includes(attempt))).toBe(true)
    expect(rounds.some((round) => round.moment === 'mid-write' && round.temporary > 0)).toBe(true)
    expect(rounds.filter((round) => round.moment === 'stored-before-commit').every((round) => round.removedTarballs > 0)).toBe(true)
    // Some publishes survived and some were cut off: both outcomes were exercised.
    expect(attempts.some((attempt) => attempt.acknowledged)).toBe(true)
    expect(absent.length).toBeGreaterThan(0)

    // A version that a crash cut off was never half-published: it can be published again.
    for (const attempt of absent) {
      const response = await fetch(`${child!.url}/${escapeName(attempt.name)}`, {
        method: 'PUT',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: attempt.body,
      })
      expect(response.status).toBe(201)
      attempt.acknowledged = true
    }
    const after = await verifyAfterRestart()
    expect(after.absent).toHaveLength(0)
    expect(after.present).toBe(attempts.length)
  })
})
