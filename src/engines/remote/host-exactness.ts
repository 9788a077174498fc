import type { Plan } from '../../core/plan.ts'
import type { EngineInfo } from '../engine-info.ts'
import type { Exactness } from '../../core/exactness.ts'
import { mlxExactness } from '../mlx/exactness.ts'

/**
 * The class a host's bytes for one plan belong to. /readyz publishes one class per profile: the
 * worst case over the plans of that profile. An engine may be better for a given plan (the mlx
 * engine on a Metal GPU is exact for float32 uniforms and `close` for normals), and its ETag then
 * names the better class, so the gateway computes each host's class per plan the way the host's
 * engine does (src/engines/mlx/exactness.ts for mlx; the cpu engine is the same for every plan).
 * Should the host disagree (another version), its ETag differs and it serves nothing.
 */
export function planExactness (engine: EngineInfo, plan: Plan): Exactness {
  if (engine.name === 'mlx') return mlxExactness(plan, engine.device === 'gpu' ? 'gpu' : 'cpu')
  return engine.exactness[plan.profile]
}
