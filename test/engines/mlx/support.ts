import { expect } from 'vitest'
import type { Engine } from '../../../src/engines/engine.ts'
import type { ElementRange } from '../../../src/core/element-range.ts'
import { executeRange } from '../../../src/engines/reference/execute.ts'
import { buildPlan } from '../../../src/initializers/build-plan.ts'
import { type TensorRequest } from '../../../src/initializers/tensor-request.ts'
import { itemSize } from '../../../src/core/dtype.ts'
import type { Plan } from '../../../src/core/plan.ts'

/** Everything an engine streams for a range, concatenated. */
export async function collect (engine: Engine, plan: Plan, range: ElementRange): Promise<Uint8Array> {
  const parts: Uint8Array[] = []
  for await (const chunk of engine.stream(plan, range)) parts.push(chunk)
  return Buffer.concat(parts)
}

/** A plan from a JSON request body (the POST /v1/tensors form). */
export function plan (spec: TensorRequest): Plan {
  return buildPlan(spec, 'json')
}

/**
 * Asserts the engine's bytes for the range equal the reference kernels', byte for byte. On a
 * mismatch the message names the first differing element and both bit patterns, not two blobs.
 */
export async function expectReferenceBytes (engine: Engine, p: Plan, range: ElementRange): Promise<void> {
  const got = await collect(engine, p, range)
  const want = executeRange(p, range.start, range.end)
  const size = itemSize(p.dtype)
  expect(got.length, 'byte length').toBe(want.length)
  if (Buffer.compare(Buffer.from(got), Buffer.from(want)) === 0) return
  let i = 0
  while (got[i] === want[i]) i++
  const element = Math.floor(i / size)
  const hex = (b: Uint8Array): string => Buffer.from(b.subarray(element * size, (element + 1) * size)).reverse().toString('hex')
  expect.fail(`${p.initializer} ${p.profile} ${p.dtype} [${p.shape.join(',')}] range [${range.start}, ${range.end}): ` +
    `element ${range.start + element} is 0x${hex(got)}, reference 0x${hex(want)}`)
}
