import { z } from 'zod'

const attachment = z.looseObject({
  data: z.string(),
  length: z.number().int().nonnegative().optional(),
  content_type: z.string().optional(),
})

export const PublishModel = {
  /**
   * The document npm clients PUT to `/:pkg`: a publish when it has `_attachments`, otherwise a
   * metadata edit (deprecate, star). The same shape arrives at `/:pkg/-rev/:rev` (unpublish, owners).
   */
  document: z.looseObject({
    _id: z.string().optional(),
    _rev: z.string().optional(),
    name: z.string().optional(),
    'dist-tags': z.record(z.string(), z.string()).optional(),
    versions: z.record(z.string(), z.looseObject({})).optional(),
    _attachments: z.record(z.string(), attachment).optional(),
    access: z.string().nullable().optional(),
    readme: z.string().optional(),
    maintainers: z.array(z.looseObject({ name: z.string(), email: z.string().optional() })).optional(),
    users: z.record(z.string(), z.unknown()).optional(),
  }),
  /**
   * `PUT /:pkg` as multipart/form-data, so a tool need not base64 the tarball: the version document
   * (what npm sends under `versions[version]`, with `dist.integrity` or `dist.shasum`), the `.tgz`,
   * and the dist-tag to point at it. Validated exactly as npm's document.
   */
  upload: z.object({
    manifest: z
      .looseObject({
        name: z.string(),
        version: z.string(),
        dist: z.looseObject({ integrity: z.string().optional(), shasum: z.string().optional() }),
      })
      .describe("The version document as JSON: package.json plus dist.integrity (sha512 SRI) or dist.shasum (sha1 hex) of the tarball"),
    tarball: z.file().describe('The package tarball (.tgz)'),
    tag: z.string().max(128).optional().describe('Dist-tag to point at the version (default latest)'),
    access: z.enum(['public', 'restricted']).optional().describe("npm's access hint; a publish never changes a package's visibility"),
  }),
  ok: z.object({ ok: z.union([z.string(), z.boolean()]), success: z.boolean().optional() }),
}

export type PackageDocument = z.infer<typeof PublishModel.document>
export type PublishUpload = z.infer<typeof PublishModel.upload>

export const isUpload = (body: PackageDocument | PublishUpload): body is PublishUpload => body.tarball instanceof File
