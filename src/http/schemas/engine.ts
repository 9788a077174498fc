import Type from 'typebox'
import { PROFILES } from '../../core/profile.ts'

const Exactness = Type.Object({
  class: Type.Enum(['exact', 'close'], { description: 'exact: bit-identical to the CPU reference; close: within `ulp` units in the last place.' }),
  ulp: Type.Optional(Type.Number({ minimum: 0 }))
}, { additionalProperties: false })

export const EngineInfoSchema = Type.Object({
  name: Type.Enum(['cpu', 'mlx', 'remote']),
  device: Type.Enum(['cpu', 'gpu', 'remote']),
  version: Type.String(),
  concurrency: Type.Integer({ minimum: 0, description: 'Worker threads, GPU streams or hosts.' }),
  exactness: Type.Object(Object.fromEntries(PROFILES.map((p) => [p, Exactness])) as Record<typeof PROFILES[number], typeof Exactness>,
    { description: 'Per profile, the exactness class of this engine\'s MLX-family bytes.' }),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, { $id: 'EngineInfo', title: 'EngineInfo', additionalProperties: false })

export const HealthSchema = Type.Object({
  status: Type.Literal('ok')
}, { $id: 'Health', title: 'Health', additionalProperties: false })

export const ReadinessSchema = Type.Object({
  status: Type.Literal('ready'),
  version: Type.String({ description: 'Service version.' }),
  engine: Type.Ref('EngineInfo')
}, { $id: 'Readiness', title: 'Readiness', additionalProperties: false })
