// Load generation with wrk: a generated Lua script cycles through a list of requests (paths and
// headers), each wrk thread starting at a different point, and reports its summary as JSON.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { run } from '../helpers/clients.ts'

export interface WrkRequest {
  path: string
  headers?: Record<string, string>
}

export interface WrkOptions {
  durationSeconds: number
  connections: number
  threads: number
}

export interface WrkResult {
  requestsPerSecond: number
  requests: number
  megabytesPerSecond: number
  latencyMs: { p50: number; p90: number; p99: number; max: number }
  /** Socket errors and responses with status >= 400; any of them invalidates the figure. */
  errors: number
}

const MARKER = 'WRK_RESULT '

/** A Lua string literal; JSON's escapes are Lua's for the ASCII text used here. */
function luaString(value: string): string {
  if (!/^[\x20-\x7e]*$/.test(value)) throw new Error(`not printable ASCII: ${JSON.stringify(value)}`)
  return JSON.stringify(value)
}

export function wrkScript(requests: WrkRequest[]): string {
  const specs = requests.map(({ path, headers = {} }) => {
    const fields = Object.entries(headers).map(([name, value]) => `[${luaString(name)}]=${luaString(value)}`)
    return `{${luaString(path)},{${fields.join(',')}}}`
  })
  return `local specs = {
${specs.join(',\n')}
}
local prepared = {}
local started = 0
function setup(thread)
  thread:set("offset", started * 7919)
  started = started + 1
end
function init(args)
  for i, spec in ipairs(specs) do prepared[i] = wrk.format("GET", spec[1], spec[2]) end
  counter = offset % #prepared
end
function request()
  counter = counter % #prepared + 1
  return prepared[counter]
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARKER}{"requests":%d,"durationUs":%d,"bytes":%d,"errors":%d,"p50":%d,"p90":%d,"p99":%d,"max":%d}\\n',
    summary.requests, summary.duration, summary.bytes, e.connect + e.read + e.write + e.status + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
`
}

/** Runs wrk against `baseUrl` with `requests` in rotation and returns its figures. */
export async function runWrk(baseUrl: string, requests: WrkRequest[], options: WrkOptions): Promise<WrkResult> {
  if (requests.length === 0) throw new Error('wrk needs at least one request')
  const dir = mkdtempSync(join(tmpdir(), 'packr-wrk-'))
  try {
    const script = join(dir, 'requests.lua')
    writeFileSync(script, wrkScript(requests))
    const result = await run(
      ['wrk', `-t${options.threads}`, `-c${options.connections}`, `-d${options.durationSeconds}s`, '--timeout', '5s', '-s', script, baseUrl],
      { cwd: dir, env: process.env as Record<string, string>, timeoutMs: (options.durationSeconds + 60) * 1000 },
    )
    const line = result.stdout.split('\n').find((candidate) => candidate.startsWith(MARKER))
    if (result.exitCode !== 0 || !line) throw new Error(`wrk failed (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`)
    const raw = JSON.parse(line.slice(MARKER.length)) as { requests: number; durationUs: number; bytes: number; errors: number; p50: number; p90: number; p99: number; max: number }
    const seconds = raw.durationUs / 1e6
    return {
      requestsPerSecond: raw.requests / seconds,
      requests: raw.requests,
      megabytesPerSecond: raw.bytes / 1e6 / seconds,
      latencyMs: { p50: raw.p50 / 1000, p90: raw.p90 / 1000, p99: raw.p99 / 1000, max: raw.max / 1000 },
      errors: raw.errors,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
