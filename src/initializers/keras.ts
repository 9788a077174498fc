import { TensorInitError } from '../core/errors.ts'
import { DTYPES, FLOAT_DTYPES } from '../core/dtype.ts'
import type { InitializerEntry } from './entry.ts'
import { numberParam } from './params.ts'
import { constant, eye, pythonShape, roundedNormal, roundedUniform, truncNormal } from './recipe-builders.ts'
import { varianceScaling, varianceScalingPresets } from './keras-variance.ts'
import { kerasObject, kerasSeed } from './keras-object.ts'
import { orthogonalRecipe } from '../core/recipe.ts'

/**
 * The Keras 3 family: keras.initializers as of Keras 3.15 (keras/src/initializers/*), with
 * Keras's defaults, parameter names and get_config() dicts. Ids are `keras.<ClassName>`; the
 * snake_case names and Keras's own aliases (ALL_OBJECTS_DICT in keras/src/initializers/
 * __init__.py: zero, one, normal, uniform, IdentityInitializer, OrthogonalInitializer) resolve to
 * the same entries. STFT is not served: it is a deterministic signal-processing kernel, not an
 * initializer anyone draws. The seed is the request's seed: a Keras initializer seeded with an int
 * returns the same values on every call, exactly the service's contract.
 */

const NOTE = 'Distribution of Keras, not its bits.'

const randomNormal: InitializerEntry = {
  id: 'keras.RandomNormal',
  family: 'keras',
  aliases: ['keras.random_normal', 'keras.normal'],
  summary: `Keras RandomNormal: N(mean, stddev^2), untruncated. ${NOTE}`,
  formula: 'w ~ N(mean, stddev^2): the MLX float32 standard normal of each element, times stddev plus mean in double, rounded once to the dtype',
  params: [
    { name: 'mean', type: 'number', default: 0.0, description: 'Mean of the random values.' },
    { name: 'stddev', type: 'number', default: 0.05, minimum: 0, description: 'Standard deviation of the random values.' }
  ],
  dtypes: FLOAT_DTYPES,
  mlxExact: false,
  recipe: (_shape, params) => roundedNormal(numberParam(params, 'mean'), numberParam(params, 'stddev')),
  kerasConfig: (params, seed) => kerasObject('RandomNormal', { seed: kerasSeed(seed), mean: params.mean, stddev: params.stddev })
}

const truncatedNormal: InitializerEntry = {
  id: 'keras.TruncatedNormal',
  family: 'keras',
  aliases: ['keras.truncated_normal'],
  summary: `Keras TruncatedNormal: N(mean, stddev^2) with values more than 2 stddev from the mean redrawn; stddev is the std before truncation (no 0.8796 correction here). ${NOTE}`,
  formula: 'w ~ N(mean, stddev^2) truncated to [mean - 2 stddev, mean + 2 stddev]; inverse CDF on the Threefry stream in double, rounded once to the dtype',
  params: [
    { name: 'mean', type: 'number', default: 0.0, description: 'Mean of the random values.' },
    { name: 'stddev', type: 'number', default: 0.05, minimum: 0, description: 'Standard deviation before truncation.' }
  ],
  dtypes: FLOAT_DTYPES,
  mlxExact: false,
  recipe (_shape, params) {
    const mean = numberParam(params, 'mean')
    const stddev = numberParam(params, 'stddev')
    return truncNormal(mean, stddev, mean - 2 * stddev, mean + 2 * stddev)
  },
  kerasConfig: (params, seed) => kerasObject('TruncatedNormal', { seed: kerasSeed(seed), mean: params.mean, stddev: params.stddev })
}

const randomUniform: InitializerEntry = {
  id: 'keras.RandomUniform',
  family: 'keras',
  aliases: ['keras.random_uniform', 'keras.uniform'],
  summary: `Keras RandomUniform: U[minval, maxval). ${NOTE}`,
  formula: 'w ~ U(minval, maxval): minval + (maxval - minval) * word/2^32 in double, rounded once to the dtype',
  params: [
    { name: 'minval', type: 'number', default: -0.05, description: 'Lower bound (inclusive).' },
    { name: 'maxval', type: 'number', default: 0.05, description: 'Upper bound (exclusive).' }
  ],
  dtypes: FLOAT_DTYPES,
  mlxExact: false,
  recipe: (_shape, params) => roundedUniform(numberParam(params, 'minval'), numberParam(params, 'maxval')),
  kerasConfig: (params, seed) => kerasObject('RandomUniform', { seed: kerasSeed(seed), minval: params.minval, maxval: params.maxval })
}

const zeros: InitializerEntry = {
  id: 'keras.Zeros',
  family: 'keras',
  aliases: ['keras.zeros', 'keras.zero'],
  summary: 'Keras Zeros: every element 0 (numeric and bool dtypes).',
  formula: 'w = 0',
  params: [],
  dtypes: DTYPES,
  mlxExact: false,
  recipe: () => ({ kind: 'constant', value: 0 }),
  kerasConfig: () => kerasObject('Zeros', {})
}

const ones: InitializerEntry = {
  id: 'keras.Ones',
  family: 'keras',
  aliases: ['keras.ones', 'keras.one'],
  summary: 'Keras Ones: every element 1 (numeric and bool dtypes).',
  formula: 'w = 1',
  params: [],
  dtypes: DTYPES,
  mlxExact: false,
  recipe: () => ({ kind: 'constant', value: 1 }),
  kerasConfig: () => kerasObject('Ones', {})
}

const constantEntry: InitializerEntry = {
  id: 'keras.Constant',
  family: 'keras',
  aliases: ['keras.constant'],
  summary: 'Keras Constant: every element equals the scalar `value` (integer dtypes need an integer value).',
  formula: 'w = value',
  params: [{ name: 'value', type: 'number', default: 0.0, description: 'The scalar fill value.' }],
  dtypes: DTYPES,
  mlxExact: false,
  recipe: (_shape, params, dtype) => constant(numberParam(params, 'value'), dtype, '/params/value'),
  kerasConfig: (params) => kerasObject('Constant', { value: params.value })
}

const orthogonal: InitializerEntry = {
  id: 'keras.Orthogonal',
  family: 'keras',
  aliases: ['keras.orthogonal', 'keras.OrthogonalInitializer'],
  summary: 'Keras Orthogonal: the shape flattened to (prod(shape[:-1]), shape[-1]) is a (semi-)orthogonal matrix times gain: orthonormal columns, or rows when there are fewer rows than columns. Orthogonal to 1e-6 and deterministic; not Keras\'s bits.',
  formula: 'rows = prod(shape[:-1]), cols = shape[-1]; q, r = qr(N(0,1)^(max x min)); q *= sign(diag(r)); w = gain * reshape(q or q^T, shape)',
  params: [{ name: 'gain', type: 'number', default: 1.0, description: 'Multiplicative factor applied to the orthogonal matrix.' }],
  dtypes: FLOAT_DTYPES,
  mlxExact: false,
  minRank: 2,
  rankMessage: (rank) => `The tensor to initialize must be at least two-dimensional. Received: shape of rank ${rank}.`,
  recipe (shape, params) {
    const cols = shape[shape.length - 1]!
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1)
    return orthogonalRecipe(rows, cols, numberParam(params, 'gain'), false)
  },
  kerasConfig: (params, seed) => kerasObject('Orthogonal', { seed: kerasSeed(seed), gain: params.gain })
}

const identity: InitializerEntry = {
  id: 'keras.Identity',
  family: 'keras',
  aliases: ['keras.identity', 'keras.IdentityInitializer'],
  summary: 'Keras Identity: gain * eye(rows, cols) for any 2-D shape, rectangular included (MLX identity needs a square).',
  formula: 'w[i, j] = gain if i == j else 0',
  params: [{ name: 'gain', type: 'number', default: 1.0, description: 'Multiplicative factor applied to the identity matrix.' }],
  dtypes: DTYPES,
  mlxExact: false,
  recipe (shape, params, dtype) {
    if (shape.length !== 2) {
      throw new TensorInitError('invalid-rank',
        `Identity matrix initializer can only be used for 2D matrices. Received: shape=${pythonShape(shape)} of rank ${shape.length}.`, '/shape')
    }
    return eye(numberParam(params, 'gain'), dtype, '/params/gain')
  },
  // Keras's Identity defines no get_config (so its gain is lost on save); the config here carries
  // gain, which Keras's from_config (cls(**config)) accepts, so it round-trips in both directions.
  kerasConfig: (params) => kerasObject('Identity', { gain: params.gain })
}

export const kerasInitializers: readonly InitializerEntry[] = [
  zeros,
  ones,
  constantEntry,
  randomNormal,
  randomUniform,
  truncatedNormal,
  varianceScaling,
  ...varianceScalingPresets,
  orthogonal,
  identity
]
