import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash, createVerify } from 'node:crypto'
import ssri from 'ssri'
import { packTarball, publishDocument } from '../../test/helpers/packages.ts'
import { startTestRegistry, type TestRegistry } from '../../test/helpers/registry.ts'

interface NpmKey {
  expires: string | null
  keyid: string
  key: string
}

let registry: TestRegistry

beforeAll(async () => {
  registry = await startTestRegistry()
})
afterAll(() => registry.close())

/** Verifies like pacote: ECDSA P-256 / SHA-256 over `name@version:integrity`, DER signature. */
function verifies(key: NpmKey, message: string, sig: string): boolean {
  const verifier = createVerify('SHA256')
  verifier.update(message)
  return verifier.verify(`-----BEGIN PUBLIC KEY-----\n${key.key}\n-----END PUBLIC KEY-----`, sig, 'base64')
}

async function keys(): Promise<NpmKey[]> {
  return ((await (await registry.request('/-/npm/v1/keys')).json()) as { keys: NpmKey[] }).keys
}

async function publish(name: string, version: string, extra: Record<string, unknown> = {}) {
  const response = await registry.request(`/${name.replace('/', '%2f')}`, {
    method: 'PUT',
    token: registry.adminToken,
    json: { ...(await publishDocument({ name, version })), ...extra },
  })
  return response
}

describe('registry signatures', () => {
  test('every published version is signed with a key listed at /-/npm/v1/keys', async () => {
    expect((await publish('signed', '1.0.0')).status).toBe(201)
    const packument = (await (await registry.request('/signed')).json()) as { versions: Record<string, { dist: { integrity: string; signatures: Array<{ keyid: string; sig: string }> } }> }
    const { dist } = packument.versions['1.0.0'] as { dist: { integrity: string; signatures: Array<{ keyid: string; sig: string }> } }
    expect(dist.signatures).toHaveLength(1)
    const [signature] = dist.signatures as [{ keyid: string; sig: string }]
    const key = (await keys()).find((candidate) => candidate.keyid === signature.keyid) as NpmKey
    expect(key).toBeDefined()
    expect(key.keyid).toBe(`SHA256:${createHash('sha256').update(Buffer.from(key.key, 'base64')).digest('base64')}`)
    expect(verifies(key, `signed@1.0.0:${dist.integrity}`, signature.sig)).toBe(true)
    expect(verifies(key, `signed@1.0.1:${dist.integrity}`, signature.sig)).toBe(false)
  })

  test('a downloaded tarball proves itself with X-Package-SHA256 and X-Package-Signature', async () => {
    const response = await registry.request('/signed/-/signed-1.0.0.tgz')
    const bytes = new Uint8Array(await response.arrayBuffer())
    expect(response.headers.get('x-package-sha256')).toBe(createHash('sha256').update(bytes).digest('hex'))
    const integrity = ssri.fromData(bytes, { algorithms: ['sha512'] }).toString()
    const key = (await keys()).find((candidate) => candidate.keyid === response.headers.get('x-package-signature-keyid')) as NpmKey
    expect(verifies(key, `signed@1.0.0:${integrity}`, response.headers.get('x-package-signature') as string)).toBe(true)
    // A tampered tarball would not verify.
    const tampered = ssri.fromData(new Uint8Array([...bytes, 0]), { algorithms: ['sha512'] }).toString()
    expect(verifies(key, `signed@1.0.0:${tampered}`, response.headers.get('x-package-signature') as string)).toBe(false)
  })

  test('rotation: new versions use the new key, old signatures stay verifiable until their key expiry', async () => {
    const before = await keys()
    const bob = await registry.createUser('bob')
    const refused = await registry.request('/api/v1/admin/signing-keys/rotate', { method: 'POST', token: bob })
    expect(refused.status).toBe(403)
    const rotated = await registry.request('/api/v1/admin/signing-keys/rotate', { method: 'POST', token: registry.adminToken })
    expect(rotated.status).toBe(201)
    const fresh = (await rotated.json()) as NpmKey
    expect((await publish('signed', '2.0.0')).status).toBe(201)
    const after = await keys()
    expect(after).toHaveLength(before.length + 1)
    const old = after.find((key) => key.keyid === before[0]?.keyid) as NpmKey
    expect(old.expires).not.toBeNull()
    const packument = (await (await registry.request('/signed')).json()) as {
      time: Record<string, string>
      versions: Record<string, { dist: { integrity: string; signatures: Array<{ keyid: string; sig: string }> } }>
    }
    const v1 = packument.versions['1.0.0']?.dist
    const v2 = packument.versions['2.0.0']?.dist
    expect(v1?.signatures[0]?.keyid).toBe(old.keyid)
    expect(v2?.signatures[0]?.keyid).toBe(fresh.keyid)
    // npm's rule: a signature counts if the version was published before its key expired.
    expect(Date.parse(packument.time['1.0.0'] as string)).toBeLessThanOrEqual(Date.parse(old.expires as string))
    expect(verifies(old, `signed@1.0.0:${v1?.integrity}`, v1?.signatures[0]?.sig as string)).toBe(true)
    expect(verifies(fresh, `signed@2.0.0:${v2?.integrity}`, v2?.signatures[0]?.sig as string)).toBe(true)
  })
})

describe('provenance attestations', () => {
  async function bundleFor(name: string, version: string, tarball: Uint8Array, digest?: string) {
    const statement = {
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: `pkg:npm/${name.replace('@', '%40')}@${version}`, digest: { sha512: digest ?? createHash('sha512').update(tarball).digest('hex') } }],
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: { buildDefinition: { buildType: 'https://github.com/npm/cli/gha/v2' } },
    }
    return JSON.stringify({
      mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
      verificationMaterial: {},
      dsseEnvelope: { payload: Buffer.from(JSON.stringify(statement)).toString('base64'), payloadType: 'application/vnd.in-toto+json', signatures: [] },
    })
  }

  test('a .sigstore attachment is stored and served at /-/npm/v1/attestations/name@version', async () => {
    const manifest = { name: '@acme/proven', version: '1.0.0' }
    const tarball = await packTarball(manifest)
    const doc = await publishDocument(manifest, { tarball })
    const bundle = await bundleFor(manifest.name, manifest.version, tarball)
    doc._attachments['@acme/proven-1.0.0.sigstore'] = { content_type: 'application/vnd.dev.sigstore.bundle.v0.3+json', data: bundle, length: bundle.length }
    const response = await registry.request('/@acme%2fproven', { method: 'PUT', token: registry.adminToken, json: doc })
    expect(response.status).toBe(201)
    const packument = (await (await registry.request('/@acme%2fproven')).json()) as { versions: Record<string, { dist: { attestations: { url: string; provenance: { predicateType: string } } } }> }
    const attestationsRef = packument.versions['1.0.0']?.dist.attestations
    expect(attestationsRef?.provenance.predicateType).toBe('https://slsa.dev/provenance/v1')
    // pacote uses only the path of the URL, against the configured registry.
    const served = (await (await registry.request(new URL(attestationsRef?.url as string).pathname)).json()) as { attestations: Array<{ predicateType: string; bundle: unknown }> }
    expect(served.attestations).toEqual([{ predicateType: 'https://slsa.dev/provenance/v1', bundle: JSON.parse(bundle) }])
    expect((await registry.request('/-/npm/v1/attestations/@acme/proven@1.0.0')).status).toBe(200)
    expect((await registry.request('/-/npm/v1/attestations/@acme%2fproven@2.0.0')).status).toBe(404)
  })

  test('provenance about other bytes is refused with 422 and nothing is published', async () => {
    const manifest = { name: 'unproven', version: '1.0.0' }
    const tarball = await packTarball(manifest)
    const doc = await publishDocument(manifest, { tarball })
    const bundle = await bundleFor(manifest.name, manifest.version, tarball, 'ab'.repeat(64))
    doc._attachments['unproven-1.0.0.sigstore'] = { content_type: 'application/json', data: bundle, length: bundle.length }
    const response = await registry.request('/unproven', { method: 'PUT', token: registry.adminToken, json: doc })
    expect(response.status).toBe(422)
    expect(((await response.json()) as { code: string }).code).toBe('INVALID_PROVENANCE')
    expect((await registry.request('/unproven')).status).toBe(404)
  })
})

test('the signing key survives a restart', async () => {
  const first = await startTestRegistry()
  const keyid = (await (await first.request('/-/npm/v1/keys')).json()) as { keys: NpmKey[] }
  const second = await first.restart()
  const again = (await (await second.request('/-/npm/v1/keys')).json()) as { keys: NpmKey[] }
  expect(again.keys.map((key) => key.keyid)).toEqual(keyid.keys.map((key) => key.keyid))
  await second.close()
})
