import type { Exactness } from '../core/exactness.ts'
import { tensorDigest } from '../core/plan-digest.ts'
import type { Plan } from '../core/plan.ts'

/**
 * A strong entity tag (RFC 9110 §8.8.3) for one representation of a plan: its digest
 * (src/core/plan-digest.ts) as an opaque-tag. Equal tags mean byte-identical bodies, which is what
 * "strong" promises.
 */
export function tensorEtag (plan: Plan, format: string, exactness: Exactness, extra?: unknown): string {
  return `"${tensorDigest(plan, format, exactness, extra)}"`
}
