// `bun run storage:migrate` moves every live tarball from local disk into a bucket, verifying each
// against its recorded integrity; afterwards a registry on the bucket serves them all. Runs on both
// database dialects (the command reads the registry's own database).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readdirSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { run } from '../helpers/clients.ts'
import { packTarball, publishDocument } from '../helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../helpers/registry.ts'
import { S3_CREDENTIALS, startS3, type TestS3 } from '../helpers/s3.ts'

const ROOT = resolve(import.meta.dir, '../..')

let s3: TestS3
let registry: TestRegistry
let client: S3Client
const tarballs = new Map<string, Uint8Array>()

/** The registry's own database settings, so the command reads the same database. */
function databaseEnv(): Record<string, string> {
  const { database, secrets } = registry.ctx.config
  if (database.kind === 'sqlite') return {}
  return { DATABASE_URL: database.url, JWT_SECRET: secrets.jwtSecret, SESSION_SECRET: secrets.sessionSecret, INTERNAL_API_SECRET: secrets.internalApiSecret }
}

function migrate(extra: Record<string, string> = {}) {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '', DATA_DIR: registry.dataDir, ...databaseEnv(), ...s3.env(), SOURCE_STORAGE: 'fs', SOURCE_DATA_DIR: registry.dataDir, ...extra }
  return run([process.execPath, 'run', 'storage:migrate'], { cwd: ROOT, env })
}

async function bucketKeys(): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: s3.bucket }))
  return (listed.Contents ?? []).map((object) => object.Key as string).sort()
}

beforeAll(async () => {
  s3 = await startS3()
  client = new S3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true, credentials: S3_CREDENTIALS })
  registry = await startTestRegistry()
  for (const [name, version] of [
    ['moved', '1.0.0'],
    ['moved', '1.1.0'],
    ['@acme/moved-too', '3.0.0'],
    ['gone', '1.0.0'],
  ] as const) {
    const tarball = await packTarball({ name, version }, { 'data.bin': crypto.getRandomValues(new Uint8Array(20_000)) })
    tarballs.set(`${name}@${version}`, tarball)
    const response = await registry.request(`/${name.replace('/', '%2f')}`, { method: 'PUT', token: registry.adminToken, json: await publishDocument({ name, version }, { tarball }) })
    expect(response.status).toBe(201)
  }
  const { _rev } = (await (await registry.request('/gone?write=true')).json()) as { _rev: string }
  expect((await registry.request(`/gone/-rev/${_rev}`, { method: 'DELETE', token: registry.adminToken })).status).toBe(200)
})

afterAll(async () => {
  client.destroy()
  await registry.close()
  await s3.close()
})

describe('storage:migrate', () => {
  test('refuses to run without a source store', async () => {
    const result = await run([process.execPath, 'run', 'storage:migrate'], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', DATA_DIR: registry.dataDir, ...databaseEnv(), ...s3.env() } })
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('SOURCE_STORAGE=fs')
  })

  test('refuses to copy a store onto itself', async () => {
    const result = await migrate({ STORAGE: 'fs' })
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('the source and the target are the same store')
  })

  test('copies every live tarball into the bucket and verifies it', async () => {
    const result = await migrate()
    if (result.exitCode !== 0) console.error(result.stderr)
    expect(result.exitCode).toBe(0)
    expect(result.stderr).not.toContain('FAILED')
    expect(result.stdout).toContain('3 copied, 0 already intact, 0 failed (fs → s3)')
    const keys = await bucketKeys()
    expect(keys).toHaveLength(3)
    expect(keys.some((key) => key.startsWith('gone/'))).toBe(false)
  })

  test('a second run finds every copy intact and copies nothing', async () => {
    const result = await migrate()
    expect(result.exitCode).toBe(0)
    expect(result.stdout).toContain('0 copied, 3 already intact, 0 failed')
  })

  test('a registry switched to the bucket serves every tarball byte for byte', async () => {
    const onS3 = await startTestRegistry({ DATA_DIR: registry.dataDir, ...databaseEnv(), ...s3.env() })
    try {
      for (const [spec, tarball] of tarballs) {
        const [name, version] = spec.startsWith('@') ? [`@${spec.slice(1).split('@')[0]}`, spec.slice(1).split('@')[1]] : (spec.split('@') as [string, string])
        const response = await onS3.request(`/${name}/-/${(name as string).split('/').pop()}-${version}.tgz`)
        if (name === 'gone') {
          expect(response.status).toBe(404)
          continue
        }
        expect(response.status).toBe(200)
        expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array(tarball))
      }
    } finally {
      await onS3.close()
    }
  })

  test('a corrupted source tarball is reported, not copied, and fails the run', async () => {
    const publish = await registry.request('/late', {
      method: 'PUT',
      token: registry.adminToken,
      json: await publishDocument({ name: 'late', version: '1.0.0' }),
    })
    expect(publish.status).toBe(201)
    const dir = join(registry.dataDir, 'tarballs', 'late')
    const file = readdirSync(dir)[0] as string
    writeFileSync(join(dir, file), 'not the published bytes')
    const result = await migrate()
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain(`FAILED late/${file}: the source copy does not match its recorded integrity`)
    expect(result.stdout).toContain('0 copied, 3 already intact, 1 failed')
    expect((await bucketKeys()).some((key) => key.startsWith('late/'))).toBe(false)
  })
})
