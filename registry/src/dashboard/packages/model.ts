import { z } from 'zod'
import { optionalText } from '../../http/query.ts'

export const PackagePagesModel = {
  listQuery: z.object({
    q: optionalText(256),
    scope: optionalText(215),
    capability: optionalText(64),
    page: z.coerce.number().int().min(1).max(500).optional(),
  }),
  compareQuery: z.object({
    /** Names separated by commas or spaces. */
    packages: optionalText(1200),
    /** More names (the package page's form sends the package in `packages` and the others here). */
    with: optionalText(1200),
  }),
}

/** `"a, b c"` → `['a', 'b', 'c']`. */
export const nameList = (...values: Array<string | undefined>) => values.flatMap((value) => value?.split(/[\s,]+/).filter(Boolean) ?? [])
