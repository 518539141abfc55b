// Query-string text for zod query schemas. Elysia splits a query value on commas (even on `%2C`)
// into an array before validating it with a standard schema, so free text such as `q=a, b` would be
// refused as "expected string, received array"; this joins it back before validation.
import { z } from 'zod'

export function queryText<T extends z.ZodType<string | undefined>>(schema: T) {
  return z.preprocess((value) => (Array.isArray(value) ? value.join(',') : value), schema)
}

/** Optional text from a query or a form, trimmed; an empty field (a select left at "All") counts as absent. */
export const optionalText = (max: number) =>
  queryText(z.string().max(max).optional()).transform((value) => (value?.trim() ? value.trim() : undefined))
