import Type, { type Static } from 'typebox'
import { DTYPES } from '../../core/dtype.ts'
import { PROFILES } from '../../core/profile.ts'

export const FAMILIES = ['mlx', 'keras', 'torch', 'jax'] as const

const DTypeList = Type.Array(Type.Enum(DTYPES))

/**
 * A catalog entry as published. `parameters` is a JSON Schema (2020-12, as OpenAPI 3.1 uses) of
 * the initializer's own parameters: types, defaults, ranges and which are required.
 */
export const InitializerSchema = Type.Object({
  id: Type.String({ description: 'Catalog id: unprefixed for MLX; keras., torch., jax. for the other families.', examples: ['he_normal'] }),
  family: Type.Enum(FAMILIES),
  aliases: Type.Array(Type.String(), { description: 'Other names that resolve to this entry.' }),
  summary: Type.String(),
  formula: Type.String({ description: 'The distribution in one line.' }),
  fan: Type.Optional(Type.String({ description: 'The fan convention (which axes count as fan_in and fan_out).' })),
  parameters: Type.Object({
    type: Type.Literal('object'),
    properties: Type.Record(Type.String(), Type.Object({}, { additionalProperties: true })),
    required: Type.Array(Type.String()),
    additionalProperties: Type.Literal(false)
  }, { description: 'JSON Schema of the initializer\'s parameters (GET: query fields; POST: members of `params`, `gain` also at the top level).' }),
  dtypes: Type.Array(Type.Enum(DTYPES), { description: 'dtypes the initializer can produce.' }),
  mlxExact: Type.Object(Object.fromEntries(PROFILES.map((p) => [p, DTypeList])) as Record<typeof PROFILES[number], typeof DTypeList>, {
    description: 'Per profile, the dtypes for which the bytes equal real MLX\'s, bit for bit (empty: the family promises the distribution, not MLX\'s bits).'
  }),
  minRank: Type.Optional(Type.Integer({ minimum: 0, description: 'Fewest dimensions the shape may have.' })),
  maxRank: Type.Optional(Type.Integer({ minimum: 0, description: 'Most dimensions the shape may have.' })),
  kerasConfig: Type.Optional(Type.Object({
    module: Type.String(),
    class_name: Type.String(),
    config: Type.Record(Type.String(), Type.Unknown()),
    registered_name: Type.Union([Type.String(), Type.Null()])
  }, {
    additionalProperties: false,
    description: 'Keras family: the entry\'s serialized config with default parameters (seed null), as keras.initializers.serialize writes it. POST it back as `initializer` (with a seed in its config) to get the tensor it describes.'
  }))
}, { $id: 'Initializer', title: 'Initializer', additionalProperties: false })

export type InitializerView = Static<typeof InitializerSchema>

export const InitializerListSchema = Type.Object({
  initializers: Type.Array(Type.Ref('Initializer')),
  profiles: Type.Array(Type.String(), { description: 'Profile names accepted by `profile` (aliases included).' }),
  defaultProfile: Type.String()
}, { $id: 'InitializerList', title: 'InitializerList', additionalProperties: false })
