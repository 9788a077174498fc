import { describe, expect, test } from 'vitest'
import { ConfigError, ENV_SCHEMA, loadConfig } from '../../src/config.ts'

describe('loadConfig', () => {
  test('defaults: port 8080 on all interfaces, cpu engine, 4 GiB tensors', () => {
    const config = loadConfig({})
    expect(config.port).toBe(8080)
    expect(config.host).toBe('0.0.0.0')
    expect(config.logLevel).toBe('info')
    expect(config.engine).toEqual({ kind: 'cpu', wholeTensor: { concurrency: 1, cacheBytes: 64 * 2 ** 20 } })
    expect(config.connections).toEqual({
      maxConnections: 1024,
      maxRequestsPerSocket: 10_000,
      headersTimeoutMs: 10_000,
      requestTimeoutMs: 30_000,
      keepAliveTimeoutMs: 72_000,
      sendTimeoutMs: 60_000
    })
    expect(config.admission).toEqual({ maxStreams: 256, maxBufferedBytes: 256 * 2 ** 20 })
    expect(config.access).toEqual({ rateLimitMax: 0, rateLimitWindowMs: 60_000, trustProxy: false, corsOrigins: [] })
    expect(config.limits).toEqual({
      maxElements: 2 ** 32,
      maxBytes: 4 * 2 ** 30,
      maxRank: 32,
      maxDraw: 1_000_000,
      jsonMaxElements: 1_000_000
    })
    expect(config.shutdownGraceMs).toBe(10_000)
    expect(config.publicUrl).toBeUndefined()
  })

  test('reads and converts every variable', () => {
    const config = loadConfig({
      PORT: '9000',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      ENGINE: 'auto',
      WORKER_THREADS: '3',
      MLX_WORKERS: '2',
      CHUNK_BYTES: '2_097_152',
      MAX_ELEMENTS: '1000',
      MAX_BYTES: '4000',
      MAX_RANK: '4',
      MAX_DRAW: '10',
      JSON_MAX_ELEMENTS: '100',
      SHUTDOWN_GRACE_MS: '500',
      PUBLIC_URL: 'https://tensors.example.org',
      MAX_STREAMS: '7',
      MAX_BUFFERED_BYTES: '2_097_152',
      SEND_TIMEOUT_MS: '1500',
      MAX_CONNECTIONS: '11',
      MAX_REQUESTS_PER_SOCKET: '0',
      HEADERS_TIMEOUT_MS: '200',
      REQUEST_TIMEOUT_MS: '300',
      KEEP_ALIVE_TIMEOUT_MS: '400',
      WHOLE_TENSOR_CONCURRENCY: '2',
      WHOLE_TENSOR_CACHE_BYTES: '0',
      API_KEYS_FILE: '/etc/tensor-init/keys',
      RATE_LIMIT_MAX: '100',
      RATE_LIMIT_WINDOW_MS: '1000',
      TRUST_PROXY: 'true',
      CORS_ORIGINS: 'https://a.example, https://b.example'
    })
    expect(config).toEqual({
      port: 9000,
      host: '127.0.0.1',
      logLevel: 'debug',
      engine: { kind: 'auto', threads: 3, chunkBytes: 2 * 2 ** 20, mlx: { concurrency: 2 }, wholeTensor: { concurrency: 2, cacheBytes: 0 } },
      limits: { maxElements: 1000, maxBytes: 4000, maxRank: 4, maxDraw: 10, jsonMaxElements: 100 },
      connections: { maxConnections: 11, maxRequestsPerSocket: 0, headersTimeoutMs: 200, requestTimeoutMs: 300, keepAliveTimeoutMs: 400, sendTimeoutMs: 1500 },
      admission: { maxStreams: 7, maxBufferedBytes: 2 * 2 ** 20 },
      access: { apiKeysFile: '/etc/tensor-init/keys', rateLimitMax: 100, rateLimitWindowMs: 1000, trustProxy: true, corsOrigins: ['https://a.example', 'https://b.example'] },
      shutdownGraceMs: 500,
      publicUrl: 'https://tensors.example.org'
    })
  })

  test('empty values count as unset; unrelated variables are ignored', () => {
    expect(loadConfig({ PORT: '', PATH: '/usr/bin', MAX_RANK: '  ' }).port).toBe(8080)
  })

  test('bad values fail with one line per variable, naming the value and what is expected', () => {
    let error: unknown
    try {
      loadConfig({ PORT: '80a', ENGINE: 'gpu', MAX_BYTES: '1.5', WORKER_THREADS: '0', PUBLIC_URL: 'not a url' })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ConfigError)
    const problems = (error as ConfigError).problems
    expect(problems).toEqual([
      'PORT="80a": must be an integer in [0, 65535].',
      'ENGINE="gpu": must be one of cpu, mlx, auto, remote.',
      'WORKER_THREADS="0": must be an integer in [1, 1024].',
      'MAX_BYTES="1.5": must be an integer in [1, 9007199254740991].',
      'PUBLIC_URL="not a url": must be a string matching ^https?://[^\\s]+$.'
    ])
    expect((error as Error).message).toMatch(/^Invalid configuration:\n {2}PORT="80a"/)
  })

  test('integers are never truncated or guessed', () => {
    for (const text of ['1.0', '1e3', '0x10', '١٢']) {
      expect(() => loadConfig({ MAX_RANK: text }), text).toThrow(ConfigError)
    }
  })

  test('ENGINE=remote: WORKER_HOSTS and the REMOTE_* variables become the remote engine options', () => {
    const config = loadConfig({
      ENGINE: 'remote',
      WORKER_HOSTS: 'http://a:1, http://b:2,,',
      REMOTE_PART_BYTES: '1_048_576',
      REMOTE_BODY_TIMEOUT_MS: '2500',
      REMOTE_EXACTNESS: 'exact',
      REMOTE_WINDOW_PARTS: ''
    })
    expect(config.engine).toEqual({
      kind: 'remote',
      remote: { hosts: ['http://a:1', 'http://b:2'], partBytes: 1048576, bodyTimeoutMs: 2500, exactness: 'exact' },
      wholeTensor: { concurrency: 1, cacheBytes: 64 * 2 ** 20 }
    })
    // Every REMOTE_* integer reaches its option.
    const all = loadConfig({
      ENGINE: 'remote',
      WORKER_HOSTS: 'http://a:1',
      REMOTE_PART_BYTES: '1',
      REMOTE_CONNECTIONS_PER_HOST: '2',
      REMOTE_WINDOW_PARTS: '3',
      REMOTE_HEADERS_TIMEOUT_MS: '4',
      REMOTE_BODY_TIMEOUT_MS: '5',
      REMOTE_CONNECT_TIMEOUT_MS: '6',
      REMOTE_HEALTH_INTERVAL_MS: '7',
      REMOTE_HEALTH_TIMEOUT_MS: '8',
      REMOTE_MAX_ATTEMPTS: '9'
    })
    expect(all.engine.remote).toEqual({
      hosts: ['http://a:1'],
      partBytes: 1,
      connectionsPerHost: 2,
      windowParts: 3,
      headersTimeoutMs: 4,
      bodyTimeoutMs: 5,
      connectTimeoutMs: 6,
      healthIntervalMs: 7,
      healthTimeoutMs: 8,
      maxAttemptsPerPart: 9
    })
    // Another engine gets no remote options.
    expect(loadConfig({ WORKER_HOSTS: 'http://a:1' }).engine).toEqual({ kind: 'cpu', wholeTensor: { concurrency: 1, cacheBytes: 64 * 2 ** 20 } })
  })

  test('ENGINE=remote refuses to start without WORKER_HOSTS; REMOTE_* values are checked like the others', () => {
    const problemsOf = (env: Record<string, string>): string[] => {
      try {
        loadConfig(env)
      } catch (err) {
        if (err instanceof ConfigError) return err.problems
        throw err
      }
      throw new Error('expected a ConfigError')
    }
    expect(problemsOf({ ENGINE: 'remote' })).toEqual(['ENGINE=remote needs WORKER_HOSTS, a comma-separated list of origins (http://host:port).'])
    expect(problemsOf({ ENGINE: 'remote', WORKER_HOSTS: ' , ' })).toEqual(['ENGINE=remote needs WORKER_HOSTS, a comma-separated list of origins (http://host:port).'])
    expect(problemsOf({ ENGINE: 'remote', WORKER_HOSTS: 'http://a:1', REMOTE_MAX_ATTEMPTS: '2.5' })).toEqual([
      'REMOTE_MAX_ATTEMPTS="2.5": must be an integer in [0, 9007199254740991].'
    ])
    expect(problemsOf({ ENGINE: 'remote', WORKER_HOSTS: 'http://a:1', REMOTE_EXACTNESS: 'any' })).toEqual([
      'REMOTE_EXACTNESS="any": must be one of largest, exact.'
    ])
  })

  test('every variable has a description (the README table is built from them)', () => {
    for (const [name, schema] of Object.entries(ENV_SCHEMA.properties)) {
      expect((schema as { description?: string }).description, name).toMatch(/\S/)
    }
  })
})
