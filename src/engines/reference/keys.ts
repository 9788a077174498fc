import type { Key, Plan } from '../../core/plan.ts'

/** The i-th key a plan's recipe consumes; a plan built by the plan builder always carries them. */
export function planKey (plan: Plan, i: number): Key {
  const key = plan.keys[i]
  if (key === undefined) throw new Error(`plan for ${plan.recipe.kind} carries ${plan.keys.length} key(s), needs key #${i}`)
  return key
}
