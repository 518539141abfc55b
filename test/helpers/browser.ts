// A scripted browser for the approval page: follows redirects across hosts, keeps cookies per host,
// and submits the page's own forms (with their CSRF tokens). No JavaScript, like the page itself.

export interface PageResult {
  status: number
  url: string
  html: string
}

export class FormBrowser {
  private readonly jars = new Map<string, Map<string, string>>()

  private cookieHeader(url: URL): string | undefined {
    const jar = this.jars.get(url.host)
    if (!jar || jar.size === 0) return undefined
    return [...jar].map(([name, value]) => `${name}=${value}`).join('; ')
  }

  private store(url: URL, response: Response): void {
    let jar = this.jars.get(url.host)
    if (!jar) this.jars.set(url.host, (jar = new Map()))
    for (const header of response.headers.getSetCookie()) {
      const [pair, ...attributes] = header.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute) || (/^\s*expires=/i.test(attribute) && Date.parse(attribute.split('=')[1]!) < Date.now()))
      if (expired || value === '') jar.delete(name)
      else jar.set(name, value)
    }
  }

  cookie(host: string, name: string): string | undefined {
    return this.jars.get(host)?.get(name)
  }

  /** GET or POST `url`, following redirects the way a browser does (303 and 302 become GET). */
  async open(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<PageResult> {
    let current = new URL(url)
    let method = init.method ?? 'GET'
    let body: string | undefined = init.form ? new URLSearchParams(init.form).toString() : undefined
    for (let hops = 0; hops < 15; hops++) {
      const headers: Record<string, string> = { accept: 'text/html' }
      const cookie = this.cookieHeader(current)
      if (cookie) headers.cookie = cookie
      if (body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded'
        headers.origin = current.origin
      }
      const response = await fetch(current, { method, headers, body, redirect: 'manual' })
      this.store(current, response)
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        await response.arrayBuffer()
        current = new URL(location, current)
        method = 'GET'
        body = undefined
        continue
      }
      return { status: response.status, url: current.href, html: await response.text() }
    }
    throw new Error(`too many redirects from ${url}`)
  }

  /** Submits the form of `page` posting to `action` (the first form when null), with its hidden fields plus `fields`. */
  submit(page: PageResult, action: string | null, fields: Record<string, string> = {}): Promise<PageResult> {
    const forms = [...page.html.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)]
    const form = action === null ? forms[0] : forms.find((match) => match[1] === action)
    if (!form) throw new Error(`no form posting to ${action ?? 'anywhere'} on ${page.url}:\n${page.html.slice(0, 500)}`)
    const hidden: Record<string, string> = {}
    for (const [input] of form[2]!.matchAll(/<input[^>]*>/g)) {
      if (!/type="hidden"/.test(input)) continue
      const name = /name="([^"]*)"/.exec(input)?.[1]
      if (name) hidden[name] = /value="([^"]*)"/.exec(input)?.[1] ?? ''
    }
    return this.open(new URL(form[1]!, page.url).href, { method: 'POST', form: { ...hidden, ...fields } })
  }

  /** Follows the link with element id `id` on `page`. */
  follow(page: PageResult, id: string): Promise<PageResult> {
    const href = new RegExp(`id="${id}" href="([^"]+)"`).exec(page.html)?.[1]
    if (!href) throw new Error(`no link #${id} on ${page.url}:\n${page.html.slice(0, 500)}`)
    return this.open(new URL(href.replaceAll('&amp;', '&'), page.url).href)
  }
}

/** Signs in on the approval page for `loginUrl` with a password and approves (or denies) it. */
export async function approveWithPassword(loginUrl: string, username: string, password: string, decision: 'approve' | 'deny' = 'approve'): Promise<PageResult> {
  const browser = new FormBrowser()
  const signIn = await browser.open(loginUrl)
  if (signIn.status !== 200) throw new Error(`approval page answered ${signIn.status}: ${signIn.html.slice(0, 300)}`)
  const approval = await browser.submit(signIn, '/cli/auth/login', { username, password })
  if (!approval.html.includes('id="approve"')) throw new Error(`sign-in did not reach the approval step: ${approval.html.slice(0, 500)}`)
  return browser.submit(approval, '/cli/auth/decision', { decision })
}

/** Headless Chromium from Debian's package (CHROMIUM_PATH overrides), with the flags that work here as root and offline. */
export async function launchChromium(): Promise<import('playwright-core').Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'
  if (!(await Bun.file(executablePath).exists())) {
    throw new Error(`Chromium not found at ${executablePath}: run \`bun scripts/test-setup.ts\` as root (apt-get install chromium) or set CHROMIUM_PATH`)
  }
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}
