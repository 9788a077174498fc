import { describe, expect, it } from 'vitest'
import { executeRange } from '../../src/engines/reference/index.ts'
import { findInitializer, listInitializers } from '../../src/initializers/catalog.ts'
import type { ResolvedParams } from '../../src/initializers/entry.ts'
import { defaultKerasConfig, kerasConfigOf } from '../../src/initializers/keras-config.ts'
import { plan, planError } from './sample.ts'

/**
 * Keras config objects as the initializer (keras/src/saving/serialization_lib.py,
 * keras/src/initializers/__init__.py get/deserialize): round trips through every entry's
 * get_config, the accepted spellings, and every contradiction refused with 'invalid-config'.
 */

/** A shape each Keras entry accepts. */
const shapeFor = (id: string): number[] => (id === 'keras.Identity' ? [3, 5] : [3, 3, 4, 6])

/** Non-default parameters per class, to show they survive the round trip. */
const CUSTOM: Record<string, Record<string, unknown>> = {
  'keras.Constant': { value: -1.25 },
  'keras.RandomNormal': { mean: 0.5, stddev: 0.2 },
  'keras.RandomUniform': { minval: -1, maxval: 3 },
  'keras.TruncatedNormal': { mean: -0.1, stddev: 0.7 },
  'keras.VarianceScaling': { scale: 0.3, mode: 'fan_avg', distribution: 'uniform', input_axes: [0, 1, 2], output_axes: [3] },
  'keras.GlorotNormal': { input_axes: [2], output_axes: [3] },
  'keras.HeUniform': { input_axes: [-2], output_axes: [-1] },
  'keras.Orthogonal': { gain: 3 },
  'keras.Identity': { gain: 0.5 }
}

describe('Keras config round trip', () => {
  for (const entry of listInitializers('keras')) {
    it(`${entry.id}: get_config -> request -> the same plan and bytes`, () => {
      const direct = plan({ initializer: entry.id, shape: shapeFor(entry.id), params: CUSTOM[entry.id] ?? {}, seed: 1234 })
      const config = kerasConfigOf(direct)!
      expect(config.module).toBe('keras.initializers')
      expect(config.registered_name).toBeNull()
      expect(`keras.${config.class_name}`).toBe(entry.id)
      const again = plan({ initializer: config, shape: shapeFor(entry.id) })
      if (direct.keys.length > 0) {
        expect(again).toEqual(direct)
      } else {
        // Zeros, Ones, Constant and Identity draw nothing, and Keras writes no seed for them.
        expect({ ...again, keySource: null }).toEqual({ ...direct, keySource: null })
      }
      expect(executeRange(again, 0, 15)).toEqual(executeRange(direct, 0, 15))
      // ... and the config is plain JSON.
      expect(JSON.parse(JSON.stringify(config))).toEqual(config)
    })
  }

  it('publishes each entry\'s default config, which is itself a valid request', () => {
    for (const entry of listInitializers('keras')) {
      const config = defaultKerasConfig(entry)!
      expect(config.config.seed ?? null).toBeNull()
      expect(plan({ initializer: config, shape: shapeFor(entry.id) }).initializer).toBe(entry.id)
    }
    expect(defaultKerasConfig(findInitializer('torch.normal_')!)).toBeUndefined()
  })

  it('writes the seed where Keras does: random initializers only', () => {
    const seeded = listInitializers('keras').filter((e) => 'seed' in e.kerasConfig!({} as ResolvedParams, '1').config).map((e) => e.id)
    expect(seeded).toEqual([
      'keras.RandomNormal', 'keras.RandomUniform', 'keras.TruncatedNormal', 'keras.VarianceScaling', 'keras.GlorotNormal',
      'keras.GlorotUniform', 'keras.HeNormal', 'keras.HeUniform', 'keras.LecunNormal', 'keras.LecunUniform', 'keras.Orthogonal'
    ])
  })

  it('matches Keras\'s serialize() output for HeNormal(seed=42)', () => {
    expect(kerasConfigOf(plan({ initializer: 'keras.HeNormal', shape: [2, 2], seed: 42 }))).toEqual({
      module: 'keras.initializers',
      class_name: 'HeNormal',
      config: { seed: 42, input_axes: null, output_axes: null },
      registered_name: null
    })
    expect(kerasConfigOf(plan({ initializer: 'keras.VarianceScaling', shape: [2, 2], params: { distribution: 'normal' } }))!.config)
      .toEqual({ seed: 0, scale: 1, mode: 'fan_in', distribution: 'truncated_normal', input_axes: null, output_axes: null })
  })

  it('carries 64-bit seeds as decimal strings, and null when the plan used an explicit key or a later draw', () => {
    const big = plan({ initializer: 'keras.HeNormal', shape: [2, 2], seed: '18446744073709551615' })
    const config = kerasConfigOf(big)!
    expect(config.config.seed).toBe('18446744073709551615')
    expect(plan({ initializer: config, shape: [2, 2] })).toEqual(big)
    expect(kerasConfigOf(plan({ initializer: 'keras.HeNormal', shape: [2, 2], key: [1, 2] }))!.config.seed).toBeNull()
    expect(kerasConfigOf(plan({ initializer: 'keras.HeNormal', shape: [2, 2], seed: 3, draw: 2 }))!.config.seed).toBeNull()
    expect(kerasConfigOf(plan({ initializer: 'he_normal', shape: [2, 2] }))).toBeUndefined()
  })
})

describe('Keras config spellings', () => {
  const reference = plan({ initializer: 'keras.HeNormal', shape: [4, 4], seed: 42 })

  it.each([
    ['the full serialize_keras_object form', { module: 'keras.initializers', class_name: 'HeNormal', config: { seed: 42, input_axes: null, output_axes: null }, registered_name: null }],
    ['without module and registered_name (tf.keras 2.x)', { class_name: 'HeNormal', config: { seed: 42 } }],
    ['a snake_case class name', { class_name: 'he_normal', config: { seed: 42 } }],
    ['a Keras 3 internal module path', { module: 'keras.src.initializers.random_initializers', class_name: 'HeNormal', config: { seed: 42 } }],
    ['registered_name equal to the class name', { class_name: 'HeNormal', config: { seed: 42 }, registered_name: 'HeNormal' }],
    ['the seed as a decimal string', { class_name: 'HeNormal', config: { seed: '42' } }]
  ])('%s', (_name, initializer) => {
    expect(plan({ initializer, shape: [4, 4] })).toEqual(reference)
  })

  it('a null or missing config seed takes the request\'s seed (default 0)', () => {
    expect(plan({ initializer: { class_name: 'HeNormal', config: { seed: null } }, shape: [4, 4], seed: 42 })).toEqual(reference)
    expect(plan({ initializer: { class_name: 'HeNormal' }, shape: [4, 4], seed: 42 })).toEqual(reference)
    expect(plan({ initializer: { class_name: 'HeNormal' }, shape: [4, 4] }).keySource).toEqual({ kind: 'seed', seed: '0', draw: 0 })
  })

  it('the same seed given twice is no contradiction', () => {
    expect(plan({ initializer: { class_name: 'HeNormal', config: { seed: 42 } }, shape: [4, 4], seed: '42' })).toEqual(reference)
  })

  it('aliases: zero, one, normal, uniform, IdentityInitializer, OrthogonalInitializer', () => {
    expect(plan({ initializer: { class_name: 'zero' }, shape: [2] }).initializer).toBe('keras.Zeros')
    expect(plan({ initializer: { class_name: 'one' }, shape: [2] }).initializer).toBe('keras.Ones')
    expect(plan({ initializer: { class_name: 'normal', config: { stddev: 2 } }, shape: [2] }).params).toEqual({ mean: 0, stddev: 2 })
    expect(plan({ initializer: { class_name: 'uniform' }, shape: [2] }).initializer).toBe('keras.RandomUniform')
    expect(plan({ initializer: { class_name: 'IdentityInitializer', config: { gain: 2 } }, shape: [2, 2] }).recipe).toEqual({ kind: 'eye', value: 2 })
    expect(plan({ initializer: { class_name: 'OrthogonalInitializer', config: { gain: 2, seed: 1 } }, shape: [2, 2] }).initializer).toBe('keras.Orthogonal')
  })

  it('a Constant value serialized as a NumPy scalar', () => {
    const p = plan({ initializer: { class_name: 'Constant', config: { value: { class_name: '__numpy__', config: { value: 0.25, dtype: 'float32' } } } }, shape: [2] })
    expect(p.params).toEqual({ value: 0.25 })
  })
})

describe('Keras config contradictions and errors', () => {
  it.each([
    ['a different top-level seed', { initializer: { class_name: 'HeNormal', config: { seed: 42 } }, seed: 7 }, '/seed'],
    ['an explicit key beside a config seed', { initializer: { class_name: 'HeNormal', config: { seed: 42 } }, key: [1, 2] }, '/key'],
    ['params beside the config', { initializer: { class_name: 'RandomNormal', config: {} }, params: { stddev: 1 } }, '/params'],
    ['a top-level gain beside the config', { initializer: { class_name: 'Orthogonal', config: {} }, gain: 2 }, '/gain'],
    ['an unknown class', { initializer: { class_name: 'FancyInit', config: {} } }, '/initializer/class_name'],
    ['a class the service does not serve (STFT)', { initializer: { class_name: 'STFT', config: {} } }, '/initializer/class_name'],
    ['no class name', { initializer: { config: { seed: 1 } } }, '/initializer/class_name'],
    ['an unknown config key', { initializer: { class_name: 'HeNormal', config: { seed: 1, stddev: 2 } } }, '/initializer/config/stddev'],
    ['a seed on a class without one (Zeros)', { initializer: { class_name: 'Zeros', config: { seed: 1 } } }, '/initializer/config/seed'],
    ['an unknown member', { initializer: { class_name: 'HeNormal', config: {}, dtype: 'float32' } }, '/initializer/dtype'],
    ['a foreign module', { initializer: { module: 'my_project.inits', class_name: 'HeNormal', config: {} } }, '/initializer/module'],
    ['a custom registered object', { initializer: { class_name: 'HeNormal', config: {}, registered_name: 'my_package>HeNormal' } }, '/initializer/registered_name'],
    ['a SeedGenerator seed', { initializer: { class_name: 'HeNormal', config: { seed: { module: 'keras.random', class_name: 'SeedGenerator', config: { seed: 1 } } } } }, '/initializer/config/seed'],
    ['config not an object', { initializer: { class_name: 'HeNormal', config: [1] } }, '/initializer/config']
  ])('%s is a 400 invalid-config', (_name, spec, field) => {
    expect(planError({ shape: [3, 3], ...spec })).toMatchObject({ code: 'invalid-config', field })
  })

  it('value errors point into the config', () => {
    expect(planError({ initializer: { class_name: 'RandomNormal', config: { stddev: 'wide' } }, shape: [3] }))
      .toMatchObject({ code: 'invalid-parameter', field: '/initializer/config/stddev' })
    expect(planError({ initializer: { class_name: 'VarianceScaling', config: { scale: -1 } }, shape: [3, 3] }))
      .toMatchObject({ code: 'invalid-parameter', field: '/initializer/config/scale' })
    expect(planError({ initializer: { class_name: 'VarianceScaling', config: { input_axes: [9], output_axes: [0] } }, shape: [3, 3] }))
      .toMatchObject({ code: 'invalid-parameter', field: '/initializer/config/input_axes' })
    expect(planError({ initializer: { class_name: 'HeNormal', config: { seed: -1 } }, shape: [3, 3] }))
      .toMatchObject({ code: 'invalid-seed', field: '/initializer/config/seed' })
  })

  it('rank errors still point at the shape', () => {
    expect(planError({ initializer: { class_name: 'Identity' }, shape: [3] })).toMatchObject({ code: 'invalid-rank', field: '/shape' })
  })
})
