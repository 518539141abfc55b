// The registry's tables (SQLite dialect; the PostgreSQL twin must stay column-for-column equal).
// Portable choices: text ids, integer epoch-millisecond timestamps, JSON in text columns.
import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'

export type Permission = 'read' | 'publish' | 'unpublish' | 'admin'
export type UserRole = 'admin' | 'user'
export type Maintainer = { name: string; email?: string }
export type PackageAccess = 'public' | 'restricted'
export type OrgRole = 'admin' | 'maintainer' | 'reader'
export type TeamPermission = 'read' | 'write'
/**
 * Package-level metadata an admin sets (REST API): each field, when present, replaces the one the
 * packument and search would otherwise take from the latest version. Version documents never change.
 */
export type PackageMetadata = { description?: string; keywords?: string[]; homepage?: string; repository?: string }

export const users = sqliteTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  email: text('email'),
  /** argon2id (Bun.password); null for accounts that only sign in through an identity provider. */
  passwordHash: text('password_hash'),
  role: text('role').$type<UserRole>().notNull().default('user'),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

export const tokens = sqliteTable(
  'tokens',
  {
    /** The JWT's `jti`. */
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    /** `login` for tokens from npm login, otherwise the preset role it was created with. */
    role: text('role').notNull(),
    description: text('description'),
    permissions: text('permissions', { mode: 'json' }).$type<Permission[]>().notNull(),
    /** npm scopes (`@acme`) the token may touch; empty means all. */
    scopes: text('scopes', { mode: 'json' }).$type<string[]>().notNull().default(sql`'[]'`),
    /** Exact package names the token may touch; null means no package restriction. */
    packages: text('packages', { mode: 'json' }).$type<string[] | null>(),
    /** CIDR ranges the client address must fall in; null means anywhere. */
    cidr: text('cidr', { mode: 'json' }).$type<string[] | null>(),
    readonly: integer('readonly', { mode: 'boolean' }).notNull().default(false),
    /** sha512 hex of the raw token: npm's token `key`, and how a raw token finds its row. */
    key: text('key').notNull().unique(),
    createdAt: integer('created_at').notNull(),
    lastUsedAt: integer('last_used_at'),
    expiresAt: integer('expires_at'),
    revokedAt: integer('revoked_at'),
  },
  (table) => [index('tokens_user_idx').on(table.userId)],
)

/** A user's account at an identity provider (GitHub, GitLab, Google, an OIDC issuer). */
export const oauthAccounts = sqliteTable(
  'oauth_accounts',
  {
    id: text('id').primaryKey(),
    /** `github`, `gitlab`, `google` or `oidc`. */
    provider: text('provider').notNull(),
    /** The provider's stable account id (`sub`, or GitHub's/GitLab's numeric id). */
    subject: text('subject').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** Login name or email at the provider when the account was last used, for display only. */
    login: text('login'),
    createdAt: integer('created_at').notNull(),
    lastLoginAt: integer('last_login_at').notNull(),
  },
  (table) => [uniqueIndex('oauth_accounts_subject_idx').on(table.provider, table.subject), index('oauth_accounts_user_idx').on(table.userId)],
)

export type LoginRequestKind = 'device' | 'web'
export type LoginRequestStatus = 'pending' | 'approved' | 'denied' | 'consumed'

/**
 * A terminal waiting for a person to approve it in a browser: an RFC 8628 device authorization
 * (`packr login`) or npm's web login. The terminal holds the secret (device code, or the id in npm's
 * done URL) and polls with it; the browser holds the short user code.
 */
export const loginRequests = sqliteTable(
  'login_requests',
  {
    id: text('id').primaryKey(),
    kind: text('kind').$type<LoginRequestKind>().notNull(),
    /** sha256 hex of the polling secret; the secret itself is never stored. */
    secretHash: text('secret_hash').notNull().unique(),
    /** What the person types or confirms: 8 letters without vowels or look-alikes. */
    userCode: text('user_code').notNull().unique(),
    /** The identity provider the CLI asked for, if any. */
    provider: text('provider'),
    /** Who asked, as shown on the approval page: the client's User-Agent and address. */
    clientName: text('client_name').notNull(),
    clientAddress: text('client_address'),
    status: text('status').$type<LoginRequestStatus>().notNull().default('pending'),
    /** The user who approved or denied. */
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
    lastPolledAt: integer('last_polled_at'),
    /** Seconds the terminal must wait between polls; raised by `slow_down`. */
    interval: integer('interval').notNull(),
  },
  (table) => [index('login_requests_expires_idx').on(table.expiresAt)],
)

/** Browser sessions (dashboard, approval page), named by the HMAC-signed `packr_session` cookie. */
export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (table) => [index('sessions_user_idx').on(table.userId)],
)

export const packages = sqliteTable(
  'packages',
  {
    name: text('name').primaryKey(),
    /** `@acme` for scoped names, null otherwise. */
    scope: text('scope'),
    /** Monotonic revision behind CouchDB's `_rev`; every write to the package bumps it. */
    revision: integer('revision').notNull().default(1),
    distTags: text('dist_tags', { mode: 'json' }).$type<Record<string, string>>().notNull(),
    maintainers: text('maintainers', { mode: 'json' }).$type<Maintainer[]>().notNull(),
    access: text('access').$type<PackageAccess>().notNull().default('public'),
    metadata: text('metadata', { mode: 'json' }).$type<PackageMetadata>().notNull().default(sql`'{}'`),
    /** The user whose first publish created the package: the account a plan counts it against. */
    createdBy: text('created_by'),
    createdAt: integer('created_at').notNull(),
    modifiedAt: integer('modified_at').notNull(),
  },
  (table) => [index('packages_scope_idx').on(table.scope), index('packages_created_by_idx').on(table.createdBy)],
)

export const versions = sqliteTable(
  'versions',
  {
    packageName: text('package_name')
      .notNull()
      .references(() => packages.name, { onDelete: 'cascade' }),
    version: text('version').notNull(),
    /** The version document as published, minus `readme` and `dist.tarball` (minted when served). */
    manifest: text('manifest', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    readme: text('readme'),
    integrity: text('integrity').notNull(),
    shasum: text('shasum').notNull(),
    /** Hex sha256 of the tarball, sent as `X-Package-SHA256` on download. */
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    blobKey: text('blob_key').notNull(),
    publishedAt: integer('published_at').notNull(),
    publishedBy: text('published_by'),
    deprecated: text('deprecated'),
    /** Set when unpublished: the row stays as a tombstone so the name@version is never reused. */
    unpublishedAt: integer('unpublished_at'),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.version] })],
)

export const stars = sqliteTable(
  'stars',
  {
    packageName: text('package_name')
      .notNull()
      .references(() => packages.name, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.userId] }), index('stars_user_idx').on(table.userId)],
)

/**
 * ECDSA P-256 keys that sign `${name}@${version}:${integrity}` (npm's registry-signature scheme).
 * The newest key without `expiresAt` signs; rotation stamps the old key's expiry, so signatures
 * made before it stay verifiable.
 */
export const signingKeys = sqliteTable('signing_keys', {
  /** `SHA256:<base64 sha256 of the DER public key>`, as npm expects it. */
  keyid: text('keyid').primaryKey(),
  /** Base64 DER SubjectPublicKeyInfo. */
  publicKey: text('public_key').notNull(),
  /** PKCS#8 private key, AES-256-GCM encrypted under a key derived from INTERNAL_API_SECRET. */
  encryptedPrivateKey: text('encrypted_private_key').notNull(),
  createdAt: integer('created_at').notNull(),
  expiresAt: integer('expires_at'),
})

/** Provenance bundles sent with a publish (`<name>-<version>.sigstore`), served to `npm audit signatures`. */
export const attestations = sqliteTable(
  'attestations',
  {
    packageName: text('package_name').notNull(),
    version: text('version').notNull(),
    predicateType: text('predicate_type').notNull(),
    bundle: text('bundle', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.version, table.predicateType] })],
)

/**
 * What the scoring pipeline learned from a version's tarball (`@packr/scoring`'s `AnalysisResult`),
 * computed once per version by a background job. Scores are derived from it at read time.
 */
export const versionAnalyses = sqliteTable(
  'version_analyses',
  {
    packageName: text('package_name').notNull(),
    version: text('version').notNull(),
    /** `ANALYSIS_VERSION` of the analyzer that produced it; older rows are recomputed. */
    analysisVersion: integer('analysis_version').notNull(),
    /** `ok`, or `rejected` when the tarball could not be analysed safely (reason inside). */
    status: text('status').$type<'ok' | 'rejected'>().notNull(),
    result: text('result', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    analyzedAt: integer('analyzed_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.version] }), index('version_analyses_analyzed_idx').on(table.analyzedAt)],
)

/**
 * A serialized copy of the in-memory catalog (search index, co-occurrence, scores), so a restart
 * serves search within seconds and only re-reads packages changed since `takenAt`.
 */
export const catalogSnapshots = sqliteTable('catalog_snapshots', {
  id: text('id').primaryKey(),
  formatVersion: integer('format_version').notNull(),
  takenAt: integer('taken_at').notNull(),
  data: text('data').notNull(),
})

/**
 * Tarball downloads per package, version and UTC day: the popularity signal and usage charts. The day
 * index covers every column, so usage over a range of days (totals, top packages, CSV) reads the index only.
 */
/** Tarball downloads per package, version and UTC day: the popularity signal and usage charts. */
/** LLM-written overview and examples of one version's API docs (DOC_GEN_ENABLED); the rest of the docs is extracted on read. */
export const packageDocs = sqliteTable(
  'package_docs',
  {
    packageName: text('package_name').notNull(),
    version: text('version').notNull(),
    /** `anthropic` or `openai`. */
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    /** `{overview, examples: [{title, language, code}]}` as validated after generation. */
    content: text('content', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** Characters of the prompt that produced it (bounded by DOC_GEN_MAX_PROMPT_CHARS). */
    promptChars: integer('prompt_chars').notNull(),
    generatedAt: integer('generated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.version] })],
)

export const downloadCounts = sqliteTable(
  'download_counts',
  {
    packageName: text('package_name').notNull(),
    version: text('version').notNull(),
    /** UTC day as `YYYY-MM-DD`. */
    day: text('day').notNull(),
    count: integer('count').notNull(),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.version, table.day] }), index('download_counts_day_idx').on(table.day, table.packageName, table.version, table.count)],
)

export type JobStatus = 'pending' | 'running' | 'failed'

/** Durable background work (analysis after publish, webhook deliveries, ...). Done jobs are deleted. */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    /** At most one pending or running job per key; enqueueing it again while it waits is a no-op. */
    dedupeKey: text('dedupe_key').unique(),
    status: text('status').$type<JobStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull(),
    runAt: integer('run_at').notNull(),
    lockedBy: text('locked_by'),
    lockedUntil: integer('locked_until'),
    lastError: text('last_error'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [index('jobs_due_idx').on(table.status, table.runAt)],
)


/** An organization: owns the npm scope `@<slug>`; its members publish and read there by role. */
export const orgs = sqliteTable('orgs', {
  id: text('id').primaryKey(),
  /** The scope without `@`: lower case letters, digits, `-`, `_` and `.`. */
  slug: text('slug').notNull().unique(),
  displayName: text('display_name').notNull(),
  /** Visibility given to packages first published to the scope. */
  defaultAccess: text('default_access').$type<PackageAccess>().notNull().default('public'),
  /** The account that created the org: its plan counts the org's scope and packages. */
  ownerId: text('owner_id').references(() => users.id, { onDelete: 'set null' }),
  createdAt: integer('created_at').notNull(),
  updatedAt: integer('updated_at').notNull(),
})

export const orgMembers = sqliteTable(
  'org_members',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').$type<OrgRole>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.orgId, table.userId] }), index('org_members_user_idx').on(table.userId)],
)

/** npm teams (`npm team`): groups of org members that can be granted packages (`npm access grant`). */
export const teams = sqliteTable(
  'teams',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [uniqueIndex('teams_org_name_idx').on(table.orgId, table.name)],
)

export const teamMembers = sqliteTable(
  'team_members',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.userId] }), index('team_members_user_idx').on(table.userId)],
)

export const teamPackages = sqliteTable(
  'team_packages',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    packageName: text('package_name')
      .notNull()
      .references(() => packages.name, { onDelete: 'cascade' }),
    permission: text('permission').$type<TeamPermission>().notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.packageName] }), index('team_packages_package_idx').on(table.packageName)],
)

/** A user granted read access to one restricted package (`POST /api/entitlements/grant`). */
export const entitlements = sqliteTable(
  'entitlements',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    packageName: text('package_name')
      .notNull()
      .references(() => packages.name, { onDelete: 'cascade' }),
    /** User name of whoever granted it. */
    grantedBy: text('granted_by').notNull(),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.packageName] }), index('entitlements_package_idx').on(table.packageName)],
)

/**
 * Tarball downloads, written in batches off the request path: one row per caller (user or token,
 * client address) and version per flush window, with `at` the first download's time and `count` how
 * many there were.
 */
export const packageDownloads = sqliteTable(
  'package_downloads',
  {
    id: text('id').primaryKey(),
    packageName: text('package_name').notNull(),
    version: text('version').notNull(),
    /** Null for anonymous downloads; no foreign key, so the record outlives a deleted account. */
    userId: text('user_id'),
    clientAddress: text('client_address'),
    at: integer('at').notNull(),
    count: integer('count').notNull().default(1),
  },
  (table) => [index('package_downloads_package_idx').on(table.packageName, table.at), index('package_downloads_user_idx').on(table.userId, table.at)],
)

/** Outgoing webhooks, owned by a user or an org (exactly one of the two). */
export const webhooks = sqliteTable(
  'webhooks',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    orgId: text('org_id').references(() => orgs.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    /** Event types delivered; every supported one when it lists them all. */
    events: text('events', { mode: 'json' }).$type<string[]>().notNull(),
    /** The HMAC key, AES-256-GCM encrypted under a key derived from INTERNAL_API_SECRET. */
    encryptedSecret: text('encrypted_secret').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdBy: text('created_by').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (table) => [index('webhooks_user_idx').on(table.userId), index('webhooks_org_idx').on(table.orgId)],
)

export type DeliveryStatus = 'pending' | 'delivered' | 'failed'

/** Every attempt to deliver one event to one webhook, retried on a fixed schedule through the job queue. */
export const webhookDeliveries = sqliteTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    webhookId: text('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    /** The event's id: the same for every delivery (and redelivery) of one event, so receivers can dedupe. */
    eventId: text('event_id').notNull(),
    event: text('event').notNull(),
    /** The exact JSON body sent. */
    payload: text('payload').notNull(),
    status: text('status').$type<DeliveryStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: integer('next_attempt_at'),
    lastAttemptAt: integer('last_attempt_at'),
    responseStatus: integer('response_status'),
    /** The first bytes of the receiver's answer, or the connection error. */
    responseExcerpt: text('response_excerpt'),
    redeliveryOf: text('redelivery_of'),
    createdAt: integer('created_at').notNull(),
  },
  (table) => [index('webhook_deliveries_webhook_idx').on(table.webhookId, table.createdAt)],
)

/** Who changed what, from where, and when. Never holds a secret. */
export const auditEvents = sqliteTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    at: integer('at').notNull(),
    /** User name, or null for anonymous callers and the system itself. */
    actor: text('actor'),
    action: text('action').notNull(),
    target: text('target').notNull(),
    clientAddress: text('client_address'),
    details: text('details', { mode: 'json' }).$type<Record<string, unknown>>(),
  },
  (table) => [
    index('audit_events_at_idx').on(table.at),
    index('audit_events_actor_idx').on(table.actor, table.at),
    index('audit_events_action_idx').on(table.action, table.at),
    index('audit_events_target_idx').on(table.target, table.at),
  ],
)

export type PlanName = 'free' | 'solo' | 'team' | 'enterprise' | 'unlimited'

/** A user's plan (the billing account); users without a row have DEFAULT_PLAN. */
export const billingAccounts = sqliteTable('billing_accounts', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  plan: text('plan').$type<PlanName>().notNull(),
  /** Enterprise limits; null means the plan's own. */
  packageLimit: integer('package_limit'),
  scopeLimit: integer('scope_limit'),
  /** Stripe's subscription status (`active`, `past_due`, `canceled`, ...), or `manual`. */
  status: text('status').notNull(),
  stripeCustomerId: text('stripe_customer_id').unique(),
  stripeSubscriptionId: text('stripe_subscription_id'),
  /** `created` of the last Stripe event applied: older events arriving late are ignored. */
  stripeEventAt: integer('stripe_event_at'),
  updatedAt: integer('updated_at').notNull(),
})

/** Stripe event ids already handled: Stripe delivers at least once. */
export const billingEvents = sqliteTable('billing_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: integer('received_at').notNull(),
})

export const schema = {
  users,
  tokens,
  oauthAccounts,
  loginRequests,
  sessions,
  packages,
  versions,
  stars,
  signingKeys,
  attestations,
  versionAnalyses,
  packageDocs,
  catalogSnapshots,
  downloadCounts,
  jobs,
  orgs,
  orgMembers,
  teams,
  teamMembers,
  teamPackages,
  entitlements,
  packageDownloads,
  webhooks,
  webhookDeliveries,
  auditEvents,
  billingAccounts,
  billingEvents,
}
export type Schema = typeof schema
export type UserRow = typeof users.$inferSelect
export type TokenRow = typeof tokens.$inferSelect
export type OAuthAccountRow = typeof oauthAccounts.$inferSelect
export type LoginRequestRow = typeof loginRequests.$inferSelect
export type SessionRow = typeof sessions.$inferSelect
export type PackageRow = typeof packages.$inferSelect
export type VersionRow = typeof versions.$inferSelect
export type JobRow = typeof jobs.$inferSelect
export type SigningKeyRow = typeof signingKeys.$inferSelect
export type OrgRow = typeof orgs.$inferSelect
export type TeamRow = typeof teams.$inferSelect
export type WebhookRow = typeof webhooks.$inferSelect
export type WebhookDeliveryRow = typeof webhookDeliveries.$inferSelect
export type AuditEventRow = typeof auditEvents.$inferSelect
export type BillingAccountRow = typeof billingAccounts.$inferSelect
