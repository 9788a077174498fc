import { itemSize } from '../../core/dtype.ts'
import type { Plan } from '../../core/plan.ts'
import type { RecipeKind } from '../../core/recipe.ts'
import type { ElementRange } from '../../core/element-range.ts'

/**
 * How a tensor's element range is cut into worker tasks (design §3: chunks of about 1-4 MiB).
 *
 * Chunk boundaries sit at fixed multiples of the chunk length counted from element 0, not from
 * the range's start, so a Range request computes the same chunks as the whole tensor would.
 * The length is a multiple of what a kernel must not split:
 *  - `sparse` (MLX nn.init.sparse) zeroes by a per-row argsort of uniforms, so a chunk holds
 *    whole rows: a split row would have its uniforms drawn and sorted twice;
 *  - every other kernel computes any element on its own (counter-based draws); lengths are kept
 *    a multiple of 8 elements, which matches the wasm kernels' 8-word groups and never splits a
 *    16-bit draw pair.
 * Kernels whose first element costs a whole-matrix precomputation (a QR for the orthogonal
 * family) run as one task when the range is small enough, so one worker computes the matrix
 * once; larger ranges are chunked and each worker computes it once (the reference caches it).
 */

export const DEFAULT_CHUNK_BYTES = 2 * 1024 * 1024

/** Ranges of the QR-based recipes up to this size are computed by one task. */
export const WHOLE_TASK_MAX_BYTES = 64 * 1024 * 1024

const WHOLE_MATRIX_KINDS: ReadonlySet<RecipeKind> = new Set<RecipeKind>(['orthogonal', 'orthogonal-moved', 'delta-orthogonal'])

/** Whether a plan's kernel must see the whole matrix (a QR) before its first element. */
export function isWholeMatrix (plan: Plan): boolean {
  return WHOLE_MATRIX_KINDS.has(plan.recipe.kind)
}

/** Element granularity of chunk boundaries for a plan. */
export function chunkAlignment (plan: Plan): number {
  if (plan.recipe.kind === 'sparse' && plan.shape.length === 2) return Math.max(1, plan.shape[1]!)
  return 8
}

/** Elements per chunk: about `chunkBytes`, a positive multiple of the plan's alignment. */
export function chunkLength (plan: Plan, chunkBytes: number, range: ElementRange): number {
  const size = itemSize(plan.dtype)
  if (isWholeMatrix(plan) && (range.end - range.start) * size <= WHOLE_TASK_MAX_BYTES) {
    return Math.max(1, range.end - range.start)
  }
  const align = chunkAlignment(plan)
  const wanted = Math.max(1, Math.floor(chunkBytes / size))
  return Math.max(align, wanted - (wanted % align))
}

/** The chunks of [start, end), in order: boundaries at multiples of `length` (absolute indices). */
export function * chunkRanges (range: ElementRange, length: number): Generator<ElementRange> {
  if (!(length >= 1) || !Number.isSafeInteger(length)) throw new RangeError(`chunk length must be a positive integer, got ${length}`)
  let start = range.start
  while (start < range.end) {
    const boundary = (Math.floor(start / length) + 1) * length
    const end = Math.min(range.end, boundary)
    yield { start, end }
    start = end
  }
}
