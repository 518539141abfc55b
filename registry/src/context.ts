// Everything a request handler may need, built once at start and passed to each controller. No
// module-level singletons: tests run several registries in one process.
import { AccessService } from './access/service.ts'
import { AgentService } from './agent/service.ts'
import { AnalysisRunner } from './analysis/runner.ts'
import { AnalysisService } from './analysis/service.ts'
import { AuditLog } from './audit/service.ts'
import { AuthRateLimiter } from './auth/rate-limit.ts'
import { AuthService } from './auth/service.ts'
import { BillingService } from './billing/service.ts'
import { PackageVisibility } from './auth/visibility.ts'
import { CatalogService, registryLookup } from './catalog/service.ts'
import { createCluster, type Cluster } from './cluster/index.ts'
import type { Config } from './config/index.ts'
import { openDatabase, type Database } from './db/index.ts'
import { ReadmeCache } from './dashboard/packages/readme.ts'
import { DistTagService } from './dist-tags/service.ts'
import { DownloadRateLimiter } from './downloads/rate-limit.ts'
import { DownloadService } from './downloads/service.ts'
import { EventBus } from './events/index.ts'
import { JobQueue, systemClock, type Clock } from './jobs/service.ts'
import { createLogger, type Logger } from './logging/index.ts'
import { LoginRequestService } from './login-requests/service.ts'
import { escapeName, tarballFilename } from './npm/names.ts'
import type { PackumentUrls } from './npm/packument.ts'
import { OAuthService } from './oauth/service.ts'
import { OrgService } from './orgs/service.ts'
import { createDocsGenerator } from './package-docs/generator.ts'
import { PackageDocsService } from './package-docs/service.ts'
import { PackumentCache } from './packages/cache.ts'
import { PackageService } from './packages/service.ts'
import { PublishService } from './publish/service.ts'
import { SearchService } from './search/service.ts'
import { SessionService } from './sessions/service.ts'
import { SigningService } from './signing/service.ts'
import { SealedBox } from './crypto/sealed-box.ts'
import { createBlobStore, type BlobStore } from './storage/index.ts'
import { TokenService } from './tokens/service.ts'
import { UsageService } from './usage/service.ts'
import { UserService } from './users/service.ts'
import { OutboundGuard } from './webhooks/outbound.ts'
import { WebhookService } from './webhooks/service.ts'
import packageJson from '../package.json' with { type: 'json' }

/** Absolute URLs minted by the registry; the base is known once the server has bound its port. */
export class PublicUrls implements PackumentUrls {
  base = ''

  tarball(name: string, version: string): string {
    return `${this.base}/${name}/-/${tarballFilename(name, version)}`
  }

  attestations(name: string, version: string): string {
    return `${this.base}/-/npm/v1/attestations/${escapeName(name)}@${version}`
  }
}

export interface AppContext {
  version: string
  config: Config
  log: Logger
  /** Time for schedules (jobs, webhook retries, the audit log); tests inject their own. */
  clock: Clock
  audit: AuditLog
  access: AccessService
  orgs: OrgService
  billing: BillingService
  downloadLimiter: DownloadRateLimiter
  usage: UsageService
  webhooks: WebhookService
  db: Database
  blobs: BlobStore
  cluster: Cluster
  events: EventBus
  jobs: JobQueue
  downloads: DownloadService
  urls: PublicUrls
  users: UserService
  tokens: TokenService
  auth: AuthService
  authLimiter: AuthRateLimiter
  sessions: SessionService
  logins: LoginRequestService
  oauth: OAuthService
  packages: PackageService
  packuments: PackumentCache
  signing: SigningService
  publish: PublishService
  distTags: DistTagService
  analyses: AnalysisService
  analysisRunner: AnalysisRunner
  catalog: CatalogService
  search: SearchService
  /** Rendered package READMEs for the dashboard. */
  readmes: ReadmeCache
  visibility: PackageVisibility
  packageDocs: PackageDocsService
  agent: AgentService
}

export interface ContextOptions {
  log?: Logger
  clock?: Clock
}

export async function createContext(config: Config, options: ContextOptions = {}): Promise<AppContext> {
  const log = options.log ?? createLogger(config.logLevel)
  const clock = options.clock ?? systemClock
  const db = await openDatabase(config.database)
  const blobs = createBlobStore(config.storage)
  const cluster = createCluster(config.database, log)
  const events = new EventBus(log)
  const urls = new PublicUrls()
  const audit = new AuditLog(db, clock)
  const tokens = new TokenService(db, config.secrets.jwtSecret, config.previousJwtSecrets, config.orgId, cluster, events, audit)
  const users = new UserService(db, tokens, audit)
  const authLimiter = new AuthRateLimiter(config.authRateLimit)
  const packages = new PackageService(db)
  const packuments = new PackumentCache(packages, urls, config.packumentCacheBytes, cluster)
  const signing = new SigningService(db, config.secrets.internalApiSecret, audit)
  const access = new AccessService(db, cluster, packuments, audit, events)
  const billing = new BillingService(db, config.billing, audit, log)
  const orgs = new OrgService(db, access, audit, billing, packuments, events)
  const jobs = new JobQueue(db, log, { clock })
  const webhooks = new WebhookService(
    db,
    new SealedBox(config.secrets.internalApiSecret, 'webhook-secrets'),
    jobs,
    clock,
    audit,
    access,
    orgs,
    new OutboundGuard(config.webhookAllowedHosts),
    log,
    `Packr-Webhooks/${packageJson.version}`,
  )
  const resolveDownloader = async (authorization: string, address: string | null) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization)
    return match?.[1] ? (await tokens.authenticate(match[1], address)).userId : null
  }
  const downloads = new DownloadService(db, log, resolveDownloader)
  const analysisRunner = new AnalysisRunner()
  const analyses = new AnalysisService(db, blobs, registryLookup(packuments), jobs, analysisRunner, log)
  const catalog = new CatalogService(db, packages, analyses, downloads, () => urls.base, log)
  const generator = config.docGen ? createDocsGenerator(config.docGen) : undefined
  const packageDocs = new PackageDocsService(db, packages, analyses, jobs, generator, config.docGen?.maxPromptChars ?? 0, log)
  // A finished analysis changes a package's score and search document, here and on other instances,
  // and is what LLM-written docs are generated from.
  analyses.onAnalyzed = async (name, version) => {
    cluster.broadcast({ type: 'catalog', name })
    await catalog.refresh(name)
    await packageDocs.schedule(name, version)
  }
  events.subscribe(catalog.onEvent)
  events.subscribe(analyses.onEvent)
  events.subscribe(webhooks.onEvent)
  const readmes = new ReadmeCache(packuments)
  events.subscribe(readmes.onEvent)
  return {
    version: packageJson.version,
    config,
    log,
    clock,
    audit,
    access,
    orgs,
    usage: new UsageService(db, access, orgs),
    webhooks,
    billing,
    downloadLimiter: new DownloadRateLimiter(config.downloadRateLimit),
    db,
    blobs,
    cluster,
    events,
    jobs,
    downloads,
    urls,
    users,
    tokens,
    auth: new AuthService(config, users, tokens, authLimiter, audit),
    authLimiter,
    sessions: new SessionService(db, config.secrets.sessionSecret, config.sessionTtlHours),
    logins: new LoginRequestService(config, db, users, tokens, authLimiter),
    oauth: new OAuthService(config.providers, db, users, log),
    packages,
    packuments,
    signing,
    publish: new PublishService(config, db, blobs, packuments, signing, events, log, access, audit, billing),
    distTags: new DistTagService(db, packuments, events, access, audit),
    analyses,
    analysisRunner,
    catalog,
    search: new SearchService(catalog),
    readmes,
    visibility: new PackageVisibility(access, catalog, packuments),
    packageDocs,
    agent: new AgentService(catalog, packuments, analyses, packageDocs),
  }
}
