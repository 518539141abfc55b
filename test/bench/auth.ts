// What authentication costs on the hot path: a cached token check against an anonymous request, over
// HTTP with wrk (loopback, bounded duration), and the token service alone (cached vs first use).
// Usage: bun test/bench/auth.ts [seconds=5]
import { startTestRegistry } from '../helpers/registry.ts'
import { run } from '../helpers/clients.ts'

const seconds = Number(process.argv[2] ?? 5)
const registry = await startTestRegistry({ LOG_LEVEL: 'silent' })

async function wrk(path: string, token?: string): Promise<number> {
  const args = ['wrk', '-t2', '-c32', `-d${seconds}s`, ...(token ? ['-H', `Authorization: Bearer ${token}`] : []), `${registry.url}${path}`]
  const result = await run(args, { cwd: process.cwd(), env: process.env as Record<string, string>, timeoutMs: (seconds + 30) * 1000 })
  const rate = /Requests\/sec:\s+([\d.]+)/.exec(result.stdout)?.[1]
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(result.stdout)?.[1]
  if (!rate || non2xx) throw new Error(`wrk failed for ${path}: ${result.stdout}${result.stderr}`)
  return Number(rate)
}

try {
  const admin = (await registry.ctx.users.findByUsername('admin'))!
  const { token } = await registry.ctx.tokens.issue({ user: admin, name: 'bench', role: 'ci-readonly', expiresInDays: 1 })

  const ping = await wrk('/-/ping')
  const whoami = await wrk('/-/whoami', token)
  console.log(`HTTP (wrk -t2 -c32 -d${seconds}s): GET /-/ping anonymous ${ping.toFixed(0)} req/s; GET /-/whoami with a cached token ${whoami.toFixed(0)} req/s (${((whoami / ping) * 100).toFixed(0)}% of anonymous)`)

  const iterations = 200_000
  let started = performance.now()
  for (let i = 0; i < iterations; i++) await registry.ctx.tokens.authenticate(token, '127.0.0.1')
  const cachedNs = ((performance.now() - started) * 1e6) / iterations

  const fresh: string[] = []
  for (let i = 0; i < 300; i++) fresh.push((await registry.ctx.tokens.issue({ user: admin, name: 'bench', role: 'ci-readonly', expiresInDays: 1 })).token)
  started = performance.now()
  for (const candidate of fresh) await registry.ctx.tokens.authenticate(candidate, '127.0.0.1')
  const firstUseUs = ((performance.now() - started) * 1e3) / fresh.length
  console.log(`TokenService.authenticate: cached ${cachedNs.toFixed(0)} ns/call; first use (HS256 verify + one indexed read) ${firstUseUs.toFixed(0)} µs/call`)
} finally {
  await registry.close()
}
