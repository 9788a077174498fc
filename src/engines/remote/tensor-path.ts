import type { Plan } from '../../core/plan.ts'

/**
 * Query fields of GET /v1/tensors/{id} with a meaning of their own (src/http/plan-request.ts); a
 * parameter with one of these names travels in the `params[name]` form instead.
 */
const RESERVED = new Set(['shape', 'dtype', 'seed', 'draw', 'key', 'profile', 'format', 'params'])

/**
 * A parameter value as the query parser reads it back (src/initializers/params.ts, source
 * 'query'): numbers in JS's shortest round-trip form (and -0 kept), lists comma-separated, null as
 * the text `null`.
 */
function queryValue (value: unknown): string | undefined {
  if (value === undefined) return undefined
  if (value === null) return 'null'
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value)
  if (typeof value === 'boolean' || typeof value === 'string') return String(value)
  if (Array.isArray(value)) return value.map((v) => queryValue(v) ?? '').join(',')
  throw new TypeError(`parameter value ${JSON.stringify(value)} has no query form`)
}

/**
 * The GET request that asks another instance of this service for a plan's raw bytes. GET, not
 * POST: RFC 9110 §14.2 defines Range for GET only (a POST with Range gets the whole body), and
 * the gateway fetches every sub-range with a Range header.
 *
 * Every resolved parameter is sent, defaults included, so a host with other defaults still builds
 * the same plan; the host's ETag, which hashes its plan, proves it did (see expected-tag.ts).
 */
export function tensorPath (plan: Plan): string {
  const query = new URLSearchParams()
  query.set('shape', plan.shape.join(','))
  query.set('dtype', plan.dtype)
  query.set('profile', plan.profile)
  if (plan.keySource.kind === 'seed') {
    query.set('seed', plan.keySource.seed)
    query.set('draw', String(plan.keySource.draw))
  } else {
    query.set('key', plan.keySource.key.join(','))
  }
  query.set('format', 'raw')
  for (const name of Object.keys(plan.params).sort()) {
    const text = queryValue(plan.params[name])
    if (text === undefined) continue
    query.set(RESERVED.has(name) ? `params[${name}]` : name, text)
  }
  return `/v1/tensors/${encodeURIComponent(plan.initializer)}?${query.toString()}`
}
