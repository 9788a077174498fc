import Type, { type Static, type TSchema } from 'typebox'
import Value from 'typebox/value'
import type { Limits } from './core/limits.ts'
import { ENGINE_KINDS, type EngineSelection } from './engines/create-engine.ts'
import type { RemoteEngineOptions } from './engines/remote/remote-options.ts'

/**
 * The environment, as typed and validated options (design §4: every limit is a config value with a
 * sane default). A bad value stops the process at start with a message naming the variable, rather
 * than surfacing as odd behaviour on the first request.
 */

const integer = (description: string, options: { minimum: number, maximum?: number, default?: number }) =>
  Type.Integer({ description, ...options })

/** A remote engine option: any non-negative integer that converts exactly. */
const remoteInteger = (description: string) => integer(description, { minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

/** Every variable the service reads, with its default. README's configuration table mirrors this. */
export const ENV_SCHEMA = Type.Object({
  PORT: integer('TCP port to listen on.', { minimum: 0, maximum: 65535, default: 8080 }),
  HOST: Type.String({ minLength: 1, default: '0.0.0.0', description: 'Interface to bind.' }),
  LOG_LEVEL: Type.Enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    { default: 'info', description: 'pino log level.' }),
  ENGINE: Type.Enum(ENGINE_KINDS, {
    default: 'cpu',
    description: 'Engine computing the tensors: cpu (embedded worker pool), mlx (MLX via @frost-beta/mlx; start fails if it cannot load), auto (mlx on Apple silicon when it loads, else cpu), remote (a gateway over WORKER_HOSTS, with the REMOTE_* options).'
  }),
  WORKER_THREADS: Type.Optional(integer('CPU engine worker threads (default: the available cores).', { minimum: 1, maximum: 1024 })),
  MLX_WORKERS: Type.Optional(integer('mlx engine worker threads (default 1: one GPU is best fed by one queue).', { minimum: 1, maximum: 64 })),
  CHUNK_BYTES: Type.Optional(integer('Bytes per generated chunk (default: the engine\'s, 2 MiB for cpu).', { minimum: 4096, maximum: 64 * 2 ** 20 })),
  MAX_ELEMENTS: integer('Most elements in one tensor.', { minimum: 1, maximum: 2 ** 53 - 1, default: 2 ** 32 }),
  MAX_BYTES: integer('Most bytes of element data in one tensor (4 GiB).', { minimum: 1, maximum: 2 ** 53 - 1, default: 4 * 2 ** 30 }),
  MAX_RANK: integer('Most dimensions in a shape.', { minimum: 1, maximum: 64, default: 32 }),
  MAX_DRAW: integer('Highest `draw` index (each step costs one key split).', { minimum: 0, maximum: 2 ** 32, default: 1_000_000 }),
  JSON_MAX_ELEMENTS: integer('Most elements in a JSON representation; larger tensors get a 413 pointing to the binary formats.', { minimum: 1, maximum: 100_000_000, default: 1_000_000 }),
  SHUTDOWN_GRACE_MS: integer('On SIGTERM, how long in-flight responses may run before they are cut.', { minimum: 0, maximum: 3_600_000, default: 10_000 }),
  PUBLIC_URL: Type.Optional(Type.String({ pattern: '^https?://[^\\s]+$', description: 'Base URL published as the OpenAPI server (default: relative to the document).' })),
  // Protection against slow or greedy clients (docs/reliability.md).
  MAX_STREAMS: integer('Most responses streaming at once across the process; past it, 503 overloaded with Retry-After.', { minimum: 1, maximum: 1_000_000, default: 256 }),
  MAX_BUFFERED_BYTES: integer('Most bytes computed but not yet sent (engine chunks in flight, JSON bodies) across all responses, reserved at admission; past it, 503 overloaded with Retry-After.', { minimum: 1024 * 1024, maximum: 2 ** 53 - 1, default: 256 * 2 ** 20 }),
  SEND_TIMEOUT_MS: integer('A response whose socket takes no bytes for this long is destroyed (and counted in /metrics).', { minimum: 1, maximum: 3_600_000, default: 60_000 }),
  MAX_CONNECTIONS: integer('Most open TCP connections; further ones are refused by the server.', { minimum: 1, maximum: 1_000_000, default: 1024 }),
  MAX_REQUESTS_PER_SOCKET: integer('Most requests on one kept-alive connection (0: no limit); the last response closes it.', { minimum: 0, maximum: 2 ** 31 - 1, default: 10_000 }),
  HEADERS_TIMEOUT_MS: integer('Time a client has to send the request line and headers.', { minimum: 1, maximum: 3_600_000, default: 10_000 }),
  REQUEST_TIMEOUT_MS: integer('Time a client has to send the whole request (headers and body).', { minimum: 1, maximum: 3_600_000, default: 30_000 }),
  KEEP_ALIVE_TIMEOUT_MS: integer('How long an idle kept-alive connection stays open.', { minimum: 1, maximum: 3_600_000, default: 72_000 }),
  WHOLE_TENSOR_CONCURRENCY: integer('Whole-matrix computations (orthogonal QR) running at once; others wait, small requests never do.', { minimum: 1, maximum: 1024, default: 1 }),
  WHOLE_TENSOR_CACHE_BYTES: integer('Bytes of whole-matrix results kept (LRU by plan digest) so a Range or retry does not recompute (0: none).', { minimum: 0, maximum: 2 ** 53 - 1, default: 64 * 2 ** 20 }),
  // Admission per client (docs/reliability.md).
  API_KEYS_FILE: Type.Optional(Type.String({ minLength: 1, description: 'File of API keys, one SHA-256 hex digest per line; when set, every route but /healthz and /readyz needs Authorization: Bearer <key>.' })),
  RATE_LIMIT_MAX: integer('Requests per client per RATE_LIMIT_WINDOW_MS (0: no limit); a client is its API key, else its address.', { minimum: 0, maximum: 2 ** 31 - 1, default: 0 }),
  RATE_LIMIT_WINDOW_MS: integer('The rate limit window.', { minimum: 1, maximum: 86_400_000, default: 60_000 }),
  TRUST_PROXY: Type.Enum(['false', 'true'], { default: 'false', description: 'true: the client address is taken from X-Forwarded-For (behind a trusted proxy).' }),
  CORS_ORIGINS: Type.Optional(Type.String({ minLength: 1, description: 'Origins allowed to call the API from a browser: a comma-separated list, or * (default: no CORS headers).' })),
  // The remote engine (docs/topologies.md). Their ranges and defaults are the engine's own
  // (resolveRemoteOptions, REMOTE_DEFAULTS), checked when it starts; here they are only parsed.
  WORKER_HOSTS: Type.Optional(Type.String({ description: 'ENGINE=remote (required there): comma-separated origins of other instances of this service (http://host:port).' })),
  REMOTE_PART_BYTES: Type.Optional(remoteInteger('Bytes per sub-range fetched from one host (default 4 MiB).')),
  REMOTE_CONNECTIONS_PER_HOST: Type.Optional(remoteInteger('Requests in flight per host (default 2).')),
  REMOTE_WINDOW_PARTS: Type.Optional(remoteInteger('Sub-ranges in flight per response (default 0: hosts x connections, 2..16).')),
  REMOTE_HEADERS_TIMEOUT_MS: Type.Optional(remoteInteger('A host that sends no headers for this long is skipped (default 10000).')),
  REMOTE_BODY_TIMEOUT_MS: Type.Optional(remoteInteger('A host that sends no body bytes for this long is skipped (default 10000).')),
  REMOTE_CONNECT_TIMEOUT_MS: Type.Optional(remoteInteger('TCP connect timeout per host (default 5000).')),
  REMOTE_HEALTH_INTERVAL_MS: Type.Optional(remoteInteger('Period of the /readyz poll (default 1000).')),
  REMOTE_HEALTH_TIMEOUT_MS: Type.Optional(remoteInteger('Timeout of one /readyz poll (default 1500).')),
  REMOTE_MAX_ATTEMPTS: Type.Optional(remoteInteger('Hosts tried for one sub-range before the response fails (default 5).')),
  REMOTE_EXACTNESS: Type.Optional(Type.Enum(['largest', 'exact'], { description: 'Which exactness class serves when ready hosts disagree: largest (the class with the most ready hosts) or exact (exact hosts only); default largest.' }))
}, { additionalProperties: false })

type Env = Static<typeof ENV_SCHEMA>

/** The engine the environment selects; buildApp adds its logger. */
export type EngineConfig = Omit<EngineSelection, 'logger' | 'host'>

/** Connection-level protection: Node's http.Server options and the stalled-reader cut. */
export interface ConnectionConfig {
  maxConnections: number
  /** 0: no limit. */
  maxRequestsPerSocket: number
  headersTimeoutMs: number
  requestTimeoutMs: number
  keepAliveTimeoutMs: number
  sendTimeoutMs: number
}

/** What all responses together may hold (docs/reliability.md, admission). */
export interface AdmissionConfig {
  maxStreams: number
  maxBufferedBytes: number
}

/** Who may call, and how often. */
export interface AccessConfig {
  /** File of SHA-256 hex digests of the API keys; undefined: no authentication. */
  apiKeysFile?: string
  /** Requests per client per window; 0: no limit. */
  rateLimitMax: number
  rateLimitWindowMs: number
  trustProxy: boolean
  /** Allowed browser origins ('*' for any); empty: no CORS. */
  corsOrigins: string[]
}

export interface Config {
  port: number
  host: string
  logLevel: Env['LOG_LEVEL']
  engine: EngineConfig
  limits: Limits
  connections: ConnectionConfig
  admission: AdmissionConfig
  access: AccessConfig
  shutdownGraceMs: number
  publicUrl?: string
}

export class ConfigError extends Error {
  readonly problems: string[]
  constructor (problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  ${p}`).join('\n')}`)
    this.name = 'ConfigError'
    this.problems = problems
  }
}

const NUMBER_TYPES = new Set(['integer', 'number'])
/** Digits with optional `_` separators ("4_294_967_296"), as one would write them in code. */
const INTEGER_TEXT = /^-?\d+(_\d+)*$/

/**
 * Environment values are strings; integers are converted here by a strict rule instead of
 * TypeBox's Convert, which would turn "1.5" into 1 and "" into 0.
 */
function coerce (schema: TSchema, text: string): unknown {
  const type = (schema as { type?: unknown }).type
  if (typeof type === 'string' && NUMBER_TYPES.has(type) && INTEGER_TEXT.test(text)) return Number(text.replaceAll('_', ''))
  return text
}

/** What a variable's schema accepts, in words, for the message naming a bad value. */
function describeAccepted (schema: TSchema): string {
  const s = schema as { type?: string, enum?: unknown[], minimum?: number, maximum?: number, pattern?: string }
  if (s.enum !== undefined) return `one of ${s.enum.join(', ')}`
  if (s.type === 'integer') return `an integer in [${s.minimum ?? '-inf'}, ${s.maximum ?? 'inf'}]`
  if (s.pattern !== undefined) return `a string matching ${s.pattern}`
  return 'a non-empty string'
}

/** Reads the service's variables from `env`; unset or empty variables take their default. */
export function loadConfig (env: Readonly<Record<string, string | undefined>> = process.env): Config {
  const raw: Record<string, unknown> = {}
  const properties = ENV_SCHEMA.properties as Record<string, TSchema>
  for (const [name, schema] of Object.entries(properties)) {
    const text = env[name]
    if (text !== undefined && text.trim() !== '') raw[name] = coerce(schema, text.trim())
  }
  const withDefaults = Value.Default(ENV_SCHEMA, raw)
  const problems: string[] = []
  const seen = new Set<string>()
  for (const error of Value.Errors(ENV_SCHEMA, withDefaults)) {
    const name = error.instancePath.slice(1).split('/')[0] ?? ''
    if (seen.has(name)) continue
    seen.add(name)
    const schema = properties[name]
    problems.push(schema === undefined
      ? error.message
      : `${name}=${JSON.stringify(env[name])}: must be ${describeAccepted(schema)}.`)
  }
  const e = withDefaults as Env
  const workerHosts = (e.WORKER_HOSTS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (e.ENGINE === 'remote' && workerHosts.length === 0) {
    problems.push('ENGINE=remote needs WORKER_HOSTS, a comma-separated list of origins (http://host:port).')
  }
  if (problems.length > 0) throw new ConfigError(problems)
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    engine: {
      kind: e.ENGINE,
      ...(e.WORKER_THREADS === undefined ? {} : { threads: e.WORKER_THREADS }),
      ...(e.CHUNK_BYTES === undefined ? {} : { chunkBytes: e.CHUNK_BYTES }),
      ...(e.MLX_WORKERS === undefined ? {} : { mlx: { concurrency: e.MLX_WORKERS } }),
      ...(e.ENGINE === 'remote' ? { remote: remoteOptions(e, workerHosts) } : {}),
      wholeTensor: { concurrency: e.WHOLE_TENSOR_CONCURRENCY, cacheBytes: e.WHOLE_TENSOR_CACHE_BYTES }
    },
    limits: {
      maxElements: e.MAX_ELEMENTS,
      maxBytes: e.MAX_BYTES,
      maxRank: e.MAX_RANK,
      maxDraw: e.MAX_DRAW,
      jsonMaxElements: e.JSON_MAX_ELEMENTS
    },
    connections: {
      maxConnections: e.MAX_CONNECTIONS,
      maxRequestsPerSocket: e.MAX_REQUESTS_PER_SOCKET,
      headersTimeoutMs: e.HEADERS_TIMEOUT_MS,
      requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
      keepAliveTimeoutMs: e.KEEP_ALIVE_TIMEOUT_MS,
      sendTimeoutMs: e.SEND_TIMEOUT_MS
    },
    admission: { maxStreams: e.MAX_STREAMS, maxBufferedBytes: e.MAX_BUFFERED_BYTES },
    access: {
      ...(e.API_KEYS_FILE === undefined ? {} : { apiKeysFile: e.API_KEYS_FILE }),
      rateLimitMax: e.RATE_LIMIT_MAX,
      rateLimitWindowMs: e.RATE_LIMIT_WINDOW_MS,
      trustProxy: e.TRUST_PROXY === 'true',
      corsOrigins: (e.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '')
    },
    shutdownGraceMs: e.SHUTDOWN_GRACE_MS,
    ...(e.PUBLIC_URL === undefined ? {} : { publicUrl: e.PUBLIC_URL })
  }
}

/** Which REMOTE_* variable sets which remote engine option. */
const REMOTE_INTEGER_OPTIONS = {
  REMOTE_PART_BYTES: 'partBytes',
  REMOTE_CONNECTIONS_PER_HOST: 'connectionsPerHost',
  REMOTE_WINDOW_PARTS: 'windowParts',
  REMOTE_HEADERS_TIMEOUT_MS: 'headersTimeoutMs',
  REMOTE_BODY_TIMEOUT_MS: 'bodyTimeoutMs',
  REMOTE_CONNECT_TIMEOUT_MS: 'connectTimeoutMs',
  REMOTE_HEALTH_INTERVAL_MS: 'healthIntervalMs',
  REMOTE_HEALTH_TIMEOUT_MS: 'healthTimeoutMs',
  REMOTE_MAX_ATTEMPTS: 'maxAttemptsPerPart'
} as const satisfies Partial<Record<keyof Env, keyof RemoteEngineOptions>>

/** WORKER_HOSTS and the REMOTE_* variables that are set, as the remote engine's options. */
function remoteOptions (e: Env, hosts: string[]): RemoteEngineOptions {
  const options: RemoteEngineOptions = { hosts }
  for (const [name, option] of Object.entries(REMOTE_INTEGER_OPTIONS)) {
    const value = e[name as keyof typeof REMOTE_INTEGER_OPTIONS]
    if (value !== undefined) options[option] = value
  }
  if (e.REMOTE_EXACTNESS !== undefined) options.exactness = e.REMOTE_EXACTNESS
  return options
}

/** The configuration with every default: what buildApp uses when given no config. */
export function defaultConfig (): Config {
  return loadConfig({})
}
