import { isTensorInitError } from '../../src/core/errors.ts'
import type { Plan } from '../../src/core/plan.ts'
import { buildPlan, type PlanLimits } from '../../src/initializers/build-plan.ts'
import type { ParamSpec, ParamValue } from '../../src/initializers/entry.ts'
import type { TensorRequest } from '../../src/initializers/tensor-request.ts'

/** Shapes every catalog entry accepts at least one of (2-D square, 3-D, 4-D conv, 1-D). */
const SHAPES = [[6, 6], [4, 6, 3], [2, 4, 3, 3], [5]]

/** A plan of initializer `id` (with `extra` request members) on the first shape it accepts. */
export function planOnFirstShape (id: string, extra: Partial<TensorRequest> = {}, limits?: PlanLimits): Plan {
  let last: unknown
  for (const shape of SHAPES) {
    try {
      return buildPlan({ initializer: id, shape, ...extra }, 'json', limits)
    } catch (err) {
      if (!isTensorInitError(err)) throw err
      last = err
    }
  }
  throw last
}

/** A valid value for a required parameter. */
export function sampleParam (spec: ParamSpec): ParamValue {
  switch (spec.type) {
    case 'number': return spec.minimum ?? 0.25
    case 'integer': return spec.minimum ?? 1
    case 'boolean': return true
    case 'string': return spec.enum?.[0] ?? 'x'
    case 'integer-list': return [0]
  }
}
