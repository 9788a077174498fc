import { describe, expect, test } from 'vitest'
import { listInitializers } from '../../../src/initializers/catalog.ts'
import { useApp } from '../../support/helper.ts'

const getApp = useApp()

describe('GET /v1/initializers', () => {
  test('lists every catalog entry with its parameters as JSON Schema', async () => {
    const { app } = getApp()
    const res = await app.inject('/v1/initializers')
    expect(res.statusCode).toBe(200)
    const body = res.json()
    expect(body.initializers.map((e: { id: string }) => e.id)).toEqual(listInitializers().map((e) => e.id))
    expect(body.profiles).toEqual(expect.arrayContaining(['mlx', 'mlx-0.32', 'mlx-0.13']))
    expect(body.defaultProfile).toBe('mlx-0.32')
    const he = body.initializers.find((e: { id: string }) => e.id === 'he_normal')
    expect(he).toMatchObject({
      family: 'mlx',
      formula: expect.stringContaining('fan'),
      fan: expect.stringContaining('fan_in'),
      dtypes: ['float32', 'float16', 'bfloat16', 'float64'],
      mlxExact: { 'mlx-0.32': ['float32', 'float16', 'bfloat16'], 'mlx-0.13': ['float32', 'float16', 'bfloat16'] },
      minRank: 2,
      parameters: {
        type: 'object',
        additionalProperties: false,
        required: [],
        properties: {
          mode: { type: 'string', enum: ['fan_in', 'fan_out'], default: 'fan_in' },
          gain: { type: 'number', default: 1 }
        }
      }
    })
  })

  test('family filter; an unknown family is a 400 naming the field', async () => {
    const { app } = getApp()
    const mlx = await app.inject('/v1/initializers?family=mlx')
    expect(mlx.json().initializers.every((e: { family: string }) => e.family === 'mlx')).toBe(true)
    const bad = await app.inject('/v1/initializers?family=caffe')
    expect(bad.statusCode).toBe(400)
    expect(bad.json()).toMatchObject({ code: 'invalid-request', field: '/family' })
  })

  test('orthogonal is not MLX-exact for any profile; sparse has required and bounded parameters', async () => {
    const { app } = getApp()
    const orthogonal = (await app.inject('/v1/initializers/orthogonal')).json()
    expect(orthogonal.mlxExact).toEqual({ 'mlx-0.32': [], 'mlx-0.13': [] })
    const sparse = (await app.inject('/v1/initializers/sparse')).json()
    expect(sparse.parameters.required).toEqual(['sparsity'])
    expect(sparse.parameters.properties.sparsity).toMatchObject({ type: 'number', minimum: 0, maximum: 1 })
    expect(sparse).toMatchObject({ minRank: 2, maxRank: 2 })
  })
})

describe('GET /v1/initializers/{id}', () => {
  test('an unknown id is a 404 problem naming the path parameter', async () => {
    const { app } = getApp()
    const res = await app.inject('/v1/initializers/xavier_magic')
    expect(res.statusCode).toBe(404)
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/)
    expect(res.json()).toMatchObject({
      type: '/problems/unknown-initializer',
      title: 'Unknown initializer',
      status: 404,
      code: 'unknown-initializer',
      field: '/path/id',
      detail: expect.stringContaining('xavier_magic')
    })
  })
})

describe('Keras configs in the catalog', () => {
  test('each Keras entry publishes its config, and the config POSTed back as the initializer gives the same tensor', async () => {
    const { app } = getApp()
    const res = await app.inject('/v1/initializers/keras.HeNormal')
    expect(res.statusCode).toBe(200)
    const { kerasConfig } = res.json()
    expect(kerasConfig).toEqual({ module: 'keras.initializers', class_name: 'HeNormal', config: { seed: null, input_axes: null, output_axes: null }, registered_name: null })
    const viaConfig = await app.inject({
      method: 'POST',
      url: '/v1/tensors',
      payload: { initializer: { ...kerasConfig, config: { ...kerasConfig.config, seed: 42 } }, shape: [16, 8], format: 'raw' }
    })
    const viaId = await app.inject({ method: 'POST', url: '/v1/tensors', payload: { initializer: 'keras.HeNormal', shape: [16, 8], seed: 42, format: 'raw' } })
    expect(viaConfig.statusCode).toBe(200)
    expect(viaConfig.rawPayload.length).toBe(16 * 8 * 4)
    expect(viaConfig.rawPayload.equals(viaId.rawPayload)).toBe(true)
    const mlx = (await app.inject('/v1/initializers/he_normal')).json()
    expect(mlx.kerasConfig).toBeUndefined()
  })
})
