// The dashboard's sections, in menu order. A new section (a feature folder under registry/src/) adds
// one line here; `signedIn` entries are shown only to signed-in people, `admin` ones only to admins.
export interface NavItem {
  id: string
  label: string
  href: string
  show: 'everyone' | 'signedIn' | 'admin'
}

export const NAV: readonly NavItem[] = [
  { id: 'packages', label: 'Packages', href: '/-/web/packages', show: 'everyone' },
  { id: 'tokens', label: 'Tokens', href: '/-/web/tokens', show: 'signedIn' },
  { id: 'usage', label: 'Usage', href: '/-/web/usage', show: 'admin' },
  { id: 'orgs', label: 'Organizations', href: '/-/web/orgs', show: 'signedIn' },
  { id: 'webhooks', label: 'Webhooks', href: '/-/web/webhooks', show: 'signedIn' },
  { id: 'audit', label: 'Audit log', href: '/-/web/audit', show: 'admin' },
  { id: 'terminal', label: 'Connect a terminal', href: '/cli/auth', show: 'everyone' },
]
