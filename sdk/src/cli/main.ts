#!/usr/bin/env bun
// `packr`: log in to a Packr registry from a terminal (device flow), manage tokens, set up a project,
// publish.
// Errors are one line on stderr (and a JSON object on stdout with --json); exit code 1 for failures,
// 2 for usage mistakes.
import { existsSync, writeFileSync } from 'node:fs'
import { homedir, hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import open from 'open'
import yoctoSpinner from 'yocto-spinner'
import { PackrClient, type CreateTokenRequest } from '../client.ts'
import { APIError, PackrError } from '../errors.ts'
import type { TokenInfo } from '../schemas.ts'
import { AGENT_USAGE, agentCommand } from './agent.ts'
import { CliError, UsageError } from './errors.ts'
import { projectNpmrc, readRegistry, readToken, writeToken } from './npmrc.ts'
import { publishCommand } from './publish.ts'

const DEFAULT_REGISTRY = 'http://localhost:4873'
type TokenRole = CreateTokenRequest['role']
const ROLES: readonly TokenRole[] = ['ci-readonly', 'ci-publish', 'maintainer', 'admin']

const USAGE = `Usage: packr <command> [options]

Commands:
  login [--provider github|gitlab|google|oidc] [--no-browser]   sign in through the browser (device flow)
  whoami                                                         show who the saved token belongs to
  token create NAME --role ROLE [--scope @s]... [--package p]... [--expires DAYS] [--cidr RANGE]... [--read-only]
  token list                                                     list your tokens
  token revoke ID                                                revoke one of your tokens
  init [--scope @acme] [--force]                                 write a project .npmrc that reads \${NPM_TOKEN}
  publish [DIR|TARBALL] [--tag TAG] [--dry-run] [--no-wait]      publish a package directory (packed by npm) or a .tgz
  agent info|search|compare|deps|recommend|docs ...             ask about packages as an agent would (packr agent --help)

Options:
  --registry URL   registry to talk to (default: $PACKR_REGISTRY_URL, npm's registry setting, ${DEFAULT_REGISTRY})
  --token TOKEN    token to use (default: $PACKR_TOKEN, then the one saved in ~/.npmrc)
  --json           machine-readable output
  -h, --help       show this help

Roles: ${ROLES.join(', ')}
Run packr <command> --help for one command.`

const PUBLISH_USAGE = `Usage: packr publish [DIR|TARBALL] [options]

Publishes a package directory (default: the current one), packed by npm exactly as npm publish packs
it (files, .npmignore, prepack/prepare scripts; needs npm on PATH), or a .tgz built elsewhere. Shows
the files, sizes and integrity, uploads with a progress bar for large tarballs, then prints the new
version, its integrity and its quality score once the registry has analysed it.

Options:
  --tag TAG        dist-tag to point at the new version (default: latest)
  --dry-run        show what would be published, upload nothing
  --no-wait        do not wait for the quality score
  --registry URL   registry to publish to (default: $PACKR_REGISTRY_URL, npm's registry setting, ${DEFAULT_REGISTRY})
  --token TOKEN    token to use (default: $PACKR_TOKEN, then the one packr login saved in ~/.npmrc)
  --json           one JSON object on stdout instead of text
  -h, --help       show this help`

const USAGES: Record<string, string> = { publish: PUBLISH_USAGE, agent: AGENT_USAGE }

const OPTIONS = {
  registry: { type: 'string' },
  token: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  tag: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  'no-wait': { type: 'boolean', default: false },
  provider: { type: 'string' },
  'no-browser': { type: 'boolean', default: false },
  role: { type: 'string' },
  scope: { type: 'string', multiple: true },
  package: { type: 'string', multiple: true },
  expires: { type: 'string' },
  cidr: { type: 'string', multiple: true },
  'read-only': { type: 'boolean', default: false },
  force: { type: 'boolean', default: false },
  version: { type: 'string' },
  depth: { type: 'string' },
  limit: { type: 'string' },
  detailed: { type: 'boolean', default: false },
} as const

type Options = ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>['values']

function userNpmrc(): string {
  return process.env.NPM_CONFIG_USERCONFIG ?? process.env.npm_config_userconfig ?? join(homedir(), '.npmrc')
}

function registryOf(options: Options): string {
  // PACKR_REGISTRY is the variable's earlier name, still read.
  const registry = options.registry ?? process.env.PACKR_REGISTRY_URL ?? process.env.PACKR_REGISTRY ?? readRegistry(userNpmrc()) ?? DEFAULT_REGISTRY
  try {
    const url = new URL(registry)
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error()
  } catch {
    throw new UsageError(`--registry must be an http(s) URL, got ${JSON.stringify(registry)}`)
  }
  return registry.replace(/\/+$/, '')
}

function clientOf(options: Options, needsToken = true): PackrClient {
  const registry = registryOf(options)
  const token = options.token ?? process.env.PACKR_TOKEN ?? readToken(userNpmrc(), registry)
  if (needsToken && !token) throw new CliError('NOT_LOGGED_IN', `not logged in to ${registry}; run packr login --registry ${registry}`, 401)
  return new PackrClient({ registryUrl: registry, token: token ?? null })
}

function print(options: Options, json: unknown, text: string): void {
  process.stdout.write(options.json ? `${JSON.stringify(json, null, 2)}\n` : `${text}\n`)
}

/** Opens the verification page when a person is at this terminal with a desktop. */
function canOpenBrowser(options: Options): boolean {
  if (options['no-browser'] || process.env.CI || !process.stdout.isTTY) return false
  return process.platform === 'darwin' || process.platform === 'win32' || Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
}

async function login(options: Options): Promise<void> {
  const client = clientOf(options, false)
  const started = await client.login.start({ provider: options.provider, clientName: `packr CLI on ${hostname()}` })
  process.stderr.write(`To sign in, open ${started.verification_uri} and enter the code ${started.user_code}\n(or go straight to ${started.verification_uri_complete})\n`)
  if (canOpenBrowser(options)) await open(started.verification_uri_complete).catch(() => {})
  const spinner = process.stderr.isTTY ? yoctoSpinner({ text: 'Waiting for approval in the browser…', stream: process.stderr }).start() : null
  let interval = started.interval
  const deadline = Date.now() + started.expires_in * 1000
  try {
    while (Date.now() < deadline) {
      await Bun.sleep(interval * 1000)
      const poll = await client.login.poll(started.device_code)
      if (poll.status === 'pending') continue
      if (poll.status === 'slow_down') {
        interval += 5
        continue
      }
      if (poll.status === 'denied' || poll.status === 'expired') throw new CliError(poll.status === 'denied' ? 'ACCESS_DENIED' : 'EXPIRED', poll.message, 401)
      writeToken(userNpmrc(), client.registryUrl, poll.token)
      spinner?.success(`Logged in as ${poll.username}`)
      print(options, { username: poll.username, registry: `${client.registryUrl}/`, npmrc: userNpmrc() }, `Logged in as ${poll.username} on ${client.registryUrl}/ (token saved in ${userNpmrc()})`)
      return
    }
    throw new CliError('EXPIRED', 'the login code expired before it was approved; run packr login again', 401)
  } catch (error) {
    spinner?.error('Login failed')
    throw error
  }
}

function parseDays(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const days = Number(value)
  if (!Number.isFinite(days) || days <= 0) throw new UsageError(`--expires must be a positive number of days, got ${JSON.stringify(value)}`)
  return days
}

function describeToken(token: TokenInfo): string {
  const reach = [...token.scopes, ...(token.packages ?? [])].join(', ') || 'all packages'
  return `${token.id}  ${token.name}  ${token.role}${token.readonly ? ' (read-only)' : ''}  ${reach}  expires ${token.expiresAt ?? 'never'}`
}

async function token(options: Options, args: string[]): Promise<void> {
  const [action, ...rest] = args
  switch (action) {
    case 'create': {
      const [name] = rest
      if (!name) throw new UsageError('packr token create NAME --role ROLE: a token name is required')
      const role = options.role as TokenRole | undefined
      if (!role || !ROLES.includes(role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}`)
      const created = await clientOf(options).tokens.create({
        name,
        role,
        scopes: options.scope,
        packages: options.package,
        expiresInDays: parseDays(options.expires),
        cidr: options.cidr,
        readonly: options['read-only'] || undefined,
      })
      print(options, created, `${created.token}\n(token ${created.id}: ${describeToken(created)}; shown only once)`)
      return
    }
    case 'list': {
      const tokens = await clientOf(options).tokens.list()
      print(options, tokens, tokens.length === 0 ? 'no tokens' : tokens.map(describeToken).join('\n'))
      return
    }
    case 'revoke': {
      const [id] = rest
      if (!id) throw new UsageError('packr token revoke ID: a token id is required (see packr token list)')
      await clientOf(options).tokens.revoke(id)
      print(options, { revoked: id }, `revoked ${id}`)
      return
    }
    default:
      throw new UsageError(`unknown token command ${JSON.stringify(action ?? '')}: use create, list or revoke`)
  }
}

async function whoami(options: Options): Promise<void> {
  const client = clientOf(options)
  const { username } = await client.whoami()
  print(options, { username, registry: `${client.registryUrl}/` }, username)
}

function init(options: Options): void {
  const scope = options.scope?.[0]
  if (scope !== undefined && !/^@[a-z0-9][a-z0-9._~-]*$/.test(scope)) throw new UsageError(`--scope must look like @acme, got ${JSON.stringify(scope)}`)
  const registry = registryOf(options)
  const path = resolve('.npmrc')
  if (existsSync(path) && !options.force) throw new UsageError(`${path} already exists; use --force to replace it`)
  const content = projectNpmrc(registry, scope)
  writeFileSync(path, content)
  print(options, { path, registry: `${registry}/`, scope: scope ?? null }, `wrote ${path}; set NPM_TOKEN in the environment (for example from packr token create) to authenticate`)
}

async function publish(options: Options, args: string[]): Promise<void> {
  if (args.length > 1) throw new UsageError(`packr publish takes one directory or tarball, got ${args.length}`)
  const result = await publishCommand(
    clientOf(options),
    args[0] ?? '.',
    { tag: options.tag ?? 'latest', dryRun: options['dry-run'], wait: !options['no-wait'], json: options.json, scoreTimeoutMs: 120_000 },
    (text) => process.stdout.write(`${text}\n`),
  )
  if (options.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`)
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const parsed = Number(value)
  if (!Number.isInteger(parsed) || parsed < 1) throw new UsageError(`--${name} must be a positive whole number, got ${JSON.stringify(value)}`)
  return parsed
}

async function agent(options: Options, args: string[]): Promise<void> {
  const output = await agentCommand(clientOf(options, false), args, {
    json: options.json,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
    version: options.version,
    depth: positiveInt('depth', options.depth),
    limit: positiveInt('limit', options.limit),
    detailed: options.detailed,
  })
  process.stdout.write(`${output}\n`)
}

async function main(argv: string[]): Promise<void> {
  let parsed
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError((error as Error).message)
  }
  const { values, positionals } = parsed
  const [command, ...args] = positionals
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(`${(command && USAGES[command]) ?? USAGE}\n`)
    return
  }
  switch (command) {
    case 'login':
      return login(values)
    case 'whoami':
      return whoami(values)
    case 'token':
      return token(values, args)
    case 'init':
      return init(values)
    case 'publish':
      return publish(values, args)
    case 'agent':
      return agent(values, args)
    default:
      throw new UsageError(`unknown command ${JSON.stringify(command)}; run packr --help`)
  }
}

try {
  await main(process.argv.slice(2))
} catch (error) {
  const usage = error instanceof UsageError
  const known = usage || error instanceof CliError || error instanceof PackrError
  const message = known ? (error as Error).message : `unexpected error: ${(error as Error).message}`
  if (process.argv.includes('--json')) {
    const code = error instanceof APIError || error instanceof CliError ? error.code : usage ? 'USAGE' : error instanceof PackrError ? error.name : 'UNEXPECTED'
    const status = error instanceof APIError ? error.status : error instanceof CliError ? error.status : null
    process.stdout.write(`${JSON.stringify({ error: { code, message, status } })}\n`)
  }
  process.stderr.write(`packr: ${message.split('\n')[0]}\n`)
  process.exit(usage ? 2 : 1)
}
