// Proof of origin: the registry's public signing keys and provenance attestations (rotation is in the admin API).
import { Elysia } from 'elysia'
import semver from 'semver'
import { authPlugin } from '../auth/plugin.ts'
import type { AuthResult } from '../auth/policy.ts'
import type { AppContext } from '../context.ts'
import { NotFoundError } from '../errors/index.ts'
import { SigningModel } from './model.ts'

/** `name@version` as the attestations URL carries it (the name may be scoped). */
function parseSpec(spec: string): { name: string; version: string } {
  const at = spec.lastIndexOf('@')
  const name = spec.slice(0, at)
  const version = spec.slice(at + 1)
  if (at <= 0 || !name || semver.valid(version) !== version) throw new NotFoundError('ATTESTATIONS_NOT_FOUND', `no attestations for ${spec}`)
  return { name, version }
}

export const signingController = (ctx: AppContext) => {
  async function attestations(spec: string, auth: () => Promise<AuthResult>) {
    const { name, version } = parseSpec(spec)
    // A restricted package's attestations are as hidden as the package: the same 404 as for none.
    const entry = await ctx.packuments.get(name)
    if (entry && entry.loaded.row.access !== 'public' && !(await ctx.access.viewerFor((await auth()).identity)).canRead(entry.loaded.row)) {
      throw new NotFoundError('ATTESTATIONS_NOT_FOUND', `no attestations for ${name}@${version}`)
    }
    const found = await ctx.signing.attestations(name, version)
    if (found.length === 0) throw new NotFoundError('ATTESTATIONS_NOT_FOUND', `no attestations for ${name}@${version}`)
    return { attestations: found }
  }

  return new Elysia({ name: 'packr/signing', detail: { tags: ['signing'] } })
    .use(authPlugin(ctx))
    .get('/-/npm/v1/keys', async () => ({ keys: await ctx.signing.publicKeys() }), {
      response: { 200: SigningModel.keys },
      detail: { summary: "The registry's public signing keys (ECDSA P-256), including expired ones" },
    })
    .get('/-/npm/v1/attestations/:spec', ({ params, auth }) => attestations(params.spec, auth), {
      response: { 200: SigningModel.attestations },
      detail: { summary: 'Provenance attestations of name@version' },
    })
    .get('/-/npm/v1/attestations/:spec/:rest', ({ params, auth }) => attestations(`${params.spec}/${params.rest}`, auth), {
      response: { 200: SigningModel.attestations },
      detail: { summary: 'Provenance attestations of @scope/name@version' },
    })
}
