import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { executeRange } from '../../../src/engines/reference/execute.ts'
import { buildPlan } from '../../../src/initializers/build-plan.ts'
import { elementCount } from '../../../src/core/plan.ts'
import { useApp } from '../../support/helper.ts'

const getApp = useApp()
const dir = mkdtempSync(join(tmpdir(), 'tensor-init-http-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The bytes the reference kernels give for a request: what every format must carry. */
function expectedBytes (spec: Parameters<typeof buildPlan>[0]): Buffer {
  const plan = buildPlan(spec, 'json')
  return Buffer.from(executeRange(plan, 0, elementCount(plan.shape)))
}

function safetensorsParts (body: Buffer): { header: Record<string, any>, data: Buffer } {
  const n = Number(body.readBigUInt64LE(0))
  expect(n % 8).toBe(0)
  return { header: JSON.parse(body.subarray(8, 8 + n).toString('utf8')), data: body.subarray(8 + n) }
}

describe('GET /v1/tensors/{id}', () => {
  test('raw: the reference bytes, with shape, dtype and recipe in headers', async () => {
    const res = await getApp().app.inject('/v1/tensors/he_uniform?shape=16,8&seed=42&mode=fan_out&gain=2')
    expect(res.statusCode).toBe(200)
    expect(res.rawPayload).toEqual(expectedBytes({ initializer: 'he_uniform', shape: [16, 8], seed: 42, params: { mode: 'fan_out', gain: 2 } }))
    expect(res.headers).toMatchObject({
      'content-type': 'application/octet-stream',
      'content-length': String(16 * 8 * 4),
      'cache-control': 'public, max-age=31536000, immutable',
      'accept-ranges': 'bytes',
      vary: 'Accept',
      'content-disposition': 'attachment; filename="he_uniform_16x8_float32.bin"',
      'x-tensor-initializer': 'he_uniform',
      'x-tensor-shape': '16,8',
      'x-tensor-dtype': 'float32',
      'x-tensor-profile': 'mlx-0.32',
      'x-tensor-seed': '42',
      'x-tensor-draw': '0',
      'x-tensor-params': '{"gain":2,"mode":"fan_out"}',
      'x-tensor-engine': 'cpu',
      'x-tensor-exactness': 'exact',
      'x-tensor-mlx-exact': 'true',
      'x-tensor-keys-used': '1'
    })
    expect(res.headers.etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/)
  })

  test('defaults: float32, seed 0, draw 0, profile mlx-0.32; alias mlx is the same tensor', async () => {
    const { app } = getApp()
    const plain = await app.inject('/v1/tensors/normal?shape=64')
    const explicit = await app.inject('/v1/tensors/normal?shape=64&dtype=float32&seed=0&draw=0&profile=mlx')
    expect(explicit.rawPayload).toEqual(plain.rawPayload)
    expect(explicit.headers.etag).toBe(plain.headers.etag)
  })

  test('seed, draw, key and profile each change the tensor (and the ETag)', async () => {
    const { app } = getApp()
    const urls = [
      '/v1/tensors/normal?shape=64&seed=1',
      '/v1/tensors/normal?shape=64&seed=2',
      '/v1/tensors/normal?shape=64&seed=1&draw=1',
      '/v1/tensors/normal?shape=64&key=0,1',
      '/v1/tensors/normal?shape=64&seed=1&dtype=float16',
      '/v1/tensors/normal?shape=64&seed=1&dtype=float16&profile=mlx-0.13',
      '/v1/tensors/normal?shape=64&seed=18446744073709551615'
    ]
    const responses = await Promise.all(urls.map(async (url) => await app.inject(url)))
    expect(new Set(responses.map((r) => r.rawPayload.toString('base64'))).size).toBe(urls.length)
    expect(new Set(responses.map((r) => r.headers.etag)).size).toBe(urls.length)
    expect(responses[3]?.headers['x-tensor-key']).toBe('0,1')
    expect(responses[3]?.headers['x-tensor-seed']).toBeUndefined()
  })

  test('npy of every dtype: numpy.load gives the expected dtype, shape and values (bfloat16 as <V2, like MLX)', async () => {
    const cases = [
      ['glorot_normal?shape=5,7,3&seed=7', '<f4', [5, 7, 3]],
      ['uniform?shape=3,3&dtype=float16', '<f2', [3, 3]],
      ['uniform?shape=3,3&dtype=bfloat16', '|V2', [3, 3]],
      ['uniform?shape=3,3&dtype=float64', '<f8', [3, 3]],
      ['identity?shape=3,3&dtype=int64', '<i8', [3, 3]],
      ['identity?shape=3,3&dtype=uint8', '|u1', [3, 3]],
      ['identity?shape=4,4&dtype=bool', '|b1', [4, 4]],
      ['constant?shape=&value=3', '<f4', []]
    ] as const
    const files: string[] = []
    const raws: Buffer[] = []
    for (const [i, [query]] of cases.entries()) {
      const npy = await getApp().app.inject(`/v1/tensors/${query}&format=npy`)
      expect(npy.statusCode, query).toBe(200)
      expect(npy.headers['content-type']).toBe('application/x-npy')
      raws.push((await getApp().app.inject(`/v1/tensors/${query}`)).rawPayload)
      const file = join(dir, `${i}.npy`)
      writeFileSync(file, npy.rawPayload)
      files.push(file)
    }
    // One interpreter for all files: importing numpy takes seconds on a small machine.
    const script = 'import numpy, sys, json, base64\nfor f in sys.argv[1:]:\n    a = numpy.load(f)\n    print(json.dumps([a.dtype.str, list(a.shape), base64.b64encode(a.tobytes()).decode()]))'
    const lines = execFileSync('python3', ['-c', script, ...files], { encoding: 'utf8' }).trim().split('\n')
    for (const [i, [query, descr, shape]] of cases.entries()) {
      const [gotDescr, gotShape, data] = JSON.parse(lines[i] as string) as [string, number[], string]
      expect([gotDescr, gotShape], query).toEqual([descr, shape])
      expect(Buffer.from(data, 'base64'), query).toEqual(raws[i])
    }
    expect(raws[0]).toEqual(expectedBytes({ initializer: 'glorot_normal', shape: [5, 7, 3], seed: 7 }))
  })

  test('safetensors: one tensor named "tensor", the recipe in __metadata__', async () => {
    const res = await getApp().app.inject({ url: '/v1/tensors/he_normal?shape=4,6&seed=3&draw=2&dtype=bfloat16', headers: { accept: 'application/vnd.safetensors' } })
    expect(res.statusCode).toBe(200)
    expect(res.headers['content-type']).toBe('application/vnd.safetensors')
    const { header, data } = safetensorsParts(res.rawPayload)
    expect(header.tensor).toEqual({ dtype: 'BF16', shape: [4, 6], data_offsets: [0, 48] })
    expect(header.__metadata__).toEqual({
      format: 'pt',
      'tensor_init.initializer': 'he_normal',
      'tensor_init.params': '{"gain":1,"mode":"fan_in"}',
      'tensor_init.profile': 'mlx-0.32',
      'tensor_init.shape': '[4,6]',
      'tensor_init.dtype': 'bfloat16',
      'tensor_init.seed': '3',
      'tensor_init.draw': '2',
      'tensor_init.engine': 'cpu',
      'tensor_init.exactness': 'exact',
      'tensor_init.mlx_exact': 'true',
      'tensor_init.version': expect.stringMatching(/^\d+\.\d+\.\d+/)
    })
    expect(data).toEqual(expectedBytes({ initializer: 'he_normal', shape: [4, 6], seed: 3, draw: 2, dtype: 'bfloat16' }))
  })

  test('a 0-D scalar and an empty tensor', async () => {
    const { app } = getApp()
    const scalar = await app.inject('/v1/tensors/constant?shape=&value=2.5')
    expect(scalar.statusCode).toBe(200)
    expect(scalar.rawPayload.readFloatLE(0)).toBe(2.5)
    expect(scalar.headers['x-tensor-shape']).toBe('')
    expect(scalar.headers['content-disposition']).toContain('constant_scalar_float32.bin')
    const empty = await app.inject('/v1/tensors/uniform?shape=0,5&format=npy')
    expect(empty.statusCode).toBe(200)
    expect(empty.rawPayload.length).toBe(Number(empty.headers['content-length']))
  })
})

describe('POST /v1/tensors', () => {
  test('gives the bytes and ETag of the equivalent GET, in every format', async () => {
    const { app } = getApp()
    for (const format of ['raw', 'npy', 'safetensors'] as const) {
      const get = await app.inject(`/v1/tensors/he_normal?shape=32,16&seed=99&draw=3&mode=fan_out&gain=0.5&dtype=float16&format=${format}`)
      const post = await app.inject({
        method: 'POST',
        url: '/v1/tensors',
        payload: { initializer: 'he_normal', shape: [32, 16], seed: 99, draw: 3, params: { mode: 'fan_out' }, gain: 0.5, dtype: 'float16', format }
      })
      expect(post.statusCode, format).toBe(200)
      expect(post.rawPayload, format).toEqual(get.rawPayload)
      expect(post.headers.etag, format).toBe(get.headers.etag)
      expect(post.headers['content-type']).toBe(get.headers['content-type'])
    }
  })

  test('seeds beyond 2^53 as decimal strings, and explicit keys', async () => {
    const { app } = getApp()
    const big = '18446744073709551615'
    const get = await app.inject(`/v1/tensors/uniform?shape=8&seed=${big}`)
    const post = await app.inject({ method: 'POST', url: '/v1/tensors', payload: { initializer: 'uniform', shape: [8], seed: big } })
    expect(post.rawPayload).toEqual(get.rawPayload)
    const keyGet = await app.inject('/v1/tensors/uniform?shape=8&key=7,9')
    const keyPost = await app.inject({ method: 'POST', url: '/v1/tensors', payload: { initializer: 'uniform', shape: [8], key: [7, 9] } })
    expect(keyPost.rawPayload).toEqual(keyGet.rawPayload)
  })

  test('Range does not apply to POST (RFC 9110 §14.2): the full body', async () => {
    const res = await getApp().app.inject({ method: 'POST', url: '/v1/tensors', headers: { range: 'bytes=0-3' }, payload: { initializer: 'uniform', shape: [8] } })
    expect(res.statusCode).toBe(200)
    expect(res.rawPayload.length).toBe(32)
  })
})
