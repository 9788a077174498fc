import { describe, expect, test } from 'vitest'
import { ConfigError, ENV_SCHEMA, loadConfig } from '../../src/config.ts'

describe('loadConfig', () => {
  test('defaults: port 8080 on all interfaces, cpu engine, 4 GiB tensors', () => {
    const config = loadConfig({})
    expect(config.port).toBe(8080)
    expect(config.host).toBe('0.0.0.0')
    expect(config.logLevel).toBe('info')
    expect(config.engine).toEqual({ kind: 'cpu' })
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
      PUBLIC_URL: 'https://tensors.example.org'
    })
    expect(config).toEqual({
      port: 9000,
      host: '127.0.0.1',
      logLevel: 'debug',
      engine: { kind: 'auto', threads: 3, chunkBytes: 2 * 2 ** 20, mlx: { concurrency: 2 } },
      limits: { maxElements: 1000, maxBytes: 4000, maxRank: 4, maxDraw: 10, jsonMaxElements: 100 },
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

  test('every variable has a description (the README table is built from them)', () => {
    for (const [name, schema] of Object.entries(ENV_SCHEMA.properties)) {
      expect((schema as { description?: string }).description, name).toMatch(/\S/)
    }
  })
})
