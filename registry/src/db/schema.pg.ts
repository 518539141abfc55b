// The PostgreSQL twin of schema.ts, used for its migrations only: at run time the services keep
// using the SQLite table objects, whose column mappers (JSON text, 0/1 booleans) work unchanged on
// these columns. Mapping rule: text ↔ text, integer ↔ bigint (epoch milliseconds overflow int4).
// test/db/schema-parity.test.ts fails, naming the table or column, when the two drift apart.
import { sql } from 'drizzle-orm'
import { bigint, index, pgTable, primaryKey, text, uniqueIndex } from 'drizzle-orm/pg-core'

const int = (name: string) => bigint(name, { mode: 'number' })

export const users = pgTable('users', {
  id: text('id').primaryKey(),
  username: text('username').notNull().unique(),
  email: text('email'),
  passwordHash: text('password_hash'),
  role: text('role').notNull().default('user'),
  createdAt: int('created_at').notNull(),
  updatedAt: int('updated_at').notNull(),
})

export const tokens = pgTable(
  'tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    role: text('role').notNull(),
    description: text('description'),
    permissions: text('permissions').notNull(),
    scopes: text('scopes').notNull().default(sql`'[]'`),
    packages: text('packages'),
    cidr: text('cidr'),
    readonly: int('readonly').notNull().default(0),
    key: text('key').notNull().unique(),
    createdAt: int('created_at').notNull(),
    lastUsedAt: int('last_used_at'),
    expiresAt: int('expires_at'),
    revokedAt: int('revoked_at'),
  },
  (table) => [index('tokens_user_idx').on(table.userId)],
)

export const oauthAccounts = pgTable(
  'oauth_accounts',
  {
    id: text('id').primaryKey(),
    provider: text('provider').notNull(),
    subject: text('subject').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    login: text('login'),
    createdAt: int('created_at').notNull(),
    lastLoginAt: int('last_login_at').notNull(),
  },
  (table) => [uniqueIndex('oauth_accounts_subject_idx').on(table.provider, table.subject), index('oauth_accounts_user_idx').on(table.userId)],
)

export const loginRequests = pgTable(
  'login_requests',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    secretHash: text('secret_hash').notNull().unique(),
    userCode: text('user_code').notNull().unique(),
    provider: text('provider'),
    clientName: text('client_name').notNull(),
    clientAddress: text('client_address'),
    status: text('status').notNull().default('pending'),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    createdAt: int('created_at').notNull(),
    expiresAt: int('expires_at').notNull(),
    lastPolledAt: int('last_polled_at'),
    interval: int('interval').notNull(),
  },
  (table) => [index('login_requests_expires_idx').on(table.expiresAt)],
)

export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: int('created_at').notNull(),
    expiresAt: int('expires_at').notNull(),
  },
  (table) => [index('sessions_user_idx').on(table.userId)],
)

export const packages = pgTable(
  'packages',
  {
    name: text('name').primaryKey(),
    scope: text('scope'),
    revision: int('revision').notNull().default(1),
    distTags: text('dist_tags').notNull(),
    maintainers: text('maintainers').notNull(),
    access: text('access').notNull().default('public'),
    metadata: text('metadata').notNull().default(sql`'{}'`),
    createdBy: text('created_by'),
    createdAt: int('created_at').notNull(),
    modifiedAt: int('modified_at').notNull(),
  },
  (table) => [index('packages_scope_idx').on(table.scope), index('packages_created_by_idx').on(table.createdBy)],
)

export const versions = pgTable(
  'versions',
  {
    packageName: text('package_name')
      .notNull()
      .references(() => packages.name, { onDelete: 'cascade' }),
    version: text('version').notNull(),
    manifest: text('manifest').notNull(),
    readme: text('readme'),
    integrity: text('integrity').notNull(),
    shasum: text('shasum').notNull(),
    sha256: text('sha256').notNull(),
    size: int('size').notNull(),
    blobKey: text('blob_key').notNull(),
    publishedAt: int('published_at').notNull(),
    publishedBy: text('published_by'),
    deprecated: text('deprecated'),
    unpublishedAt: int('unpublished_at'),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.version] })],
)

export const stars = pgTable(
  'stars',
  {
    packageName: text('package_name')
      .notNull()
      .references(() => packages.name, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: int('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.userId] }), index('stars_user_idx').on(table.userId)],
)

export const signingKeys = pgTable('signing_keys', {
  keyid: text('keyid').primaryKey(),
  publicKey: text('public_key').notNull(),
  encryptedPrivateKey: text('encrypted_private_key').notNull(),
  createdAt: int('created_at').notNull(),
  expiresAt: int('expires_at'),
})

export const attestations = pgTable(
  'attestations',
  {
    packageName: text('package_name').notNull(),
    version: text('version').notNull(),
    predicateType: text('predicate_type').notNull(),
    bundle: text('bundle').notNull(),
    createdAt: int('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.version, table.predicateType] })],
)

export const versionAnalyses = pgTable(
  'version_analyses',
  {
    packageName: text('package_name').notNull(),
    version: text('version').notNull(),
    analysisVersion: int('analysis_version').notNull(),
    status: text('status').notNull(),
    result: text('result').notNull(),
    analyzedAt: int('analyzed_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.version] }), index('version_analyses_analyzed_idx').on(table.analyzedAt)],
)

export const catalogSnapshots = pgTable('catalog_snapshots', {
  id: text('id').primaryKey(),
  formatVersion: int('format_version').notNull(),
  takenAt: int('taken_at').notNull(),
  data: text('data').notNull(),
})
export const packageDocs = pgTable(
  'package_docs',
  {
    packageName: text('package_name').notNull(),
    version: text('version').notNull(),
    provider: text('provider').notNull(),
    model: text('model').notNull(),
    content: text('content').notNull(),
    promptChars: int('prompt_chars').notNull(),
    generatedAt: int('generated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.version] })],
)

export const downloadCounts = pgTable(
  'download_counts',
  {
    packageName: text('package_name').notNull(),
    version: text('version').notNull(),
    day: text('day').notNull(),
    count: int('count').notNull(),
  },
  (table) => [primaryKey({ columns: [table.packageName, table.version, table.day] }), index('download_counts_day_idx').on(table.day, table.packageName, table.version, table.count)],
)

export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    payload: text('payload').notNull(),
    dedupeKey: text('dedupe_key').unique(),
    status: text('status').notNull(),
    attempts: int('attempts').notNull().default(0),
    maxAttempts: int('max_attempts').notNull(),
    runAt: int('run_at').notNull(),
    lockedBy: text('locked_by'),
    lockedUntil: int('locked_until'),
    lastError: text('last_error'),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  (table) => [index('jobs_due_idx').on(table.status, table.runAt)],
)

export const orgs = pgTable('orgs', {
  id: text('id').primaryKey(),
  slug: text('slug').notNull().unique(),
  displayName: text('display_name').notNull(),
  defaultAccess: text('default_access').notNull().default('public'),
  ownerId: text('owner_id').references(() => users.id, { onDelete: 'set null' }),
  createdAt: int('created_at').notNull(),
  updatedAt: int('updated_at').notNull(),
})

export const orgMembers = pgTable(
  'org_members',
  {
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role').notNull(),
    createdAt: int('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.orgId, table.userId] }), index('org_members_user_idx').on(table.userId)],
)

export const teams = pgTable(
  'teams',
  {
    id: text('id').primaryKey(),
    orgId: text('org_id')
      .notNull()
      .references(() => orgs.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    description: text('description'),
    createdAt: int('created_at').notNull(),
  },
  (table) => [uniqueIndex('teams_org_name_idx').on(table.orgId, table.name)],
)

export const teamMembers = pgTable(
  'team_members',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: int('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.userId] }), index('team_members_user_idx').on(table.userId)],
)

export const teamPackages = pgTable(
  'team_packages',
  {
    teamId: text('team_id')
      .notNull()
      .references(() => teams.id, { onDelete: 'cascade' }),
    packageName: text('package_name')
      .notNull()
      .references(() => packages.name, { onDelete: 'cascade' }),
    permission: text('permission').notNull(),
    createdAt: int('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.teamId, table.packageName] }), index('team_packages_package_idx').on(table.packageName)],
)

export const entitlements = pgTable(
  'entitlements',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    packageName: text('package_name')
      .notNull()
      .references(() => packages.name, { onDelete: 'cascade' }),
    grantedBy: text('granted_by').notNull(),
    createdAt: int('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.userId, table.packageName] }), index('entitlements_package_idx').on(table.packageName)],
)

export const packageDownloads = pgTable(
  'package_downloads',
  {
    id: text('id').primaryKey(),
    packageName: text('package_name').notNull(),
    version: text('version').notNull(),
    userId: text('user_id'),
    clientAddress: text('client_address'),
    at: int('at').notNull(),
    count: int('count').notNull().default(1),
  },
  (table) => [index('package_downloads_package_idx').on(table.packageName, table.at), index('package_downloads_user_idx').on(table.userId, table.at)],
)

export const webhooks = pgTable(
  'webhooks',
  {
    id: text('id').primaryKey(),
    userId: text('user_id').references(() => users.id, { onDelete: 'cascade' }),
    orgId: text('org_id').references(() => orgs.id, { onDelete: 'cascade' }),
    url: text('url').notNull(),
    events: text('events').notNull(),
    encryptedSecret: text('encrypted_secret').notNull(),
    active: int('active').notNull().default(1),
    createdBy: text('created_by').notNull(),
    createdAt: int('created_at').notNull(),
    updatedAt: int('updated_at').notNull(),
  },
  (table) => [index('webhooks_user_idx').on(table.userId), index('webhooks_org_idx').on(table.orgId)],
)

export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: text('id').primaryKey(),
    webhookId: text('webhook_id')
      .notNull()
      .references(() => webhooks.id, { onDelete: 'cascade' }),
    eventId: text('event_id').notNull(),
    event: text('event').notNull(),
    payload: text('payload').notNull(),
    status: text('status').notNull(),
    attempts: int('attempts').notNull().default(0),
    nextAttemptAt: int('next_attempt_at'),
    lastAttemptAt: int('last_attempt_at'),
    responseStatus: int('response_status'),
    responseExcerpt: text('response_excerpt'),
    redeliveryOf: text('redelivery_of'),
    createdAt: int('created_at').notNull(),
  },
  (table) => [index('webhook_deliveries_webhook_idx').on(table.webhookId, table.createdAt)],
)

export const auditEvents = pgTable(
  'audit_events',
  {
    id: text('id').primaryKey(),
    at: int('at').notNull(),
    actor: text('actor'),
    action: text('action').notNull(),
    target: text('target').notNull(),
    clientAddress: text('client_address'),
    details: text('details'),
  },
  (table) => [
    index('audit_events_at_idx').on(table.at),
    index('audit_events_actor_idx').on(table.actor, table.at),
    index('audit_events_action_idx').on(table.action, table.at),
    index('audit_events_target_idx').on(table.target, table.at),
  ],
)

export const billingAccounts = pgTable('billing_accounts', {
  userId: text('user_id')
    .primaryKey()
    .references(() => users.id, { onDelete: 'cascade' }),
  plan: text('plan').notNull(),
  packageLimit: int('package_limit'),
  scopeLimit: int('scope_limit'),
  status: text('status').notNull(),
  stripeCustomerId: text('stripe_customer_id').unique(),
  stripeSubscriptionId: text('stripe_subscription_id'),
  stripeEventAt: int('stripe_event_at'),
  updatedAt: int('updated_at').notNull(),
})

export const billingEvents = pgTable('billing_events', {
  id: text('id').primaryKey(),
  type: text('type').notNull(),
  receivedAt: int('received_at').notNull(),
})
