// The dashboard's static files: the script behind copy buttons and the favicon. URLs carry a content
// hash (`?v=`), so browsers may keep them for a year.
import { Elysia } from 'elysia'
import { NotFoundError } from '../errors/index.ts'
import { ASSETS } from './layout.ts'

export const webAssetsController = () =>
  new Elysia({ name: 'packr/web-assets', detail: { tags: ['dashboard'] } }).get(
    '/-/web/assets/:file',
    ({ params }) => {
      const asset = ASSETS[params.file]
      if (!asset) throw new NotFoundError('ASSET_NOT_FOUND', `no file ${params.file}`)
      return new Response(asset.body, {
        headers: { 'content-type': asset.type, 'cache-control': 'public, max-age=31536000, immutable', 'x-content-type-options': 'nosniff' },
      })
    },
    { detail: { summary: 'Dashboard static file (script, favicon)' } },
  )
