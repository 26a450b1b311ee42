import {createHash, randomBytes, timingSafeEqual} from 'node:crypto'
import {createServer, type IncomingMessage, type Server, type ServerResponse} from 'node:http'
import type {AddressInfo} from 'node:net'

import {formatPath} from '../errors.js'
import type {CompletionEngine} from './engine.js'
import {completionRequestSchema, completionSettings} from './request-schema.js'

export interface ServeOptions {
  engine: CompletionEngine
  /** The id `/v1/models` lists and requests name in `model`. */
  modelName: string
  /** Extra facts `/v1/models` gives under `lrgate` (tokenizer identity, context length). */
  modelInfo: Record<string, unknown>
  host: string
  /** 0 = an ephemeral port */
  port: number
  /** When set, every request needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string
}

export interface RunningServer {
  /** Base URL clients use, e.g. http://127.0.0.1:8000/v1 */
  url: string
  server: Server
  /** Stops accepting connections, ends idle ones and resolves once every request has been answered. */
  close(): Promise<void>
}

const MAX_BODY = 4 * 1024 * 1024

/** An error answered in OpenAI's shape: `{"error": {"message", "type", "param", "code"}}`. */
class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type = 'invalid_request_error',
    readonly param: string | null = null,
    readonly code: string | null = null,
  ) {
    super(message)
  }
}

/**
 * Starts an OpenAI-compatible server for one model: `GET /v1/models`, `POST /v1/completions`.
 * Malformed requests get a 4xx JSON error in OpenAI's error shape; engine failures a 500.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const created = Math.floor(Date.now() / 1000)
  const keyHash = options.apiKey === undefined ? undefined : sha256(options.apiKey)
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const e = error instanceof HttpError ? error : new HttpError(500, `the model failed: ${(error as Error).message}`, 'server_error')
      send(res, e.status, {error: {message: e.message, type: e.type, param: e.param, code: e.code}})
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (keyHash !== undefined) {
      const given = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1]
      if (given === undefined || !timingSafeEqual(sha256(given), keyHash)) {
        throw new HttpError(401, 'Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key')
      }
    }
    const path = (req.url ?? '/').split('?')[0].replace(/\/+$/, '')
    if (path === '/v1/models' && req.method === 'GET') {
      send(res, 200, {object: 'list', data: [{id: options.modelName, object: 'model', created, owned_by: 'lrgate', lrgate: options.modelInfo}]})
      return
    }
    if (path === '/v1/completions' && req.method === 'POST') {
      const body = await readJson(req)
      const parsed = completionRequestSchema.safeParse(body)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        const param = formatPath(issue.path) || null
        const message =
          issue.code === 'unrecognized_keys' ? `unsupported parameter "${issue.keys[0]}"` : `${param === null ? 'request body' : `"${param}"`}: ${issue.message}`
        throw new HttpError(400, message, 'invalid_request_error', issue.code === 'unrecognized_keys' ? issue.keys[0] : param)
      }
      if (parsed.data.model !== undefined && parsed.data.model !== options.modelName) {
        throw new HttpError(404, `The model \`${parsed.data.model}\` does not exist; this server serves "${options.modelName}".`, 'invalid_request_error', 'model', 'model_not_found')
      }
      const settings = completionSettings(parsed.data)
      const choices = await options.engine.complete(settings)
      const promptTokens = choices.reduce((n, c) => n + c.promptTokens, 0)
      const completionTokens = choices.reduce((n, c) => n + c.completionTokens, 0)
      send(res, 200, {
        id: `cmpl-${randomBytes(12).toString('hex')}`,
        object: 'text_completion',
        created: Math.floor(Date.now() / 1000),
        model: options.modelName,
        choices: choices.map((c, index) => ({index, text: c.text, logprobs: c.logprobs, finish_reason: c.finishReason})),
        usage: {prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens},
      })
      return
    }
    if (path === '/v1/models' || path === '/v1/completions') throw new HttpError(405, `${req.method} is not allowed on ${path}.`)
    throw new HttpError(404, `no route ${req.method} ${path}; this server has GET /v1/models and POST /v1/completions.`, 'invalid_request_error', null, 'not_found')
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return {
    url: `http://${host}:${address.port}/v1`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeIdleConnections()
      }),
  }
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text).digest()
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return
  const text = JSON.stringify(body)
  res.writeHead(status, {'content-type': 'application/json', 'content-length': Buffer.byteLength(text)})
  res.end(text)
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY) throw new HttpError(413, `the request body is over ${MAX_BODY} bytes.`)
    chunks.push(chunk as Buffer)
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'))
  } catch (error) {
    throw new HttpError(400, `the request body is not valid JSON (${(error as Error).message}).`)
  }
}
