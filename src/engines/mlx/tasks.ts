import { itemSize } from '../../core/dtype.ts'
import { elementCount, type Plan } from '../../core/plan.ts'
import type { ElementRange } from '../../core/element-range.ts'
import { isPositional, mlxRuns } from './mlx-recipes.ts'

/**
 * How a streamed element range becomes worker tasks. A task is one message to a worker and one
 * transferred buffer back.
 *  - 'whole': the whole tensor through MLX's own samplers, the task's range cut from it. Only for
 *    tensors of at most `wholeBytes`, and only when the range is at least half of the tensor; a
 *    smaller range is cheaper computed on its own.
 *  - 'range': elements [start, end) alone (composed MLX ops on Threefry draws), one chunk each.
 *  - 'reference': the reference kernels (recipes MLX does not run), one chunk each.
 */

export type TaskMode = 'whole' | 'range' | 'reference'

export interface MlxTask {
  mode: TaskMode
  plan: Plan
  start: number
  end: number
}

export interface TaskOptions {
  /** Bytes per chunk of 'range' and 'reference' tasks (rounded down to whole elements, at least one). */
  chunkBytes: number
  /** Largest tensor (in bytes) computed in one piece by a 'whole' task. */
  wholeBytes: number
}

/** Elements per chunk; sparse chunks hold whole rows, since a row's zeros need all its uniforms. */
function chunkElements (plan: Plan, chunkBytes: number): number {
  const perChunk = Math.max(1, Math.floor(chunkBytes / itemSize(plan.dtype)))
  if (plan.recipe.kind !== 'sparse') return perChunk
  const cols = plan.shape[1] ?? 1
  return Math.max(1, Math.floor(perChunk / cols)) * cols
}

export function * planTasks (plan: Plan, range: ElementRange, options: TaskOptions): Generator<MlxTask> {
  const { start, end } = range
  if (end <= start) return
  const n = elementCount(plan.shape)
  const runs = mlxRuns(plan)
  if (runs && !isPositional(plan.recipe) && n * itemSize(plan.dtype) <= options.wholeBytes && 2 * (end - start) >= n) {
    yield { mode: 'whole', plan, start, end }
    return
  }
  const mode: TaskMode = runs ? 'range' : 'reference'
  const step = chunkElements(plan, options.chunkBytes)
  // Chunks start on multiples of the step (row boundaries for sparse), so neighbours share no row.
  for (let from = start; from < end;) {
    const to = Math.min(end, (Math.floor(from / step) + 1) * step)
    yield { mode, plan, start: from, end: to }
    from = to
  }
}
