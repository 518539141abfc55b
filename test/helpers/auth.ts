// Tokens a test needs beyond the ones the registry hands out: forged (another key, `alg: none`) and
// a way to read claims without verifying them.
import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose'

/** A JWT shaped like Packr's (same kid, same claims) but signed with a key the registry does not know. */
export async function foreignKeyToken(genuine: string): Promise<string> {
  const header = decodeProtectedHeader(genuine)
  const claims = decodeJwt(genuine)
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', kid: header.kid as string, typ: 'JWT' })
    .sign(new TextEncoder().encode('a-key-this-registry-has-never-seen-0123456789'))
}

/** The same claims with `alg: none` and no signature. */
export function unsignedToken(genuine: string): string {
  const header = { ...decodeProtectedHeader(genuine), alg: 'none' }
  const [, payload] = genuine.split('.')
  return `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload}.`
}

export { decodeJwt, decodeProtectedHeader }
