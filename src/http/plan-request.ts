import { isTensorInitError, TensorInitError } from '../core/errors.ts'
import { buildPlan } from '../initializers/build-plan.ts'
import { type TensorRequest } from '../initializers/tensor-request.ts'
import type { Plan } from '../core/plan.ts'
import type { Limits } from '../core/limits.ts'
import type { TensorQuery } from './schemas/tensor.ts'

/** Query fields with a meaning of their own; every other field is a parameter of the initializer. */
const RESERVED = new Set(['shape', 'dtype', 'seed', 'draw', 'key', 'gain', 'profile', 'format', 'params'])

/** `params[mode]=fan_out` (OpenAPI deepObject style, which some SDK generators emit) names `mode`. */
const DEEP_OBJECT = /^params\[([^\]]+)\]$/

/** A GET request's query fields as a TensorRequest: the initializer's own parameters are flat fields. */
export function specFromQuery (id: string, query: TensorQuery): TensorRequest {
  const params: Record<string, unknown> = {}
  for (const [name, value] of Object.entries(query)) {
    if (RESERVED.has(name)) continue
    const deep = DEEP_OBJECT.exec(name)
    const key = deep === null ? name : deep[1] as string
    if (Object.hasOwn(params, key)) {
      throw new TensorInitError('invalid-parameter', `Parameter '${key}' is given twice.`, `/${key}`)
    }
    params[key] = value
  }
  const spec: TensorRequest = { initializer: id, shape: query.shape, params }
  if (query.dtype !== undefined) spec.dtype = query.dtype
  if (query.seed !== undefined) spec.seed = query.seed
  if (query.draw !== undefined) spec.draw = query.draw
  if (query.key !== undefined) spec.key = query.key
  if (query.gain !== undefined) spec.gain = query.gain
  if (query.profile !== undefined) spec.profile = query.profile
  return spec
}

/**
 * buildPlan names fields as JSON Pointers into a POST body (`/params/mode`). In a GET the
 * initializer's parameters are top-level query fields, so the pointer is rewritten to `/mode`, and
 * the initializer is the path parameter (`/path/id`).
 */
export function planFromQuery (id: string, query: TensorQuery, limits: Limits): Plan {
  try {
    return buildPlan(specFromQuery(id, query), 'query', limits)
  } catch (err) {
    if (isTensorInitError(err) && err.field !== undefined) {
      if (err.field.startsWith('/params/')) throw new TensorInitError(err.code, err.message, err.field.slice('/params'.length))
      if (err.field === '/initializer') throw new TensorInitError(err.code, err.message, '/path/id')
    }
    throw err
  }
}

/** A POST body as a TensorRequest (the body's members are the spec's, minus `format`). */
export function planFromBody (body: Record<string, unknown>, limits: Limits): Plan {
  const { format: _format, ...spec } = body
  return buildPlan(spec as unknown as TensorRequest, 'json', limits)
}
