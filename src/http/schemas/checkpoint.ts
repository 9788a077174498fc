import Type, { type Static } from 'typebox'
import { DTYPES } from '../../core/dtype.ts'
import { KEY_MODES } from '../../initializers/manifest.ts'
import { PROFILE_NAMES } from '../../core/profile.ts'

/**
 * The checkpoint manifest (POST /v1/checkpoints). As for single tensors, the schema checks types
 * and documents the API; src/initializers/manifest.ts is the authority on values (names, limits,
 * what each initializer accepts) and names the offending member as /tensors/i/... itself.
 */

const DTYPE_TEXT = 'The catalog entry of each initializer lists the dtypes it supports.'

export const CheckpointTensorSchema = Type.Object({
  name: Type.String({ minLength: 1, description: 'The tensor\'s name in the file (unique), e.g. `layers.0.attention.wq.weight`.' }),
  shape: Type.Array(Type.Integer({ minimum: 0 }), { description: 'Dimensions in C order; [] for a 0-D scalar.', examples: [[4096, 4096]] }),
  initializer: Type.String({ minLength: 1, description: 'Catalog id (GET /v1/initializers).', examples: ['glorot_uniform'] }),
  params: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: 'The initializer\'s own parameters.' })),
  gain: Type.Optional(Type.Number({ description: 'Gain, for initializers that take one (same as params.gain).' })),
  dtype: Type.Optional(Type.Enum(DTYPES, { description: `This tensor's element type, overriding the manifest's. ${DTYPE_TEXT}` }))
}, { title: 'CheckpointTensor', additionalProperties: false })

export const CheckpointRequestSchema = Type.Object({
  seed: Type.Optional(Type.Union([
    Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
    Type.String({ pattern: '^(0|[1-9][0-9]{0,19})$' })
  ], { description: 'Unsigned 64-bit seed, as mx.random.seed(seed) takes it (default 0): a JSON integer up to 2^53-1 or a decimal string up to 2^64-1.' })),
  profile: Type.Optional(Type.Enum(PROFILE_NAMES, { description: 'Pinned algorithm for every tensor (default mlx-0.32, alias mlx).' })),
  dtype: Type.Optional(Type.Enum(DTYPES, { description: `Default element type of the tensors (default float32). ${DTYPE_TEXT}` })),
  keys: Type.Optional(Type.Enum(KEY_MODES, {
    description: 'Where each tensor\'s key comes from. `sequence` (default): MLX\'s global key sequence after mx.random.seed(seed), taken in manifest order (constant and identity take no key, sparse two), exactly as MLX initializing the list in order. ' +
      '`name`: tensor seed = the first 8 bytes (big-endian uint64) of SHA-256(seed as 8 big-endian bytes || UTF-8 name), then draw 0 of that seed, so adding a tensor changes no other.'
  })),
  tensors: Type.Array(CheckpointTensorSchema, { minItems: 1, description: 'The tensors, in the order their keys are drawn.' })
}, { $id: 'CheckpointRequest', title: 'CheckpointRequest', additionalProperties: false })

export type CheckpointRequest = Static<typeof CheckpointRequestSchema>
