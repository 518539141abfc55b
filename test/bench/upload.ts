// Publishing one tarball two ways, to a registry in its own process: npm's JSON document (tarball in
// base64) and the multipart form of the same route (tarball as bytes). Bodies are built before the
// clock starts; each publish is a new version of one package per form and size.
// Usage: bun test/bench/upload.ts [publishes per size, default 8]
import { escapeName, packTarball, publishDocument } from '../helpers/packages.ts'
import { spawnRegistry } from '../helpers/registry-process.ts'

const ADMIN = { username: 'bench', password: 'bench-password-1' }
const SIZES_MB = [1, 10, 40]
const count = Number(process.argv[2] ?? 8)

interface Body {
  bytes: Uint8Array
  type: string
  tarballBytes: number
}

/** The publish of `name@version` (an incompressible tarball of about `sizeMb`) in `form`. */
async function body(name: string, version: string, sizeMb: number, form: 'json' | 'multipart'): Promise<Body> {
  const manifest = { name, version, main: 'index.js' }
  const tarball = await packTarball(manifest, { 'payload.bin': crypto.getRandomValues(new Uint8Array(sizeMb * 1024 * 1024 - 4096)) }, { gzipLevel: 0 })
  const document = await publishDocument(manifest, { tarball })
  if (form === 'json') return { bytes: new TextEncoder().encode(JSON.stringify(document)), type: 'application/json', tarballBytes: tarball.byteLength }
  const multipart = new FormData()
  multipart.set('manifest', JSON.stringify(document.versions[version]))
  multipart.set('tarball', new File([tarball], 'package.tgz'))
  const encoded = new Response(multipart)
  const type = encoded.headers.get('content-type') as string
  return { bytes: new Uint8Array(await encoded.arrayBuffer()), type, tarballBytes: tarball.byteLength }
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0

const registry = await spawnRegistry({ ADMIN_USERNAME: ADMIN.username, ADMIN_PASSWORD: ADMIN.password, MAX_TARBALL_SIZE: '50MB' })
try {
  const login = await registry.request('/-/v1/login', { method: 'POST', json: { name: ADMIN.username, password: ADMIN.password } })
  const { token } = (await login.json()) as { token: string }
  console.log(`| Tarball | Form | Request body | p50 | p95 | max |`)
  console.log(`|---|---|---|---|---|---|`)
  for (const sizeMb of SIZES_MB) {
    for (const [major, form] of (['json', 'multipart'] as const).entries()) {
      const name = `upload-bench-${sizeMb}`
      const built: Body[] = []
      for (let i = 0; i < count; i++) built.push(await body(name, `${major + 1}.0.${i}`, sizeMb, form))
      const timings: number[] = []
      for (const prepared of built) {
        const started = performance.now()
        const response = await fetch(`${registry.url}/${escapeName(name)}`, { method: 'PUT', headers: { 'content-type': prepared.type, authorization: `Bearer ${token}` }, body: prepared.bytes })
        await response.arrayBuffer()
        timings.push(performance.now() - started)
        if (response.status !== 201) throw new Error(`${name} (${form}): ${response.status}`)
      }
      timings.sort((a, b) => a - b)
      const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`
      console.log(`| ${mb(built[0]?.tarballBytes ?? 0)} | ${form} | ${mb(built[0]?.bytes.byteLength ?? 0)} | ${percentile(timings, 50).toFixed(0)} ms | ${percentile(timings, 95).toFixed(0)} ms | ${(timings.at(-1) ?? 0).toFixed(0)} ms |`)
    }
  }
} finally {
  await registry.stop()
}
