// Loopback servers that speak the LLM providers' documented HTTP APIs, for the real SDKs to talk
// to through their base-URL options: Anthropic's Messages API (POST /v1/messages) and OpenAI's Chat
// Completions (POST /v1/chat/completions). Each records what it was sent and answers as the test's
// `respond` decides: a text, an HTTP error, or nothing for a while.

export interface RecordedRequest {
  path: string
  headers: Record<string, string>
  body: Record<string, unknown>
}

/** What to answer to one request: the model's text, an HTTP status with the provider's error body, or a delay first. */
export type Reply = { text: string; delayMs?: number } | { status: number; delayMs?: number }

export interface LlmServer {
  /** The base URL to give the SDK (`ANTHROPIC_BASE_URL` / `OPENAI_BASE_URL`). */
  baseUrl: string
  requests: RecordedRequest[]
  stop(): void
}

function serve(path: string, apiKeyOf: (request: Request) => string | null, apiKey: string, respond: (request: RecordedRequest) => Reply, render: (text: string, body: Record<string, unknown>) => unknown, suffix: string): LlmServer {
  const requests: RecordedRequest[] = []
  const server = Bun.serve({
    port: 0,
    hostname: '127.0.0.1',
    async fetch(request) {
      const url = new URL(request.url)
      if (request.method !== 'POST' || url.pathname !== path) return Response.json({ error: { type: 'not_found_error', message: `no route ${url.pathname}` } }, { status: 404 })
      if (apiKeyOf(request) !== apiKey) return Response.json({ type: 'error', error: { type: 'authentication_error', message: 'invalid api key' } }, { status: 401 })
      const recorded = { path: url.pathname, headers: Object.fromEntries(request.headers), body: (await request.json()) as Record<string, unknown> }
      requests.push(recorded)
      const reply = respond(recorded)
      if (reply.delayMs) await Bun.sleep(reply.delayMs)
      if ('status' in reply) {
        // Short retry hints keep the SDKs' own backoff fast in tests.
        return Response.json({ type: 'error', error: { type: reply.status === 529 ? 'overloaded_error' : 'api_error', message: 'upstream trouble' } }, { status: reply.status, headers: { 'retry-after-ms': '20' } })
      }
      return Response.json(render(reply.text, recorded.body))
    },
  })
  return { baseUrl: `http://127.0.0.1:${server.port}${suffix}`, requests, stop: () => server.stop(true) }
}

/**
 * Anthropic's Messages API: `anthropic-version` and the key (as `x-api-key`, or as a bearer token,
 * which is how @anthropic-ai/sdk 1.x sends it), a `message` object with text content blocks.
 */
export function anthropicServer(apiKey: string, respond: (request: RecordedRequest) => Reply): LlmServer {
  return serve(
    '/v1/messages',
    (request) => (request.headers.get('anthropic-version') ? (request.headers.get('x-api-key') ?? request.headers.get('authorization')?.replace(/^Bearer /, '') ?? null) : null),
    apiKey,
    respond,
    (text, body) => ({
      id: `msg_${crypto.randomUUID().replaceAll('-', '')}`,
      type: 'message',
      role: 'assistant',
      model: body.model,
      content: [{ type: 'text', text }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 100, output_tokens: 50 },
    }),
    '',
  )
}

/** OpenAI's Chat Completions: bearer key, a `chat.completion` with one choice. */
export function openaiServer(apiKey: string, respond: (request: RecordedRequest) => Reply): LlmServer {
  return serve(
    '/v1/chat/completions',
    (request) => request.headers.get('authorization')?.replace(/^Bearer /, '') ?? null,
    apiKey,
    respond,
    (text, body) => ({
      id: `chatcmpl-${crypto.randomUUID()}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: body.model,
      choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }],
      usage: { prompt_tokens: 100, completion_tokens: 50, total_tokens: 150 },
    }),
    '/v1',
  )
}
