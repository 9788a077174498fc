import Type, { type Static } from 'typebox'
import type { Exactness } from '../core/exactness.ts'
import { PROFILES, type Profile } from '../core/profile.ts'

/**
 * An exactness class on the wire (design §1 "Apple GPUs"). The JSON shape is the one the OpenAPI
 * document has always published: `ulp` is optional in the schema, while core's Exactness requires
 * it for `close`; readers that need the class (the gateway, remote/readiness.ts) check that too.
 */
const ExactnessSchema = Type.Object({
  class: Type.Enum(['exact', 'close'], { description: 'exact: bit-identical to the CPU reference; close: within `ulp` units in the last place.' }),
  ulp: Type.Optional(Type.Number({ minimum: 0 }))
}, { additionalProperties: false })

/**
 * What an engine says about itself: GET /readyz and the tensor metadata publish it (schema
 * EngineInfo in openapi/openapi.json), and the remote gateway reads it back from its hosts. One
 * schema for all three, so the type, the document and the gateway's check cannot drift apart.
 */
export const EngineInfoSchema = Type.Object({
  name: Type.Enum(['cpu', 'mlx', 'remote']),
  device: Type.Enum(['cpu', 'gpu', 'remote']),
  version: Type.String(),
  concurrency: Type.Integer({ minimum: 0, description: 'Worker threads, GPU streams or hosts.' }),
  exactness: Type.Object(Object.fromEntries(PROFILES.map((p) => [p, ExactnessSchema])) as Record<Profile, typeof ExactnessSchema>,
    { description: 'Per profile, the exactness class of this engine\'s MLX-family bytes.' }),
  details: Type.Optional(Type.Record(Type.String(), Type.Unknown()))
}, { $id: 'EngineInfo', title: 'EngineInfo', additionalProperties: false })

/**
 * The schema's type, with the exactness table in core's stricter form (see ExactnessSchema).
 * `concurrency` counts worker threads (cpu), GPU streams (mlx) or ready hosts (remote); the
 * exactness table says, per profile, which class the engine delivers for MLX-family plans.
 */
export type EngineInfo = Omit<Static<typeof EngineInfoSchema>, 'exactness'> & { exactness: Record<Profile, Exactness> }
