import { TensorInitError } from '../../core/errors.ts'
import { itemSize } from '../../core/dtype.ts'
import type { Plan } from '../../core/plan.ts'
import type { DiracRecipe } from '../../core/recipe.ts'
import { fillElements } from './elements.ts'

/**
 * torch.nn.init.dirac_(tensor, groups) (torch/nn/init.py): a (out, in, k1[, k2[, k3]]) conv kernel
 * that is zero except, for every group g and d < min(out/groups, in), the element
 * [g * out/groups + d, d, k1//2, ...] = 1: each group passes its first input channels through.
 * No key. Only the output channels overlapping the range are visited.
 */
export function diracKernel (plan: Plan, recipe: DiracRecipe, start: number, end: number, out: Uint8Array): void {
  const shape = plan.shape
  if (shape.length < 3 || shape.length > 5) {
    throw new TensorInitError('invalid-rank', 'Only tensors with 3, 4, or 5 dimensions are supported', '/shape')
  }
  const outChannels = shape[0]!
  const inChannels = shape[1]!
  const groups = recipe.groups
  if (outChannels % groups !== 0) throw new TensorInitError('invalid-parameter', 'dim 0 must be divisible by groups', '/params/groups')
  // The centre tap's flat offset inside one (o, i) kernel: sum of (k // 2) * stride over spatial dims.
  let taps = 1
  let center = 0
  for (let j = shape.length - 1; j >= 2; j--) {
    center += Math.floor(shape[j]! / 2) * taps
    taps *= shape[j]!
  }
  const perGroup = outChannels / groups
  const diagonal = Math.min(perGroup, inChannels)
  const perOut = inChannels * taps
  if (perOut === 0 || diagonal === 0) return
  const size = itemSize(plan.dtype)
  const element = new Uint8Array(8)
  fillElements(plan.dtype, recipe.value, element, 0, 1)
  const bytes = element.subarray(0, size)
  const lastOut = Math.min(outChannels, Math.ceil(end / perOut))
  for (let o = Math.floor(start / perOut); o < lastOut; o++) {
    const d = o % perGroup
    if (d >= diagonal) continue
    const idx = o * perOut + d * taps + center
    if (idx >= start && idx < end) out.set(bytes, (idx - start) * size)
  }
}
