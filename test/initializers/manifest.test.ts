import { describe, expect, test } from 'vitest'
import { ERROR_CODES, isTensorInitError, type TensorInitError } from '../../src/core/errors.ts'
import { buildPlan, DEFAULT_PLAN_LIMITS } from '../../src/initializers/build-plan.ts'
import { buildManifest, buildManifestAsync, DEFAULT_MANIFEST_LIMITS, nameSeed } from '../../src/initializers/manifest.ts'
import { sequenceKeys } from '../../src/random/keys.ts'

/** One tensor of every key appetite (spec b.14): 1, 0, 2, 0, 1, 1 keys. */
const MIXED = [
  { name: 'a.weight', shape: [8, 6], initializer: 'glorot_uniform' },
  { name: 'a.bias', shape: [8], initializer: 'constant', params: { value: 0.5 } },
  { name: 'b.weight', shape: [5, 7], initializer: 'sparse', params: { sparsity: 0.4 } },
  { name: 'c.eye', shape: [3, 3], initializer: 'identity', dtype: 'int32' },
  { name: 'd.weight', shape: [4, 3, 2], initializer: 'he_normal', params: { mode: 'fan_out' }, gain: 2 },
  { name: 'e.weight', shape: [16], initializer: 'normal', params: { std: 0.02 } }
]

function thrown (fn: () => unknown): TensorInitError {
  try {
    fn()
  } catch (err) {
    if (isTensorInitError(err)) return err
    throw err
  }
  throw new Error('expected a TensorInitError')
}

describe('buildManifest: keys from MLX\'s sequence (default)', () => {
  test('tensor i is the single-tensor plan with draw = keys used by the tensors before it', () => {
    const { tensors, manifest } = buildManifest({ seed: 42, profile: 'mlx-0.13', dtype: 'float16', tensors: MIXED })
    expect(manifest.keys).toBe('sequence')
    const draws = tensors.map((t) => (t.plan.keySource.kind === 'seed' ? t.plan.keySource.draw : -1))
    // glorot 1, constant 0, sparse 2, identity 0, he_normal 1, normal 1.
    expect(draws).toEqual([0, 1, 1, 3, 3, 4])
    expect(tensors.map((t) => t.plan.keys.length)).toEqual([1, 0, 2, 0, 1, 1])
    for (const [i, item] of MIXED.entries()) {
      const { name: _name, ...spec } = item
      const single = buildPlan({ ...spec, dtype: item.dtype ?? 'float16', seed: 42, draw: draws[i], profile: 'mlx-0.13' }, 'json')
      expect(tensors[i]?.plan, item.name).toEqual(single)
    }
    // And the keys are the sequence itself, in order, with nothing skipped.
    expect(tensors.flatMap((t) => t.plan.keys)).toEqual(sequenceKeys(42n, 0, 5))
  })

  test('the resolved manifest records every default and rebuilds the same plans', () => {
    const first = buildManifest({ seed: '18446744073709551615', tensors: MIXED })
    expect(first.manifest.seed).toBe('18446744073709551615')
    expect(first.manifest.profile).toBe('mlx-0.32')
    expect(first.manifest.tensors[4]).toEqual({ name: 'd.weight', initializer: 'he_normal', shape: [4, 3, 2], dtype: 'float32', params: { mode: 'fan_out', gain: 2 } })
    const again = buildManifest(JSON.parse(JSON.stringify(first.manifest)))
    expect(again.manifest).toEqual(first.manifest)
    expect(again.tensors).toEqual(first.tensors)
    expect(first.dataBytes).toBe((48 + 8 + 35 + 24 + 16) * 4 + 9 * 4)
  })

  test('seed defaults to 0 and profile to mlx-0.32; the alias mlx resolves', () => {
    const plain = buildManifest({ tensors: [MIXED[0]] })
    const explicit = buildManifest({ seed: 0, profile: 'mlx', keys: 'sequence', tensors: [MIXED[0]] })
    expect(explicit).toEqual(plain)
    expect(plain.tensors[0]?.plan.profile).toBe('mlx-0.32')
  })
})

describe('buildManifest: keys from names', () => {
  test('nameSeed is SHA-256(seed u64 big-endian || UTF-8 name), first 8 bytes big-endian (vectors from Python hashlib)', () => {
    expect(nameSeed(42n, 'layers.0.weight')).toBe(10234680918666714107n)
    expect(nameSeed(0n, 'w')).toBe(2186661768045958259n)
    expect(nameSeed(2n ** 64n - 1n, 'ñ/é')).toBe(8287024797616505367n)
  })

  test('each tensor is the single-tensor plan of its own seed at draw 0', () => {
    const { tensors } = buildManifest({ seed: 7, keys: 'name', tensors: MIXED })
    for (const [i, item] of MIXED.entries()) {
      const { name, ...spec } = item
      const single = buildPlan({ ...spec, seed: nameSeed(7n, name).toString() }, 'json')
      expect(tensors[i]?.plan, name).toEqual(single)
    }
  })

  test('adding, removing or reordering tensors changes no other tensor', () => {
    const base = buildManifest({ seed: 7, keys: 'name', tensors: MIXED })
    const extra = { name: 'z.weight', shape: [3, 3], initializer: 'uniform' }
    const changed = buildManifest({ seed: 7, keys: 'name', tensors: [extra, ...MIXED.slice(2), MIXED[1], MIXED[0]] })
    const byName = new Map(changed.tensors.map((t) => [t.name, t.plan]))
    for (const t of base.tensors) expect(byName.get(t.name), t.name).toEqual(t.plan)
    // In sequence mode the same edit moves the keys of every tensor after the insertion.
    const seqBase = buildManifest({ seed: 7, tensors: MIXED })
    const seqChanged = buildManifest({ seed: 7, tensors: [extra, ...MIXED] })
    expect(seqChanged.tensors[1]?.plan.keys).not.toEqual(seqBase.tensors[0]?.plan.keys)
  })
})

describe('buildManifest: every bad input is a typed error with a pointer into the manifest', () => {
  const cases: Array<[string, unknown, string, string]> = [
    ['not an object', [1], 'invalid-manifest', ''],
    ['unknown member', { tensors: [MIXED[0]], format: 'npy' }, 'invalid-manifest', '/format'],
    ['no tensors member', { seed: 1 }, 'invalid-manifest', '/tensors'],
    ['empty list', { tensors: [] }, 'invalid-manifest', '/tensors'],
    ['bad seed', { seed: -1, tensors: [MIXED[0]] }, 'invalid-seed', '/seed'],
    ['bad profile', { profile: 'mlx-9', tensors: [MIXED[0]] }, 'invalid-profile', '/profile'],
    ['bad keys', { keys: 'random', tensors: [MIXED[0]] }, 'invalid-manifest', '/keys'],
    ['tensor not an object', { tensors: [MIXED[0], 3] }, 'invalid-manifest', '/tensors/1'],
    ['unknown tensor member', { tensors: [{ ...MIXED[0], draw: 3 }] }, 'invalid-manifest', '/tensors/0/draw'],
    ['missing name', { tensors: [{ shape: [2, 2], initializer: 'normal' }] }, 'invalid-manifest', '/tensors/0/name'],
    ['empty name', { tensors: [{ ...MIXED[0], name: '' }] }, 'invalid-manifest', '/tensors/0/name'],
    ['reserved name', { tensors: [{ ...MIXED[0], name: '__metadata__' }] }, 'invalid-manifest', '/tensors/0/name'],
    ['lone surrogate', { tensors: [{ ...MIXED[0], name: 'a\ud800' }] }, 'invalid-manifest', '/tensors/0/name'],
    ['duplicate name', { tensors: [MIXED[0], MIXED[1], { ...MIXED[2], name: 'a.bias' }] }, 'invalid-manifest', '/tensors/2/name'],
    ['unknown initializer', { tensors: [MIXED[0], { ...MIXED[1], initializer: 'xavier' }] }, 'unknown-initializer', '/tensors/1/initializer'],
    ['Keras config object', { tensors: [{ ...MIXED[0], initializer: { class_name: 'HeNormal' } }] }, 'invalid-request', '/tensors/0/initializer'],
    ['bad shape', { tensors: [MIXED[0], { ...MIXED[1], shape: [2, -1] }] }, 'invalid-shape', '/tensors/1/shape/1'],
    ['rank too low', { tensors: [MIXED[0], MIXED[1], { ...MIXED[0], name: 'x', shape: [4] }] }, 'invalid-rank', '/tensors/2/shape'],
    ['bad parameter', { tensors: [MIXED[0], MIXED[1], MIXED[2], MIXED[3], { ...MIXED[4], params: { mode: 'fan_avg' } }] }, 'invalid-parameter', '/tensors/4/params/mode'],
    ['unknown parameter', { tensors: [{ ...MIXED[0], params: { scale: 2 } }] }, 'unknown-parameter', '/tensors/0/params/scale'],
    ['params not an object', { tensors: [{ ...MIXED[0], params: [1] }] }, 'invalid-parameter', '/tensors/0/params'],
    ['gain where none is taken', { tensors: [{ ...MIXED[5], gain: 2 }] }, 'unknown-parameter', '/tensors/0/gain'],
    ['own dtype unsupported', { tensors: [MIXED[0], { ...MIXED[5], dtype: 'int8' }] }, 'unsupported-dtype', '/tensors/1/dtype'],
    ['manifest dtype unsupported by a tensor', { dtype: 'int8', tensors: [MIXED[3], MIXED[5]] }, 'unsupported-dtype', '/dtype'],
    ['not square', { tensors: [{ ...MIXED[3], shape: [3, 4] }] }, 'not-square', '/tensors/0/shape']
  ]
  test.each(cases)('%s, and buildManifestAsync rejects alike', async (_label, body) => {
    const err = thrown(() => buildManifest(body))
    await expect(buildManifestAsync(body)).rejects.toMatchObject({ code: err.code, field: err.field, message: err.message })
  })
  test.each(cases)('%s', (_label, body, code, field) => {
    const err = thrown(() => buildManifest(body))
    expect({ code: err.code, field: err.field }).toEqual({ code, field })
    expect(ERROR_CODES[err.code].status).toBeGreaterThanOrEqual(400)
    expect(ERROR_CODES[err.code].status).toBeLessThan(500)
  })

  test('too many tensors, and too many bytes in all (each tensor alone being within limits)', () => {
    const limits = { ...DEFAULT_MANIFEST_LIMITS, maxTensors: 3, maxTotalBytes: 1000 }
    const small = (i: number): object => ({ name: `t${i}`, shape: [50], initializer: 'normal' })
    expect(buildManifest({ tensors: [0, 1, 2].map(small) }, limits).dataBytes).toBe(600)
    const many = thrown(() => buildManifest({ tensors: [0, 1, 2, 3].map(small) }, limits))
    expect([many.code, many.field, ERROR_CODES[many.code].status]).toEqual(['invalid-manifest', '/tensors', 400])
    const big = thrown(() => buildManifest({ tensors: [{ name: 'a', shape: [200], initializer: 'normal' }, { name: 'b', shape: [100], initializer: 'normal' }] }, limits))
    expect([big.code, big.field, ERROR_CODES[big.code].status]).toEqual(['tensor-too-large', '/tensors', 413])
    // One tensor over the per-tensor limit is that tensor's shape.
    const one = thrown(() => buildManifest({ tensors: [{ name: 'a', shape: [2 ** 31, 2], initializer: 'normal' }] }, { ...limits, ...DEFAULT_PLAN_LIMITS }))
    expect([one.code, one.field]).toEqual(['tensor-too-large', '/tensors/0/shape'])
  })

  test('the longest manifest allowed: 10 000 tensors, the last one at draw 9 999', () => {
    // One walk of the sequence for the whole list; a walk per tensor (50 M splits) would time out.
    const tensors = Array.from({ length: 10_000 }, (_, i) => ({ name: `layer.${i}`, shape: [2, 2], initializer: 'he_uniform' }))
    const { tensors: plans } = buildManifest({ seed: 3, tensors })
    expect(plans[9_999]?.plan.keys).toEqual(sequenceKeys(3n, 9_999, 1))
    expect(plans[9_999]?.plan.keySource).toEqual({ kind: 'seed', seed: '3', draw: 9_999 })
  })
})

describe('buildManifestAsync (issue 12: a free event loop)', () => {
  test('gives what buildManifest gives, in slices that leave the event loop free', async () => {
    const tensors = Array.from({ length: 10_000 }, (_, i) => ({ name: `layer.${i}`, shape: [4, 4], initializer: i % 2 === 0 ? 'he_uniform' : 'sparse', params: i % 2 === 0 ? {} : { sparsity: 0.5 } }))
    const body = { seed: 3, tensors }
    const state = { done: false }
    let ticks = 0
    let maxGap = 0
    const watcher = (async () => {
      let last = performance.now()
      while (!state.done) {
        await new Promise((resolve) => setImmediate(resolve))
        const now = performance.now()
        maxGap = Math.max(maxGap, now - last)
        last = now
        ticks++
      }
    })()
    const started = performance.now()
    const sliced = await buildManifestAsync(body)
    const took = performance.now() - started
    state.done = true
    await watcher
    expect(sliced).toEqual(buildManifest(body))
    expect(sliced.tensors.at(-1)?.plan.keySource).toEqual({ kind: 'seed', seed: '3', draw: 14_998 })
    // Slices of ~4 ms (SLICE_MS, src/core/time-slice.ts); the margin is for garbage collection on a loaded machine.
    expect(ticks).toBeGreaterThan(5)
    expect(maxGap).toBeLessThan(Math.max(100, took / 3))
  })
})
