// Failures on browser pages are pages too: a person sees the sentence in the site's layout, and a
// page that needs a signed-in person sends them to sign in and back. Programs keep getting the JSON
// error, and nothing else in the registry changes (npm never asks for HTML).
import type { RegistryError } from '../errors/index.ts'
import { wantsHtml } from './browser.ts'
import { html } from './html.ts'
import { layout, pageHeaders } from './layout.ts'

const BROWSER_PATHS = /^\/(?:$|-\/web\/|cli\/auth(?:\/|$))/

const TITLES: Record<number, string> = { 400: 'That did not work', 401: 'Sign-in needed', 403: 'Not allowed', 404: 'Not found', 429: 'Too many attempts' }

/** The HTML response for `error` when a browser asked for a page, else null (the JSON error stands). */
export function browserErrorResponse(error: RegistryError, request: Request): Response | null {
  const url = new URL(request.url)
  if (!wantsHtml(request) || !BROWSER_PATHS.test(url.pathname)) return null
  if (error.status === 401 && request.method === 'GET' && url.pathname.startsWith('/-/web/')) {
    const location = `/-/web/sign-in?next=${encodeURIComponent(`${url.pathname}${url.search}`)}`
    return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } })
  }
  const title = TITLES[error.status] ?? 'Something went wrong'
  const back = url.pathname.startsWith('/cli/auth') ? html`<a href="/cli/auth">Enter a code again</a>` : html`<a href="/">Go to the start page</a>`
  const body = layout({
    title,
    chrome: { viewer: undefined },
    narrow: true,
    main: html`<h1>${title}</h1><p class="error" role="alert" id="error-message">${error.message}</p><p>${back}</p>`,
  })
  const response = new Response(body, { status: error.status, headers: pageHeaders() })
  for (const [name, value] of Object.entries(error.headers)) response.headers.set(name, value)
  return response
}
