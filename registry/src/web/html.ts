// One way to write HTML in the registry: the `html` tagged template escapes every interpolated value
// unless it is itself `html` (or `trusted`) markup, so forgetting to escape is impossible rather than
// a review item. Values that end up in URLs go through `httpUrl` as well: escaping alone would let a
// `javascript:` link through.

/** Markup that is safe to insert as is. */
export class SafeHtml {
  constructor(readonly markup: string) {}

  toString(): string {
    return this.markup
  }
}

/** What may be interpolated: markup, text (escaped), numbers, lists of these; null, undefined and false render nothing. */
export type Interpolation = SafeHtml | string | number | null | undefined | false | readonly Interpolation[]

function render(value: Interpolation): string {
  if (value instanceof SafeHtml) return value.markup
  if (Array.isArray(value)) return value.map(render).join('')
  if (value === null || value === undefined || value === false) return ''
  return Bun.escapeHTML(String(value))
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let markup = strings[0] as string
  for (let i = 0; i < values.length; i++) markup += render(values[i] as Interpolation) + (strings[i + 1] as string)
  return new SafeHtml(markup)
}

/** Markup produced by code that made it safe itself (the sanitised README, generated SVG). */
export function trusted(markup: string): SafeHtml {
  return new SafeHtml(markup)
}

/** `value` when it is an absolute http(s) URL, else null: links taken from manifests must not run script. */
export function httpUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null
  try {
    const url = new URL(value)
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null
  } catch {
    return null
  }
}
