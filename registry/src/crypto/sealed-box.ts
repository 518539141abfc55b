// Secrets the registry must read back (signing keys, webhook secrets) are stored sealed with
// AES-256-GCM under a key derived (HKDF) from INTERNAL_API_SECRET and a purpose, so every instance
// of a deployment can open them and a copy of the database alone cannot.
import { createCipheriv, createDecipheriv, hkdfSync } from 'node:crypto'

export class SealedBox {
  private readonly key: Buffer

  constructor(secret: string, purpose: string) {
    this.key = Buffer.from(hkdfSync('sha256', secret, 'packr', purpose, 32))
  }

  /** base64 of iv (12 bytes) ‖ tag (16 bytes) ‖ ciphertext. */
  seal(plain: Buffer): string {
    const iv = crypto.getRandomValues(new Uint8Array(12))
    const cipher = createCipheriv('aes-256-gcm', this.key, iv)
    const body = Buffer.concat([cipher.update(plain), cipher.final()])
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')
  }

  /** Throws when the value was sealed under another secret or altered. */
  open(sealed: string): Buffer {
    const raw = Buffer.from(sealed, 'base64')
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12))
    decipher.setAuthTag(raw.subarray(12, 28))
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()])
  }
}
