// Two registry processes on one PostgreSQL database and one S3 bucket, as behind a load balancer:
// the core concurrency cases split across them, installs through the instance that did not
// publish, and a revocation on one instance refused by the other.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { npmrc, Workspace } from '../helpers/clients.ts'
import { publishDocument } from '../helpers/packages.ts'
import { createTestDatabase, noticeSkippedWithoutPostgres, sharedSecrets, TEST_POSTGRES_URL, type TestDatabase } from '../helpers/postgres.ts'
import { ADMIN } from '../helpers/registry.ts'
import { spawnRegistry, type RegistryProcess } from '../helpers/registry-process.ts'
import { startS3, type TestS3 } from '../helpers/s3.ts'

noticeSkippedWithoutPostgres('two registry processes on one database and bucket')

describe.skipIf(!TEST_POSTGRES_URL)('two registry processes on one database and bucket', () => {
  let database: TestDatabase
  let s3: TestS3
  let a: RegistryProcess
  let b: RegistryProcess
  let token: string

  const publish = async (instance: RegistryProcess, name: string, version: string, extra: Record<string, unknown> = {}) =>
    instance.request(`/${name.replace('/', '%2f')}`, { method: 'PUT', token, json: await publishDocument({ name, version, ...extra }) })

  const versionsOn = async (instance: RegistryProcess, name: string) => {
    const response = await instance.request(`/${name.replace('/', '%2f')}`)
    return response.status === 200 ? Object.keys(((await response.json()) as { versions: object }).versions).sort() : []
  }

  async function eventually(check: () => Promise<boolean>, ms = 1000): Promise<void> {
    const deadline = Date.now() + ms
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`not true within ${ms} ms`)
      await Bun.sleep(10)
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase()
    s3 = await startS3()
    const env = {
      DATABASE_URL: database.url,
      DATABASE_POOL_SIZE: '5',
      ADMIN_USERNAME: ADMIN.username,
      ADMIN_PASSWORD: ADMIN.password,
      ...sharedSecrets(),
      ...s3.env(),
    }
    // Started together: migrations and the admin bootstrap must cope with a twin doing the same.
    ;[a, b] = await Promise.all([spawnRegistry({ ...env, REGION: 'ams' }), spawnRegistry({ ...env, REGION: 'sjc' })])
    const login = await a.request('/-/v1/login', { method: 'POST', json: { name: ADMIN.username, password: ADMIN.password } })
    token = ((await login.json()) as { token: string }).token
  })

  afterAll(async () => {
    await a?.stop()
    await b?.stop()
    await s3?.close()
    await database?.drop()
  })

  test('both instances are up on PostgreSQL and S3, each reporting its region', async () => {
    const health = await Promise.all([a, b].map(async (instance) => (await instance.request('/health')).json()))
    expect(health).toEqual([
      expect.objectContaining({ status: 'ok', region: 'ams', database: 'postgres', storage: 's3', readReplica: false }),
      expect.objectContaining({ status: 'ok', region: 'sjc', database: 'postgres', storage: 's3', readReplica: false }),
    ])
  })

  test('a token issued by one instance works on the other', async () => {
    const whoami = await b.request('/-/whoami', { token })
    expect(await whoami.json()).toEqual({ username: ADMIN.username })
  })

  test('60 versions of one package published concurrently, split over both instances, are all kept', async () => {
    const versions = Array.from({ length: 60 }, (_, index) => `2.0.${index}`)
    const responses = await Promise.all(versions.map((version, index) => publish(index % 2 === 0 ? a : b, '@split/pkg', version)))
    expect(responses.map((response) => response.status)).toEqual(versions.map(() => 201))
    const expected = [...versions].sort()
    await eventually(async () => JSON.stringify(await versionsOn(a, '@split/pkg')) === JSON.stringify(expected))
    await eventually(async () => JSON.stringify(await versionsOn(b, '@split/pkg')) === JSON.stringify(expected))
  })

  test('one version raced on both instances with different contents is taken exactly once', async () => {
    const responses = await Promise.all(Array.from({ length: 6 }, (_, index) => publish(index % 2 === 0 ? a : b, 'raced', '1.0.0', { description: `attempt ${index}` })))
    expect(responses.map((response) => response.status).sort()).toEqual([201, 409, 409, 409, 409, 409])
  })

  test('dist-tags set concurrently through both instances are all kept', async () => {
    expect((await publish(a, 'many-tags', '1.0.0')).status).toBe(201)
    const tags = Array.from({ length: 10 }, (_, index) => `t${index}`)
    const responses = await Promise.all(
      tags.map((tag, index) => (index % 2 === 0 ? a : b).request(`/-/package/many-tags/dist-tags/${tag}`, { method: 'PUT', token, json: '1.0.0' })),
    )
    expect(responses.map((response) => response.status)).toEqual(tags.map(() => 200))
    await eventually(async () => {
      const onB = (await (await b.request('/-/package/many-tags/dist-tags')).json()) as Record<string, string>
      return tags.every((tag) => onB[tag] === '1.0.0')
    })
  })

  test('npm publishes through one instance and installs through the other right after', async () => {
    const ws = new Workspace('packr-multi-')
    const pkg = ws.dir('pkg')
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name: '@split/hello', version: '1.0.0', main: 'index.js' }))
    writeFileSync(join(pkg, 'index.js'), 'module.exports = "hello from a"\n')
    ws.write('home/.npmrc', `${npmrc(a.url, token)}${npmrc(b.url, token).split('\n')[1]}\n`)
    // B has the package in its cache as "not found" before the publish.
    expect((await b.request('/@split%2fhello')).status).toBe(404)
    const published = await ws.run('npm', ['publish', '--registry', `${a.url}/`], pkg)
    expect(published.exitCode).toBe(0)
    const app = ws.dir('app')
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
    const install = await ws.run('npm', ['install', '@split/hello@1.0.0', '--registry', `${b.url}/`], app)
    expect(install.exitCode).toBe(0)
    const lock = JSON.parse(await Bun.file(join(app, 'package-lock.json')).text())
    expect(lock.packages['node_modules/@split/hello'].resolved).toBe(`${b.url}/@split/hello/-/hello-1.0.0.tgz`)
    expect((await ws.exec(['node', '-e', 'process.stdout.write(require("@split/hello"))'], app)).stdout).toBe('hello from a')
  })

  test('a token revoked on one instance is refused by the other within a second', async () => {
    const login = await b.request('/-/v1/login', { method: 'POST', json: { name: ADMIN.username, password: ADMIN.password } })
    const session = ((await login.json()) as { token: string }).token
    expect((await a.request('/-/whoami', { token: session })).status).toBe(200)
    expect((await b.request(`/-/user/token/${session}`, { method: 'DELETE', token: session })).status).toBe(200)
    await eventually(async () => (await a.request('/-/whoami', { token: session })).status === 401)
    expect(await (await a.request('/-/whoami', { token: session })).json()).toMatchObject({ code: 'TOKEN_REVOKED' })
  })

  test('neither instance logged an error', () => {
    for (const instance of [a, b]) expect(instance.logs()).not.toContain('"level":"error"')
  })
})
