import OpenAI, {APIConnectionError, APIConnectionTimeoutError, APIError} from 'openai'
import type {z} from 'zod'

import {formatPath, InputError} from '../errors.js'
import {Interrupted} from '../util/cooperative.js'
import {displayUrl} from './display-url.js'

/** A failed request: an InputError that also keeps the HTTP status and what the server said (key redacted). */
export class EndpointError extends InputError {
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly said: string,
    options?: {cause?: unknown},
  ) {
    super(message, options)
  }
}

/** How to reach an OpenAI-compatible server (config `eval.endpoint`, flags `--endpoint`, `--endpoint-model`). */
export interface EndpointSettings {
  /** Base URL, e.g. http://127.0.0.1:8000/v1 */
  url: string
  /** The model to ask for; absent = the only one /v1/models lists. */
  model?: string
  /** Environment variable holding the API key (sent as a bearer token, never stored or printed). */
  apiKeyEnv: string
  /** Requests in flight at once. */
  concurrency: number
  timeoutSeconds: number
  /** Retries of a request on 408/409/429/5xx and connection errors (exponential backoff with jitter, Retry-After honoured). */
  maxRetries: number
  /** Route for generations; perplexity always uses /completions. */
  api: 'completions' | 'chat'
}

/**
 * A thin layer over the `openai` client (its retries: 0.5 s doubling to at most 8 s, minus up to
 * 25% jitter, or what `Retry-After`/`retry-after-ms` asks for; its per-request timeout) that
 * validates every response with zod and turns every failure into one InputError sentence naming
 * the URL, the status and what to do. The API key is redacted from any message a server sends back.
 */
export class EndpointClient {
  readonly url: string
  private readonly client: OpenAI
  private readonly apiKey: string | undefined

  constructor(
    readonly settings: EndpointSettings,
    env: NodeJS.ProcessEnv,
    /** aborts requests in flight and retries (SIGTERM, Ctrl-C); calls then throw Interrupted */
    private readonly signal?: AbortSignal,
  ) {
    let parsed: URL
    try {
      parsed = new URL(settings.url)
    } catch {
      throw new InputError(`--endpoint "${settings.url}": not a URL; give the server's base URL, e.g. http://127.0.0.1:8000/v1.`)
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new InputError(`--endpoint "${settings.url}": only http and https URLs are supported.`)
    }
    this.url = displayUrl(settings.url)
    const key = env[settings.apiKeyEnv]
    this.apiKey = key === undefined || key === '' ? undefined : key
    this.client = new OpenAI({
      baseURL: settings.url.replace(/\/+$/, ''),
      // Without a key no Authorization header is sent (local servers need none).
      apiKey: this.apiKey ?? 'unused',
      ...(this.apiKey === undefined ? {defaultHeaders: {Authorization: null}} : {}),
      adminAPIKey: null,
      organization: null,
      project: null,
      webhookSecret: null,
      maxRetries: settings.maxRetries,
      timeout: settings.timeoutSeconds * 1000,
      logLevel: 'off',
    })
  }

  /** GET {url}/models, validated. */
  async get<T>(path: string, schema: z.ZodType<T>, what: string): Promise<T> {
    return this.call(path, schema, what, () => this.client.get(path, {signal: this.signal}))
  }

  /** POST {url}{path} with a JSON body, validated; `what` names the request in errors (e.g. `record "a-1"`). */
  async post<T>(path: string, body: Record<string, unknown>, schema: z.ZodType<T>, what: string): Promise<T> {
    return this.call(path, schema, what, () => this.client.post(path, {body, signal: this.signal}))
  }

  private async call<T>(path: string, schema: z.ZodType<T>, what: string, send: () => PromiseLike<unknown>): Promise<T> {
    let raw: unknown
    try {
      raw = await send()
    } catch (error) {
      if (this.signal?.aborted === true) throw new Interrupted(String(this.signal.reason ?? 'aborted'))
      throw this.failure(error, path, what)
    }
    const parsed = schema.safeParse(raw)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      throw new InputError(
        `${this.url}${path}: malformed response for ${what}: field "${formatPath(issue.path) || '(root)'}": ${issue.message}; is this an OpenAI-compatible server?`,
      )
    }
    return parsed.data
  }

  /** One sentence for a failed request (after the client's retries). */
  failure(error: unknown, path: string, what: string): EndpointError {
    const where = `${this.url}${path}`
    const retries = this.settings.maxRetries === 0 ? '' : ` (after ${this.settings.maxRetries} retries)`
    if (error instanceof APIConnectionTimeoutError) {
      return new EndpointError(`${where}: no answer within ${this.settings.timeoutSeconds} s for ${what}${retries}; raise eval.endpoint.timeoutSeconds or check the server.`, undefined, 'timeout', {cause: error})
    }
    if (error instanceof APIConnectionError) {
      const code = causeCode(error)
      return new EndpointError(`${where}: cannot reach the server${code ? ` (${code})` : ''} for ${what}${retries}; start it or fix --endpoint.`, undefined, code ?? 'connection error', {cause: error})
    }
    if (error instanceof APIError && error.status !== undefined) {
      const said = this.redact(error.message.replace(/^\d+ /, ''))
      if (error.status === 401 || error.status === 403) {
        const key = this.apiKey === undefined ? `no API key was sent (${this.settings.apiKeyEnv} is not set)` : `the key in ${this.settings.apiKeyEnv} was refused`
        return new EndpointError(`${where}: ${error.status} ${said} — ${key}; set ${this.settings.apiKeyEnv} (eval.endpoint.apiKeyEnv names the variable) to a valid key.`, error.status, said, {cause: error})
      }
      if (error.status === 404 && path === '/models') {
        return new EndpointError(`${where}: 404, the server has no /models route; check that --endpoint is the base URL ending in /v1.`, 404, said, {cause: error})
      }
      const hint = error.status === 429 || error.status >= 500 ? `the server kept failing${retries}` : 'the server refused the request'
      return new EndpointError(`${where}: ${error.status} ${said} for ${what}; ${hint}.`, error.status, said, {cause: error})
    }
    const said = this.redact((error as Error).message)
    return new EndpointError(`${where}: ${said} for ${what}.`, undefined, said, {cause: error})
  }

  private redact(text: string): string {
    const clipped = text.length > 300 ? `${text.slice(0, 300)}…` : text
    return this.apiKey === undefined ? clipped : clipped.split(this.apiKey).join('***')
  }
}

function causeCode(error: Error): string | undefined {
  let e: unknown = error
  for (let i = 0; i < 4 && e instanceof Error; i++) {
    const code = (e as NodeJS.ErrnoException).code
    if (typeof code === 'string') return code
    e = e.cause
  }
  return undefined
}
