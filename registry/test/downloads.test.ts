import { afterAll, beforeAll, expect, test } from 'bun:test'
import { publishDocument } from '../../test/helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../../test/helpers/registry.ts'

let registry: TestRegistry

beforeAll(async () => {
  registry = await startTestRegistry()
})
afterAll(() => registry.close())

test('tarball downloads are counted per version and day; revalidations are not', async () => {
  for (const version of ['1.0.0', '1.1.0']) {
    const response = await registry.request('/counted', { method: 'PUT', token: registry.adminToken, json: await publishDocument({ name: 'counted', version }) })
    expect(response.status).toBe(201)
  }
  for (let i = 0; i < 3; i++) expect((await registry.request('/counted/-/counted-1.0.0.tgz')).status).toBe(200)
  const first = await registry.request('/counted/-/counted-1.1.0.tgz')
  expect(first.status).toBe(200)
  const revalidated = await registry.request('/counted/-/counted-1.1.0.tgz', { headers: { 'if-none-match': first.headers.get('etag') as string } })
  expect(revalidated.status).toBe(304)
  expect((await registry.request('/counted/-/counted-9.9.9.tgz')).status).toBe(404)

  const downloads = registry.ctx.downloads
  await downloads.flush()
  const today = new Date().toISOString().slice(0, 10)
  expect(await downloads.daily('counted', today, today)).toEqual([{ day: today, count: 4 }])
  expect(await downloads.daily('counted', today, today, '1.0.0')).toEqual([{ day: today, count: 3 }])
  expect(await downloads.total('counted', 7)).toBe(4)
  // Flushing again adds nothing; new downloads add to the same row.
  await downloads.flush()
  await registry.request('/counted/-/counted-1.0.0.tgz')
  await downloads.flush()
  expect(await downloads.total('counted', 1)).toBe(5)
})
