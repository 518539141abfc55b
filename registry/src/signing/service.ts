// Registry signatures in npm's scheme: ECDSA P-256 over `${name}@${version}:${integrity}`, DER
// encoded, with public keys at /-/npm/v1/keys so npm/pnpm (or anyone with WebCrypto) can verify a
// tarball came from this registry. Private keys live in the database, encrypted, so every
// instance signs with the same key; the signing key is looked up per publish, so a rotation on
// one instance is honoured by all of them at once.
import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto'
import { and, desc, eq, isNull } from 'drizzle-orm'
import type { Actor, AuditLog } from '../audit/service.ts'
import { SealedBox } from '../crypto/sealed-box.ts'
import type { Database } from '../db/index.ts'
import { attestations, signingKeys, type SigningKeyRow } from '../db/schema.ts'

export interface PublicSigningKey {
  expires: string | null
  keyid: string
  keytype: 'ecdsa-sha2-nistp256'
  scheme: 'ecdsa-sha2-nistp256'
  key: string
}

export interface Signature {
  keyid: string
  sig: string
}

/** The message npm signs and verifies for a version. */
export const signedMessage = (name: string, version: string, integrity: string) => `${name}@${version}:${integrity}`

export class SigningService {
  private readonly box: SealedBox
  private readonly privateKeys = new Map<string, KeyObject>()

  constructor(
    private readonly db: Database,
    internalSecret: string,
    private readonly audit: AuditLog,
  ) {
    this.box = new SealedBox(internalSecret, 'signing-keys')
  }

  private newKey(now: number): SigningKeyRow {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const spki = publicKey.export({ type: 'spki', format: 'der' })
    return {
      keyid: `SHA256:${new Bun.CryptoHasher('sha256').update(spki).digest('base64')}`,
      publicKey: spki.toString('base64'),
      encryptedPrivateKey: this.box.seal(privateKey.export({ type: 'pkcs8', format: 'der' })),
      createdAt: now,
      expiresAt: null,
    }
  }

  private async activeRow(): Promise<SigningKeyRow | undefined> {
    // The primary: right after a rotation a replica may still name the key that just expired.
    const [row] = await this.db.primary.select().from(signingKeys).where(isNull(signingKeys.expiresAt)).orderBy(desc(signingKeys.createdAt)).limit(1)
    return row
  }

  /** Creates the first signing key when there is none. Safe to call from several instances. */
  async ensureKey(): Promise<void> {
    if (await this.activeRow()) return
    await this.db.transaction(async (tx) => {
      const [existing] = await tx.select({ keyid: signingKeys.keyid }).from(signingKeys).where(isNull(signingKeys.expiresAt)).limit(1)
      if (!existing) await tx.insert(signingKeys).values(this.newKey(Date.now()))
    })
  }

  private privateKey(row: SigningKeyRow): KeyObject {
    let key = this.privateKeys.get(row.keyid)
    if (!key) {
      try {
        key = createPrivateKey({ key: this.box.open(row.encryptedPrivateKey), format: 'der', type: 'pkcs8' })
      } catch {
        throw new Error(`signing key ${row.keyid} cannot be decrypted: INTERNAL_API_SECRET differs from the one it was stored with`)
      }
      this.privateKeys.set(row.keyid, key)
    }
    return key
  }

  /** Signs a version with the current key. */
  async sign(name: string, version: string, integrity: string): Promise<Signature> {
    let row = await this.activeRow()
    if (!row) {
      await this.ensureKey()
      row = (await this.activeRow()) as SigningKeyRow
    }
    const sig = sign('sha256', Buffer.from(signedMessage(name, version, integrity)), this.privateKey(row))
    return { keyid: row.keyid, sig: sig.toString('base64') }
  }

  /** Every key that ever signed, for `GET /-/npm/v1/keys`; expired keys keep verifying older versions. */
  async publicKeys(): Promise<PublicSigningKey[]> {
    const rows = await this.db.read.select().from(signingKeys).orderBy(desc(signingKeys.createdAt))
    return rows.map((row) => ({
      expires: row.expiresAt === null ? null : new Date(row.expiresAt).toISOString(),
      keyid: row.keyid,
      keytype: 'ecdsa-sha2-nistp256',
      scheme: 'ecdsa-sha2-nistp256',
      key: row.publicKey,
    }))
  }

  /** Starts signing with a new key; the previous one expires now (older signatures stay valid). */
  async rotate(actor: Actor, now = Date.now()): Promise<PublicSigningKey> {
    const fresh = this.newKey(now)
    await this.db.transaction(async (tx) => {
      await tx.update(signingKeys).set({ expiresAt: now }).where(isNull(signingKeys.expiresAt))
      await tx.insert(signingKeys).values(fresh)
      await this.audit.record(tx, actor, { action: 'signing-key.rotate', target: fresh.keyid })
    })
    return { expires: null, keyid: fresh.keyid, keytype: 'ecdsa-sha2-nistp256', scheme: 'ecdsa-sha2-nistp256', key: fresh.publicKey }
  }

  /** Provenance bundles stored for a version, in the shape `npm audit signatures` reads. */
  async attestations(name: string, version: string): Promise<Array<{ predicateType: string; bundle: Record<string, unknown> }>> {
    return this.db.read
      .select({ predicateType: attestations.predicateType, bundle: attestations.bundle })
      .from(attestations)
      .where(and(eq(attestations.packageName, name), eq(attestations.version, version)))
  }
}
