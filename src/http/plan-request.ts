import { isTensorInitError, TensorInitError } from '../core/errors.ts'
import { buildPlan } from '../initializers/build-plan.ts'
import { type TensorRequest } from '../initializers/tensor-request.ts'
import { requestFromQuery } from '../initializers/tensor-query.ts'
import type { Plan } from '../core/plan.ts'
import type { Limits } from '../core/limits.ts'
import type { TensorQuery } from './schemas/tensor.ts'

/**
 * A GET request's plan: the query read with the tensor grammar's codec (tensor-query.ts), then
 * built. buildPlan names fields as JSON Pointers into a POST body (`/params/mode`). In a GET the
 * initializer's parameters are top-level query fields, so the pointer is rewritten to `/mode`, and
 * the initializer is the path parameter (`/path/id`).
 */
export function planFromQuery (id: string, query: TensorQuery, limits: Limits): Plan {
  try {
    return buildPlan(requestFromQuery(id, query), 'query', limits)
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
