import Type, { type Static } from 'typebox'
import { DTYPES } from '../../core/dtype.ts'
import { PROFILE_NAMES } from '../../core/profile.ts'
import { BINARY_FORMATS } from '../../formats/encoding.ts'

/**
 * The tensor request, as GET query fields and as a POST body. These schemas check types and
 * document the API; the plan builder (src/initializers/build-plan.ts) is the authority on values
 * (ranges, limits, what each initializer accepts) and names the offending field itself.
 */

/** The `format` values, in the order tensors are offered (the first is the default): the binary formats, then JSON. */
export const FORMAT_NAMES = [...BINARY_FORMATS, 'json'] as const

const dtype = Type.Enum(DTYPES, { description: 'Element type (default float32). The initializer\'s catalog entry lists the ones it supports.' })
const profile = Type.Enum(PROFILE_NAMES, { description: 'Pinned algorithm (default mlx-0.32, alias mlx). Part of the ETag.' })
const gain = Type.Number({ description: 'Gain, for initializers that take one (same as params.gain).' })

const seedText = 'Unsigned 64-bit seed, as mx.random.seed(seed) takes it (default 0).'
const drawText = 'Which random call after seeding produced the tensor, 0-based (default 0): the n-th parameter of a model initialized in order.'
const keyText = 'An explicit MLX key [k0, k1] (what mx.random.key returns), instead of seed/draw.'

export const TensorIdParamsSchema = Type.Object({
  id: Type.String({ description: 'Initializer id (GET /v1/initializers).', examples: ['he_uniform'] })
})

const queryParam = Type.Union([Type.Number(), Type.String(), Type.Boolean()])

export const TensorQuerySchema = Type.Object({
  shape: Type.String({ description: 'Comma-separated dimensions in C order; empty for a 0-D scalar.', examples: ['256,128'] }),
  dtype: Type.Optional(dtype),
  seed: Type.Optional(Type.String({ description: `${seedText} A decimal string up to 2^64-1.`, examples: ['42'] })),
  draw: Type.Optional(Type.Integer({ minimum: 0, description: drawText })),
  key: Type.Optional(Type.String({ description: `${keyText} Two decimal uint32 words, comma-separated.`, examples: ['0,42'] })),
  gain: Type.Optional(gain),
  profile: Type.Optional(profile),
  params: Type.Optional(Type.Record(Type.String(), queryParam, {
    description: 'The initializer\'s own parameters, each as its own query field (form style, exploded): `?mode=fan_out&gain=2`. `params[mode]=fan_out` is accepted too.'
  }))
}, { additionalProperties: true })

export const BinaryTensorQuerySchema = Type.Object({
  ...TensorQuerySchema.properties,
  format: Type.Optional(Type.Enum(FORMAT_NAMES, {
    description: 'Representation, overriding Accept: raw (application/octet-stream), npy (application/x-npy), safetensors (application/vnd.safetensors). json redirects (303) to the JSON operation.'
  }))
}, { additionalProperties: true })

export type TensorQuery = Static<typeof TensorQuerySchema> & { format?: string } & Record<string, unknown>

const KerasConfigSchema = Type.Object({
  class_name: Type.String({ description: 'Keras initializer class, e.g. HeNormal.' }),
  config: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The get_config() dict; its seed is the seed.' })),
  module: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  registered_name: Type.Optional(Type.Union([Type.String(), Type.Null()]))
}, { additionalProperties: true, title: 'KerasInitializerConfig', description: 'A Keras serialized initializer (keras.initializers.serialize).' })

const bodyProperties = {
  initializer: Type.Union([
    Type.String({ minLength: 1, description: 'Catalog id.', examples: ['he_normal'] }),
    KerasConfigSchema
  ], { description: 'A catalog id, or a Keras initializer config object.' }),
  shape: Type.Array(Type.Integer({ minimum: 0 }), { description: 'Dimensions in C order; [] for a 0-D scalar.', examples: [[256, 128]] }),
  dtype: Type.Optional(dtype),
  seed: Type.Optional(Type.Union([
    Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    Type.String({ pattern: '^(0|[1-9][0-9]{0,19})$' })
  ], { description: `${seedText} A JSON integer up to 2^53-1, or a decimal string up to 2^64-1.` })),
  draw: Type.Optional(Type.Integer({ minimum: 0, description: drawText })),
  key: Type.Optional(Type.Array(Type.Integer({ minimum: 0, maximum: 0xffffffff }), { minItems: 2, maxItems: 2, description: keyText })),
  gain: Type.Optional(gain),
  params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The initializer\'s own parameters (its catalog entry\'s `parameters` schema).' })),
  profile: Type.Optional(profile)
}

export const TensorBodySchema = Type.Object({
  ...bodyProperties,
  format: Type.Optional(Type.Enum(FORMAT_NAMES, {
    description: 'Representation, overriding Accept. json redirects (307) to POST /v1/tensors/json.'
  }))
}, { $id: 'TensorRequest', title: 'TensorRequest', additionalProperties: false })

export const JsonTensorBodySchema = Type.Object({
  ...bodyProperties,
  format: Type.Optional(Type.Literal('json', { description: 'Accepted so that a POST redirected from /v1/tensors keeps working.' }))
}, {
  $id: 'JsonTensorRequest', title: 'JsonTensorRequest', additionalProperties: false
})

export type TensorBody = Static<typeof TensorBodySchema>

/**
 * The JSON representation (design §2, src/formats/json.ts): nested lists in C order like numpy's
 * tolist(), shortest round-trip decimals per dtype.
 */
export const JsonTensorSchema = Type.Object({
  shape: Type.Array(Type.Integer({ minimum: 0 })),
  dtype: Type.Enum(DTYPES),
  profile: Type.String(),
  data: Type.Unknown({
    description: 'Nested lists, depth = rank (a bare value for a 0-D tensor): numbers with the shortest decimals that read back as the same element in its dtype; booleans for bool; int64/uint64 beyond 2^53-1 as decimal strings. A tensor holding NaN or an infinity has no JSON form (406).'
  })
}, { $id: 'JsonTensor', title: 'JsonTensor', additionalProperties: false })
