import { type DType, HALF_AND_SINGLE } from '../../core/dtype.ts'
import { elementCount, type Key, type Plan } from '../../core/plan.ts'
import type { Recipe, RecipeKind } from '../../core/recipe.ts'
import { sparseZeroCount } from '../reference/sparse.ts'
import { drawsFor, words32 } from './draws.ts'
import type { Mx, MxArray } from './mlx-module.ts'
import { type MlxFloat, keyArray, mlxDtype, uint32Scalar } from './mlx-values.ts'
import type { NpyExchange } from './npy-exchange.ts'
import { normal013, truncatedNormal013, uniform013 } from './samplers-013.ts'
import { normal032, truncatedNormal032, uniform032, unitFromWords } from './samplers-032.ts'

/**
 * What the MLX engine computes with MLX, and how (design §3 "Engines"). Two ways to the same
 * bytes:
 *  - wholeTensor: the tensor in one piece through MLX's own samplers (mx.random.uniform, normal,
 *    truncatedNormal with the plan's key for mlx-0.13; for mlx-0.32 MLX's float32 uniform as the
 *    unit draw, then the 0.32 steps). Used when the tensor is small enough to hold.
 *  - tensorRange: elements [start, end) only. MLX's counter layout depends on the tensor's total
 *    size (spec b.4), so the draws of the range come from the Threefry port and every float step
 *    runs as the MLX op the sampler is made of (samplers-013.ts, samplers-032.ts).
 * Both return a flat array of dtype D. Other recipes (orthogonal and the Keras/PyTorch/JAX kinds,
 * float64, integer and bool dtypes) are not MLX's and go to the reference kernels instead.
 */

const MLX_KINDS: ReadonlySet<RecipeKind> = new Set<RecipeKind>([
  'constant', 'eye', 'uniform', 'normal', 'mlx-truncated-normal', 'sparse'
])

function isMlxFloat (dtype: DType): dtype is MlxFloat {
  return (HALF_AND_SINGLE as readonly string[]).includes(dtype)
}

/** True when the MLX engine runs this plan with MLX ops; false: the reference kernels run it. */
export function mlxRuns (plan: Plan): boolean {
  return MLX_KINDS.has(plan.recipe.kind) && isMlxFloat(plan.dtype)
}

/** True for recipes whose every element depends on nothing but its index (no whole-tensor pass helps). */
export function isPositional (recipe: Recipe): boolean {
  return recipe.kind === 'constant' || recipe.kind === 'eye'
}

function mlxFloatOf (plan: Plan): MlxFloat {
  if (!isMlxFloat(plan.dtype)) throw new Error(`MLX does not run ${plan.dtype} plans`)
  return plan.dtype
}

function planKey (plan: Plan, index: number): Key {
  const key = plan.keys[index]
  if (key === undefined) throw new Error(`plan for ${plan.initializer} lacks key ${index}`)
  return key
}

function twoDims (plan: Plan): [number, number] {
  const [rows, cols] = plan.shape
  if (plan.shape.length !== 2 || rows === undefined || cols === undefined) {
    throw new Error(`${plan.recipe.kind} needs a 2-D shape, got [${plan.shape.join(', ')}]`)
  }
  return [rows, cols]
}

/** Largest count arange(0, count) yields exactly: node-mlx passes its bounds as float32. */
const ARANGE_EXACT = 2 ** 24

/** uint32 0, 1, ..., length - 1, exact for any length below 2^32. */
function indices (mx: Mx, length: number): MxArray {
  const pieces: MxArray[] = []
  for (let from = 0; from < length; from += ARANGE_EXACT) {
    const piece = mx.arange(0, Math.min(ARANGE_EXACT, length - from), 1, mx.uint32)
    pieces.push(from === 0 ? piece : mx.add(piece, uint32Scalar(mx, from)))
  }
  return pieces.length === 1 ? pieces[0]! : mx.concatenate(pieces)
}

/**
 * mx.eye(rows, cols) with `value` on the diagonal, elements [start, end): flat index i is on the
 * diagonal when i = r * (cols + 1) for some r < min(rows, cols). Like mx.full, `value` goes
 * double -> float -> D.
 */
function eyeRange (mx: Mx, dtype: MlxFloat, value: number, rows: number, cols: number, start: number, end: number): MxArray {
  const d = mlxDtype(mx, dtype)
  const length = end - start
  const stride = cols + 1
  const first = Math.ceil(start / stride)
  const last = Math.min(Math.min(rows, cols) - 1, Math.floor((end - 1) / stride))
  if (first > last) return mx.zeros([length], d)
  const offset = first * stride - start
  const j = indices(mx, length)
  let onDiagonal: MxArray
  if (first === last) {
    onDiagonal = mx.equal(j, uint32Scalar(mx, offset))
  } else {
    // Below `offset` the uint32 difference wraps past every in-range multiple of the stride.
    const k = mx.subtract(j, uint32Scalar(mx, offset))
    onDiagonal = mx.logicalAnd(
      mx.equal(mx.remainder(k, uint32Scalar(mx, stride)), uint32Scalar(mx, 0)),
      mx.lessEqual(k, uint32Scalar(mx, (last - first) * stride)))
  }
  return mx.where(onDiagonal, mx.array(value, mx.float32).astype(d), mx.array(0, d))
}

/**
 * MLX 0.32's nn.init.sparse zero pattern for whole rows (spec b.14): per row, the columns of the
 * ceil(sparsity * cols) smallest float32 uniforms, in argsort order. argsort(order) is each
 * column's rank, so "rank < zeros" marks exactly order[:, :zeros]. argsort runs on the CPU stream:
 * its stable tie order is the one MLX's CPU defines, and a GPU sort need not keep it.
 */
function sparseZeroMask (mx: Mx, unit: MxArray, rows: number, cols: number, zeros: number): MxArray {
  const order = mx.argsort(unit.reshape([rows, cols]), 1, mx.cpu)
  const rank = mx.argsort(order, 1, mx.cpu)
  return mx.flatten(mx.less(rank, uint32Scalar(mx, zeros)))
}

/** The whole tensor, flat, through MLX's own samplers. */
export function wholeTensor (mx: Mx, plan: Plan): MxArray {
  const dtype = mlxFloatOf(plan)
  const d = mlxDtype(mx, dtype)
  const n = elementCount(plan.shape)
  const recipe = plan.recipe
  const old = plan.profile === 'mlx-0.13'
  const unit = (index: number): MxArray => mx.random.uniform(0, 1, [n], mx.float32, keyArray(mx, planKey(plan, index)))
  switch (recipe.kind) {
    case 'constant':
      return mx.full([n], recipe.value, d)
    case 'eye': {
      const [rows, cols] = twoDims(plan)
      return eyeRange(mx, dtype, recipe.value, rows, cols, 0, n)
    }
    case 'uniform':
      return old
        ? mx.random.uniform(recipe.low, recipe.high, [n], d, keyArray(mx, planKey(plan, 0)))
        : uniform032(mx, dtype, recipe.low, recipe.high, unit(0))
    case 'normal':
      return old
        ? mx.random.normal([n], d, recipe.loc ?? 0, recipe.scale ?? 1, keyArray(mx, planKey(plan, 0)))
        : normal032(mx, dtype, recipe.loc, recipe.scale, unit(0))
    case 'mlx-truncated-normal':
      return old
        ? mx.random.truncatedNormal(recipe.lower, recipe.upper, [n], d, keyArray(mx, planKey(plan, 0)))
        : truncatedNormal032(mx, dtype, recipe.lower, recipe.upper, unit(0))
    case 'sparse': {
      const [rows, cols] = twoDims(plan)
      const values = old
        ? mx.random.normal([n], d, recipe.loc, recipe.scale, keyArray(mx, planKey(plan, 1)))
        : normal032(mx, dtype, recipe.loc, recipe.scale, unit(1))
      const zeros = sparseZeroCount(recipe.sparsity, cols)
      if (zeros === 0 || n === 0) return values
      return mx.where(sparseZeroMask(mx, unit(0), rows, cols, zeros), mx.array(0, d), values)
    }
    default:
      throw new Error(`MLX does not run recipe kind ${recipe.kind}`)
  }
}

/** Elements [start, end) of the tensor, flat, computing no element outside them (sparse: no row). */
export function tensorRange (mx: Mx, io: NpyExchange, plan: Plan, start: number, end: number): MxArray {
  const dtype = mlxFloatOf(plan)
  const d = mlxDtype(mx, dtype)
  const n = elementCount(plan.shape)
  const recipe = plan.recipe
  const old = plan.profile === 'mlx-0.13'
  // 0.13 draws 16-bit values for half dtypes; 0.32 always 32-bit words (spec b.5, b.13).
  const width = old && dtype !== 'float32' ? 2 : 4
  const draws = (index: number, from = start, to = end): MxArray =>
    drawsFor(mx, io, planKey(plan, index), width, n, from, to)
  const unit = (index: number, from = start, to = end): MxArray =>
    unitFromWords(mx, words32(mx, io, planKey(plan, index), n, from, to))
  switch (recipe.kind) {
    case 'constant':
      return mx.full([end - start], recipe.value, d)
    case 'eye': {
      const [rows, cols] = twoDims(plan)
      return eyeRange(mx, dtype, recipe.value, rows, cols, start, end)
    }
    case 'uniform':
      return old
        ? uniform013(mx, dtype, recipe.low, recipe.high, draws(0))
        : uniform032(mx, dtype, recipe.low, recipe.high, unit(0))
    case 'normal':
      return old
        ? normal013(mx, dtype, recipe.loc ?? 0, recipe.scale ?? 1, draws(0))
        : normal032(mx, dtype, recipe.loc, recipe.scale, unit(0))
    case 'mlx-truncated-normal':
      return old
        ? truncatedNormal013(mx, dtype, recipe.lower, recipe.upper, draws(0))
        : truncatedNormal032(mx, dtype, recipe.lower, recipe.upper, unit(0))
    case 'sparse': {
      const [, cols] = twoDims(plan)
      const values = old
        ? normal013(mx, dtype, recipe.loc, recipe.scale, draws(1))
        : normal032(mx, dtype, recipe.loc, recipe.scale, unit(1))
      const zeros = sparseZeroCount(recipe.sparsity, cols)
      if (zeros === 0 || end === start) return values
      // The zero pattern needs whole rows: the uniforms of every row the range touches.
      const firstRow = Math.floor(start / cols)
      const endRow = Math.ceil(end / cols)
      const mask = sparseZeroMask(mx, unit(0, firstRow * cols, endRow * cols), endRow - firstRow, cols, zeros)
      const inRange = mask.index(mx.Slice(start - firstRow * cols, end - firstRow * cols))
      return mx.where(inRange, mx.array(0, d), values)
    }
    default:
      throw new Error(`MLX does not run recipe kind ${recipe.kind}`)
  }
}
