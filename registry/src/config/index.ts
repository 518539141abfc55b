// Configuration from the environment, validated once at start. A bad value stops the process with
// one line naming the variable; secrets that are not given are generated once and persisted.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { z } from 'zod'

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }

/** Parses `52428800`, `50MB`, `50 mb` or `48MiB` into bytes. */
export function parseByteSize(value: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value)
  if (!match) return undefined
  const unit = SIZE_UNITS[(match[2] || 'b').toLowerCase()]
  return unit === undefined ? undefined : Math.floor(Number(match[1]) * unit)
}

const byteSize = z.string().transform((value, ctx) => {
  const bytes = parseByteSize(value)
  if (bytes === undefined || bytes <= 0) {
    ctx.addIssue({ code: 'custom', message: 'must be a positive size such as 52428800 or 50MB' })
    return z.NEVER
  }
  return bytes
})

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' })
  .transform((value) => ['true', '1', 'yes'].includes(value))

const secret = z.string().min(32, 'must be at least 32 characters')

const positiveInt = (max: number) => z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1).max(max)

const secretList = z.string().transform((value, ctx) => {
  const list = value.split(',').map((item) => item.trim()).filter(Boolean)
  if (list.some((item) => item.length < 32)) {
    ctx.addIssue({ code: 'custom', message: 'must be a comma-separated list of secrets of at least 32 characters each' })
    return z.NEVER
  }
  return list
})

/** `false`/`0` (no proxy), `true` (one proxy), or the number of proxies in front of the registry. */
const proxyHops = z.string().transform((value, ctx) => {
  if (/^(false|no)$/i.test(value)) return 0
  if (/^(true|yes)$/i.test(value)) return 1
  if (/^\d{1,2}$/.test(value)) return Number(value)
  ctx.addIssue({ code: 'custom', message: 'must be true, false or a number of proxy hops' })
  return z.NEVER
})

/** A DNS name without scheme, port or path (`packr.example.com`), lower-cased, no trailing dot. */
const domainName = z
  .string()
  .transform((value) => value.trim().toLowerCase().replace(/\.$/, ''))
  .refine((value) => value.length <= 253 && /^(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/.test(value), {
    message: 'must be a domain name such as packr.example.com (no scheme, port or path)',
  })

const userRole = z.enum(['user', 'admin'], { message: 'must be user or admin' })
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).transform((url) => url.replace(/\/+$/, ''))
const postgresUrl = z.string().regex(/^postgres(ql)?:\/\/./, 'must be a postgres:// or postgresql:// URL')

/** Where tarballs live. Parsed on its own too, for `storage:migrate`'s `SOURCE_`-prefixed store. */
const StorageEnvSchema = z
  .object({
    DATA_DIR: z.string().min(1).default('./data'),
    STORAGE: z.enum(['fs', 's3'], { message: 'must be fs or s3' }).default('fs'),
    S3_BUCKET: z.string().min(1).optional(),
    S3_ENDPOINT: z.url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' }).optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_FORCE_PATH_STYLE: booleanFlag.default(false),
    S3_REDIRECT: booleanFlag.default(true),
    S3_PRESIGN_TTL_SECONDS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(120, 'must be at least 120 (redirects are cached for 60 s)').max(604800).default(300),
    S3_SSE: z.enum(['AES256', 'aws:kms'], { message: 'must be AES256 or aws:kms' }).optional(),
    S3_SSE_KMS_KEY_ID: z.string().min(1).optional(),
  })
  .refine((env) => env.STORAGE !== 's3' || env.S3_BUCKET, { message: 'is required when STORAGE=s3', path: ['S3_BUCKET'] })
  .refine((env) => Boolean(env.S3_ACCESS_KEY_ID) === Boolean(env.S3_SECRET_ACCESS_KEY), {
    message: 'S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY must be set together',
    path: ['S3_SECRET_ACCESS_KEY'],
  })
  .refine((env) => !env.S3_SSE_KMS_KEY_ID || env.S3_SSE === 'aws:kms', { message: 'needs S3_SSE=aws:kms', path: ['S3_SSE_KMS_KEY_ID'] })

const EnvSchema = z
  .object({
    PORT: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0).max(65535).default(4873),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: z
      .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL' })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
    ADMIN_USERNAME: z.string().min(1).optional(),
    ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
    MAX_TARBALL_SIZE: byteSize.default(50 * 1024 * 1024),
    JWT_SECRET: secret.optional(),
    SESSION_SECRET: secret.optional(),
    INTERNAL_API_SECRET: secret.optional(),
    ALLOW_SIGNUP: booleanFlag.default(false),
    TOKEN_TTL_DAYS: z.coerce.number({ message: 'must be a number' }).int().min(1).max(3650).default(30),
    UNPUBLISH_WINDOW_HOURS: z.coerce.number({ message: 'must be a number' }).min(0).default(72),
    PACKUMENT_CACHE_SIZE: byteSize.default(256 * 1024 * 1024),
    LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
    PRIMARY_REGION: z.string().optional(),
    FLY_REGION: z.string().optional(),
    REGION: z.string().optional(),
    JWT_PREVIOUS_SECRETS: secretList.optional(),
    ORG_ID: z.string().min(1).default('default'),
    TRUST_PROXY: proxyHops.default(0),
    SESSION_TTL_HOURS: positiveInt(24 * 30).default(12),
    AUTH_FAILURES_PER_ADDRESS: positiveInt(1_000_000).default(30),
    AUTH_FAILURES_PER_USER: positiveInt(1_000_000).default(10),
    AUTH_FAILURE_WINDOW_SECONDS: positiveInt(86_400).default(900),
    DEVICE_CODE_TTL_SECONDS: positiveInt(3600).default(900),
    DEVICE_POLL_INTERVAL_SECONDS: positiveInt(60).default(5),
    GITHUB_CLIENT_ID: z.string().min(1).optional(),
    GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
    GITHUB_URL: httpUrl.default('https://github.com'),
    GITHUB_API_URL: httpUrl.default('https://api.github.com'),
    GITHUB_DEFAULT_ROLE: userRole.default('user'),
    GITLAB_CLIENT_ID: z.string().min(1).optional(),
    GITLAB_CLIENT_SECRET: z.string().min(1).optional(),
    GITLAB_URL: httpUrl.default('https://gitlab.com'),
    GITLAB_DEFAULT_ROLE: userRole.default('user'),
    GOOGLE_CLIENT_ID: z.string().min(1).optional(),
    GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
    GOOGLE_ISSUER: httpUrl.default('https://accounts.google.com'),
    GOOGLE_DEFAULT_ROLE: userRole.default('user'),
    OIDC_ISSUER: httpUrl.optional(),
    OIDC_CLIENT_ID: z.string().min(1).optional(),
    OIDC_CLIENT_SECRET: z.string().min(1).optional(),
    OIDC_NAME: z.string().min(1).default('Single sign-on'),
    OIDC_SCOPES: z.string().min(1).default('openid email profile'),
    OIDC_DEFAULT_ROLE: userRole.default('user'),
    DATABASE_URL: postgresUrl.optional(),
    REPLICA_DATABASE_URL: postgresUrl.optional(),
    DATABASE_POOL_SIZE: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(1).max(1000).default(10),
    DOWNLOAD_RATE_LIMIT: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0).max(1_000_000).default(60),
    DOWNLOAD_BURST_LIMIT: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(0).max(10_000_000).default(1000),
    WEBHOOK_ALLOWED_HOSTS: z
      .string()
      .transform((value) => value.split(',').map((entry) => entry.trim().toLowerCase()).filter(Boolean))
      .optional(),
    ORG_BASE_DOMAIN: domainName.optional(),
    DEFAULT_PLAN: z.enum(['free', 'solo', 'team', 'enterprise', 'unlimited'], { message: 'must be free, solo, team, enterprise or unlimited' }).default('unlimited'),
    STRIPE_WEBHOOK_SECRET: z.string().min(1).optional(),
    DOC_GEN_ENABLED: booleanFlag.default(false),
    DOC_GEN_PROVIDER: z.enum(['anthropic', 'openai'], { message: 'must be anthropic or openai' }).optional(),
    DOC_GEN_MODEL: z.string().min(1).optional(),
    DOC_GEN_TIMEOUT_SECONDS: positiveInt(600).default(60),
    DOC_GEN_MAX_PROMPT_CHARS: z.coerce.number({ message: 'must be a number' }).int('must be an integer').min(2_000).max(400_000).default(24_000),
    ANTHROPIC_API_KEY: z.string().min(1).optional(),
    ANTHROPIC_BASE_URL: httpUrl.optional(),
    OPENAI_API_KEY: z.string().min(1).optional(),
    OPENAI_BASE_URL: httpUrl.optional(),
  })
  .refine((env) => !env.REPLICA_DATABASE_URL || env.DATABASE_URL, { message: 'needs DATABASE_URL (the primary) as well', path: ['REPLICA_DATABASE_URL'] })
  // Instances on a shared database share nothing else: a secret generated into one DATA_DIR would make
  // the tokens one instance signs invalid on the next.
  .superRefine((env, ctx) => {
    if (!env.DATABASE_URL) return
    for (const key of ['JWT_SECRET', 'SESSION_SECRET', 'INTERNAL_API_SECRET'] as const) {
      if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required with DATABASE_URL, so that every instance uses the same one' })
    }
  })
  .superRefine((env, ctx) => {
    if (!env.DOC_GEN_ENABLED) return
    const key = env.DOC_GEN_PROVIDER === 'openai' ? env.OPENAI_API_KEY : env.DOC_GEN_PROVIDER === 'anthropic' ? env.ANTHROPIC_API_KEY : (env.ANTHROPIC_API_KEY ?? env.OPENAI_API_KEY)
    if (!key) ctx.addIssue({ code: 'custom', path: ['DOC_GEN_ENABLED'], message: `needs ${env.DOC_GEN_PROVIDER === 'openai' ? 'OPENAI_API_KEY' : env.DOC_GEN_PROVIDER === 'anthropic' ? 'ANTHROPIC_API_KEY' : 'ANTHROPIC_API_KEY or OPENAI_API_KEY'}` })
  })
  .refine((env) => Boolean(env.ADMIN_USERNAME) === Boolean(env.ADMIN_PASSWORD), {
    message: 'ADMIN_USERNAME and ADMIN_PASSWORD must be set together',
    path: ['ADMIN_PASSWORD'],
  })
  .superRefine((env, ctx) => {
    for (const prefix of ['GITHUB', 'GITLAB', 'GOOGLE', 'OIDC'] as const) {
      const id = env[`${prefix}_CLIENT_ID`]
      const secretValue = env[`${prefix}_CLIENT_SECRET`]
      if (Boolean(id) !== Boolean(secretValue)) {
        ctx.addIssue({ code: 'custom', path: [`${prefix}_CLIENT_SECRET`], message: `and ${prefix}_CLIENT_ID must be set together` })
      }
    }
    if (env.OIDC_CLIENT_ID && !env.OIDC_ISSUER) ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'is required when OIDC_CLIENT_ID is set' })
  })

export interface Secrets {
  jwtSecret: string
  sessionSecret: string
  internalApiSecret: string
}

export type ProviderId = 'github' | 'gitlab' | 'google' | 'oidc'

/** An identity provider users can sign in with; only configured providers appear in `Config.providers`. */
export interface ProviderConfig {
  id: ProviderId
  /** Shown on the sign-in button. */
  displayName: string
  clientId: string
  clientSecret: string
  /** OpenID issuer (google, oidc) or the provider's web base URL (github, gitlab). */
  issuer: string
  /** GitHub's REST API base; unused elsewhere. */
  apiUrl?: string
  scopes: string
  /** Role of users created by their first sign-in through this provider. */
  defaultRole: 'user' | 'admin'
}
/** LLM-written API docs (DOC_GEN_*): which provider, through which endpoint, within which bounds. */
export interface DocGenConfig {
  provider: 'anthropic' | 'openai'
  apiKey: string
  /** The provider's API base URL; undefined for its public endpoint. */
  baseUrl: string | undefined
  model: string
  timeoutMs: number
  maxPromptChars: number
}

export const DEFAULT_DOC_GEN_MODELS: Record<DocGenConfig['provider'], string> = { anthropic: 'claude-haiku-4-5', openai: 'gpt-4.1-mini' }

export type DatabaseConfig =
  | { kind: 'sqlite'; path: string }
  | {
      kind: 'postgres'
      url: string
      /** Reads that may lag go here when set. */
      replicaUrl: string | undefined
      poolSize: number
    }

export type StorageConfig =
  | { kind: 'fs'; root: string }
  | {
      kind: 's3'
      bucket: string
      endpoint: string | undefined
      region: string
      /** Absent: the SDK's default chain (environment, instance role). */
      credentials: { accessKeyId: string; secretAccessKey: string } | undefined
      forcePathStyle: boolean
      /** Tarball GETs answer 302 to a presigned URL; false streams through the registry. */
      redirect: boolean
      presignTtlSeconds: number
      sse: { kind: 'AES256' } | { kind: 'aws:kms'; kmsKeyId: string | undefined } | undefined
    }

export interface Config {
  port: number
  host: string
  dataDir: string
  /** Base for every absolute URL the registry mints; resolved from the bound port when not configured. */
  publicUrl: string | undefined
  admin: { username: string; password: string } | undefined
  maxTarballSize: number
  allowSignup: boolean
  tokenTtlDays: number
  unpublishWindowHours: number
  packumentCacheBytes: number
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent'
  /** Where this instance runs (REGION, FLY_REGION or PRIMARY_REGION). */
  region: string
  /** Where the primary database lives, when the deployment spans regions. */
  primaryRegion: string | undefined
  database: DatabaseConfig
  storage: StorageConfig
  secrets: Secrets
  /** Secrets that signed tokens before the current JWT secret; still accepted, never used to sign. */
  previousJwtSecrets: string[]
  orgId: string
  /** Proxies in front of the registry whose X-Forwarded-For entries are trusted (0: use the socket address). */
  trustProxyHops: number
  sessionTtlHours: number
  authRateLimit: { perAddress: number; perUser: number; windowSeconds: number }
  deviceCodeTtlSeconds: number
  devicePollIntervalSeconds: number
  providers: ProviderConfig[]
  /** Tarball downloads of restricted packages per user: per minute, plus an hourly allowance for bursts (0: no limit). */
  downloadRateLimit: { perMinute: number; burstPerHour: number }
  /** Host names, addresses or CIDR ranges webhooks may reach even though they are private or loopback. */
  webhookAllowedHosts: string[]
  /** Org vanity hosts: `<org>.<orgBaseDomain>` shows that org's page at `/` (unset: none). */
  orgBaseDomain: string | undefined
  billing: { defaultPlan: 'free' | 'solo' | 'team' | 'enterprise' | 'unlimited'; stripeWebhookSecret: string | undefined }
  /** Set when DOC_GEN_ENABLED=true (with a key): agent docs are improved by an LLM after publish. */
  docGen: DocGenConfig | undefined
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}

/** Variables whose values never appear in an error message: secrets, and URLs that may carry a password. */
const SECRET_VARIABLE = /SECRET|PASSWORD|DATABASE_URL|ACCESS_KEY|API_KEY/

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>, prefix = ''): string {
  const key = `${prefix}${String(issue.path[0] ?? 'configuration')}`
  const given = env[key]
  return given === undefined || SECRET_VARIABLE.test(key)
    ? `${key} ${issue.message}`
    : `${key} ${issue.message} (got ${JSON.stringify(given)})`
}

function loadSecrets(dataDir: string, given: Partial<Secrets>): Secrets {
  const file = join(dataDir, 'secrets.json')
  let stored: Partial<Secrets> = {}
  if (existsSync(file)) {
    try {
      stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<Secrets>
    } catch {
      throw new ConfigError(`${file} is not valid JSON; fix or remove it to regenerate the secrets`)
    }
  }
  const generate = () => Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64url')
  const persisted: Secrets = {
    jwtSecret: stored.jwtSecret ?? generate(),
    sessionSecret: stored.sessionSecret ?? generate(),
    internalApiSecret: stored.internalApiSecret ?? generate(),
  }
  if (!existsSync(file) || Object.keys(persisted).some((key) => !(key in stored))) {
    writeFileSync(file, `${JSON.stringify(persisted, null, 2)}\n`, { mode: 0o600 })
  }
  chmodSync(file, 0o600)
  return {
    jwtSecret: given.jwtSecret ?? persisted.jwtSecret,
    sessionSecret: given.sessionSecret ?? persisted.sessionSecret,
    internalApiSecret: given.internalApiSecret ?? persisted.internalApiSecret,
  }
}

// Empty variables count as unset, as in most twelve-factor tools.
function presentValues(env: Record<string, string | undefined>, prefix = ''): Record<string, string> {
  const present: Record<string, string> = {}
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '' && key.startsWith(prefix)) present[key.slice(prefix.length)] = value
  }
  return present
}

function parseEnv<T extends z.ZodType>(schema: T, env: Record<string, string | undefined>, prefix = ''): z.output<T> {
  const parsed = schema.safeParse(presentValues(env, prefix))
  if (!parsed.success) {
    throw new ConfigError(`invalid configuration: ${parsed.error.issues.map((issue) => describeIssue(issue, env, prefix)).join('; ')}`)
  }
  return parsed.data
}

function storageFrom(values: z.output<typeof StorageEnvSchema>, dataDir: string): StorageConfig {
  if (values.STORAGE === 'fs') return { kind: 'fs', root: join(dataDir, 'tarballs') }
  return {
    kind: 's3',
    bucket: values.S3_BUCKET as string,
    endpoint: values.S3_ENDPOINT,
    region: values.S3_REGION,
    credentials:
      values.S3_ACCESS_KEY_ID && values.S3_SECRET_ACCESS_KEY ? { accessKeyId: values.S3_ACCESS_KEY_ID, secretAccessKey: values.S3_SECRET_ACCESS_KEY } : undefined,
    forcePathStyle: values.S3_FORCE_PATH_STYLE,
    redirect: values.S3_REDIRECT,
    presignTtlSeconds: values.S3_PRESIGN_TTL_SECONDS,
    sse: values.S3_SSE === 'AES256' ? { kind: 'AES256' } : values.S3_SSE === 'aws:kms' ? { kind: 'aws:kms', kmsKeyId: values.S3_SSE_KMS_KEY_ID } : undefined,
  }
}

/** A tarball store described by `prefix`ed variables (`SOURCE_STORAGE`, `SOURCE_S3_BUCKET`, ...). */
export function loadStorageConfig(env: Record<string, string | undefined>, prefix: string): StorageConfig {
  const values = parseEnv(StorageEnvSchema, env, prefix)
  return storageFrom(values, resolve(values.DATA_DIR))
}

/** Validates `env` and prepares `DATA_DIR`. Throws `ConfigError` with a one-line message. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const values = parseEnv(EnvSchema, env)
  const storage = parseEnv(StorageEnvSchema, env)
  const dataDir = resolve(storage.DATA_DIR)
  try {
    mkdirSync(dataDir, { recursive: true })
  } catch (error) {
    throw new ConfigError(`invalid configuration: DATA_DIR ${dataDir} cannot be created (${(error as Error).message})`)
  }
  const given: Partial<Secrets> = {}
  if (values.JWT_SECRET) given.jwtSecret = values.JWT_SECRET
  if (values.SESSION_SECRET) given.sessionSecret = values.SESSION_SECRET
  if (values.INTERNAL_API_SECRET) given.internalApiSecret = values.INTERNAL_API_SECRET
  return {
    port: values.PORT,
    host: values.HOST,
    dataDir,
    publicUrl: values.PUBLIC_URL,
    admin: values.ADMIN_USERNAME && values.ADMIN_PASSWORD ? { username: values.ADMIN_USERNAME, password: values.ADMIN_PASSWORD } : undefined,
    maxTarballSize: values.MAX_TARBALL_SIZE,
    allowSignup: values.ALLOW_SIGNUP,
    tokenTtlDays: values.TOKEN_TTL_DAYS,
    unpublishWindowHours: values.UNPUBLISH_WINDOW_HOURS,
    packumentCacheBytes: values.PACKUMENT_CACHE_SIZE,
    logLevel: values.LOG_LEVEL,
    region: values.REGION ?? values.FLY_REGION ?? values.PRIMARY_REGION ?? 'local',
    primaryRegion: values.PRIMARY_REGION,
    database: values.DATABASE_URL
      ? { kind: 'postgres', url: values.DATABASE_URL, replicaUrl: values.REPLICA_DATABASE_URL, poolSize: values.DATABASE_POOL_SIZE }
      : { kind: 'sqlite', path: join(dataDir, 'packr.db') },
    storage: storageFrom(storage, dataDir),
    secrets: loadSecrets(dataDir, given),
    previousJwtSecrets: values.JWT_PREVIOUS_SECRETS ?? [],
    orgId: values.ORG_ID,
    trustProxyHops: values.TRUST_PROXY,
    sessionTtlHours: values.SESSION_TTL_HOURS,
    authRateLimit: { perAddress: values.AUTH_FAILURES_PER_ADDRESS, perUser: values.AUTH_FAILURES_PER_USER, windowSeconds: values.AUTH_FAILURE_WINDOW_SECONDS },
    deviceCodeTtlSeconds: values.DEVICE_CODE_TTL_SECONDS,
    devicePollIntervalSeconds: values.DEVICE_POLL_INTERVAL_SECONDS,
    providers: configuredProviders(values),
    downloadRateLimit: { perMinute: values.DOWNLOAD_RATE_LIMIT, burstPerHour: values.DOWNLOAD_BURST_LIMIT },
    webhookAllowedHosts: values.WEBHOOK_ALLOWED_HOSTS ?? [],
    orgBaseDomain: values.ORG_BASE_DOMAIN,
    billing: { defaultPlan: values.DEFAULT_PLAN, stripeWebhookSecret: values.STRIPE_WEBHOOK_SECRET },
    docGen: docGenFrom(values),
  }
}

function docGenFrom(values: z.infer<typeof EnvSchema>): DocGenConfig | undefined {
  if (!values.DOC_GEN_ENABLED) return undefined
  const provider = values.DOC_GEN_PROVIDER ?? (values.ANTHROPIC_API_KEY ? 'anthropic' : 'openai')
  return {
    provider,
    apiKey: (provider === 'anthropic' ? values.ANTHROPIC_API_KEY : values.OPENAI_API_KEY) as string,
    baseUrl: provider === 'anthropic' ? values.ANTHROPIC_BASE_URL : values.OPENAI_BASE_URL,
    model: values.DOC_GEN_MODEL ?? DEFAULT_DOC_GEN_MODELS[provider],
    timeoutMs: values.DOC_GEN_TIMEOUT_SECONDS * 1000,
    maxPromptChars: values.DOC_GEN_MAX_PROMPT_CHARS,
  }
}

function configuredProviders(values: z.infer<typeof EnvSchema>): ProviderConfig[] {
  const providers: ProviderConfig[] = []
  if (values.GITHUB_CLIENT_ID && values.GITHUB_CLIENT_SECRET) {
    providers.push({
      id: 'github',
      displayName: 'GitHub',
      clientId: values.GITHUB_CLIENT_ID,
      clientSecret: values.GITHUB_CLIENT_SECRET,
      issuer: values.GITHUB_URL,
      apiUrl: values.GITHUB_API_URL,
      scopes: 'read:user user:email',
      defaultRole: values.GITHUB_DEFAULT_ROLE,
    })
  }
  if (values.GITLAB_CLIENT_ID && values.GITLAB_CLIENT_SECRET) {
    providers.push({
      id: 'gitlab',
      displayName: 'GitLab',
      clientId: values.GITLAB_CLIENT_ID,
      clientSecret: values.GITLAB_CLIENT_SECRET,
      issuer: values.GITLAB_URL,
      scopes: 'read_user',
      defaultRole: values.GITLAB_DEFAULT_ROLE,
    })
  }
  if (values.GOOGLE_CLIENT_ID && values.GOOGLE_CLIENT_SECRET) {
    providers.push({
      id: 'google',
      displayName: 'Google',
      clientId: values.GOOGLE_CLIENT_ID,
      clientSecret: values.GOOGLE_CLIENT_SECRET,
      issuer: values.GOOGLE_ISSUER,
      scopes: 'openid email profile',
      defaultRole: values.GOOGLE_DEFAULT_ROLE,
    })
  }
  if (values.OIDC_ISSUER && values.OIDC_CLIENT_ID && values.OIDC_CLIENT_SECRET) {
    providers.push({
      id: 'oidc',
      displayName: values.OIDC_NAME,
      clientId: values.OIDC_CLIENT_ID,
      clientSecret: values.OIDC_CLIENT_SECRET,
      issuer: values.OIDC_ISSUER,
      scopes: values.OIDC_SCOPES,
      defaultRole: values.OIDC_DEFAULT_ROLE,
    })
  }
  return providers
}
