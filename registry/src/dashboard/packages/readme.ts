// README Markdown → HTML that can never run script in the page: marked renders (GitHub-flavoured),
// sanitize-html keeps an allow-list of elements and attributes and only http(s)/mailto links.
// Images become links to the image: the dashboard loads nothing from other sites (the CSP would
// refuse it anyway, and a README must not learn who is reading it). Headings move one level down so
// the package name stays the page's only h1.
import { LRUCache } from 'lru-cache'
import { Marked } from 'marked'
import sanitizeHtml from 'sanitize-html'
import type { RegistryEvent } from '../../events/index.ts'
import type { PackumentCache } from '../../packages/cache.ts'

/** Longer READMEs are cut here: rendering time grows with length, and nobody reads further in a dashboard. */
export const README_RENDER_LIMIT = 200_000

const markdown = new Marked({ gfm: true })

const SANITIZE: sanitizeHtml.IOptions = {
  allowedTags: [
    ...sanitizeHtml.defaults.allowedTags.filter((tag) => tag !== 'img'),
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'details', 'summary', 'del', 'ins', 'sup', 'sub', 'kbd',
  ],
  allowedAttributes: { a: ['href', 'title', 'rel'], code: ['class'], th: ['align'], td: ['align'], ol: ['start'] },
  allowedClasses: { code: [/^language-[\w-]+$/] },
  allowedSchemes: ['http', 'https', 'mailto'],
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  transformTags: {
    h1: 'h2',
    h2: 'h3',
    h3: 'h4',
    h4: 'h5',
    h5: 'h6',
    a: sanitizeHtml.simpleTransform('a', { rel: 'nofollow noopener noreferrer' }),
    img: (_tag, attributes) => ({ tagName: 'a', attribs: { href: attributes.src ?? '', rel: 'nofollow noopener noreferrer' }, text: attributes.alt?.trim() || 'image' }),
  },
}

export interface RenderedReadme {
  html: string
  truncated: boolean
}

/** The README as sanitised HTML, and whether it was cut. */
export function renderReadme(source: string): RenderedReadme {
  const truncated = source.length > README_RENDER_LIMIT
  const rendered = markdown.parse(truncated ? source.slice(0, README_RENDER_LIMIT) : source, { async: false })
  return { html: sanitizeHtml(rendered, SANITIZE), truncated }
}

/** Memory for rendered READMEs: a long README costs tens of milliseconds to render, a cached one nothing. */
const CACHE_BYTES = 32 * 1024 * 1024

/**
 * How long a package must go without another publish before its new README is rendered: a burst of
 * publishes (a release script, a monorepo) renders once, after it, instead of loading and serializing
 * the package again between every two of its publishes.
 */
const README_SETTLE_MS = 500

/**
 * Rendered READMEs by `name@version` (a version's README never changes), least recently used dropped
 * first. A new version's README is rendered shortly after its publish, so its first reader does not wait.
 */
export class ReadmeCache {
  private readonly rendered = new LRUCache<string, RenderedReadme>({ maxSize: CACHE_BYTES, sizeCalculation: (entry) => entry.html.length * 2 + 64 })
  private readonly settling = new Map<string, { timer: ReturnType<typeof setTimeout>; done: () => void }>()

  constructor(private readonly packuments: PackumentCache) {}

  render(name: string, version: string, source: string): RenderedReadme {
    const key = `${name}@${version}`
    let entry = this.rendered.get(key)
    if (!entry) this.rendered.set(key, (entry = renderReadme(source)))
    return entry
  }

  isRendered(name: string, version: string): boolean {
    return this.rendered.has(`${name}@${version}`)
  }

  onEvent = (event: RegistryEvent): Promise<void> | undefined => {
    if (event.type !== 'package.published') return undefined
    const { name } = event
    this.cancel(name)
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.settling.delete(name)
        this.renderLatest(name).then(resolve, reject)
      }, README_SETTLE_MS)
      timer.unref()
      this.settling.set(name, { timer, done: resolve })
    })
  }

  /** Drops the renders still waiting for their package to settle (at shutdown). */
  stop(): void {
    for (const name of [...this.settling.keys()]) this.cancel(name)
  }

  private cancel(name: string): void {
    const waiting = this.settling.get(name)
    if (!waiting) return
    clearTimeout(waiting.timer)
    this.settling.delete(name)
    waiting.done()
  }

  private async renderLatest(name: string): Promise<void> {
    const state = (await this.packuments.get(name))?.loaded.state
    const latest = state?.distTags.latest
    if (state?.readme && latest) this.render(name, latest, state.readme)
  }
}
