// Health, ping and the audit endpoint npm calls on every install.
import { Elysia } from 'elysia'
import { gunzipSync } from 'node:zlib'
import type { AppContext } from '../context.ts'
import { BadRequestError } from '../errors/index.ts'
import { readBodyBytes } from '../http/body.ts'
import { SystemModel } from './model.ts'

const AUDIT_BODY_LIMIT = 8 * 1024 * 1024

export const systemController = (ctx: AppContext) =>
  new Elysia({ name: 'packr/system', detail: { tags: ['system'] } })
    .get(
      '/health',
      () => ({
        status: 'ok' as const,
        version: ctx.version,
        region: ctx.config.region,
        primaryRegion: ctx.config.primaryRegion ?? null,
        database: ctx.db.dialect,
        readReplica: ctx.db.replicated,
        storage: ctx.blobs.kind,
      }),
      {
        response: { 200: SystemModel.health },
        detail: { summary: 'Liveness and identity of this instance' },
      },
    )
    .get('/-/ping', () => ({}), { response: { 200: SystemModel.empty }, detail: { summary: 'npm ping' } })
    .post(
      '/-/npm/v1/security/advisories/bulk',
      async ({ request }) => {
        // No advisory database yet: answer "no advisories" so `npm install`'s audit step succeeds.
        // The body is still read and checked, gzip or plain, so a broken client gets a clear error.
        let bytes = await readBodyBytes(request, AUDIT_BODY_LIMIT)
        if (request.headers.get('content-encoding') === 'gzip') {
          try {
            bytes = gunzipSync(bytes, { maxOutputLength: AUDIT_BODY_LIMIT * 8 })
          } catch {
            throw new BadRequestError('MALFORMED_BODY', 'audit body is not valid gzip')
          }
        }
        try {
          if (bytes.byteLength > 0) JSON.parse(new TextDecoder().decode(bytes))
        } catch {
          throw new BadRequestError('MALFORMED_BODY', 'audit body is not valid JSON')
        }
        return {}
      },
      { parse: 'none', response: { 200: SystemModel.empty }, detail: { summary: 'npm audit (bulk advisories): none known' } },
    )
