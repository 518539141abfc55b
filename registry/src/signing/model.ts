import { z } from 'zod'

const publicKey = z.object({
  expires: z.string().nullable(),
  keyid: z.string(),
  keytype: z.literal('ecdsa-sha2-nistp256'),
  scheme: z.literal('ecdsa-sha2-nistp256'),
  key: z.string().describe('Base64 DER SubjectPublicKeyInfo'),
})

export const SigningModel = {
  keys: z.object({ keys: z.array(publicKey) }),
  key: publicKey,
  attestations: z.object({ attestations: z.array(z.object({ predicateType: z.string(), bundle: z.record(z.string(), z.unknown()) })) }),
}
