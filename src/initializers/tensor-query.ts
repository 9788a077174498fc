import { TensorInitError } from '../core/errors.ts'
import type { Plan } from '../core/plan.ts'
import type { TensorRequest } from './tensor-request.ts'

/**
 * The tensor grammar as URL query fields (GET /v1/tensors/{id}, docs/http.md), in both
 * directions: the routes read a request from a query (requestFromQuery), and the remote gateway
 * writes a plan as one (queryFromPlan) that its hosts read back the same way. One list of reserved
 * names serves both, so the two sides cannot drift apart.
 *
 * Reserved: the fields with a meaning of their own. `gain` is a top-level request field (the same
 * as params.gain, build-plan.ts); `format` picks the representation, not the tensor, and belongs to
 * http, but is reserved all the same so that no parameter is read as it. Every other field is a
 * parameter of the initializer; a parameter named like a reserved field travels in the
 * `params[name]` form (OpenAPI deepObject style, which some SDK generators emit for all of them).
 */
export const RESERVED_QUERY_FIELDS = ['shape', 'dtype', 'seed', 'draw', 'key', 'gain', 'profile', 'format', 'params'] as const

const RESERVED: ReadonlySet<string> = new Set(RESERVED_QUERY_FIELDS)

/** `params[mode]=fan_out` names `mode`. */
const DEEP_OBJECT = /^params\[([^\]]+)\]$/

/** A GET request's query fields as a TensorRequest: the initializer's own parameters are flat fields. */
export function requestFromQuery (id: string, query: Readonly<Record<string, unknown>>): TensorRequest {
  const params: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(query)) {
    if (RESERVED.has(name)) continue
    const deep = DEEP_OBJECT.exec(name)
    const key = deep === null ? name : deep[1] as string
    if (Object.hasOwn(params, key)) {
      throw new TensorInitError('invalid-parameter', `Parameter '${key}' is given twice.`, `/${key}`)
    }
    // Defined, not assigned: `params.__proto__ = v` would set the prototype (or do nothing) and
    // the field would vanish, where every other unknown name is refused by parseParams.
    Object.defineProperty(params, key, { value, enumerable: true, writable: true, configurable: true })
  }
  const request: TensorRequest = { initializer: id, shape: query.shape, params }
  if (query.dtype !== undefined) request.dtype = query.dtype
  if (query.seed !== undefined) request.seed = query.seed
  if (query.draw !== undefined) request.draw = query.draw
  if (query.key !== undefined) request.key = query.key
  if (query.gain !== undefined) request.gain = query.gain
  if (query.profile !== undefined) request.profile = query.profile
  return request
}

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
 * The query fields that request exactly `plan` (its initializer is the path, not a field): read
 * back with requestFromQuery and built with source 'query', they give an equal plan. Every
 * resolved parameter is written, defaults included, so a reader with other defaults still builds
 * the same plan.
 */
export function queryFromPlan (plan: Plan): URLSearchParams {
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
  for (const name of Object.keys(plan.params).sort()) {
    const text = queryValue(plan.params[name])
    if (text === undefined) continue
    query.set(RESERVED.has(name) ? `params[${name}]` : name, text)
  }
  return query
}
