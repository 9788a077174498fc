import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { buildApp } from '../../../src/app.ts'
import { createCpuEngine } from '../../../src/engines/cpu/cpu-engine.ts'
import type { Engine } from '../../../src/engines/engine.ts'
import { createMlxEngine } from '../../../src/engines/mlx/mlx-engine.ts'
import { describeOracle } from '../../support/mlx-oracle.ts'

/**
 * The HTTP service with ENGINE=mlx against the same service with the cpu engine: every tensor case
 * of the HTTP suite (harvested from test/http, so new cases join automatically) plus a matrix of
 * every MLX initializer, dtype, profile and format, ranges, HEAD, POST bodies and a checkpoint.
 * Status, every body byte and every header must match; the only allowed differences are the
 * engine's name where a representation states it (x-tensor-engine, safetensors'
 * tensor_init.engine) and per-request headers (date, request id).
 */

const HTTP_TESTS = fileURLToPath(new URL('../../http/', import.meta.url))

/** Every single-quoted GET URL of /v1/tensors with a query in test/http/**: the HTTP suite's cases. */
function httpSuiteUrls (): string[] {
  const urls = new Set<string>()
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.test.ts')) {
        for (const m of readFileSync(path, 'utf8').matchAll(/'(\/v1\/tensors\/[^'{}\s]*\?[^'\s]*)'/g)) urls.add(m[1]!)
      }
    }
  }
  walk(HTTP_TESTS)
  return [...urls].sort()
}

const DTYPES = ['float32', 'float16', 'bfloat16']
const MATRIX: Array<[string, string, string[]]> = [
  ['uniform', 'shape=37,29&low=-2&high=3', [...DTYPES, 'float64']],
  ['normal', 'shape=37,29&mean=0.5&std=0.02', [...DTYPES, 'float64']],
  ['normal', 'shape=1001', DTYPES],
  ['glorot_normal', 'shape=16,8,3,3', DTYPES],
  ['glorot_uniform', 'shape=33,17&gain=0.7', DTYPES],
  ['he_normal', 'shape=64,33,3&mode=fan_out', DTYPES],
  ['he_uniform', 'shape=5,5&gain=3', DTYPES],
  ['constant', 'shape=9,7&value=0.1', DTYPES],
  ['constant', 'shape=9,7&value=-7', ['int32', 'uint8', 'int64']],
  ['identity', 'shape=17,17', [...DTYPES, 'bool', 'int64']],
  ['sparse', 'shape=23,31&sparsity=0.3&std=0.5', DTYPES],
  ['orthogonal', 'shape=20,12&gain=1.5', DTYPES],
  ['keras.HeNormal', 'shape=12,10', DTYPES],
  ['torch.kaiming_uniform_', 'shape=12,10,3', DTYPES],
  ['jax.variance_scaling', 'shape=12,10&scale=2&mode=fan_avg&distribution=truncated_normal', DTYPES]
]

function matrixUrls (): string[] {
  const urls: string[] = []
  for (const [initializer, query, dtypes] of MATRIX) {
    for (const dtype of dtypes) {
      for (const profile of ['mlx-0.32', 'mlx-0.13']) urls.push(`/v1/tensors/${initializer}?${query}&dtype=${dtype}&seed=18446744073709551557&profile=${profile}`)
    }
  }
  return urls
}

const EXTRA: InjectOptions[] = [
  ...['npy', 'safetensors', 'json'].flatMap((format) => ['float32', 'bfloat16'].map((dtype) => ({ url: `/v1/tensors/he_normal?shape=24,9&dtype=${dtype}&seed=5&format=${format}` }))),
  { url: '/v1/tensors/normal?shape=300,301&dtype=float16&seed=9', headers: { range: 'bytes=1001-90000' } },
  { url: '/v1/tensors/normal?shape=300,301&dtype=float32&seed=9&profile=mlx-0.13', headers: { range: 'bytes=-77' } },
  { url: '/v1/tensors/sparse?shape=40,50&sparsity=0.5&dtype=bfloat16&seed=9&format=npy', headers: { range: 'bytes=128-2999' } },
  { method: 'HEAD', url: '/v1/tensors/glorot_uniform?shape=64,64&dtype=float16&seed=2' },
  { method: 'POST', url: '/v1/tensors', payload: { initializer: 'he_uniform', shape: [16, 8], dtype: 'bfloat16', key: [4294967295, 12345], params: { mode: 'fan_out' }, gain: 2 } },
  { method: 'POST', url: '/v1/tensors', payload: { initializer: 'normal', shape: [513], seed: '18446744073709551615', draw: 7, profile: 'mlx-0.13', params: { mean: -1, std: 3 } } },
  {
    method: 'POST',
    url: '/v1/checkpoints',
    payload: {
      seed: 3,
      tensors: [
        { name: 'embed.weight', shape: [10, 8], initializer: 'normal', params: { std: 0.02 } },
        { name: 'wq', shape: [8, 8], initializer: 'glorot_uniform', dtype: 'bfloat16' },
        { name: 'w1', shape: [16, 8], initializer: 'sparse', params: { sparsity: 0.25 } },
        { name: 'eye', shape: [4, 4], initializer: 'identity', dtype: 'uint8' },
        { name: 'conv', shape: [6, 3, 3, 2], initializer: 'he_normal', params: { mode: 'fan_out' }, gain: 1.5, dtype: 'float16' },
        { name: 'head', shape: [5, 8], initializer: 'he_uniform', dtype: 'float64' }
      ]
    }
  }
]

const PER_REQUEST = new Set(['date'])

interface Normalized { status: number, headers: Record<string, unknown>, body: Buffer, namesEngine: boolean }

/**
 * The response as the cpu engine would have sent it: engine names swapped, nothing else touched.
 * A body that names its engine (safetensors metadata) has other bytes on each engine, so its
 * strong ETag differs too (RFC 9110 §8.8.3); `namesEngine` says so and the ETag is set aside.
 */
function asCpu (res: LightMyRequestResponse): Normalized {
  const headers: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(res.headers)) {
    if (PER_REQUEST.has(name)) continue
    headers[name] = name === 'x-tensor-engine' && value === 'mlx' ? 'cpu' : value
  }
  // 'mlx' and 'cpu' have the same length, so every offset in the file holds.
  const text = res.rawPayload.toString('latin1')
  const namesEngine = /"tensor_init\.engine":"(mlx|cpu)"/.test(text)
  const body = Buffer.from(text.replaceAll('"tensor_init.engine":"mlx"', '"tensor_init.engine":"cpu"'), 'latin1')
  if (namesEngine) delete headers.etag
  return { status: res.statusCode, headers, body, namesEngine }
}

let mlxEngine: Engine
let cpuEngine: Engine
let mlxApp: FastifyInstance
let cpuApp: FastifyInstance

describeOracle('HTTP with the mlx engine against the cpu engine', () => {
  beforeAll(async () => {
    mlxEngine = await createMlxEngine({ chunkBytes: 256 * 1024 })
    cpuEngine = createCpuEngine({ threads: 1 })
    mlxApp = await buildApp({ engine: mlxEngine, logger: false })
    cpuApp = await buildApp({ engine: cpuEngine, logger: false })
  })

  afterAll(async () => {
    await mlxApp?.close()
    await cpuApp?.close()
    await mlxEngine?.close()
    await cpuEngine?.close()
  })

  const requests: InjectOptions[] = [
    ...httpSuiteUrls().map((url) => ({ url })),
    ...matrixUrls().map((url) => ({ url })),
    ...EXTRA
  ]

  it('harvests the HTTP suite\'s tensor cases', () => {
    expect(httpSuiteUrls().length).toBeGreaterThan(20)
  })

  it.each(requests.map((r) => [`${r.method ?? 'GET'} ${r.url as string}${r.headers?.range === undefined ? '' : ` (${String(r.headers.range)})`}`, r]))('%s', async (_name, request) => {
    // One request id for both: problem details echo it.
    const same = { ...request, headers: { ...request.headers, 'x-request-id': 'mlx-vs-cpu' } }
    const [fromMlx, fromCpu] = await Promise.all([mlxApp.inject(same), cpuApp.inject(same)])
    const ok = fromCpu.statusCode < 300
    if (ok && request.url !== '/v1/checkpoints') expect(fromMlx.headers['x-tensor-engine']).toBe('mlx')
    const mlx = asCpu(fromMlx)
    const cpu = asCpu(fromCpu)
    if (mlx.namesEngine) expect(fromMlx.headers.etag).not.toBe(fromCpu.headers.etag)
    expect(mlx.status).toBe(cpu.status)
    expect(mlx.headers).toEqual(cpu.headers)
    expect(mlx.body.length).toBe(cpu.body.length)
    expect(Buffer.compare(mlx.body, cpu.body), 'body bytes').toBe(0)
  })
})
