import { RemoteOptionsError, type RemoteEngineOptions } from './remote-options.ts'

/**
 * The remote engine's environment variables. They are read here rather than in src/config.ts so
 * that an instance not running as a gateway never needs them; the values are validated by
 * resolveRemoteOptions when the engine starts.
 */
export const REMOTE_ENV: Readonly<Record<string, { option: Exclude<keyof RemoteEngineOptions, 'hosts' | 'exactness'>, description: string }>> = {
  REMOTE_PART_BYTES: { option: 'partBytes', description: 'Bytes per sub-range fetched from one host (default 4 MiB).' },
  REMOTE_CONNECTIONS_PER_HOST: { option: 'connectionsPerHost', description: 'Requests in flight per host (default 2).' },
  REMOTE_WINDOW_PARTS: { option: 'windowParts', description: 'Sub-ranges in flight per response (default 0: hosts x connections, 2..16).' },
  REMOTE_HEADERS_TIMEOUT_MS: { option: 'headersTimeoutMs', description: 'A host that sends no headers for this long is skipped (default 30000).' },
  REMOTE_BODY_TIMEOUT_MS: { option: 'bodyTimeoutMs', description: 'A host that sends no body bytes for this long is skipped (default 30000).' },
  REMOTE_CONNECT_TIMEOUT_MS: { option: 'connectTimeoutMs', description: 'TCP connect timeout per host (default 5000).' },
  REMOTE_HEALTH_INTERVAL_MS: { option: 'healthIntervalMs', description: 'Period of the /readyz poll (default 2000).' },
  REMOTE_HEALTH_TIMEOUT_MS: { option: 'healthTimeoutMs', description: 'Timeout of one /readyz poll (default 2000).' },
  REMOTE_MAX_ATTEMPTS: { option: 'maxAttemptsPerPart', description: 'Hosts tried for one sub-range before the response fails (default 5).' }
}

const INTEGER = /^\d+(_\d+)*$/

/** WORKER_HOSTS=http://a:8080,http://b:8080 and the REMOTE_* variables as engine options. */
export function remoteOptionsFromEnv (env: Readonly<Record<string, string | undefined>>): RemoteEngineOptions {
  const list = (env.WORKER_HOSTS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '')
  if (list.length === 0) {
    throw new RemoteOptionsError('ENGINE=remote needs WORKER_HOSTS, a comma-separated list of origins (http://host:port).')
  }
  const options: RemoteEngineOptions = { hosts: list }
  for (const [name, { option }] of Object.entries(REMOTE_ENV)) {
    const text = env[name]?.trim()
    if (text === undefined || text === '') continue
    if (!INTEGER.test(text)) throw new RemoteOptionsError(`${name}=${JSON.stringify(text)}: must be a non-negative integer.`)
    options[option] = Number(text.replaceAll('_', ''))
  }
  const exactness = env.REMOTE_EXACTNESS?.trim()
  if (exactness !== undefined && exactness !== '') {
    if (exactness !== 'largest' && exactness !== 'exact') {
      throw new RemoteOptionsError(`REMOTE_EXACTNESS=${JSON.stringify(exactness)}: must be largest or exact.`)
    }
    options.exactness = exactness
  }
  return options
}
