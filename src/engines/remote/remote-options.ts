import { EngineOptionError, integerOption } from '../toolkit/options.ts'

/**
 * Options of the remote (gateway) engine, validated eagerly (undici style): a bad value fails at
 * start, naming the option, instead of surfacing on the first request.
 */
export interface RemoteEngineOptions {
  /** Origins of other instances of this service, e.g. `http://mac-1:8080`. */
  hosts: readonly string[]
  /** Bytes per sub-range fetched from one host (rounded down to whole elements). */
  partBytes?: number
  /** Most requests in flight to one host (also the size of its undici Pool). */
  connectionsPerHost?: number
  /**
   * Sub-ranges in flight per response, fetched ahead of the consumer; bounds a stream's memory to
   * windowParts x partBytes. 0 means hosts x connectionsPerHost, clamped to [2, 16].
   */
  windowParts?: number
  /** How long a host may take to send response headers (it may be stalled: SIGSTOP, overload). */
  headersTimeoutMs?: number
  /** How long a host may go without sending body bytes before its sub-range moves elsewhere. */
  bodyTimeoutMs?: number
  connectTimeoutMs?: number
  /** Period of the /readyz poll that ejects and re-admits hosts. */
  healthIntervalMs?: number
  healthTimeoutMs?: number
  /** Hosts tried for one sub-range before the response fails. */
  maxAttemptsPerPart?: number
  /**
   * Which exactness class serves a profile when ready hosts disagree: `largest` picks the class
   * with the most ready hosts (ties: exact, then fewer ulp); `exact` admits exact hosts only.
   */
  exactness?: 'largest' | 'exact'
}

export type ResolvedRemoteOptions = Required<RemoteEngineOptions>

export const REMOTE_DEFAULTS: Omit<ResolvedRemoteOptions, 'hosts'> = {
  partBytes: 4 * 2 ** 20,
  connectionsPerHost: 2,
  windowParts: 0,
  // Issue 12: a frozen host must cost well under 2x the fault-free time of a download of a few
  // seconds. Health polling finds it within healthIntervalMs + healthTimeoutMs (2.5 s) and aborts
  // its parts in flight (WorkerHost.eject), so these timeouts only matter for a host whose
  // /readyz still answers while its tensor requests do not (a wedged engine): 10 s, not 30 s.
  // A /readyz answer costs the host microseconds of its main thread; 1.5 s of silence means
  // frozen, gone or badly overloaded, and a false alarm only moves the parts in flight.
  headersTimeoutMs: 10_000,
  bodyTimeoutMs: 10_000,
  connectTimeoutMs: 5_000,
  healthIntervalMs: 1_000,
  healthTimeoutMs: 1_500,
  maxAttemptsPerPart: 5,
  exactness: 'largest'
}

/** A remote engine option (or WORKER_HOSTS entry) is unusable: a start-up error like any engine option's. */
export class RemoteOptionsError extends EngineOptionError {
  constructor (message: string) {
    super(message)
    this.name = 'RemoteOptionsError'
  }
}

function checkInteger (name: string, value: number, minimum: number, maximum: number): void {
  integerOption(name, value, minimum, maximum, RemoteOptionsError)
}

/**
 * An origin as undici's Pool wants it: scheme, host and port, nothing else. A path would be
 * silently dropped by the Pool, so it is refused here instead.
 */
export function normalizeOrigin (text: string): string {
  let url: URL
  try {
    url = new URL(text.trim())
  } catch {
    throw new RemoteOptionsError(`worker host '${text}' is not a URL (expected http://host:port).`)
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RemoteOptionsError(`worker host '${text}' must use http or https.`)
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new RemoteOptionsError(`worker host '${text}' must be an origin (scheme://host:port) without path, query or credentials.`)
  }
  return url.origin
}

export function resolveRemoteOptions (options: RemoteEngineOptions): ResolvedRemoteOptions {
  const resolved: ResolvedRemoteOptions = { ...REMOTE_DEFAULTS, ...stripUndefined(options), hosts: [] }
  if (options.hosts.length === 0) throw new RemoteOptionsError('the remote engine needs at least one worker host.')
  const hosts = options.hosts.map(normalizeOrigin)
  const seen = new Set<string>()
  for (const host of hosts) {
    if (seen.has(host)) throw new RemoteOptionsError(`worker host ${host} is listed twice.`)
    seen.add(host)
  }
  resolved.hosts = hosts
  checkInteger('partBytes', resolved.partBytes, 8, 256 * 2 ** 20)
  checkInteger('connectionsPerHost', resolved.connectionsPerHost, 1, 256)
  checkInteger('windowParts', resolved.windowParts, 0, 1024)
  checkInteger('headersTimeoutMs', resolved.headersTimeoutMs, 1, 3_600_000)
  checkInteger('bodyTimeoutMs', resolved.bodyTimeoutMs, 1, 3_600_000)
  checkInteger('connectTimeoutMs', resolved.connectTimeoutMs, 1, 600_000)
  checkInteger('healthIntervalMs', resolved.healthIntervalMs, 10, 3_600_000)
  checkInteger('healthTimeoutMs', resolved.healthTimeoutMs, 1, 600_000)
  checkInteger('maxAttemptsPerPart', resolved.maxAttemptsPerPart, 1, 100)
  if (resolved.exactness !== 'largest' && resolved.exactness !== 'exact') {
    throw new RemoteOptionsError(`exactness must be 'largest' or 'exact', got ${String(resolved.exactness)}.`)
  }
  return resolved
}

function stripUndefined<T extends object> (value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}
