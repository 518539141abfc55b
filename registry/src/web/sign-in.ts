// The sign-in form shared by the dashboard and the approval page: a button per configured identity
// provider (the preferred one first), then the password form.
import type { ProviderConfig } from '../config/index.ts'
import { html, type SafeHtml } from './html.ts'

export interface SignInFormOptions {
  providers: readonly ProviderConfig[]
  /** The provider to offer first (the one a CLI asked for). */
  preferred?: string | null
  /** The provider link for `id`. */
  providerHref: (id: string) => string
  /** Where the password form posts, and the hidden fields it carries besides the CSRF token. */
  action: string
  hidden: Record<string, string>
  csrf: string
  error?: string | undefined
}

export function signInForm(options: SignInFormOptions): SafeHtml {
  const { providers, preferred } = options
  const ordered = [...providers].sort((a, b) => Number(b.id === preferred) - Number(a.id === preferred))
  const links = ordered.map(
    (provider) =>
      html`<a class="button${provider.id === preferred ? ' primary' : ''}" id="signin-${provider.id}" href="${options.providerHref(provider.id)}">Sign in with ${provider.displayName}</a>`,
  )
  return html`${options.error ? html`<p class="error" role="alert" id="sign-in-error">${options.error}</p>` : ''}
${links.length > 0 ? html`<p>${links}</p><p class="muted">or with a Packr password:</p>` : ''}
<form method="post" action="${options.action}"><input type="hidden" name="csrf" value="${options.csrf}">${Object.entries(options.hidden).map(
    ([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`,
  )}
<label for="username">Username</label><input id="username" name="username" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<button class="${links.length > 0 ? '' : 'primary'}" type="submit" id="password-signin">Sign in</button></form>`
}
