// A transparent loopback proxy in front of a test registry. It forwards every request unchanged
// and remembers what the client put on the wire (raw path, headers, body), so end-to-end tests
// can assert on client differences: pnpm's `%2F`, yarn's rebuilt tarball URL, bun's extra keys.
// `startClientTestBed` starts one first and gives its URL to the registry as PUBLIC_URL, so minted
// tarball URLs pass through it too.
import { Workspace } from './clients.ts'
import { startTestRegistry, type TestRegistry } from './registry.ts'

export interface RecordedRequest {
  method: string
  /** Path and query exactly as the client sent them (percent-encoding untouched). */
  path: string
  headers: Record<string, string>
  body: Uint8Array
  status: number
}

export interface Recorder {
  url: string
  /** Where requests are forwarded; set once the registry behind the proxy is listening. */
  target: string
  requests: RecordedRequest[]
  /** Requests recorded since `mark` (an index into `requests`) matching `predicate`. */
  since(mark: number, predicate?: (request: RecordedRequest) => boolean): RecordedRequest[]
  close(): void
}

/** The request target as sent: Bun's `Request.url` keeps the client's percent-encoding (it only resolves dot segments). */
function rawPath(url: string): string {
  const afterScheme = url.indexOf('//') + 2
  return url.slice(url.indexOf('/', afterScheme))
}

export function startRecorder(): Recorder {
  const requests: RecordedRequest[] = []
  const recorder: Recorder = {
    url: '',
    target: '',
    requests,
    since: (mark, predicate = () => true) => requests.slice(mark).filter(predicate),
    close: () => server.stop(true),
  }
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    maxRequestBodySize: 1024 * 1024 * 1024,
    async fetch(request) {
      const path = rawPath(request.url)
      const body = new Uint8Array(await request.arrayBuffer())
      const headers = new Headers(request.headers)
      headers.delete('host')
      const response = await fetch(`${recorder.target}${path}`, {
        method: request.method,
        headers,
        body: body.byteLength > 0 ? body : undefined,
        redirect: 'manual',
        decompress: false,
      })
      requests.push({ method: request.method, path, headers: Object.fromEntries(request.headers), body, status: response.status })
      return new Response(response.body, { status: response.status, statusText: response.statusText, headers: response.headers })
    },
  })
  recorder.url = `http://127.0.0.1:${server.port}`
  return recorder
}

/** What a client end-to-end file works with: a recorded registry, a workspace and a user's token. */
export interface ClientTestBed {
  registry: TestRegistry
  recorder: Recorder
  ws: Workspace
  token: string
  close(): Promise<void>
}

/** A test registry behind a recorder (minted tarball URLs point through it), a workspace, and `user`. */
export async function startClientTestBed(workspacePrefix: string, user: string): Promise<ClientTestBed> {
  const recorder = startRecorder()
  const registry = await startTestRegistry({ PUBLIC_URL: recorder.url })
  recorder.target = `http://127.0.0.1:${registry.port}`
  const ws = new Workspace(workspacePrefix)
  return {
    registry,
    recorder,
    ws,
    token: await registry.createUser(user),
    async close() {
      await registry.close()
      recorder.close()
      ws.remove()
    },
  }
}
