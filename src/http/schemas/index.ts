import { InitializerListSchema, InitializerSchema } from './catalog.ts'
import { CheckpointRequestSchema } from './checkpoint.ts'
import { EngineInfoSchema } from '../../engines/engine-info.ts'
import { HealthSchema, ReadinessSchema } from './engine.ts'
import { ProblemSchema, ProblemTypeSchema } from './problem.ts'
import { JsonTensorBodySchema, JsonTensorSchema, TensorBodySchema } from './tensor.ts'

/**
 * Schemas with an `$id`, added to the app once and referenced by name (`Type.Ref('Problem')`);
 * @fastify/swagger publishes them under components.schemas with the same names.
 */
export const SHARED_SCHEMAS = [
  ProblemSchema,
  ProblemTypeSchema,
  InitializerSchema,
  InitializerListSchema,
  EngineInfoSchema,
  HealthSchema,
  ReadinessSchema,
  TensorBodySchema,
  JsonTensorBodySchema,
  JsonTensorSchema,
  CheckpointRequestSchema
] as const
