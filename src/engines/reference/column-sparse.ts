import { TensorInitError } from '../../core/errors.ts'
import { elementCount, type Key, type Plan } from '../../core/plan.ts'
import type { ColumnSparseRecipe } from '../../core/recipe.ts'
import { fillWords } from '../../random/bits.ts'
import { LruCache } from '../../random/lru.ts'
import { planKey } from './keys.ts'
import { floatView, requireFloatDType } from './round-dtype.ts'
import { writeRoundedNormal } from './rounded-normal.ts'

/**
 * torch.nn.init.sparse_(tensor, sparsity, std) (torch/nn/init.py) for a rows x cols matrix:
 * every element N(0, std^2), then in each column ceil(sparsity * rows) rows set to zero. Torch
 * draws the values first (normal_) and then, per column, a torch.randperm(rows) whose first rows
 * are zeroed; this recipe keeps that order of keys: the first key draws the values exactly as
 * 'rounded-normal', the second a 32-bit word per element, and column c zeroes the rows with the
 * `zeros` smallest (word, row) pairs, which is a uniformly random subset like randperm's prefix.
 *
 * Random access: the zero set of a column depends on all of its rows, so a range needs, per
 * column, the threshold pair (t_c, r_c) of its zeros-th smallest pair; then element (r, c) is
 * zero iff (word, r) <= (t_c, r_c). The thresholds of all columns are computed once per plan
 * (O(rows * cols) words, like generating the tensor once) and cached, so a tensor streamed in
 * many ranges pays it once per worker.
 */

interface Thresholds {
  /** Per column: the word of the zeros-th smallest (word, row) pair. */
  word: Uint32Array
  /** Per column: its row; rows with the same word and a row index <= this one are zero too. */
  row: Float64Array
}

const cache = new LruCache<string, Thresholds>(4)

/**
 * The zeros-th smallest (word, row) pair of one column (0 < zeros < rows), `sorted` a scratch
 * array of the column's length. Pairs below (t, .) are all zero; the remaining zeros are the first
 * rows that hold t itself, so ties between equal words go to the lower row.
 */
export function columnThreshold (column: Uint32Array, zeros: number, sorted: Uint32Array): { word: number, row: number } {
  sorted.set(column)
  sorted.sort()
  const t = sorted[zeros - 1]!
  let below = 0
  while (sorted[below]! < t) below++
  let need = zeros - below
  let row = -1
  for (let r = 0; r < column.length && need > 0; r++) {
    if (column[r] === t) {
      row = r
      need--
    }
  }
  return { word: t, row }
}

/** Cap on the scratch words held while computing the thresholds of a batch of columns. */
const BATCH_WORDS = 1 << 22

export function columnThresholds (key: Key, rows: number, cols: number, zeros: number): Thresholds {
  return cache.getOrCreate(`${key[0]}|${key[1]}|${rows}|${cols}|${zeros}`, () => {
    const word = new Uint32Array(cols)
    const row = new Float64Array(cols)
    if (zeros <= 0) {
      row.fill(-1) // nothing is <= (0, -1)
      return { word, row }
    }
    if (zeros >= rows) {
      word.fill(0xffffffff)
      row.fill(rows)
      return { word, row }
    }
    const n = rows * cols
    const batch = Math.max(1, Math.min(cols, Math.floor(BATCH_WORDS / rows)))
    const columns = new Uint32Array(rows * batch) // column-major: column j of the batch at j*rows
    const line = new Uint32Array(batch)
    const sorted = new Uint32Array(rows)
    for (let c0 = 0; c0 < cols; c0 += batch) {
      const width = Math.min(batch, cols - c0)
      for (let r = 0; r < rows; r++) {
        fillWords(key, n, r * cols + c0, r * cols + c0 + width, line)
        for (let j = 0; j < width; j++) columns[j * rows + r] = line[j]!
      }
      for (let j = 0; j < width; j++) {
        const t = columnThreshold(columns.subarray(j * rows, (j + 1) * rows), zeros, sorted)
        word[c0 + j] = t.word
        row[c0 + j] = t.row
      }
    }
    return { word, row }
  })
}

const BLOCK = 8192
const words = new Uint32Array(BLOCK)

export function columnSparseKernel (plan: Plan, recipe: ColumnSparseRecipe, start: number, end: number, out: Uint8Array): void {
  const dtype = requireFloatDType(plan.dtype, 'sparse')
  if (plan.shape.length !== 2) throw new TensorInitError('invalid-rank', 'Only tensors with 2 dimensions are supported', '/shape')
  const rows = plan.shape[0]!
  const cols = plan.shape[1]!
  const n = elementCount(plan.shape)
  const view = floatView(dtype, out)
  writeRoundedNormal(plan.profile, planKey(plan, 0), n, start, end, 0, recipe.std, dtype, view)
  if (recipe.zeros <= 0 || start >= end) return
  const maskKey = planKey(plan, 1)
  const th = columnThresholds(maskKey, rows, cols, recipe.zeros)
  for (let s = start; s < end; s += BLOCK) {
    const e = Math.min(end, s + BLOCK)
    fillWords(maskKey, n, s, e, words)
    let r = Math.floor(s / cols)
    let c = s - r * cols
    for (let i = 0; i < e - s; i++) {
      const w = words[i]!
      const t = th.word[c]!
      if (w < t || (w === t && r <= th.row[c]!)) view[s - start + i] = 0
      if (++c === cols) {
        c = 0
        r++
      }
    }
  }
}
