import { z } from 'zod'

export const DistTagModel = {
  /** The body of `PUT /-/package/:pkg/dist-tags/:tag` is a bare JSON string: the version. */
  version: z.string().min(1).describe('Version the tag should point at, as a JSON string: "1.2.3"'),
  tags: z.record(z.string(), z.string()).describe('Tag name to version'),
  ok: z.object({ ok: z.boolean() }),
}
