import type { Plan } from '../../core/plan.ts'
import { queryFromPlan } from '../../initializers/tensor-query.ts'

/**
 * The GET request that asks another instance of this service for a plan's raw bytes. GET, not
 * POST: RFC 9110 §14.2 defines Range for GET only (a POST with Range gets the whole body), and
 * the gateway fetches every sub-range with a Range header.
 *
 * The query is the tensor grammar's own codec (src/initializers/tensor-query.ts), the one the
 * host's GET route reads it with; every resolved parameter is sent, defaults included, so a host
 * with other defaults still builds the same plan, and the host's ETag, which hashes its plan,
 * proves it did (see expected-tag.ts).
 */
export function tensorPath (plan: Plan): string {
  const query = queryFromPlan(plan)
  query.set('format', 'raw')
  return `/v1/tensors/${encodeURIComponent(plan.initializer)}?${query.toString()}`
}
